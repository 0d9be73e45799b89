"""kill -9 at random moments: every confirmed label survives, no confirmed delete comes back, the data opens.

A child process (labeller.py) labels, deletes and restores through Session and prints each operation only after
the call returned. The test SIGKILLs it after a random delay, reopens the data dir with a new Session and compares
with what was confirmed. All trials share one data dir, so the dataset grows and every reopen replays everything.
The one operation in flight at the kill may or may not have landed; both outcomes are accepted, nothing else is.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from rlfx_tui.core import model_cache
from rlfx_tui.core.session import Session

LABELLER = Path(__file__).with_name("labeller.py")
OPTIONS = {"hidden_layer_sizes": (8,)}
TRIALS = 24
CACHE_TRIALS = 8


@dataclass
class Ledger:
    """What the children confirmed, across trials: id → (live, good)."""

    points: dict[int, tuple[bool, bool]] = field(default_factory=dict)
    counts: dict[str, int] = field(
        default_factory=lambda: {"L": 0, "D": 0, "R": 0, "in_flight_landed": 0, "in_flight_lost": 0, "torn_tails": 0}
    )


class Child:
    """The labeller subprocess, with a thread collecting its lines."""

    def __init__(self, data_dir: Path, seed: int, *, slow_cache: bool = False) -> None:
        args = [sys.executable, str(LABELLER), str(data_dir), str(seed)] + (["--slow-cache"] if slow_cache else [])
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.caching = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if not line.endswith("\n"):
                break  # cut by the kill: never confirmed
            self.lines.append(line.strip())
            if line.startswith("READY"):
                self.ready.set()
            elif line.startswith("C "):
                self.caching.set()

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.reader.join(timeout=10)
        assert self.proc.stderr is not None
        stderr = self.proc.stderr.read()
        self.proc.stderr.close()
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        assert self.proc.returncode == -signal.SIGKILL, f"the child died on its own:\n{stderr}"


def replay(ledger: Ledger, lines: list[str]) -> tuple[str, int] | None:
    """Apply the confirmed lines to the ledger; return the operation left in flight, if any."""
    in_flight: tuple[str, int] | None = None
    for line in lines:
        parts = line.split()
        if parts[0] == "?":
            in_flight = (parts[1], int(parts[2]) if len(parts) > 2 else 0)
        elif parts[0] in ("L", "D", "R"):
            point_id = int(parts[1])
            if parts[0] == "L":
                ledger.points[point_id] = (True, parts[2] == "1")
            else:
                ledger.points[point_id] = (parts[0] == "R", ledger.points[point_id][1])
            ledger.counts[parts[0]] += 1
            in_flight = None
    return in_flight


def reopen_and_check(data_dir: Path, ledger: Ledger, in_flight: tuple[str, int] | None, seed: int) -> Session:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        session = Session(data_dir=data_dir, seed=seed, learner_options=OPTIONS)
    for w in caught:
        if issubclass(w.category, ResourceWarning):
            continue  # the other lane's pipes being collected: not the dataset's business
        assert "torn final record" in str(w.message), f"unexpected warning on reopen: {w.message}"
        ledger.counts["torn_tails"] += 1
    found = {p.id: p.good for p in session.points}
    for point_id, (live, good) in ledger.points.items():
        if in_flight in (("D", point_id), ("R", point_id)):
            continue  # the one operation that may or may not have landed
        if live:
            assert found.get(point_id) == good, f"confirmed label {point_id} (good={good}) lost: {found.get(point_id)}"
        else:
            assert point_id not in found, f"confirmed delete of {point_id} came back"
    extra = set(found) - {i for i, (live, _) in ledger.points.items() if live}
    if in_flight is not None and in_flight[0] == "L":
        assert len(extra) <= 1, f"more than the in-flight label appeared: {sorted(extra)}"
    elif in_flight is not None:
        assert extra <= {in_flight[1]}, f"unexpected points: {sorted(extra)}"
    else:
        assert not extra, f"unconfirmed points appeared: {sorted(extra)}"
    if in_flight is not None:
        landed = bool(extra) or (in_flight[0] == "D" and in_flight[1] not in found)
        ledger.counts["in_flight_landed" if landed else "in_flight_lost"] += 1
    # The file is now the truth for the next trial: adopt what the in-flight operation did.
    for point_id in list(ledger.points):
        ledger.points[point_id] = (point_id in found, ledger.points[point_id][1])
    for point_id in extra:
        ledger.points[point_id] = (True, found[point_id])
    return session


def _lane(data_dir: Path, seeds: range, reopen: threading.Lock) -> Ledger:
    """Trials one after another on one data dir (two lanes run side by side; reopening is one at a time, since
    warnings.catch_warnings is process-wide)."""
    rng = np.random.default_rng(seeds.start + 9)
    ledger = Ledger()
    for seed in seeds:
        child = Child(data_dir, seed=seed)
        assert child.ready.wait(60), "the child never opened its session"
        time.sleep(float(rng.uniform(0.0, 0.4)))
        child.kill()
        in_flight = replay(ledger, child.lines)
        with reopen:
            reopen_and_check(data_dir, ledger, in_flight, seed=seed)
    return ledger


def test_kill9_at_random_moments_loses_nothing_confirmed(tmp_path: Path) -> None:
    started = time.perf_counter()
    reopen = threading.Lock()
    half = TRIALS // 2
    with ThreadPoolExecutor(max_workers=2) as pool:
        lanes = [
            pool.submit(_lane, tmp_path / "a", range(0, half), reopen),
            pool.submit(_lane, tmp_path / "b", range(half, TRIALS), reopen),
        ]
        ledgers = [lane.result() for lane in lanes]
    counts = {k: sum(ledger.counts[k] for ledger in ledgers) for k in ledgers[0].counts}
    print(
        f"\nkill -9: {TRIALS} trials in {time.perf_counter() - started:.1f} s; confirmed {counts['L']} labels, "
        f"{counts['D']} deletes, {counts['R']} restores; in flight at the kill: {counts['in_flight_landed']} "
        f"landed, {counts['in_flight_lost']} not; torn tails set aside: {counts['torn_tails']}; lost: 0"
    )
    assert counts["L"] >= TRIALS, "too few labels to mean anything: the child is too slow"
    assert counts["D"] > 0


def _cache_pair_intact(directory: Path) -> bool:
    """model.json describes exactly the model.joblib beside it (the state an atomic save must never break)."""
    try:
        meta = json.loads((directory / model_cache.META_FILE).read_text())
        payload = (directory / model_cache.MODEL_FILE).read_bytes()
    except (OSError, ValueError):
        return False
    return meta.get("sha256") == hashlib.sha256(payload).hexdigest()


def test_kill9_during_model_cache_save_never_blocks_opening(tmp_path: Path) -> None:
    """Every operation retrains and rewrites the cache (stretched); the kill lands inside a cache write."""
    rng = np.random.default_rng(10)
    ledger = Ledger()
    outcomes = {"intact": 0, "torn": 0, "loaded": 0}
    directory = tmp_path / "space"
    for _ in range(CACHE_TRIALS):
        child = Child(tmp_path, seed=0, slow_cache=True)
        assert child.ready.wait(30), "the child never opened its session"
        child.caching.clear()
        assert child.caching.wait(30), "the child never wrote its model cache"
        time.sleep(float(rng.uniform(0.0, 0.03)))
        child.kill()
        in_flight = replay(ledger, child.lines)
        outcomes["intact" if _cache_pair_intact(directory) else "torn"] += 1
        calls = []
        original = model_cache.load
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(model_cache, "load", lambda *a: calls.append(original(*a)) or calls[-1])
            session = reopen_and_check(tmp_path, ledger, in_flight, seed=0)
        outcomes["loaded"] += calls[0] is not None
        assert session.learner.n_points_ == len(session.points)
        assert _cache_pair_intact(directory), "the reopened session did not leave a valid cache"
    print(
        f"\nkill -9 during cache saves: {CACHE_TRIALS} trials; cache pair intact after the kill "
        f"{outcomes['intact']}, torn {outcomes['torn']}; loaded from cache on reopen {outcomes['loaded']}, "
        f"rebuilt from the dataset {CACHE_TRIALS - outcomes['loaded']}; every reopen succeeded"
    )


if __name__ == "__main__":
    pytest.main([__file__, "-s"])
