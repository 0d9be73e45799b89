"""Input sources that aren't a sound card: a looped buffer (the built-in demo or a file).

Everything here is numpy (plus pedalboard.io for files), so the app can run, and tests can drive the engine,
without PortAudio. Sounds are rendered once up front; ``LoopSource.read`` only copies, so it is callback-safe.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

_CHUNK = 1 << 16  # frames per read when decoding files; some formats only estimate their length


class SourceError(Exception):
    """A source could not be opened or decoded; the message starts with the path."""


class LoopSource:
    """A mono float32 signal played in a loop, block by block, without allocating per block."""

    def __init__(self, signal: np.ndarray, samplerate: int, name: str) -> None:
        data = np.ascontiguousarray(signal, dtype=np.float32).reshape(-1)
        if data.shape[0] == 0:
            raise ValueError(f"{name}: empty signal")
        self.signal = data
        self.samplerate = int(samplerate)
        self.name = name
        self.position = 0  # next frame to play

    def read(self, frames: int, out: np.ndarray | None = None) -> np.ndarray:
        """Return the next ``frames`` frames, wrapping at the end.

        ``out`` (shape ``(frames,)`` or ``(frames, channels)``, float32) is filled in place and returned; a
        2-D ``out`` gets the mono signal in every channel. Without ``out`` a new 1-D array is allocated.
        """
        if out is None:
            out = np.empty(frames, dtype=np.float32)
        elif out.shape[0] != frames:
            raise ValueError(f"out has {out.shape[0]} frames, expected {frames}")
        sig = self.signal
        n = sig.shape[0]
        pos = self.position
        done = 0
        while done < frames:  # more than one pass only when frames > len(signal)
            take = min(frames - done, n - pos)
            chunk = sig[pos : pos + take]
            out[done : done + take] = chunk if out.ndim == 1 else chunk[:, None]
            done += take
            pos = (pos + take) % n
        self.position = pos
        return out

    def rewind(self) -> None:
        self.position = 0


def check_file_source(path: str | os.PathLike[str]) -> None:
    """Raise SourceError unless ``path`` is an audio file with frames (reads its header only)."""
    from pedalboard.io import AudioFile

    try:
        with AudioFile(os.fspath(path)) as f:
            frames = f.frames
    except Exception as exc:  # noqa: BLE001 - pedalboard raises ValueError/RuntimeError/OSError alike
        raise SourceError(f"cannot read audio ({exc})") from exc
    if frames <= 0:
        raise SourceError("contains no audio frames")


def file_source(path: str | os.PathLike[str], samplerate: int) -> LoopSource:
    """Decode any file pedalboard.io can read, mixed to mono and resampled to ``samplerate``."""
    from pedalboard.io import AudioFile  # deferred: decoding support isn't needed for demo or live input

    chunks: list[np.ndarray] = []
    try:
        with AudioFile(os.fspath(path)) as f:
            stream = f if f.samplerate == samplerate else f.resampled_to(float(samplerate))
            while True:
                chunk = stream.read(_CHUNK)
                if chunk.shape[1] == 0:
                    break
                chunks.append(chunk.mean(axis=0, dtype=np.float32))
    except SourceError:
        raise
    except Exception as exc:  # pedalboard raises ValueError/RuntimeError/OSError depending on the failure
        raise SourceError(f"{path}: cannot read audio ({exc})") from exc
    if not chunks:
        raise SourceError(f"{path}: contains no audio frames")
    signal = np.concatenate(chunks)
    if not np.all(np.isfinite(signal)):
        raise SourceError(f"{path}: contains NaN or infinite samples")
    return LoopSource(signal, samplerate, Path(path).name)


# --- synthesis -------------------------------------------------------------------------------------------------


def _add_wrapped(buf: np.ndarray, start: int, sound: np.ndarray) -> None:
    """Mix ``sound`` into ``buf`` at ``start``; tails past the end wrap to the beginning so the loop is seamless."""
    n = buf.shape[0]
    sound = sound[:n]
    start %= n
    first = min(sound.shape[0], n - start)
    buf[start : start + first] += sound[:first]
    buf[: sound.shape[0] - first] += sound[first:]


def _pluck(freq: float, seconds: float, sr: int, rng: np.random.Generator, decay: float = 0.996) -> np.ndarray:
    """Karplus-Strong string: a noise burst recirculated through a delay line with a two-point average.

    Vectorised one period at a time (each period only depends on the previous one), so it costs
    ~freq*seconds numpy ops instead of a Python loop per sample.
    """
    period = max(2, int(round(sr / freq)))
    n = int(seconds * sr)
    y = np.zeros(n + period + 1)
    burst = rng.uniform(-1.0, 1.0, period)
    y[1 : period + 1] = burst - burst.mean()  # y[0] stays 0: the "sample before" the first period
    for k in range(period + 1, n + 1, period):
        m = min(period, n + 1 - k)
        y[k : k + m] = decay * 0.5 * (y[k - period : k - period + m] + y[k - period - 1 : k - period - 1 + m])
    out = y[1 : n + 1]
    fade = min(n, int(0.01 * sr))
    out[n - fade :] *= np.linspace(1.0, 0.0, fade)  # no click where the rendered tail is cut
    return out


def _kick(sr: int) -> np.ndarray:
    t = np.arange(int(0.35 * sr)) / sr
    freq = 45.0 + 110.0 * np.exp(-t / 0.04)  # the pitch drop is what makes a sine sound like a kick
    return np.sin(2 * np.pi * np.cumsum(freq) / sr) * np.exp(-t / 0.12)


def _snare(sr: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.25 * sr)) / sr
    rattle = np.diff(rng.standard_normal(t.shape[0] + 1)) * 0.35 * np.exp(-t / 0.06)
    body = np.sin(2 * np.pi * 185.0 * t) * np.exp(-t / 0.05)
    return 0.6 * rattle + 0.5 * body


def _hat(sr: int, rng: np.random.Generator, length_s: float = 0.05) -> np.ndarray:
    t = np.arange(int(length_s * sr)) / sr
    hp = np.diff(rng.standard_normal(t.shape[0] + 2), n=2) / 4.0  # second difference: a cheap steep high-pass
    return hp * np.exp(-t / (length_s / 4))


def _normalise(x: np.ndarray, peak_db: float) -> np.ndarray:
    peak = float(np.max(np.abs(x)))
    if peak > 0:
        x = x * (10 ** (peak_db / 20) / peak)
    return x.astype(np.float32)


# A minor pentatonic riff over 16th-note steps, two bars; (step, midi note).
_RIFF = (
    (0, 45), (3, 48), (6, 50), (8, 52), (11, 50), (14, 48),
    (16, 45), (19, 48), (22, 55), (24, 52), (27, 50), (30, 57),
)  # fmt: skip


def demo_signal(samplerate: int = 48000, seconds: float = 8.0, seed: int = 0) -> np.ndarray:
    """A short band loop: Karplus-Strong riff over kick/snare/hats, peak -6 dBFS, float32, loops seamlessly.

    The length is exactly ``round(seconds * samplerate)`` frames; the bar count is fitted to it (about 2 s per
    bar, i.e. 120 bpm at the default length) so the groove lands on the loop point.
    """
    sr = int(samplerate)
    n = int(round(seconds * sr))
    if n <= 0:
        raise ValueError(f"seconds must be > 0, got {seconds}")
    rng = np.random.default_rng(seed)
    bars = max(1, int(round(seconds / 2.0)))
    step = n / (16 * bars)  # samples per 16th note (fractional; rounded per event)
    drums = np.zeros(n)
    strings = np.zeros(n)
    kick, snare = _kick(sr), _snare(sr, rng)
    for bar in range(bars):
        base = bar * 16
        kicks = (0, 8, 10) if bar % 2 else (0, 7, 8)
        for s in kicks:
            _add_wrapped(drums, int((base + s) * step), kick)
        for s in (4, 12):
            _add_wrapped(drums, int((base + s) * step), snare)
        for s in range(0, 16, 2):
            accent = 0.5 if s % 4 == 0 else 0.3
            _add_wrapped(drums, int((base + s) * step), accent * _hat(sr, rng, 0.08 if s == 14 else 0.04))
        for s, note in _RIFF[(bar % 2) * 6 : (bar % 2) * 6 + 6]:
            freq = 440.0 * 2 ** ((note - 69) / 12)
            _add_wrapped(strings, int((base + s % 16) * step), 0.7 * _pluck(freq, 1.2, sr, rng))
    mix = 0.8 * drums + strings
    return _normalise(mix, -6.0)


def demo_source(samplerate: int = 48000) -> LoopSource:
    return LoopSource(demo_signal(samplerate), samplerate, "demo")
