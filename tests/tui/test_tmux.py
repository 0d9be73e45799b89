"""Smoke test: the real console script in a real terminal (tmux), as a player would use it, with no sound card.

Fails (never skips) without tmux: CI installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rlfx_tui.core.session import Session

SCRIPT = Path(sys.executable).with_name("rlfx-tui")
pytestmark = pytest.mark.tmux


class Tmux:
    def __init__(self, name: str) -> None:
        self.socket = f"rlfx-test-{os.getpid()}-{name}"

    def __call__(self, *args: str) -> str:
        out = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10)
        return out.stdout

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "app")

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")

    def press(self, *keys: str) -> None:
        for key in keys:
            self("send-keys", "-t", "app", key)
            time.sleep(0.15)


def test_the_console_script_in_tmux(tmp_path):
    assert shutil.which("tmux"), "tmux is required for this test (apt-get install tmux)"
    assert SCRIPT.exists(), f"{SCRIPT} is missing: pip install -e . first"
    data_dir = tmp_path / "data"
    tmux = Tmux(tmp_path.name)
    command = f"{SCRIPT} --source demo --data-dir {data_dir}; echo EXITED=$?; sleep 30"
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "32"}
    subprocess.run(["tmux", "-L", tmux.socket, "new-session", "-d", "-s", "app", "-x", "100", "-y", "32", command],
                   check=True, env=env, timeout=10)
    try:
        tmux.wait_for("labelled points")
        tmux.wait_for("audio · demo")
        screen = tmux.wait_for("q quit")
        assert "space" in screen and "strength  50 %" in screen and "space jump" in screen
        tmux.press("Space", "Right")
        tmux.wait_for("✓ good")
        tmux.press("Left")
        tmux.wait_for("✗ bad")
        tmux.press("+")
        tmux.wait_for("strength  55 %")
        tmux.press("f")
        screen = tmux.wait_for("FOLLOW")
        assert "following your input" in screen
        assert "good 1  bad 1" in screen
        tmux.press("q")
        screen = tmux.wait_for("EXITED=")
        assert "EXITED=0" in screen and "Traceback" not in screen
    finally:
        tmux("kill-server")
    assert [p.good for p in Session(data_dir=data_dir).points] == [True, False]
