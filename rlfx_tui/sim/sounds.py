"""Synthesised input sounds: five clearly different things a player might play, for the benchmark and the tests.

Each `take` is one short performance of a sound with a little human variation (pitch ±2 %, level ±1.5 dB, its own
noise), so the descriptors jitter from label to label the way live playing does: the benchmark plays those.
`synth_sounds` gives one plain take of each (no variation, set peak levels), for tests that need fixed inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

SAMPLERATE = 48000


def _saw(f0: float, t: np.ndarray) -> np.ndarray:
    return 2.0 * ((f0 * t) % 1.0) - 1.0


def dark_bass_saw(t: np.ndarray, f0: float, rng: np.random.Generator) -> np.ndarray:
    f = 55.0 * f0
    x = _saw(f, t) + 0.5 * _saw(f * 1.005, t)
    spectrum = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(len(x), 1.0 / SAMPLERATE)
    spectrum /= 1.0 + (freqs / 300.0) ** 4  # a steep low-pass: dark
    return 0.5 * np.fft.irfft(spectrum, len(x))


def soft_sine_pad(t: np.ndarray, f0: float, rng: np.random.Generator) -> np.ndarray:
    f = 220.0 * f0
    swell = 0.6 + 0.4 * np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 2 * np.pi))
    return 0.06 * swell * (np.sin(2 * np.pi * f * t) + 0.5 * np.sin(2 * np.pi * 1.5 * f * t))


def bright_noise_hats(t: np.ndarray, f0: float, rng: np.random.Generator) -> np.ndarray:
    noise = rng.standard_normal(len(t))
    bright = np.diff(noise, prepend=0.0)  # first difference: tilts the noise bright
    period = 0.125 / f0
    envelope = np.exp(-((t % period) / 0.02))
    return 0.25 * bright * envelope


def mid_plucks(t: np.ndarray, f0: float, rng: np.random.Generator) -> np.ndarray:
    f = 440.0 * f0
    period = 0.25
    phase = t % period
    tone = sum(np.sin(2 * np.pi * f * k * t) / k for k in range(1, 6))
    return 0.3 * tone * np.exp(-phase / 0.06)


def loud_square_drone(t: np.ndarray, f0: float, rng: np.random.Generator) -> np.ndarray:
    return 0.9 * np.sign(np.sin(2 * np.pi * 110.0 * f0 * t))


@dataclass(frozen=True)
class Sound:
    name: str
    synth: Callable[[np.ndarray, float, np.random.Generator], np.ndarray]
    key: str  # short, for synth_sounds
    peak_db: float  # synth_sounds' level: the pad quiet, the drone loud, as a player's sounds differ

    def take(self, seconds: float, rng: np.random.Generator) -> np.ndarray:
        """One performance: mono float32 at SAMPLERATE, with small pitch/level variation."""
        t = np.arange(int(seconds * SAMPLERATE)) / SAMPLERATE
        f0 = float(rng.uniform(0.98, 1.02))
        gain = 10.0 ** (rng.uniform(-1.5, 1.5) / 20.0)
        x = gain * self.synth(t, f0, rng)
        return np.clip(x, -1.0, 1.0).astype(np.float32)


SOUNDS: tuple[Sound, ...] = (
    Sound("bass saw", dark_bass_saw, "bass", -10.0),
    Sound("sine pad", soft_sine_pad, "pad", -20.0),
    Sound("noise hats", bright_noise_hats, "noise_hats", -8.0),
    Sound("plucks", mid_plucks, "pluck", -8.0),
    Sound("square drone", loud_square_drone, "drone", -1.0),
)


def synth_sounds(seconds: float = 2.0, seed: int = 0) -> dict[str, np.ndarray]:
    """One plain take of each sound by key (float32 mono at SAMPLERATE): no pitch or level variation, peak at the
    sound's `peak_db`. Their descriptors sit far apart (tests/audio/test_sources.py checks how far)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(round(seconds * SAMPLERATE))) / SAMPLERATE
    plain = {}
    for sound in SOUNDS:
        x = sound.synth(t, 1.0, rng)
        plain[sound.key] = (x * (10.0 ** (sound.peak_db / 20.0) / float(np.max(np.abs(x))))).astype(np.float32)
    return plain
