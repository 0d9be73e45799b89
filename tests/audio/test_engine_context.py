"""The audio engine with a context from outside: the built-in chain plays, a controller is the context."""

from __future__ import annotations

import numpy as np

from rlfx_tui.audio.engine import Engine, EngineConfig
from rlfx_tui.core.presets import load_preset, shipped_presets
from rlfx_tui.session import Session
from tests.waiting import wait_for


def test_a_pedalboard_preset_can_key_on_a_controller_while_the_audio_engine_plays(tmp_path):
    """The built-in chain plays the demo; the context is two controller values. The engine attaches its sink but
    the context stays the features, and the engine's follow mode predicts from them, not from the audio."""
    text = shipped_presets()["space"].read_text()
    path = tmp_path / "space_ctl.toml"
    path.write_text(
        text.replace('name = "space"', 'name = "space_ctl"', 1) + '\n[context]\nsource = "osc"\nnames = ["x", "y"]\n'
    )
    session = Session(load_preset(path), data_dir=tmp_path / "data", seed=2)
    low = {n: session.space.spec(n).min for n in session.space.names}
    high = {n: session.space.spec(n).max for n in session.space.names}
    for context, values in (([0.0, 0.0], low), ([1.0, 1.0], high)):
        session.label(True, descriptors=np.array(context), params=values)
    engine = Engine(
        session,
        EngineConfig(
            source="demo", output_device="no-such-device-rlfx", follow_interval_s=0.02, follow_smoothing_s=0.0
        ),
    )
    engine.start()
    try:
        assert session.features is not None and session.descriptors.shape == (2,)
        session.features.receive([1.0, 1.0])
        engine.set_follow(True)
        mix = session.space.spec("reverb_wet")
        assert wait_for(lambda: engine.current_params["reverb_wet"] > mix.min + 0.7 * (mix.max - mix.min), 5.0)
        session.features.receive([0.0, 0.0])
        assert wait_for(lambda: engine.current_params["reverb_wet"] < mix.min + 0.3 * (mix.max - mix.min), 5.0)
    finally:
        engine.stop()
