"""Stereo width for a chain whose output has two channels.

pedalboard's Chorus, Delay and Phaser process both channels of a stereo buffer identically (one LFO, one delay
time for both), so a mono input duplicated to both sides comes out with left = right; only Reverb (JUCE's
Freeverb: detuned comb filters per side, mixed by its ``width``) widens by itself. So where a chain holds one of
the three, the run of plugins around it plays per side: a left and a right instance, the right one with a small
fixed offset (``RIGHT_OFFSETS``: a longer chorus delay and a slightly faster sweep, a delay 12 ms later, a phaser
centred a little higher), every parameter set on both. The offsets are functions of the value, so a jump sets both
sides at once and the engine's crossfade between chains keeps it click-free; nothing moves inside a block.

A Reverb plays on both channels at once (it needs both to widen), so it splits the runs: the space preset plays
[high-pass, chorus, delay] per side, then [reverb, limiter, trim] in stereo: three pedalboard calls instead of
one. A chain without Chorus, Delay or Phaser is one stereo Pedalboard. The limiter limits each channel on its
own (JUCE's is not linked), so it may sit in either kind of run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pedalboard

WIDENING = frozenset({"Chorus", "Delay", "Phaser"})  # process both channels identically: widened per side
BOTH_CHANNELS = frozenset({"Reverb"})  # widens itself from both channels (its `width`)
BUFFER_SIZE = 8192  # pedalboard's own default buffer_size, passed positionally (a keyword costs pybind11 more)
SCRATCH_FRAMES = 8192  # per-side outputs are gathered in a buffer kept up to this many frames (the audio thread's)


def _clamped(scale: float, add: float, low: float, high: float) -> Callable[[float], float]:
    return lambda value: float(min(high, max(low, value * scale + add)))


# The right side's value for (plugin type, attribute), from the left side's (which is the parameter as set).
RIGHT_OFFSETS: dict[tuple[str, str], Callable[[float], float]] = {
    ("Chorus", "centre_delay_ms"): _clamped(1.4, 1.0, 1.0, 100.0),
    ("Chorus", "rate_hz"): _clamped(1.1, 0.0, 0.0, 99.0),
    ("Delay", "delay_seconds"): _clamped(1.0, 0.012, 0.0, 29.0),
    ("Phaser", "centre_frequency_hz"): _clamped(1.25, 0.0, 1.0, 20000.0),
    ("Phaser", "rate_hz"): _clamped(1.1, 0.0, 0.0, 99.0),
}


def right_offset(plugin_type: str, attribute: str) -> Callable[[float], float] | None:
    return RIGHT_OFFSETS.get((plugin_type, attribute))


def right_offsets(plugin_type: str) -> dict[str, Callable[[float], float]]:
    """attribute → the right side's value, for one plugin type (empty for a type without width offsets)."""
    return {attribute: f for (kind, attribute), f in RIGHT_OFFSETS.items() if kind == plugin_type}


def widened(types: Sequence[str]) -> bool:
    """Whether a chain of these plugin types plays per side (it holds one that needs a nudge to be wide)."""
    return bool(WIDENING & set(types))


@dataclass(frozen=True)
class Stage:
    left: pedalboard.Pedalboard  # both channels when right is None
    right: pedalboard.Pedalboard | None = None


def stages(
    types: Sequence[str], lefts: Sequence[pedalboard.Plugin], rights: Sequence[pedalboard.Plugin]
) -> list[Stage]:
    """Group a chain into runs: per side (left and right instances) between the plugins that need both channels.
    ``types`` names the preset's plugins; ``lefts``/``rights`` are the chain's instances, the safety stage
    (limiter, trim) last, which joins the last run."""
    kinds = [t in BOTH_CHANNELS for t in types] + [False] * (len(lefts) - len(types))
    runs: list[tuple[list[pedalboard.Plugin], list[pedalboard.Plugin] | None]] = []
    i = 0
    while i < len(lefts):
        j = i
        while j < len(lefts) and kinds[j] == kinds[i]:
            j += 1
        left = list(lefts[i:j])
        if not kinds[i] and widened(types[i:j]):
            runs.append((left, list(rights[i:j])))
        elif runs and runs[-1][1] is None:  # next to another stereo run: one pedalboard call for both
            runs[-1][0].extend(left)
        else:
            runs.append((left, None))
        i = j
    return [
        Stage(pedalboard.Pedalboard(left), None if right is None else pedalboard.Pedalboard(right))
        for left, right in runs
    ]


class StereoBoard:
    """Plays ``stages`` on a (2, frames) block, as a Pedalboard would: ``board(block, samplerate, buffer_size,
    reset)``."""

    def __init__(self, stages: list[Stage]) -> None:
        self.stages = stages
        self._scratch = np.zeros(2 * 256, dtype=np.float32)

    def __call__(
        self, block: np.ndarray, sample_rate: float, buffer_size: int = BUFFER_SIZE, reset: bool = True
    ) -> np.ndarray:
        for stage in self.stages:
            if stage.right is None:
                block = stage.left(block, sample_rate, buffer_size, reset)
                continue
            n = block.shape[-1]
            if 2 * n > self._scratch.shape[0]:
                scratch = np.empty(2 * n, dtype=np.float32)
                if n <= SCRATCH_FRAMES:  # a long primer (off the audio thread) gets its own
                    self._scratch = scratch
            else:
                scratch = self._scratch
            sides = scratch[: 2 * n].reshape(2, n)
            sides[0] = stage.left(block[0], sample_rate, buffer_size, reset)
            sides[1] = stage.right(block[1], sample_rate, buffer_size, reset)
            block = sides
        return block

    def reset(self) -> None:
        for stage in self.stages:
            stage.left.reset()
            if stage.right is not None:
                stage.right.reset()
