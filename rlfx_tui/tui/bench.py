"""How fast the app answers: start → first frame, and key → updated screen.

    python -m rlfx_tui.tui.bench                 # the figures in docs/figures/app.md
    python -m rlfx_tui.tui.bench --points 50 --presses 10 --runs 1

* **start → first frame / main screen**: the real console script (`rlfx-tui --source demo`) in a pseudo-terminal,
  timed from spawn until the loading frame's text arrives, and until the main screen's; with a dataset of
  `points` labels already on disk (so the model is loaded from its cache or refitted, as at a real rehearsal).
* **key → screen**: in the same terminal, space, →, ←, + and - in turn, timed from writing the key until its
  effect is written back (a changed parameter row, the new good/bad count, the new strength) — the whole path:
  key parsing, action, dataset fsync, event, widget update, render, output; the audio engine runs meanwhile and
  retraining runs in its worker after each label.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import re
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


def seed_points(data_dir: Path, n: int, preset: str = "space", seed: int = 0) -> None:
    """Write `n` labels straight into the dataset file (the documented JSONL format), quickly."""
    from rlfx_tui.core.descriptors import DESCRIPTOR_NAMES
    from rlfx_tui.core.params import ParameterSpace
    from rlfx_tui.core.presets import resolve_preset

    spec = resolve_preset(preset)
    space = ParameterSpace(spec.params)
    rng = np.random.default_rng(seed)
    folder = data_dir / spec.name
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "points.jsonl", "w", encoding="utf-8") as f:
        for i in range(1, n + 1):
            descriptors = dict(
                zip(
                    DESCRIPTOR_NAMES,
                    [
                        -20 + 5 * rng.standard_normal(),
                        1500 + 500 * rng.random(),
                        800.0,
                        0.1 * rng.random(),
                        3000.0,
                        400.0,
                        0.05,
                    ],
                )
            )
            params = space.denormalize(rng.random(len(space)))
            f.write(
                json.dumps(
                    {
                        "op": "label",
                        "id": i,
                        "time": "2026-11-25T08:00:00.000+00:00",
                        "preset": spec.name,
                        "good": bool(rng.random() < 0.4),
                        "descriptors": descriptors,
                        "params": params,
                    }
                )
                + "\n"
            )


@dataclass
class Terminal:
    """The console script in a pseudo-terminal of a given size; the screen's text with escapes stripped."""

    process: subprocess.Popen[bytes]
    master: int
    text: bytes = b""

    @classmethod
    def spawn(cls, args: list[str], size: tuple[int, int] = (100, 32)) -> Terminal:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        env = {**os.environ, "TERM": "xterm-256color"}
        process = subprocess.Popen(
            args, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True, start_new_session=True
        )
        os.close(slave)
        return cls(process, master)

    def read(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return b""
        try:
            chunk = os.read(self.master, 65536)
        except OSError:
            return b""
        self.text += ANSI.sub(b"", chunk)
        return chunk

    def wait_for(self, text: str, timeout: float = 30.0) -> float:
        """Seconds until `text` arrives (searched in everything written since the last `clear`)."""
        needle = text.encode()
        start = time.perf_counter()
        while needle not in self.text:
            if time.perf_counter() - start > timeout:
                raise TimeoutError(f"{text!r} did not appear in {timeout} s")
            self.read(0.05)
        return time.perf_counter() - start

    def clear(self) -> None:
        while self.read(0.0):
            pass
        self.text = b""

    def close(self) -> None:
        try:
            os.write(self.master, b"q")
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        finally:
            os.close(self.master)


def script() -> str:
    return str(Path(sys.executable).with_name("rlfx-tui"))


KEYS = {"space": b" ", "right": b"\x1b[C", "left": b"\x1b[D", "plus": b"+", "minus": b"-"}


def terminal_figures(points: int, runs: int, presses: int) -> dict[str, list[float]]:
    """Launch `runs` times on one data dir (the first launch fits the model, later ones load its cache);
    time keys on the first launch."""
    figures: dict[str, list[float]] = {"first_frame_s": [], "main_screen_cold_s": [], "main_screen_cached_s": []}
    figures |= {f"{key}_ms": [] for key in KEYS}
    with tempfile.TemporaryDirectory() as tmp:
        seed_points(Path(tmp), points)
        good = sum(json.loads(line)["good"] for line in (Path(tmp) / "space" / "points.jsonl").open())
        bad = points - good
        for run in range(runs):
            started = time.perf_counter()
            term = Terminal.spawn([script(), "--source", "demo", "--data-dir", tmp])
            try:
                term.wait_for("loading the model")
                figures["first_frame_s"].append(time.perf_counter() - started)
                term.wait_for("labelled points")
                figures["main_screen_cold_s" if run == 0 else "main_screen_cached_s"].append(
                    time.perf_counter() - started
                )
                term.wait_for("q quit")
                time.sleep(0.5)
                strength = 50
                for i in range(presses if run == 0 else 0):
                    key = list(KEYS)[i % len(KEYS)]
                    if key == "plus":
                        strength, expect = strength + 5, f"strength  {strength + 5} %"
                    elif key == "minus":
                        strength, expect = strength - 5, f"strength  {strength - 5} %"
                    elif key == "right":
                        good, expect = good + 1, f"good {good + 1}  bad {bad}"
                    elif key == "left":
                        bad, expect = bad + 1, f"good {good}  bad {bad + 1}"
                    else:
                        expect = "◆"  # a parameter row the jump changed, redrawn
                    time.sleep(0.3)  # let retraining and the previous redraw settle, like a player's pace
                    term.clear()
                    t0 = time.perf_counter()
                    os.write(term.master, KEYS[key])
                    term.wait_for(expect, timeout=5)
                    figures[f"{key}_ms"].append(1000 * (time.perf_counter() - t0))
            finally:
                term.close()
    return figures


def summary(values: list[float]) -> str:
    if not values:
        return "—"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"median {statistics.median(ordered):7.1f}  p95 {p95:7.1f}  max {ordered[-1]:7.1f}  (n={len(ordered)})"


def main(argv: list[str] | None = None) -> int:  # noqa: D103
    parser = argparse.ArgumentParser(prog="python -m rlfx_tui.tui.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=300, help="labels already on disk (default 300)")
    parser.add_argument("--runs", type=int, default=4, help="launches timed (default 4: one fits, three cached)")
    parser.add_argument("--presses", type=int, default=60, help="key presses timed (default 60)")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    figures = terminal_figures(args.points, args.runs, args.presses)
    print(
        f"rlfx-tui app, {args.points} labels on disk, {os.cpu_count()} CPUs, python {sys.version.split()[0]}, "
        f"load average {load_before:.1f} → {os.getloadavg()[0]:.1f}"
    )
    print(f"  start → first frame (s)          {summary(figures['first_frame_s'])}")
    print(f"  start → main screen, fit (s)     {summary(figures['main_screen_cold_s'])}")
    print(f"  start → main screen, cached (s)  {summary(figures['main_screen_cached_s'])}")
    for key in KEYS:
        print(f"  key → screen, {key:<6} (ms)       {summary(figures[f'{key}_ms'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
