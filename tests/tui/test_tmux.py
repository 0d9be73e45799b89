"""Smoke test: the real console script in a real terminal (tmux), as a player would use it, with no sound card.

Fails (never skips) without tmux: CI installs it.
"""

from __future__ import annotations

import time

import pytest

from rlfx_tui.core.session import Session
from tests.tui.tmux import SCRIPT, Tmux

__all__ = ["SCRIPT", "Tmux"]  # other tests import them from here
pytestmark = pytest.mark.tmux


def test_the_console_script_in_tmux(tmp_path):
    assert SCRIPT.exists(), f"{SCRIPT} is missing: pip install -e . first"
    data_dir = tmp_path / "data"
    tmux = Tmux(tmp_path.name)
    tmux.start(f"{SCRIPT} --source demo --data-dir {data_dir}; echo EXITED=$?; sleep 30")
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
        # both in one capture: the mode line and the panel's title are drawn in separate refreshes
        tmux.wait_until(lambda screen: "FOLLOW" in screen and "following your input" in screen, "follow mode")
        tmux.wait_for("good 1  bad 1", timeout=20)  # the model panel, once the notices over it have gone
        tmux.press("q")
        screen = tmux.wait_for("EXITED=")
        assert "EXITED=0" in screen and "Traceback" not in screen
    finally:
        tmux("kill-server")
    assert [p.good for p in Session(data_dir=data_dir).points] == [True, False]


def test_a_full_redraw_mends_a_torn_screen(tmp_path):
    # What the tests do about a torn row (Tmux.repaint): bytes written to the pane's terminal behind Textual's back
    # stay on screen where it draws nothing new (it only sends what changed: the footer's keys may be redrawn,
    # the gaps between them are not); a resize there and back makes it draw everything again.
    tmux = Tmux(tmp_path.name)
    tmux.start(f"{SCRIPT} --source demo --data-dir {tmp_path / 'data'}")
    try:
        footer = tmux.wait_for("q quit").splitlines()[-1]
        time.sleep(1.0)
        tty = tmux("display", "-p", "-t", tmux.target, "#{pane_tty}").strip()
        with open(tty, "w") as terminal:
            terminal.write("\x1b[32;1H" + "#" * 80)  # over the footer, the last of the 32 rows
        time.sleep(0.5)
        assert "#" in tmux.screen().splitlines()[-1]  # Textual did not notice
        with pytest.warns(UserWarning, match="redrawn in full"):
            tmux.repaint("the test's stray write")
        tmux.wait_until(lambda screen: screen.splitlines()[-1] == footer, "the footer drawn again", timeout=10)
    finally:
        tmux("kill-server")
