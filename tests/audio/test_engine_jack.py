"""The engine's real duplex stream on the clocked JACK dummy server, with a metronome client as the instrument."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

import rlfx_tui.audio.engine as engine_module
from rlfx_tui.audio.engine import Engine, EngineConfig
from rlfx_tui.core.session import Session
from tests.jack_server import JackDummyServer

pytestmark = pytest.mark.jack


class Tap:
    """Wraps process_block to record what the engine really wrote to PortAudio, per callback (preallocated)."""

    def __init__(self, capacity: int = 4000) -> None:
        self.peak = np.zeros(capacity)
        self.rms = np.zeros(capacity)
        self.finite = np.ones(capacity, dtype=bool)
        self.calls = 0
        self.stall_at = -1
        self._real = engine_module.process_block

    def __call__(self, state, indata, outdata) -> None:  # noqa: ANN001
        self._real(state, indata, outdata)
        i = self.calls
        if i < self.peak.shape[0]:
            self.finite[i] = bool(np.isfinite(outdata).all())
            self.peak[i] = float(np.abs(outdata).max())
            self.rms[i] = float(np.sqrt(np.mean(outdata[:, 0] ** 2)))
        if i == self.stall_at:
            time.sleep(0.03)  # ~6 periods late: PortAudio must flag it
        self.calls = i + 1


def _callback_rate(engine: Engine, seconds: float) -> float:
    began, first = time.perf_counter(), engine.callbacks
    time.sleep(seconds)
    return (engine.callbacks - first) / (time.perf_counter() - began)


def test_live_duplex_stream_real_time_safe_params_swap_and_xruns(
    jack_server: JackDummyServer, beep: str, tmp_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jack_server.portaudio_device()  # PortAudio re-initialised to see this server
    session = Session(preset="grit", data_dir=tmp_data_dir)
    quiet = session.space.default() | {"drive": 0.0, "trim": -18.0, "glue_threshold": 0.0}
    loud = session.space.default() | {"drive": 40.0, "trim": 0.0}
    session.set_current(quiet)
    tap = Tap()
    monkeypatch.setattr(engine_module, "process_block", tap)
    engine = Engine(session, EngineConfig(source="live", hostapi="JACK", blocksize=256))
    engine.start()
    try:
        status = engine.status
        assert status.running and status.source == "live" and status.message == "", status
        assert "JACK" in status.input_device and status.samplerate == jack_server.samplerate
        assert session.param_sink == engine.set_params
        client = next(p.client for p in jack_server.ports() if p.name.endswith(":in_0") and not p.is_physical)
        jack_server.connect(beep, f"{client}:in_0")
        time.sleep(0.5)
        quiet_from = tap.calls
        rate = _callback_rate(engine, 1.5)
        quiet_to = tap.calls
        assert engine.status.input_rms_db > -40, engine.status  # the metronome reaches our input
        assert engine.status.input_peak_db > -10
        np.testing.assert_allclose(session.descriptors, engine.descriptors, rtol=0.5, atol=50)
        assert session.descriptors[0] > -60  # session.descriptors reads the audio thread's snapshot
        session.set_current(loud)  # → session.param_sink → engine.set_params, during the run
        time.sleep(0.4)
        loud_from = tap.calls
        time.sleep(1.0)
        loud_to = tap.calls
        xruns_before = engine.xruns
        tap.stall_at = tap.calls + 10
        time.sleep(0.5)
        status = engine.status
    finally:
        engine.stop()
    expected = jack_server.samplerate / 256
    assert abs(rate - expected) / expected < 0.05, rate
    n = min(tap.calls, tap.peak.shape[0])
    assert tap.finite[:n].all()
    assert tap.peak[:n].max() <= 10 ** (-0.3 / 20)
    quiet_rms = np.sqrt(np.mean(tap.rms[quiet_from:quiet_to] ** 2))
    loud_rms = np.sqrt(np.mean(tap.rms[loud_from:loud_to] ** 2))
    assert loud_rms > 3 * quiet_rms > 0, (quiet_rms, loud_rms)
    assert status.xruns == engine.xruns >= xruns_before + 1, "a 30 ms stall must be counted as an xrun"
    assert status.cpu_load > 0
    assert session.param_sink == session.chain.apply and not hasattr(session.tracker, "_engine")
