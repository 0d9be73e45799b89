"""The engine over a plugin preset (the test plugin) without a sound card: it plays, says what it does about
channels and latency, and after repeated faults names the plugin."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from rlfx_tui.audio.engine import Engine, EngineConfig
from rlfx_tui.core.session import Session
from tests.waiting import wait_for


def test_a_plugin_preset_plays_and_says_what_it_does(
    plugin_preset: Path, tmp_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", None)  # no PortAudio: the demo loop on the clock thread
    session = Session(preset=str(plugin_preset), data_dir=tmp_data_dir)
    engine = Engine(session, EngineConfig())
    engine.start()
    try:
        assert wait_for(lambda: engine.status.output_peak_db > -40, 5.0)
        message = engine.status.message
        assert "RlfxTestFilter runs in stereo only: the mono input is duplicated" in message
        assert "RlfxTestFilter reports 64 samples of latency (1.3 ms at 48000 Hz)" in message
        rng = np.random.default_rng(0)
        for _ in range(5):  # jumps through the pool while the clock thread plays
            session.set_current(session.space.randomize(session.current, 0.7, rng))
        assert wait_for(lambda: engine._state is not None and engine._state.pending is None, 2.0)
        assert engine.status.chain_faults == 0 and "keeps failing" not in engine.status.message
        state = engine._state
        assert state is not None and len(state.chains) == 3

        def exploding(*args: object, **kwargs: object) -> np.ndarray:
            raise RuntimeError("RlfxTestFilter: processing failed")

        for chain in state.chains:
            chain.board = exploding  # type: ignore[assignment]
        assert wait_for(lambda: "keeps failing" in engine.status.message, 3.0)
        assert (
            "RlfxTestFilter keeps failing, its blocks play as silence: RuntimeError: RlfxTestFilter: processing failed"
        ) in engine.status.message
        assert engine.status.running and engine.status.chain_faults >= 3
    finally:
        engine.stop()
