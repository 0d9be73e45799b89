"""Descriptor sanity on signals whose answers are known analytically."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlfx_tui.core.descriptors import (
    DESCRIPTOR_NAMES,
    DESCRIPTOR_UNITS,
    DescriptorTracker,
    describe,
)

SR = 48000
IDX = {name: i for i, name in enumerate(DESCRIPTOR_NAMES)}


def tone(freq: float, seconds: float = 1.5, amp: float = 0.5, sr: int = SR) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def noise(seconds: float = 1.5, rms: float = 0.1, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rms * rng.standard_normal(int(seconds * SR))).astype(np.float32)


def d(signal: np.ndarray, name: str, sr: int = SR) -> float:
    return float(describe(signal, sr)[IDX[name]])


def test_schema_is_consistent() -> None:
    assert set(DESCRIPTOR_UNITS) == set(DESCRIPTOR_NAMES)
    assert DescriptorTracker(SR).values.shape == (len(DESCRIPTOR_NAMES),)


def test_sine_centroid_and_rolloff_sit_at_its_frequency() -> None:
    v = describe(tone(1000.0), SR)
    assert v[IDX["centroid_hz"]] == pytest.approx(1000.0, rel=0.02)
    # Rolloff is quantised to bins (46.9 Hz at 1024/48k) and the Hann main lobe is 2 bins wide.
    assert abs(v[IDX["rolloff_hz"]] - 1000.0) < 100.0
    assert v[IDX["spread_hz"]] < 150.0


def test_noise_is_flat_and_sine_is_not() -> None:
    assert d(noise(), "flatness") > 0.4
    assert d(tone(1000.0), "flatness") < 0.01


@pytest.mark.parametrize("level_db", [-6.0, -20.0, -60.0])
def test_loudness_matches_rms_in_dbfs(level_db: float) -> None:
    # A sine whose RMS is level_db: peak = rms * sqrt(2).
    amp = 10 ** (level_db / 20) * np.sqrt(2)
    assert d(tone(440.0, amp=amp), "loudness_db") == pytest.approx(level_db, abs=0.2)
    assert d(noise(rms=10 ** (level_db / 20)), "loudness_db") == pytest.approx(level_db, abs=0.3)


def test_silence_and_dc_are_finite_and_defined() -> None:
    silence = describe(np.zeros(SR, dtype=np.float32), SR)
    assert np.all(np.isfinite(silence))
    assert silence[IDX["loudness_db"]] == -120.0
    assert np.all(silence[1:] == 0.0)
    dc = describe(np.full(SR, 0.5, dtype=np.float32), SR)
    assert np.all(np.isfinite(dc))
    assert dc[IDX["loudness_db"]] == pytest.approx(-6.02, abs=0.05)
    assert dc[IDX["zcr"]] == 0.0
    assert dc[IDX["centroid_hz"]] < 50.0


def test_extremes_stay_finite() -> None:
    square = np.sign(tone(100.0) + 1e-9).astype(np.float32)  # full scale
    v = describe(square, SR)
    assert np.all(np.isfinite(v))
    assert v[IDX["loudness_db"]] == pytest.approx(0.0, abs=0.01)
    huge = describe(noise(rms=1e6), SR)
    assert np.all(np.isfinite(huge))
    tiny = describe(noise(rms=1e-7), SR)  # below the -120 dB floor: reads as silence
    assert np.all(np.isfinite(tiny))


def test_non_finite_input_does_not_poison_the_average() -> None:
    tracker = DescriptorTracker(SR)
    tracker.update(tone(440.0, seconds=0.5))
    bad = tone(440.0, seconds=0.1)
    bad[100] = np.nan
    bad[200] = np.inf
    tracker.update(bad)
    assert np.all(np.isfinite(tracker.values))


def test_brighter_sound_has_higher_centroid() -> None:
    dark = tone(200.0) + tone(400.0, amp=0.25)
    bright = tone(200.0) + tone(4000.0, amp=0.5) + tone(8000.0, amp=0.25)
    assert d(bright, "centroid_hz") > 3 * d(dark, "centroid_hz")
    assert d(bright, "rolloff_hz") > d(dark, "rolloff_hz")


def test_zcr_of_100hz_sine_is_200_per_second() -> None:
    assert d(tone(100.0, seconds=3.0), "zcr") == pytest.approx(200.0, rel=0.05)
    assert d(tone(1000.0), "zcr") == pytest.approx(2000.0, rel=0.02)


def test_flux_is_high_for_changing_spectra_and_low_for_steady_tones() -> None:
    # Alternate two tones every 20 ms: each frame's spectral shape differs from the last.
    t = np.arange(int(1.5 * SR)) / SR
    switching = np.where((t // 0.02) % 2 == 0, np.sin(2 * np.pi * 300 * t), np.sin(2 * np.pi * 3000 * t))
    assert d(switching.astype(np.float32), "flux") > 0.2
    assert d(tone(1000.0), "flux") < 0.01
    assert 0.0 <= d(noise(), "flux") <= 1.0


@pytest.mark.parametrize("small, large", [(64, 1024), (100, 8192), (333, 777)])
def test_block_size_does_not_change_the_result(small: int, large: int) -> None:
    sig = (tone(300.0) + noise(rms=0.05) * np.abs(np.sin(np.arange(int(1.5 * SR)) / 3000))).astype(np.float32)
    results = []
    for block in (small, large):
        tracker = DescriptorTracker(SR)
        for start in range(0, sig.shape[0], block):
            tracker.update(sig[start : start + block])
        results.append(tracker.values)
    # Frames land on the same hop grid whatever the block size; only the partial last hop could differ.
    np.testing.assert_allclose(results[0], results[1], rtol=1e-9, atol=1e-9)


def test_smoothing_time_constant_is_samplerate_independent() -> None:
    # Step from silence to a tone: after one time constant the power average reaches 1 - 1/e of the tone's power.
    def after_tau(sr: int) -> float:
        tracker = DescriptorTracker(sr, smoothing_s=0.3)
        tracker.update(np.full(sr, 1e-3, dtype=np.float32))  # prime at -60 dB (ms 1e-6)
        tracker.update(np.full(int(0.3 * sr), 1.0, dtype=np.float32))
        return 10 ** (tracker.values[IDX["loudness_db"]] / 10)

    for sr in (44100, 48000, 96000):
        assert after_tau(sr) == pytest.approx(1 - np.exp(-1), abs=0.04)


def test_values_is_a_copy_and_reset_restores_defaults() -> None:
    tracker = DescriptorTracker(SR)
    tracker.update(tone(440.0, seconds=0.5))
    v = tracker.values
    v[:] = 123.0
    assert tracker.values[IDX["loudness_db"]] != 123.0
    tracker.reset()
    assert tracker.values[IDX["loudness_db"]] == -120.0
    assert np.all(tracker.values[1:] == 0.0)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(-1e4, 1e4, allow_nan=False, width=32), min_size=1, max_size=64),
    st.integers(1, 3000),
)
def test_any_finite_input_gives_finite_values(pattern: list[float], block: int) -> None:
    sig = np.resize(np.asarray(pattern, dtype=np.float32), 6000)
    tracker = DescriptorTracker(SR, frame_size=512)
    for start in range(0, sig.shape[0], block):
        tracker.update(sig[start : start + block])
        assert np.all(np.isfinite(tracker.values))
    assert 0.0 <= tracker.values[IDX["flatness"]] <= 1.0
    assert 0.0 <= tracker.values[IDX["flux"]] <= 1.0 + 1e-9


def test_module_stays_headless() -> None:
    # Imported in a fresh interpreter: the tests' own imports would otherwise mask a stray dependency.
    code = (
        "import sys, rlfx_tui.core.descriptors; "
        "bad = {'textual', 'sounddevice'} & set(sys.modules); assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
