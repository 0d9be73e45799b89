"""The real console script in tmux: an asked-for device that is not there is one line and exit 2, listing the
devices, before the terminal is taken over (never the demo loop in its place)."""

from __future__ import annotations

import pytest

from tests.tui.tmux import SCRIPT, Tmux

pytestmark = pytest.mark.tmux


def test_a_missing_input_device_exits_2_in_tmux_with_the_device_list(tmp_path) -> None:  # noqa: ANN001
    tmux = Tmux(tmp_path.name)
    tmux.start(
        f"{SCRIPT} --input-device Scarlett --data-dir {tmp_path / 'data'}; echo EXITED=$?; sleep 30",
        width=200,
        height=20,
    )
    try:
        screen = tmux.wait_for("EXITED=")
    finally:
        tmux("kill-server")
    assert "EXITED=2" in screen, screen
    assert "rlfx-tui: error: --input-device Scarlett: no input device matching 'Scarlett'; inputs: " in screen
    assert "labelled points" not in screen and "demo" not in screen.lower(), screen
