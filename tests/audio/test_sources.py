"""Loop playback, file decoding and the synthetic sounds the other tests rely on."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pedalboard.io import AudioFile

from rlfx_tui.audio.sources import (
    LoopSource,
    SourceError,
    demo_signal,
    demo_source,
    file_source,
)
from rlfx_tui.core.descriptors import DESCRIPTOR_NAMES, describe
from rlfx_tui.sim.sounds import synth_sounds

IDX = {name: i for i, name in enumerate(DESCRIPTOR_NAMES)}


def test_loop_wraps_with_exact_continuity() -> None:
    signal = np.arange(1000, dtype=np.float32)
    src = LoopSource(signal, 48000, "ramp")
    # Odd block sizes, including ones longer than the signal, cross the loop point at different offsets.
    sizes = itertools.cycle([7, 256, 999, 1001, 2500, 1])
    played = np.concatenate([src.read(next(sizes)).copy() for _ in range(40)])
    expected = np.resize(signal, played.shape[0])
    np.testing.assert_array_equal(played, expected)
    assert src.position == played.shape[0] % 1000


def test_read_fills_a_preallocated_buffer_in_place() -> None:
    src = LoopSource(np.linspace(-1, 1, 300, dtype=np.float32), 48000, "lin")
    out = np.full(256, 9.0, dtype=np.float32)
    first = src.read(256, out=out)
    assert first is out
    np.testing.assert_array_equal(out, src.signal[:256])
    src.read(256, out=out)  # crosses the end: 44 frames then 212 from the start
    np.testing.assert_array_equal(out[:44], src.signal[256:])
    np.testing.assert_array_equal(out[44:], src.signal[:212])

    stereo = np.zeros((100, 2), dtype=np.float32)
    src.rewind()
    src.read(100, out=stereo)
    np.testing.assert_array_equal(stereo[:, 0], src.signal[:100])
    np.testing.assert_array_equal(stereo[:, 1], src.signal[:100])
    with pytest.raises(ValueError):
        src.read(10, out=np.zeros(11, dtype=np.float32))


def test_demo_is_audible_below_full_scale_and_loops_smoothly() -> None:
    x = demo_signal(48000, seconds=8.0)
    assert x.dtype == np.float32 and x.shape == (384000,)
    peak_db = 20 * np.log10(np.max(np.abs(x)))
    assert -7.0 < peak_db < -5.0
    assert 10 * np.log10(np.mean(x.astype(np.float64) ** 2)) > -35.0
    # The tails of the last notes are mixed into the start: the loop point is no bigger a jump than
    # what the signal does anyway.
    jumps = np.abs(np.diff(x))
    assert abs(float(x[-1]) - float(x[0])) <= np.percentile(jumps, 99.9)
    # Musical content, not a test tone: broadband and moving.
    v = describe(x, 48000)
    assert 500.0 < v[IDX["centroid_hz"]] < 8000.0
    assert v[IDX["flux"]] > 0.05


def test_demo_is_deterministic_and_seeded() -> None:
    np.testing.assert_array_equal(demo_signal(seconds=2.0, seed=3), demo_signal(seconds=2.0, seed=3))
    assert not np.array_equal(demo_signal(seconds=2.0, seed=3), demo_signal(seconds=2.0, seed=4))
    src = demo_source(44100)
    assert src.samplerate == 44100 and src.name == "demo" and src.signal.shape[0] == 8 * 44100


def _write_wav(path: Path, data: np.ndarray, samplerate: int) -> None:
    with AudioFile(str(path), "w", samplerate=samplerate, num_channels=data.shape[0]) as f:
        f.write(data)


def test_file_source_round_trip_mixes_to_mono(tmp_path: Path) -> None:
    t = np.arange(48000) / 48000
    left = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    right = np.zeros_like(left)
    path = tmp_path / "stereo.wav"
    _write_wav(path, np.stack([left, right]), 48000)
    src = file_source(path, 48000)
    assert src.name == "stereo.wav" and src.samplerate == 48000
    assert src.signal.shape == (48000,)
    np.testing.assert_allclose(src.signal, left / 2, atol=1e-4)  # pedalboard writes 16-bit WAV by default


def test_file_source_resamples_44k1_to_48k(tmp_path: Path) -> None:
    t = np.arange(44100) / 44100
    tone = (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    path = tmp_path / "cd.wav"
    _write_wav(path, tone[None, :], 44100)
    src = file_source(str(path), 48000)
    assert src.samplerate == 48000
    assert abs(src.signal.shape[0] - 48000) <= 2  # resampler may drop a frame at the edge
    # Same pitch after resampling: 1 kHz at the new rate, same level.
    v = describe(src.signal, 48000)
    assert v[IDX["centroid_hz"]] == pytest.approx(1000.0, rel=0.02)
    assert v[IDX["loudness_db"]] == pytest.approx(-9.03, abs=0.2)


def test_missing_file_raises_source_error_naming_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.wav"
    with pytest.raises(SourceError, match="nope.wav"):
        file_source(missing, 48000)


def test_garbage_file_raises_source_error_naming_the_path(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.wav"
    garbage.write_bytes(b"this is not audio" * 100)
    with pytest.raises(SourceError, match=r"garbage\.wav: cannot read audio"):
        file_source(garbage, 48000)


def test_synth_sounds_are_clearly_different() -> None:
    sounds = synth_sounds(seconds=2.0)  # at 48 kHz
    assert set(sounds) >= {"bass", "pad", "noise_hats", "pluck", "drone"}
    for name, x in sounds.items():
        assert x.dtype == np.float32 and x.shape == (96000,), name
        assert 0.01 < np.max(np.abs(x)) < 1.0, name
    d = {name: describe(x, 48000) for name, x in sounds.items()}
    centroid = {name: v[IDX["centroid_hz"]] for name, v in d.items()}
    assert centroid["bass"] < centroid["pad"] < centroid["pluck"] < centroid["noise_hats"]
    assert centroid["noise_hats"] > 5000.0 and centroid["bass"] < 300.0
    loud = {name: v[IDX["loudness_db"]] for name, v in d.items()}
    assert max(loud, key=loud.get) == "drone"
    assert max(d, key=lambda k: d[k][IDX["flatness"]]) == "noise_hats"
    # Pairwise: every two sounds differ by a lot in at least one descriptor (log-frequency / dB scale).
    feats = {k: np.array([v[0], *np.log2(1 + v[[1, 2, 4, 5]]), 20 * v[3], 10 * v[6]]) for k, v in d.items()}
    for a, b in itertools.combinations(feats, 2):
        assert np.max(np.abs(feats[a] - feats[b])) > 1.0, (a, b)


def test_sources_need_neither_portaudio_nor_textual() -> None:
    # The demo and file sources must work on machines without PortAudio (and never pull in the TUI).
    code = (
        "import sys, rlfx_tui.audio.sources as s; s.demo_signal(8000, 1.0); "
        "bad = {'textual', 'sounddevice'} & set(sys.modules); assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
