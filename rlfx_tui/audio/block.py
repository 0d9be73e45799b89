"""The one block function: what the live callback, the fallback clock, render, the tests and the bench all run.

``process_block(state, indata, outdata)`` takes an input block (or reads the state's looped source), feeds the
descriptors, runs the effect at the parameters in force, applies the safety stage and writes ``outdata``.

**Jumps without clicks: a primed chain and a crossfade.** Changing parameters on a running chain can't be made
click-free in general: a pedalboard Delay moves its read head in whole samples when ``delay_seconds`` changes (a
step in the wet signal, which its feedback then repeats for seconds), a filter coefficient swap or a bitcrusher
steps too, and a chain reset to avoid that makes the first echo start abruptly. So a new parameter state gets
*another* chain: ``prepare`` (on the caller's thread, never the audio thread) takes an idle chain of the pool,
resets it, sets the new parameters and primes it with the last ``HISTORY_S`` of input, faded in at the start, so its
delay lines and reverb already hold exactly what they would if it had been running all along. The audio thread picks
it up between blocks, feeds it the few blocks that arrived since the snapshot, and crossfades to it over ``ramp_ms``
with a raised-cosine curve. The two gains sum to 1, so two outputs under the ceiling mix to an output under the
ceiling. pedalboard releases the GIL while priming.

The chains come from a pool built once per stream (audio/pool.py): no jump loads a plugin, and each chain has one
owner at a time, so no plugin is ever touched by two threads.

A jump that arrives during a fade waits for it (at most ``ramp_ms``); only the newest one is kept.

Threading: other threads call ``prepare`` (several may, at once: the UI and follow mode do) and set
``state.mute_requested`` / ``bypass_requested`` (bools). The rest is the audio thread's alone.
"""

from __future__ import annotations

import math
import time

import numpy as np

from rlfx_tui.audio.pool import ChainPool, ParamTarget, Prepared
from rlfx_tui.audio.sources import LoopSource
from rlfx_tui.core.chain import EffectChain, fault_culprit
from rlfx_tui.core.descriptors import DescriptorTracker
from rlfx_tui.core.presets import Preset

HISTORY_S = 1.5  # input kept to prime a new chain: the longest shipped delay (1.2 s) plus some reverb build-up
HISTORY_MARGIN_S = 1.0  # ring slack, so a snapshot being copied is never overwritten under the copier
PRIME_FADE_S = 0.02  # the primed history starts with a fade-in, so its start never echoes as a click
REPEATED_FAULTS = 3  # from this many faulty blocks the status names the plugin
METER_RELEASE_S = 0.3  # peak-hold decay and RMS averaging time for the meters the UI polls


def history_seconds(preset: Preset) -> float:
    """How much input a new chain must hear to sound as if it had always been running: a delay's longest time
    plus reverb build-up; chains without memory (filters, dynamics, distortion) settle within ~0.2 s."""
    types = {p.type for p in preset.plugins}
    if not types & {"Delay", "Reverb", "Chorus", "Phaser"}:
        return 0.2
    return HISTORY_S


