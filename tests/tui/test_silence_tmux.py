"""The real console script in tmux on a silent input: no like for silence. A label while the input is below the
gate is refused with a notice and nothing is written; the same keys on a sounding input label as usual."""

from __future__ import annotations

import numpy as np
import pytest
from pedalboard.io import AudioFile

from rlfx_tui.session import Session
from tests.tui.tmux import SCRIPT, Tmux

pytestmark = pytest.mark.tmux


def write(path, signal: np.ndarray) -> str:  # noqa: ANN001
    with AudioFile(str(path), "w", samplerate=48000, num_channels=1) as f:
        f.write(signal.astype(np.float32)[None, :])
    return str(path)


def test_a_label_on_a_silent_input_is_refused(tmp_path) -> None:  # noqa: ANN001
    data_dir = tmp_path / "data"
    silent = write(tmp_path / "silence.wav", np.zeros(48000))
    tone = write(tmp_path / "tone.wav", 0.3 * np.sin(2 * np.pi * 220 * np.arange(48000) / 48000))
    tmux = Tmux(tmp_path.name)
    tmux.start(f"{SCRIPT} --source {silent} --data-dir {data_dir}; echo EXITED=$?; sleep 30")
    try:
        tmux.wait_for("q quit")
        tmux.wait_for("audio · silence.wav")
        tmux.press("Right")
        tmux.wait_for("not recorded")  # the notice: nothing is playing
        tmux.press("q")
        tmux.wait_for("EXITED=0")
        assert Session(data_dir=data_dir).points == []
        tmux.restart(f"{SCRIPT} --source {tone} --data-dir {data_dir}; echo EXITED=$?; sleep 30")
        tmux.wait_for("audio · tone.wav")
        tmux.press("Right")
        tmux.wait_for("✓ good")
        tmux.press("q")
        tmux.wait_for("EXITED=0")
    finally:
        tmux("kill-server")
    assert [p.good for p in Session(data_dir=data_dir).points] == [True]
