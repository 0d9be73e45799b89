"""The one block function: what the live callback, the fallback clock, render, the tests and the bench all run.

``process_block(state, indata, outdata)`` takes an input block (or reads the state's looped source), feeds the
descriptors, runs the effect at the parameters in force, applies the safety stage and writes ``outdata``.

**Jumps without clicks: two chains and a crossfade.** Ramping parameters one by one can't hide every jump: a
pedalboard Delay moves its read head in whole samples when ``delay_seconds`` changes (a step in the wet signal,
which its feedback then repeats), and a bitcrusher or a filter coefficient swap steps too. So the state keeps two
identical chains that both hear every input sample. One is heard; on a jump the other takes the new parameters
and is faded in over ``ramp_ms`` with a raised-cosine curve (the gains sum to 1, so two outputs under the ceiling
mix to an output under the ceiling). When the fade ends the now-silent chain takes the same parameters, so the
next jump fades from a chain whose delay lines and reverb tail match what was heard. Plugins whose state a
parameter change breaks (a Delay's time) are reset when that parameter changes, inside the silent chain, so the
click never enters their feedback loop. A jump that arrives during a fade waits for it to end (at most
``ramp_ms``); only the newest one is kept. The cost is a second chain run per block (see ``rlfx-tui bench``).

Threading: the UI thread only ever replaces ``state.pending`` (one reference to an immutable ``ParamTarget``) and
``state.mute_requested`` (a bool). Everything else here is touched by the audio thread alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rlfx_tui.audio.sources import LoopSource
from rlfx_tui.core.chain import EffectChain
from rlfx_tui.core.descriptors import DescriptorTracker
from rlfx_tui.core.presets import Preset

# (plugin type, attribute) whose change breaks the plugin's internal state: reset the plugin when it changes.
STATE_BREAKING: set[tuple[str, str]] = set()
# How long the incoming chain runs silently at its new parameters before it is faded in: long enough for smoothed
# filter cutoffs, compressor envelopes and short delays to settle, so the fade reveals a steady sound, not a sweep.
SETTLE_MS = 50.0
METER_RELEASE_S = 0.3  # peak-hold decay and RMS averaging time for the meters the UI polls


@dataclass(frozen=True)
class ParamTarget:
    """A parameter state handed to the audio thread: real units, in ParameterSpace order, read-only."""

    real: np.ndarray

    @classmethod
    def of(cls, real: np.ndarray) -> ParamTarget:
        array = np.array(real, dtype=float)  # a private copy nobody else can mutate
        array.setflags(write=False)
        return cls(array)


class BlockState:
    """Everything process_block needs, preallocated so the audio thread allocates (almost) nothing."""

    def __init__(self, preset: Preset, samplerate: int, initial: np.ndarray, *, blocksize: int = 256,
                 ramp_ms: float = 30.0, settle_ms: float = SETTLE_MS, source: LoopSource | None = None,
                 tracker: DescriptorTracker | None = None) -> None:
        self.samplerate = int(samplerate)
        self.chains = [EffectChain(preset, self.samplerate), EffectChain(preset, self.samplerate)]
        self.ceiling = self.chains[0].ceiling
        self.tracker = tracker or DescriptorTracker(self.samplerate)
        self.source = source
        # Per chain: (parameter index, plugin) for every parameter whose change must reset its plugin.
        self._breaking = [[(i, chain.plugins[p.plugin]) for i, p in enumerate(preset.params)
                           if (preset.plugin(p.plugin).type, p.attribute) in STATE_BREAKING]
                          for chain in self.chains]
        self.target = ParamTarget.of(initial)
        self.pending = self.target  # the UI thread's hand-off slot: replaced, never mutated
        self.applied = [self.target.real, self.target.real]  # what each chain holds now
        for chain in self.chains:
            chain.apply_array(self.target.real)
        self.active = 0  # index of the chain being heard
        fade = max(0, int(round(ramp_ms * self.samplerate / 1000.0)))
        settle = int(round(settle_ms * self.samplerate / 1000.0)) if fade else 0
        # The incoming chain's gain, sample by sample: silent while it settles, then a raised cosine up to 1.
        k = np.arange(1, fade + 1, dtype=np.float64)
        rise = 0.5 - 0.5 * np.cos(np.pi * k / max(fade, 1))
        self.fade_curve = np.concatenate([np.zeros(settle), rise]).astype(np.float32)
        self.fade_len = self.fade_curve.shape[0]
        self.fade_pos = -1  # -1: no fade running
        self.mute_requested = False
        self.mute_gain = 1.0  # 1 = sound, 0 = muted; moves to the requested value within one block
        self.chain_faults = 0  # exceptions raised by the chain (turned into silence)
        self.input_faults = 0  # non-finite input blocks (zeroed)
        self.blocks = 0
        self.frames = 0
        self.in_peak = self.in_ms = self.out_peak = self.out_ms = 0.0
        self._grow(blocksize)

    def _grow(self, frames: int) -> None:
        """(Re)allocate the work buffers; only when a block is larger than any before (rare, hosts keep sizes)."""
        self.capacity = int(frames)
        self.x = np.zeros(frames, dtype=np.float32)  # mono input
        self.y = np.zeros(frames, dtype=np.float32)  # mono output
        self.g = np.zeros(frames, dtype=np.float32)  # gain curve scratch

    @property
    def faults(self) -> int:
        """Every block the chain could not process: exceptions plus non-finite outputs the chain replaced."""
        return self.chain_faults + sum(c.faults for c in self.chains)

    def reset(self) -> None:
        """Clear both chains' tails (panic)."""
        for chain in self.chains:
            chain.reset()

    def set_chain(self, index: int, real: np.ndarray) -> None:
        """Put a parameter state into one chain (audio thread only), resetting plugins whose state it breaks."""
        self.chains[index].apply_array(real)
        previous = self.applied[index]
        for i, plugin in self._breaking[index]:
            if real[i] != previous[i]:
                plugin.reset()
        self.applied[index] = real