class BlockState:
    """Everything process_block needs, preallocated so the audio thread allocates (almost) nothing."""

    def __init__(
        self,
        preset: Preset,
        samplerate: int,
        initial: np.ndarray,
        *,
        blocksize: int = 256,
        ramp_ms: float = 30.0,
        source: LoopSource | None = None,
        tracker: DescriptorTracker | None = None,
    ) -> None:
        self.preset = preset
        self.samplerate = int(samplerate)
        self.target = ParamTarget.of(initial)
        self.pool = ChainPool(lambda: self._new_chain(self.target.real))
        self.heard = self.pool.first
        self.incoming: EffectChain | None = None  # the chain being faded in
        self.ceiling = self.heard.ceiling
        self.tracker = tracker or DescriptorTracker(self.samplerate)
        self.source = source
        fade = max(0, int(round(ramp_ms * self.samplerate / 1000.0)))
        k = np.arange(1, fade + 1, dtype=np.float64)
        self.fade_curve = (0.5 - 0.5 * np.cos(np.pi * k / max(fade, 1))).astype(np.float32)  # incoming's gain
        self.fade_len = fade
        self.fade_pos = 0
        self.history = np.zeros(int((HISTORY_S + HISTORY_MARGIN_S) * self.samplerate), dtype=np.float32)
        self.history_len = int(history_seconds(preset) * self.samplerate)
        self.written = 0  # input frames written to the history so far
        self.mute_requested = False
        self.mute_gain = 1.0  # 1 = sound, 0 = muted; moves to the requested value within one block
        self.bypass_requested = False
        self.wet = 1.0  # 1 = the effect, 0 = the dry input (bypass); moves there over ramp_ms
        self.wet_step = 1.0 / max(fade, 1)  # per sample
        self.chain_faults = 0  # exceptions raised by a chain (turned into silence)
        self.last_error: BaseException | None = None  # the last of them (a reference, formatted by the UI)
        self.input_faults = 0  # non-finite input blocks (zeroed)
        self.blocks = self.frames = 0
        self.chain_s = self.descriptors_s = 0.0  # time spent in chains / descriptors (for the bench)
        self.in_peak = self.in_ms = self.out_peak = self.out_ms = 0.0
        self._grow(blocksize)

    def _new_chain(self, real: np.ndarray) -> EffectChain:
        chain = EffectChain(self.preset, self.samplerate)
        chain.apply_array(real)
        return chain

    def _grow(self, frames: int) -> None:
        """(Re)allocate the work buffers; only when a block is larger than any before (hosts keep their size)."""
        self.capacity = int(frames)
        self.x = np.zeros(frames, dtype=np.float32)  # mono input
        self.y = np.zeros(frames, dtype=np.float32)  # mono output
        self.g = np.zeros(frames, dtype=np.float32)  # gain curve scratch
        self.steps = np.arange(1, frames + 1, dtype=np.float32)  # 1, 2, … n: a ramp's sample offsets

    @property
    def faults(self) -> int:
        """Blocks the chain could not process: exceptions plus non-finite outputs the chains replaced by silence."""
        return self.chain_faults + sum(c.faults for c in list(self.pool.chains))

    @property
    def chains(self) -> list[EffectChain]:
        return self.pool.chains

    @property
    def pending(self) -> Prepared | None:
        """The prepared jump the audio thread has not taken yet, if any."""
        return self.pool.pending

    def prepare(self, real: np.ndarray) -> Prepared:
        """Set an idle chain to ``real`` and prime it (any thread but the audio thread), then hand it over."""
        chain = self.pool.idle_chain()
        chain.reset()
        chain.apply_array(np.asarray(real, dtype=float))
        end = self.written
        n = min(end, self.history_len)
        if n:
            primer = np.concatenate(self._history_segments(end - n, end))  # a copy, oldest first
            fade = min(n, int(PRIME_FADE_S * self.samplerate))
            primer[:fade] *= np.linspace(0.0, 1.0, fade, dtype=np.float32)
            chain.process(primer)
        prepared = Prepared(ParamTarget.of(real), chain, end)
        self.pool.hand_over(prepared)
        return prepared

    def _history_segments(self, start: int, stop: int) -> list[np.ndarray]:
        size = self.history.shape[0]
        a, b = start % size, stop % size
        if stop - start <= 0:
            return []
        return [self.history[a:b]] if a < b else [self.history[a:], self.history[:b]]


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
    began = time.perf_counter()
    state.tracker.update(x)
    state.descriptors_s += time.perf_counter() - began
    # History: the ring is written before the chains run, so a chain handed over now catches up to this block.
    size, pos = state.history.shape[0], state.written % state.history.shape[0]
    first = min(n, size - pos)
    state.history[pos : pos + first] = x[:first]
    state.history[: n - first] = x[first:]
    state.written += n

    want = 0.0 if state.mute_requested else 1.0
    if want == 0.0 and state.mute_gain == 0.0:
        y.fill(0.0)  # muted: skip the chains, keep analysing
    else:
        began = time.perf_counter()
        _run_chains(state, x, y, n)
        state.chain_s += time.perf_counter() - began
        if state.bypass_requested or state.wet < 1.0:
            _mix_dry(state, x, y, n)
        if want != state.mute_gain:
            # Mute or unmute within this block: a linear fade over the block, no click.
            g = state.g[:n]
            g[:] = np.linspace(state.mute_gain, want, n + 1, dtype=np.float32)[1:]
            y *= g
            state.mute_gain = want
            if want == 0.0:
                _panic(state)
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


