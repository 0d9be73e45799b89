"""The real console script in tmux with a preset scanned from the test plugin: scan, play, jump, label, quit."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from rlfx_tui.core.session import Session
from tests.tui.tmux import SCRIPT, Tmux, app_env

pytestmark = pytest.mark.tmux


def test_a_scanned_plugin_preset_in_the_app(test_plugin: Path, tmp_path: Path) -> None:
    assert shutil.which("tmux"), "tmux is required for this test (apt-get install tmux)"
    env = app_env()  # this checkout's code first on the path, no JACK server inherited
    preset = tmp_path / "filter.toml"
    scanned = subprocess.run(
        [str(SCRIPT), "presets", "scan", str(test_plugin), "--out", str(preset)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert scanned.returncode == 0 and preset.exists(), scanned.stderr
    data_dir = tmp_path / "data"
    tmux = Tmux(tmp_path.name)
    command = f"{SCRIPT} --source demo --preset {preset} --data-dir {data_dir}; echo EXITED=$?; sleep 30"
    tmux.start(command, env, width=130, height=36)  # 130: the top bar's DEMO badge, then the whole chain
    try:
        # the engine's notice, once, over the audio panel for 10 s; it spans rows, and a capture can land between
        # two of them being drawn (or before the footer's row: seen once in CI): wait for the whole of it and the
        # footer (with one redraw after 5 s, still inside the notice's 10 s)
        screen = tmux.wait_until(
            lambda s: "stereo only" in s and "64 samples of" in s and "q quit" in s,
            "the engine's notice in full, and the footer",
            repaint_after=5.0,
        )
        assert "RlfxTestFilter (latency 64 smp) → Limiter" in screen and "cutoff hz" in screen and "mode" in screen
        tmux.wait_for("audio · demo")
        for _ in range(4):
            tmux.press("Space")
        tmux.press("Right")
        tmux.wait_for("✓ good")
        screen = tmux.screen()
        assert "faults" not in screen and "DPF" not in screen
        tmux.press("q")
        screen = tmux.wait_for("EXITED=")
        assert "EXITED=0" in screen and "Traceback" not in screen
    finally:
        tmux("kill-server")
    points = Session(preset=str(preset), data_dir=data_dir).points
    assert [p.good for p in points] == [True]