def process_block(state: BlockState, indata: np.ndarray | None, outdata: np.ndarray) -> None:
    """One block: input (``indata`` (frames,) or (frames, channels), or the state's source when it has one) →
    descriptors → chain(s) → safety → ``outdata`` ((frames,) or (frames, channels), every channel the same)."""
    n = outdata.shape[0]
    if n > state.capacity:
        state._grow(n)
    x, y = state.x[:n], state.y[:n]
    if state.source is not None:
        state.source.read(n, x)
    elif indata is None:
        x.fill(0.0)
    else:
        x[:] = indata[:, 0] if indata.ndim == 2 else indata
    ms = float(np.dot(x, x)) / n
    if not math.isfinite(ms):  # a broken driver or file: never let NaN reach the chain or the meters
        state.input_faults += 1
        np.nan_to_num(x, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
        ms = float(np.dot(x, x)) / n
    decay = math.exp(-n / (state.samplerate * METER_RELEASE_S))
    state.in_peak = max(float(x.max()), -float(x.min()), state.in_peak * decay)
    state.in_ms += (1.0 - decay) * (ms - state.in_ms)
    state.tracker.update(x)

    want = 0.0 if state.mute_requested else 1.0
    if want == 0.0 and state.mute_gain == 0.0:
        y.fill(0.0)  # muted: skip the chains, keep analysing
    else:
        _run_chains(state, x, y, n)
        if want != state.mute_gain:
            # Mute or unmute within this block: a linear fade over the block, no click.
            g = state.g[:n]
            g[:] = np.linspace(state.mute_gain, want, n + 1, dtype=np.float32)[1:]
            y *= g
            state.mute_gain = want
            if want == 0.0:
                state.reset()  # panic: unmuting starts from clean chains, not a runaway tail
        np.clip(y, -state.ceiling, state.ceiling, out=y)

    out_ms = float(np.dot(y, y)) / n
    state.out_peak = max(float(y.max()), -float(y.min()), state.out_peak * decay)
    state.out_ms += (1.0 - decay) * (out_ms - state.out_ms)
    if outdata.ndim == 2:
        outdata[:] = y[:, None]
    else:
        outdata[:] = y
    state.blocks += 1
    state.frames += n


def _run_chains(state: BlockState, x: np.ndarray, y: np.ndarray, n: int) -> None:
    pending = state.pending
    if pending is not state.target and state.fade_pos < 0:
        state.target = pending
        if state.fade_len == 0:  # no ramp asked for: switch in place (clicks; kept to show what the fade buys)
            for chain in state.chains:
                chain.apply_array(pending.real)
            state.applied = [pending.real, pending.real]
        else:
            state.set_chain(1 - state.active, pending.real)
            state.fade_pos = 0
    heard, other = state.chains[state.active], state.chains[1 - state.active]
    try:
        a = heard.process(x)
        b = other.process(x)  # always: the silent chain must hear every sample to be ready for the next fade
    except Exception:  # noqa: BLE001 - whatever a plugin raises, the stream must live on, silent for this block
        state.chain_faults += 1
        y.fill(0.0)
        state.reset()
        return
    if state.fade_pos < 0:
        y[:] = a
        return
    # y = a + g·(b − a), g the fade-in gain of the other chain for these samples (1 after the curve ends).
    pos, g = state.fade_pos, state.g[:n]
    k = max(0, min(n, state.fade_len - pos))
    g[:k] = state.fade_curve[pos : pos + k]
    g[k:] = 1.0
    np.subtract(b, a, out=y)
    y *= g
    y += a
    state.fade_pos += n
    if state.fade_pos >= state.fade_len:
        state.fade_pos = -1
        state.active = 1 - state.active
        # The chain just faded out now follows too, so the next jump fades from matching tails.
        state.set_chain(1 - state.active, state.target.real)
