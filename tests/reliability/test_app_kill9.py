"""kill -9 of the real app in a real terminal (tmux), right after a label shows: every label the player saw in the
table is on disk with its good/bad, and the app starts again on the same data dir.

Each trial starts the console script (`exec`, so the pane's process is the app itself) on one shared data dir,
swipes → / ← a few times, waits for each new row, and at a random point sends one more key and SIGKILLs the app
a random few milliseconds later (so a label may be in flight). What the screen showed is compared with a fresh
Session; the label in flight may or may not have landed, but what landed must be exactly the keys pressed, in
order. The training child (and multiprocessing's resource tracker) must not outlive the app.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from rlfx_tui.core.session import Session
from tests.tui.test_tmux import SCRIPT, Tmux

pytestmark = pytest.mark.tmux


class Pane(Tmux):
    """test_tmux's helper, on a chosen session (one per trial) instead of "app"."""

    target = "app"

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", self.target)


TRIALS = 6
ROW = re.compile(r"(\d+)\s+\d\d:\d\d:\d\d\s+(✓ good|✗ bad)")
KEYS = {"Right": True, "Left": False}


def rows(screen: str) -> dict[int, bool]:
    return {int(m.group(1)): m.group(2) == "✓ good" for m in ROW.finditer(screen)}


def descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def bounce_safe(pressed: list[bool], key: str) -> None:
    """The same label key again within 250 ms on the same setting is taken for a bouncing switch and ignored (the
    app says so): a player repeating a key waits longer than that."""
    if pressed and pressed[-1] == KEYS[key]:
        time.sleep(0.3)


def launch(tmux: Pane, name: str, command: str, env: dict[str, str]) -> None:
    subprocess.run(
        ["tmux", "-L", tmux.socket, "new-session", "-d", "-s", name, "-x", "100", "-y", "32", command],
        check=True,
        env=env,
        timeout=10,
    )


def test_kill9_of_the_app_right_after_a_label_shows(tmp_path: Path) -> None:
    assert shutil.which("tmux"), "tmux is required for this test (apt-get install tmux)"
    assert SCRIPT.exists(), f"{SCRIPT} is missing: pip install -e . first"
    data_dir = tmp_path / "data"
    rng = random.Random(6)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JACK_")}  # no JACK server: the silent clock
    env |= {"TERM": "xterm-256color", "COLUMNS": "100", "LINES": "32"}
    tmux = Pane(tmp_path.name)
    expected: list[bool] = []  # good/bad of every label on disk so far, in id order
    figures = {"kills": 0, "seen": 0, "in_flight_landed": 0, "in_flight_lost": 0, "leaked": 0}
    try:
        for trial in range(TRIALS):
            session = f"t{trial}"
            tmux.target = session
            launch(tmux, session, f"exec {SCRIPT} --source demo --data-dir {data_dir}", env)
            screen = tmux.wait_for("q quit")
            if expected:  # the app came back on the data dir the last kill left behind
                screen = tmux.wait_for(f"good {sum(expected)}  bad {len(expected) - sum(expected)}")
            app_pid = int(tmux("display", "-p", "-t", session, "#{pane_pid}").strip())
            assert "rlfx-tui" in Path(f"/proc/{app_pid}/cmdline").read_text()
            pressed: list[bool] = []
            seen: dict[int, bool] = {}
            for _ in range(rng.randint(1, 5)):
                key = rng.choice(list(KEYS))
                bounce_safe(pressed, key)
                tmux("send-keys", "-t", session, key)
                pressed.append(KEYS[key])
                new_id = len(expected) + len(pressed)
                shown = rows(tmux.wait_until(lambda screen: new_id in rows(screen), f"row {new_id}", 20))
                seen |= {i: g for i, g in shown.items() if i > len(expected)}
            children = descendants(app_pid)
            key = rng.choice(list(KEYS))  # one more swipe, and the kill lands while it is handled (or just after)
            bounce_safe(pressed, key)
            tmux("send-keys", "-t", session, key)
            time.sleep(rng.uniform(0.0, 0.03))
            os.kill(app_pid, signal.SIGKILL)
            figures["kills"] += 1
            deadline = time.monotonic() + 10
            while any(alive(p) for p in children | {app_pid}) and time.monotonic() < deadline:
                time.sleep(0.05)
            leaked = [p for p in children if alive(p)]
            for pid in leaked:
                os.kill(pid, signal.SIGKILL)
            figures["leaked"] += len(leaked)
            on_disk = [(p.id, p.good) for p in Session(data_dir=data_dir).points]
            landed = on_disk[len(expected) :]
            assert [g for _, g in on_disk[: len(expected)]] == expected, "a label from an earlier trial changed"
            for point_id, good in seen.items():
                assert (point_id, good) in on_disk, f"label {point_id} was on screen but is not on disk"
            assert [g for _, g in landed] in (pressed, pressed + [KEYS[key]]), (landed, pressed, key)
            figures["seen"] += len(seen)
            figures["in_flight_landed" if len(landed) > len(pressed) else "in_flight_lost"] += 1
            expected += [g for _, g in landed]
        # and once more, quitting normally: the whole history is there
        tmux.target = "last"
        launch(tmux, "last", f"{SCRIPT} --source demo --data-dir {data_dir}; echo EXITED=$?; sleep 30", env)
        tmux.wait_for(f"good {sum(expected)}  bad {len(expected) - sum(expected)}")
        # the table starts scrolled to the newest label
        tmux.wait_until(lambda screen: len(expected) in rows(screen), f"label {len(expected)} shown at start", 10)
        tmux("send-keys", "-t", "last", "q")
        screen = tmux.wait_for("EXITED=")
        assert "EXITED=0" in screen and "Traceback" not in screen
    finally:
        tmux("kill-server")
    print(f"app kill -9: {figures} labels on disk: {len(expected)}")
    assert figures["leaked"] == 0, "the training child outlived the app"
    assert [p.good for p in Session(data_dir=data_dir).points] == expected