def fault_note(state: BlockState) -> str:
    """After repeated faults, which plugin keeps failing (for the engine's status; "" before that)."""
    if state.faults < REPEATED_FAULTS:
        return ""
    error = state.last_error
    why = f": {type(error).__name__}: {error}" if error is not None else " (non-finite output)"
    return f"{fault_culprit(state.preset, error)} keeps failing, its blocks play as silence{why}"


def _mix_dry(state: BlockState, x: np.ndarray, y: np.ndarray, n: int) -> None:
    """Bypass: y = x + wet·(y − x), wet ramping linearly towards 0 (bypassed) or 1 over ramp_ms, so it never
    clicks. The chains keep running underneath, so un-bypassing resumes the effect as if it had never stopped."""
    if state.bypass_requested and state.wet == 0.0:
        y[:] = x
        return
    g = state.g[:n]
    direction = -1.0 if state.bypass_requested else 1.0
    np.multiply(state.steps[:n], direction * state.wet_step, out=g)
    g += state.wet
    np.clip(g, 0.0, 1.0, out=g)
    state.wet = float(g[-1])
    y -= x
    y *= g
    y += x


def _panic(state: BlockState) -> None:
    """After a mute: one clean chain, no tails, so unmuting never resumes a runaway delay."""
    if state.incoming is not None:
        state.pool.give_back(state.heard)
        state.heard, state.incoming = state.incoming, None
    state.heard.reset()


def _pick_up(state: BlockState, n: int) -> None:
    prepared = state.pool.take()
    if prepared is None:
        return
    state.target = prepared.target
    missing = state.written - n - prepared.upto  # frames that arrived between the snapshot and this block
    if state.fade_len == 0 or state.mute_gain == 0.0 or missing > state.history_len:
        # No fade wanted (ramp_ms=0: clicks, kept to show what the fade buys), or the chain comes back from
        # silence anyway (unmute), or the snapshot is too old to catch up: set the parameters in place.
        state.heard.apply_array(prepared.target.real)
        state.pool.give_back(prepared.chain)
        return
    for seg in state._history_segments(prepared.upto, state.written - n):
        prepared.chain.process(seg)
    state.incoming = prepared.chain
    state.fade_pos = 0


def _run_chains(state: BlockState, x: np.ndarray, y: np.ndarray, n: int) -> None:
    try:
        if state.incoming is None:
            _pick_up(state, n)
        a = state.heard.process(x)
        b = state.incoming.process(x) if state.incoming is not None else None
    except Exception as exc:  # noqa: BLE001 - whatever a plugin raises, the stream must live on, silent for this block
        state.chain_faults += 1
        state.last_error = exc
        y.fill(0.0)
        if state.incoming is not None:
            state.pool.give_back(state.incoming)  # reset before its next use, by the preparer
        state.incoming = None
        try:
            state.heard.reset()  # its tails may hold whatever made it fail
        except Exception:  # noqa: BLE001 - a chain that can't even reset still mustn't take the stream down
            pass
        return
    if b is None:
        y[:] = a
        return
    # y = a + g·(b − a), g the incoming chain's gain for these samples (1 once the curve has ended).
    pos, g = state.fade_pos, state.g[:n]
    k = max(0, min(n, state.fade_len - pos))
    g[:k] = state.fade_curve[pos : pos + k]
    g[k:] = 1.0
    np.subtract(b, a, out=y)
    y *= g
    y += a
    state.fade_pos += n
    if state.fade_pos >= state.fade_len:  # a fade only runs with an incoming chain: heard is never None
        state.pool.give_back(state.heard)
        state.heard, state.incoming = state.incoming, None  # type: ignore[assignment]
