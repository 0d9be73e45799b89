"""A child process for the kill -9 tests: labels, deletes and restores through Session until it is killed.

    python labeller.py DATA_DIR SEED [--slow-cache]

Protocol on stdout, one line each, flushed:
    READY                   the session is open
    ? L | ? D <id> | ? R <id>   an operation is about to start (the one in flight if the process dies now)
    L <id> <0|1>            label <id> (good=1) returned: it is confirmed
    D <id> / R <id>         delete / restore of <id> returned: confirmed
    C <file>                (--slow-cache) the model cache is about to write <file>
A confirmed line is printed only after the call has returned, so it is exactly what a UI may show as saved.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from rlfx_tui.core import model_cache
from rlfx_tui.core.session import Session


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def slow_cache_writes() -> None:
    """Announce each cache file write and stretch it, so the parent can kill in the middle of it."""
    original = model_cache._write_atomic

    def write(path, payload):  # type: ignore[no-untyped-def]
        say(f"C {path.name}")
        half = len(payload) // 2
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as handle:
            handle.write(payload[:half])
            handle.flush()
            time.sleep(0.01)
            handle.write(payload[half:])
        time.sleep(0.01)
        original(path, payload)

    model_cache._write_atomic = write


def main() -> None:
    data_dir, seed = sys.argv[1], int(sys.argv[2])
    slow = "--slow-cache" in sys.argv
    if slow:
        slow_cache_writes()
    rng = np.random.default_rng(seed)
    session = Session(data_dir=data_dir, seed=seed, learner_options={"hidden_layer_sizes": (8,)})
    say("READY")
    live = [p.id for p in session.points]
    deleted: list[int] = []
    while True:
        session.listen(rng.uniform(-0.5, 0.5, 1024).astype(np.float32) * rng.uniform(0.01, 1.0))
        session.randomize(1.0)
        roll = rng.random()
        train = slow or roll < 0.1
        if roll < 0.15 and live:
            victim = live.pop(int(rng.integers(len(live))))
            say(f"? D {victim}")
            session.delete(victim, train=train)
            deleted.append(victim)
            say(f"D {victim}")
        elif roll < 0.2 and deleted:
            back = deleted.pop()
            say(f"? R {back}")
            session.restore(back, train=train)
            live.append(back)
            say(f"R {back}")
        else:
            good = bool(rng.random() < 0.5)
            say("? L")
            point_id = session.label(good, train=train)
            live.append(point_id)
            say(f"L {point_id} {int(good)}")


if __name__ == "__main__":
    main()
