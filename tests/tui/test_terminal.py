"""C-level stderr goes to the data dir's log during the run; the app's own exit messages still reach the terminal."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.tui.test_tmux import SCRIPT, Tmux

pytestmark = pytest.mark.tmux


def test_a_start_error_still_reaches_the_terminal(tmp_path):
    data_dir = tmp_path / "data"
    (data_dir / "space").mkdir(parents=True)
    (data_dir / "space" / "points.jsonl").write_text("garbage\n")
    tmux = Tmux(tmp_path.name)
    env = {**os.environ, "TERM": "xterm-256color"}
    command = f"{SCRIPT} --source demo --data-dir {data_dir}; echo EXITED=$?; sleep 30"
    subprocess.run(
        ["tmux", "-L", tmux.socket, "new-session", "-d", "-s", "app", "-x", "100", "-y", "32", command],
        check=True,
        env=env,
        timeout=10,
    )
    try:
        screen = tmux.wait_for("EXITED=")
    finally:
        tmux("kill-server")
    assert "EXITED=2" in screen and "rlfx-tui: error:" in screen and "points.jsonl:1" in screen, screen
    assert (data_dir / "stderr.log").exists()
