"""Stereo on the clocked JACK dummy server: the engine's two output channels differ where the preset has width,
and a stereo instrument (inputs 1 and 2) keeps its sides through a chain that mixes nothing between them."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

import rlfx_tui.audio.engine as engine_module
from rlfx_tui.audio.config import EngineConfig
from rlfx_tui.audio.engine import Engine
from rlfx_tui.core.session import Session
from tests.jack_server import JackDummyServer
from tests.waiting import wait_for

pytestmark = pytest.mark.jack


class SideTap:
    """Wraps process_block to record, per callback, each output channel's peak and the peak of left − right."""

    def __init__(self, capacity: int = 2000) -> None:
        self.peaks = np.zeros((capacity, 2))
        self.difference = np.zeros(capacity)
        self.shape: tuple[int, ...] = ()
        self.calls = 0
        self._real = engine_module.process_block

    def __call__(self, state, indata, outdata) -> None:  # noqa: ANN001
        self._real(state, indata, outdata)
        i = self.calls
        if i < self.difference.shape[0]:
            self.shape = outdata.shape
            self.peaks[i, 0] = float(np.abs(outdata[:, 0]).max())
            self.peaks[i, 1] = float(np.abs(outdata[:, -1]).max())
            self.difference[i] = float(np.abs(outdata[:, 0] - outdata[:, -1]).max())
        self.calls = i + 1


def test_a_stereo_output_gets_two_different_channels_where_the_preset_has_width(
    jack_server: JackDummyServer, tmp_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jack_server.portaudio_device()
    tap = SideTap()
    monkeypatch.setattr(engine_module, "process_block", tap)
    session = Session(preset="space", data_dir=tmp_data_dir)
    engine = Engine(session, EngineConfig(source="demo", hostapi="JACK", samplerate=48000, blocksize=256))
    engine.start()
    try:
        assert engine.status.running and engine._stream is not None, engine.status
        assert engine._state is not None and engine._state.channels == 2
        assert wait_for(lambda: tap.calls > 200, 5)
        session.randomize(0.5)  # a jump through the stereo crossfade, on the stream
        assert wait_for(lambda: tap.calls > 400, 5)
    finally:
        engine.stop()
    n = min(tap.calls, tap.difference.shape[0])
    assert tap.shape == (256, 2)
    assert tap.peaks[:n].max() <= 10 ** (-0.3 / 20)
    assert tap.difference[50:n].max() > 0.05  # left ≠ right: the demo loop (mono) widened by the chain


def test_a_stereo_instrument_keeps_its_sides(
    jack_server: JackDummyServer, beep: str, tmp_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jack_server.portaudio_device()
    tap = SideTap()
    monkeypatch.setattr(engine_module, "process_block", tap)
    session = Session(preset="grit", data_dir=tmp_data_dir)  # nothing in grit mixes the sides
    config = EngineConfig(source="live", hostapi="JACK", samplerate=48000, blocksize=256, input_channels=(1, 2))
    engine = Engine(session, config)
    engine.start()
    try:
        assert engine.status.running and engine.status.message == "", engine.status
        port = next(p.name for p in jack_server.ports() if p.name.endswith(":in_1") and not p.is_physical)
        jack_server.connect(beep, port)  # the beep on input 2 only: the instrument's right side
        time.sleep(0.3)
        start = tap.calls
        assert wait_for(lambda: tap.calls > start + 150, 5)
        stop = tap.calls
    finally:
        engine.stop()
    assert tap.peaks[start:stop, 1].max() > 0.05  # the right side plays the beep
    assert tap.peaks[start:stop, 0].max() < 1e-4  # the left side stays silent: not mixed, not copied
