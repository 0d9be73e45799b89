"""What the engine is asked for (EngineConfig) and what it reports (EngineStatus, DescriptorView): no audio here."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

DEFAULT_SAMPLERATE = 48000
# Frames per callback: 2.7 ms at 48 kHz, 5.3 ms measured round trip. The smallest size held at this 2-core machine's
# floor in the 60 s stress run (`rlfx-tui bench --stress-blocksize 64,128`: at 64 even JACK's own C client misses
# 11-13 periods a minute here), as was the app with its engine in a process of its own, on a quiet hour
# (docs/figures/engine.md); --blocksize 256 on a machine that can't keep up.
DEFAULT_BLOCKSIZE = 128


@dataclass
class EngineConfig:
    source: str = "live"  # "live" | "demo" | path to an audio file
    input_device: int | str | None = None
    output_device: int | str | None = None
    hostapi: str | None = None  # e.g. "JACK" (tests); None = PortAudio default
    samplerate: int | None = None  # None = device default (JACK's rate on JACK), else 48000
    blocksize: int = DEFAULT_BLOCKSIZE
    latency: float | str | None = None  # None = "low": this is a live effect
    channels: int = 2  # output channels: the chain plays stereo for two, mono for one
    input_channels: tuple[int, ...] = (1,)  # the interface's channels that are the instrument (1-based), mixed
    ramp_ms: float = 30.0  # parameter ramp time on jumps (no clicks / zipper)
    follow_interval_s: float = 0.05  # follow-mode control rate
    follow_smoothing_s: float = 0.3  # follow-mode smoothing time constant


@dataclass(frozen=True)
class EngineStatus:
    running: bool
    source: str
    input_device: str
    output_device: str
    samplerate: int
    blocksize: int
    input_peak_db: float
    input_rms_db: float
    output_peak_db: float
    output_rms_db: float
    xruns: int
    cpu_load: float
    chain_faults: int
    callback_errors: int
    muted: bool
    follow: bool
    message: str  # why we fell back and how to fix it ("" if fine)
    startup_xruns: int = 0  # flagged within the stream's first second: priming, not dropouts while playing
    latency_ms: tuple[float | None, float | None] = (None, None)  # PortAudio's (input, output) latency


def db(amplitude: float) -> float:
    """Amplitude → dBFS, floored at -120 (meters never show -inf)."""
    return 20.0 * math.log10(amplitude) if amplitude > 1e-6 else -120.0


class DescriptorView:
    """Stands in for session.tracker while the engine runs: session.descriptors reads the analysis thread's
    latest snapshot (audio/analysis.py). update() does nothing: the engine feeds the descriptors from the audio it
    plays."""

    def __init__(self, engine: Any) -> None:  # an Engine (not imported: it imports this module)
        self._engine = engine

    @property
    def values(self) -> np.ndarray:
        return self._engine.descriptors

    @property
    def samplerate(self) -> float:
        return float(self._engine.samplerate)

    def update(self, block: np.ndarray) -> None:
        pass

    def reset(self) -> None:
        pass
