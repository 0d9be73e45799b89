"""The engine without a sound card: fallbacks and their messages, session hooks, follow mode, callback errors."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from pedalboard.io import AudioFile

from rlfx_tui.audio.config import EngineStatus
from rlfx_tui.audio.devices import list_devices
from rlfx_tui.audio.engine import Engine, EngineConfig
from rlfx_tui.core.descriptors import DescriptorTracker
from rlfx_tui.core.session import Session
from rlfx_tui.sim.sounds import SAMPLERATE, synth_sounds
from tests.waiting import wait_for

SR = SAMPLERATE  # synth_sounds' rate
NO_DEVICE = "no-such-device-rlfx"  # forces the "no output device" path even when a JACK server is up


def _wait_for(predicate, timeout: float = 3.0) -> bool:  # noqa: ANN001
    return wait_for(predicate, timeout)


def _write(path: Path, signal: np.ndarray, sr: int = SR) -> Path:
    with AudioFile(str(path), "w", samplerate=sr, num_channels=1) as f:
        f.write(signal.astype(np.float32)[None, :])
    return path


def test_without_portaudio_it_plays_the_demo_silently_and_says_what_to_install(
    tmp_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", None)  # `import sounddevice` now fails, as without libportaudio
    session = Session(data_dir=tmp_data_dir)
    engine = Engine(session, EngineConfig())  # source="live" asked for
    engine.start()
    try:
        assert session.param_sink == engine.set_params
        assert _wait_for(lambda: engine.status.output_peak_db > -40)  # the demo plays through the chain
        status = engine.status
        assert isinstance(status, EngineStatus) and status.running
        assert status.source == "demo" and status.output_device == "none (silent)"
        assert "libportaudio2" in status.message and "demo" in status.message
        assert status.output_peak_db <= -0.3 and status.cpu_load > 0
        assert _wait_for(lambda: session.descriptors[0] > -60)  # analysis keeps running: labelling still works
        np.testing.assert_allclose(session.descriptors, engine.descriptors, rtol=0.5, atol=50)
        engine.set_muted(True)
        assert _wait_for(lambda: engine._state.mute_gain == 0.0, 0.5) and engine.status.muted
    finally:
        engine.stop()
    assert not engine.status.running
    assert session.param_sink == session.chain.apply and isinstance(session.tracker, DescriptorTracker)
    assert "libportaudio2" in list_devices()


def test_a_missing_default_input_falls_back_to_demo_with_a_hint(tmp_data_dir: Path) -> None:
    engine = Engine(Session(data_dir=tmp_data_dir), EngineConfig(hostapi="OSS", output_device=NO_DEVICE))
    engine.start()  # nothing asked for on a host API without devices: the demo stands in, and says so
    try:
        status = engine.status
        assert status.running and status.source == "demo"
        assert "--input-device" in status.message and "demo" in status.message
    finally:
        engine.stop()


def test_an_asked_for_input_that_is_gone_plays_silence_never_the_demo(tmp_data_dir: Path) -> None:
    """E.g. unplugged before `r`: the CLI refuses a missing device at start, the engine never swaps in a drum loop."""
    engine = Engine(Session(data_dir=tmp_data_dir), EngineConfig(input_device=NO_DEVICE, output_device=NO_DEVICE))
    engine.start()
    try:
        assert _wait_for(lambda: engine._state.frames > 2048)
        status = engine.status
        assert status.running and status.source == "no input" and status.input_device == "no input"
        assert NO_DEVICE in status.message and "demo" not in status.message
        assert status.input_peak_db == -120.0
    finally:
        engine.stop()


def test_xruns_in_the_first_second_are_start_up_glitches(tmp_data_dir: Path) -> None:
    engine = Engine(Session(data_dir=tmp_data_dir))
    engine._state = None  # process_block raises: counted as callback errors, the bookkeeping still runs
    out = np.zeros((256, 2), dtype=np.float32)
    xrun = SimpleNamespace(input_overflow=False, output_underflow=True, input_underflow=False, output_overflow=False)
    for _ in range(3):
        engine._duplex_callback(np.zeros((256, 1), np.float32), out, 256, None, xrun)
    assert (engine.startup_xruns, engine.xruns) == (2, 0)  # the first callback's flags are priming, not counted
    engine._first_callback -= 1.0  # the stream's first second is over
    engine._duplex_callback(np.zeros((256, 1), np.float32), out, 256, None, xrun)
    assert (engine.startup_xruns, engine.xruns) == (2, 1)
    status = engine.status
    assert (status.startup_xruns, status.xruns) == (2, 1) and status.latency_ms == (None, None)


def test_file_source_loops_and_a_bad_file_is_silence(tmp_data_dir: Path, tmp_path: Path) -> None:
    tone = _write(tmp_path / "tone.wav", 0.5 * np.sin(2 * np.pi * 330 * np.arange(SR // 4) / SR))
    engine = Engine(Session(data_dir=tmp_data_dir), EngineConfig(source=str(tone), output_device=NO_DEVICE))
    engine.start()
    try:
        assert engine.status.source == "tone.wav"
        assert _wait_for(lambda: engine._state.frames > SR // 2)  # longer than the file: it loops
        assert engine.status.input_peak_db > -7
    finally:
        engine.stop()
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"not audio at all")
    engine = Engine(Session(data_dir=tmp_data_dir), EngineConfig(source=str(bad), output_device=NO_DEVICE))
    engine.start()
    try:
        assert engine.status.source == "no input" and "broken.wav" in engine.status.message
    finally:
        engine.stop()


def test_an_exception_in_the_callback_is_counted_and_silenced(tmp_data_dir: Path) -> None:
    engine = Engine(Session(data_dir=tmp_data_dir))
    engine._state = None  # process_block will raise on it
    out = np.ones((256, 2), dtype=np.float32)
    flags = SimpleNamespace(input_overflow=False, output_underflow=False, input_underflow=False, output_overflow=False)
    engine._duplex_callback(np.zeros((256, 1), np.float32), out, 256, None, flags)
    assert engine.callback_errors == 1 and not out.any()


def _trained_session(data_dir: Path) -> tuple[Session, dict[str, np.ndarray]]:
    """Bass liked with a dark, clean setting; hats liked with a bright, driven one."""
    session = Session(preset="grit", data_dir=data_dir)
    sounds = synth_sounds(seconds=1.0)
    space = session.space
    targets = {
        "bass": space.default() | {"cutoff": 300.0, "drive": 2.0, "bit_depth": 15.0},
        "noise_hats": space.default() | {"cutoff": 9000.0, "drive": 35.0, "bit_depth": 5.0},
    }
    for name, params in targets.items():
        session.tracker = DescriptorTracker(SR)
        session.listen(sounds[name])
        for jitter in (0.0, 0.01, -0.01):
            session.set_current({k: v * (1 + jitter) for k, v in params.items()})
            session.label(True, train=False)
    session.retrain()
    return session, {k: space.normalize(v) for k, v in targets.items()}


def test_follow_mode_moves_the_parameters_with_the_input(tmp_data_dir: Path, tmp_path: Path) -> None:
    session, targets = _trained_session(tmp_data_dir)
    sounds = synth_sounds(seconds=1.0)
    config = dict(output_device=NO_DEVICE, follow_interval_s=0.02, follow_smoothing_s=0.1)
    reached = {}
    for name in ("bass", "noise_hats"):
        path = _write(tmp_path / f"{name}.wav", sounds[name])
        engine = Engine(session, EngineConfig(source=str(path), **config))
        engine.start()
        engine.set_follow(True)
        try:
            assert engine.status.follow
            time.sleep(1.2)
            reached[name] = session.space.normalize(engine.current_params)
            assert engine._state.heard.plugins["filter"].cutoff_hz == pytest.approx(
                engine.current_params["cutoff"], rel=0.05
            )  # the audio thread's chain plays it
        finally:
            engine.set_follow(False)
            engine.stop()
    for name, other in (("bass", "noise_hats"), ("noise_hats", "bass")):
        here = reached[name]
        assert np.abs(here - targets[name]).mean() < 0.5 * np.abs(here - targets[other]).mean(), name
    assert np.abs(reached["bass"] - reached["noise_hats"]).max() > 0.3


def test_follow_without_a_mapping_says_so(tmp_data_dir: Path) -> None:
    engine = Engine(
        Session(data_dir=tmp_data_dir), EngineConfig(source="demo", output_device=NO_DEVICE, follow_interval_s=0.02)
    )
    engine.start()
    engine.set_follow(True)
    try:
        assert _wait_for(lambda: "follow" in engine.status.message)
        assert "good" in engine.status.message
    finally:
        engine.stop()


def test_a_stream_that_cannot_open_falls_back_to_the_clock(tmp_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rlfx_tui.audio.devices as devices_module
    from rlfx_tui.audio.devices import Device

    fake = Device(7, "Fake Interface", "ALSA", 2, 2, 44100.0)
    monkeypatch.setattr(devices_module, "find_device", lambda sd, spec, kind, hostapi=None: fake)  # choose_devices'

    def refuse(*args: object) -> None:
        raise ValueError("Invalid sample rate")

    engine = Engine(Session(data_dir=tmp_data_dir))
    monkeypatch.setattr(engine, "_open", refuse)
    engine.start()
    try:
        status = engine.status
        assert status.running and status.source == "demo" and status.output_device == "none (silent)"
        assert "Invalid sample rate" in status.message and status.samplerate == 44100
        assert _wait_for(lambda: engine._state.blocks > 5)
    finally:
        engine.stop()
    engine.start()  # a second run from the same engine works too
    try:
        assert engine.status.running
    finally:
        engine.stop()


def test_a_label_in_follow_mode_saves_what_the_engine_plays(tmp_data_dir: Path, tmp_path: Path) -> None:
    """The rehearsal defect: → in follow mode stored the last jump, not the setting follow mode was playing."""
    from rlfx_tui.core.rehearsal import Rehearsal

    session, _ = _trained_session(tmp_data_dir)
    path = _write(tmp_path / "bass.wav", synth_sounds(seconds=1.0)["bass"])  # steady: follow settles
    engine = Engine(
        session, EngineConfig(source=str(path), output_device=NO_DEVICE, follow_interval_s=0.02, follow_smoothing_s=0.1)
    )
    engine.start()
    rehearsal = Rehearsal(session, engine, clock=iter(range(10**6)).__next__)
    try:
        session.set_current(session.space.default() | {"cutoff": 9000.0})  # the last jump: bright
        assert rehearsal.set_follow(True)
        time.sleep(1.2)  # the followed setting settles near the bass's liked one (dark)
        heard_cutoff = engine._state.heard.plugins["filter"].cutoff_hz  # what the audio thread's chain plays
        before = engine.current_params
        point = rehearsal.good()
        after = engine.current_params  # the follow thread may hand on a new setting meanwhile: one of the two
        assert point.params in (pytest.approx(before, rel=1e-9), pytest.approx(after, rel=1e-9))
        assert heard_cutoff == pytest.approx(point.params["cutoff"], rel=0.05)
        assert point.params["cutoff"] < 2000.0  # not the last jump's 9 kHz
        rehearsal.set_follow(False)  # leaving follow mode keeps the followed setting: no jump in the sound
        assert session.current["cutoff"] == pytest.approx(point.params["cutoff"], rel=0.05)
    finally:
        engine.stop()
