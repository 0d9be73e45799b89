"""The one block function: what the live callback, the fallback clock, render, the tests and the bench all run.

``process_block(state, indata, outdata)`` takes an input block (or reads the state's looped source) into the
history ring, runs the effect at the parameters in force, applies the safety stage and writes ``outdata``. Both ends
are in audio/block_io.py: each chain's output is checked finite where it is made (EffectChain.run), the ceiling
and the last NaN guard act once per block on what is played, after the crossfade, bypass and mute.

**Jumps without clicks: a primed chain and a crossfade.** Changing parameters on a running chain can't be made
click-free in general: a pedalboard Delay moves its read head in whole samples when ``delay_seconds`` changes (a
step in the wet signal, which its feedback then repeats for seconds), a filter coefficient swap or a bitcrusher
steps too, and a chain reset to avoid that makes the first echo start abruptly. So a new parameter state gets
*another* chain: ``prepare`` (on the caller's thread, never the audio thread) takes an idle chain of the pool,
resets it, sets the new parameters and primes it with the last ``HISTORY_S`` of input, faded in at the start, so its
delay lines and reverb already hold exactly what they would if it had been running all along. The audio thread picks
it up between blocks, feeds it the few blocks that arrived since the snapshot (at most ``CATCHUP_BLOCKS`` per
callback: audio/catchup.py), and crossfades to it over ``ramp_ms``
with a raised-cosine curve (precomputed, a slice per block). The two gains sum to 1. pedalboard releases the GIL
while priming. The preparer primes up to ``processed`` (every finished block), never into a block the callback
has written to the ring but not yet run: a chain taken in that same block would hear it twice.

The chains come from a pool built once per stream (audio/pool.py): no jump loads a plugin, and each chain has one
owner at a time, so no plugin is ever touched by two threads.

A jump that arrives during a fade waits for it (at most ``ramp_ms``); only the newest one is kept.

**Channels.** ``channels`` is the output's: for a stereo output the chains play stereo (core/chain.py, with the width
of core/stereo.py), for a mono one mono, as before. A mono input (the demo, a file source, one interface channel) is
put on both sides *before* the chain; a stereo input (two interface channels, a stereo file) keeps its left and
right. Everything after the input acts on every channel: the history ring holds what the chains are fed (both sides
for a stereo chain), the crossfade, bypass, mute ramps and the ceiling are per sample on each channel, and the meters
read both. The descriptors always hear the mono mix.

Threading: other threads call ``prepare`` (several may, at once: the UI and follow mode do) and set
``state.mute_requested`` / ``bypass_requested`` (bools). The rest is the audio thread's alone.
"""

from __future__ import annotations

import math
import time

import numpy as np

from rlfx_tui.audio.block_io import play, scale, take_input
from rlfx_tui.audio.catchup import catch_up_while_preparing, drop_catching, pick_up, prime, right_after_a_block
from rlfx_tui.audio.pool import ChainPool, ParamTarget, Prepared
from rlfx_tui.audio.sources import LoopSource
from rlfx_tui.core.chain import EffectChain, fault_culprit
from rlfx_tui.core.denormals import flushing, no_denormals
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
        channels: int = 1,
        analyse_inline: bool = True,
    ) -> None:
        """``analyse_inline``: feed ``tracker`` in process_block (offline users); the engine turns it off and
        reads the history ring from its analysis thread instead (audio/analysis.py)."""
        self.preset = preset
        self.samplerate = int(samplerate)
        self.target = ParamTarget.of(initial)
        self.output_channels = max(1, int(channels))
        self.pool = ChainPool(lambda: self._new_chain(self.target.real))
        self.heard = self.pool.first
        self.channels = self.heard.channels  # what the chains take and return: 1, or 2 for a stereo output
        self.incoming: EffectChain | None = None  # the chain being faded in
        self.catching: EffectChain | None = None  # a taken jump's chain, still catching up (audio/catchup.py)
        self.catching_upto = 0  # the frame it has heard up to
        self.stale_jumps = 0  # jumps whose snapshot was older than the ring: set in place
        self.clocked = False  # a real-time stream runs process_block (the engine sets it): prepare keeps time with it
        self.ceiling = self.heard.ceiling
        # The ceiling as float32 0-d arrays: the clip ufunc converts a Python float on every call (~1 µs).
        self.low, self.high = np.array(-self.ceiling, dtype=np.float32), np.array(self.ceiling, dtype=np.float32)
        self.ceiling32 = float(self.high)  # the ceiling as the clip applies it
        self.tracker = tracker or DescriptorTracker(self.samplerate)
        self.analyse_inline = analyse_inline
        self.source = source
        fade = max(0, int(round(ramp_ms * self.samplerate / 1000.0)))
        k = np.arange(1, fade + 1, dtype=np.float64)
        self.fade_curve = (0.5 - 0.5 * np.cos(np.pi * k / max(fade, 1))).astype(np.float32)  # incoming's gain
        self.fade_len = fade
        self.fade_pos = 0
        ring = int((HISTORY_S + HISTORY_MARGIN_S) * self.samplerate)
        self.history = np.zeros((self.channels, ring) if self.channels == 2 else ring, dtype=np.float32)
        self.history_len = int(history_seconds(preset) * self.samplerate)
        self.written = 0  # input frames written to the history so far
        # Input frames every block before the current one: what a chain prepared now must hear to be level with
        # the one heard (``written`` runs a block ahead of it while a block is under way).
        self.processed = 0
        self.mute_requested = False
        self.mute_gain = 1.0  # 1 = sound, 0 = muted; moves to the requested value within one block
        self.bypass_requested = False
        self.wet = 1.0  # 1 = the effect, 0 = the dry input (bypass); moves there over ramp_ms
        self.wet_step = 1.0 / max(fade, 1)  # per sample
        self.chain_faults = 0  # exceptions raised by a chain (turned into silence)
        self.last_error: BaseException | None = None  # the last of them (a reference, formatted by the UI)
        self.input_faults = 0  # non-finite input blocks (zeroed)
        self.squares = -1.0  # the sum of squares of _run_chains' result when known (one chain's output), else -1
        self.mix_faults = 0  # non-finite blocks after the mix (only huge chain outputs could): played as silence
        self.blocks = self.frames = 0
        self.chain_s = self.descriptors_s = 0.0  # time spent in chains / descriptors (for the bench)
        self.in_peak = self.in_ms = self.out_peak = self.out_ms = 0.0
        self.n = 0  # the block length the views below are cut for (resize)
        self._grow(blocksize)
        self.resize(blocksize)

    def _new_chain(self, real: np.ndarray) -> EffectChain:
        chain = EffectChain(self.preset, self.samplerate, self.output_channels)
        chain.apply_array(real)
        return chain

    def _grow(self, frames: int) -> None:
        """(Re)allocate the work buffers; only when a block is larger than any before (hosts keep their size)."""
        self.capacity = int(frames)
        self.mono = np.zeros(frames, dtype=np.float32)  # the input's mono mix (what the descriptors hear)
        # What the chains are fed and what they give, flat: block() views them as (frames,) or (2, frames).
        self.x = self.mono if self.channels == 1 else np.zeros(2 * frames, dtype=np.float32)
        self.y = np.zeros(self.channels * frames, dtype=np.float32)
        self.g = np.zeros(frames, dtype=np.float32)  # gain curve scratch
        self.scratch = np.zeros(self.channels * frames, dtype=np.float32)  # |samples|, for the peak meters
        self.steps = np.arange(1, frames + 1, dtype=np.float32)  # 1, 2, … n: a ramp's sample offsets
        # The incoming chain's gain, then 1s for a block past its end: any block of a fade is one slice of it.
        ones = np.ones(frames, dtype=np.float32)
        self.fade_gain = np.concatenate([self.fade_curve, ones]) if self.fade_len else ones
        self.n = 0  # the views are cut from the old buffers: cut them again

    def resize(self, n: int) -> None:
        """Cut the views of ``n`` frames process_block works on (when the block length changes: hosts keep it),
        growing the buffers first if a block is larger than any before."""
        if n > self.capacity:
            self._grow(n)
        self.n = n
        self.x_n, self.y_n = self.block(self.x, n), self.block(self.y, n)
        self.mono_n, self.g_n, self.steps_n = self.mono[:n], self.g[:n], self.steps[:n]
        self.x_flat_n, self.scratch_n = self.x[: self.channels * n], self.scratch[: self.channels * n]
        self.decay = math.exp(-n / (self.samplerate * METER_RELEASE_S))  # the meters' fall per block

    def block(self, buffer: np.ndarray, n: int) -> np.ndarray:
        """The first ``n`` frames of a work buffer: (n,) for a mono chain, (2, n) contiguous for a stereo one."""
        return buffer[:n] if self.channels == 1 else buffer[: 2 * n].reshape(2, n)

    @property
    def faults(self) -> int:
        """Blocks the chain could not process: exceptions plus non-finite outputs the chains replaced by silence."""
        return self.chain_faults + self.mix_faults + sum(c.faults for c in list(self.pool.chains))

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
        right_after_a_block(self)  # reset and set hold the GIL: start them with a period ahead (audio/catchup.py)
        chain.reset()
        chain.apply_array(np.asarray(real, dtype=float))
        end = self.processed  # not written: the block under way may not have reached the heard chain yet
        n = min(end, self.history_len)
        if n:  # the last n frames, the first PRIME_FADE_S faded in; from the ring itself, in chunks
            prime(self, chain, end - n, end, int(PRIME_FADE_S * self.samplerate))
        end = catch_up_while_preparing(self, chain, end)  # the frames that arrived while it primed
        prepared = Prepared(ParamTarget.of(real), chain, end)
        self.pool.hand_over(prepared)
        return prepared

    def _history_segments(self, start: int, stop: int) -> list[np.ndarray]:
        size = self.history.shape[-1]
        a, b = start % size, stop % size
        if stop - start <= 0:
            return []
        return [self.history[..., a:b]] if a < b else [self.history[..., a:], self.history[..., :b]]


def process_block(state: BlockState, indata: np.ndarray | None, outdata: np.ndarray) -> None:
    """One block: input (``indata`` (frames,) or (frames, channels), or the state's source when it has one) →
    history ring → chain(s) → safety → ``outdata`` ((frames,) or (frames, channels)).

    A 2-D ``indata`` gives its first channel, or its first two as left and right when the chain is stereo. A mono
    chain's output goes to every channel; a stereo chain's left and right go to channels 1 and 2 (and alternate
    beyond), folded to their mean for a one-channel ``outdata``."""
    if flushing():  # the audio threads flush denormals for good (core/denormals.py)
        _process(state, indata, outdata)
    else:  # once per block, around every chain call in it; the block checks its samples itself (block_io.py)
        with no_denormals(), np.errstate(over="ignore", invalid="ignore"):
            _process(state, indata, outdata)


def _process(state: BlockState, indata: np.ndarray | None, outdata: np.ndarray) -> None:
    n = outdata.shape[0]
    if n != state.n:
        state.resize(n)
    x = take_input(state, indata, n)  # in the ring now, checked; what the chains are fed
    want = 0.0 if state.mute_requested else 1.0
    if want == 0.0 and state.mute_gain == 0.0:
        y = state.y_n
        y.fill(0.0)  # muted: skip the chains, keep analysing
        squares = 0.0
    else:
        began = time.perf_counter()
        y = _run_chains(state, x, n)
        state.chain_s += time.perf_counter() - began
        squares = state.squares
        if state.bypass_requested or state.wet < 1.0:
            _mix_dry(state, x, y, n)
            squares = -1.0
        if want != state.mute_gain:
            squares = -1.0
            # Mute or unmute within this block: a linear fade over the block, no click.
            g = state.g_n
            np.multiply(state.steps_n, (want - state.mute_gain) / n, out=g)  # gains after 1, 2, … n samples
            g += state.mute_gain
            scale(y, g)
            state.mute_gain = want
            if want == 0.0:
                _panic(state)
    play(state, y, outdata, squares)  # the ceiling, the NaN guard, the meters: once, on what is played
    state.processed = state.written  # a chain prepared from now on has heard this block (catchup.py)
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
    scale(y, g)
    y += x


def _panic(state: BlockState) -> None:
    """After a mute: one clean chain, no tails, so unmuting never resumes a runaway delay."""
    drop_catching(state)
    if state.incoming is not None:
        state.pool.give_back(state.heard)
        state.heard, state.incoming = state.incoming, None
    state.heard.reset()


def _run_chains(state: BlockState, x: np.ndarray, n: int) -> np.ndarray:
    """The chain heard, or the crossfade to the incoming one: checked (EffectChain.run), not yet clipped. The
    result is a chain's own output (mixed in place), ours until the next block."""
    try:
        if state.incoming is None and (state.pool.slot or state.catching is not None):
            pick_up(state, n)  # bounded: at most CATCHUP_BLOCKS blocks of catch-up (audio/catchup.py)
        a = state.heard.run(x)  # x is finite: take_input checked it
        if state.incoming is None:
            state.squares = state.heard.squares  # the output meter's, if nothing changes it before it plays
            return a
        b = state.incoming.run(x)
    except Exception as exc:  # noqa: BLE001 - whatever a plugin raises, the stream must live on, silent for this block
        state.chain_faults += 1
        state.last_error = exc
        if state.incoming is not None:
            state.pool.give_back(state.incoming)  # reset before its next use, by the preparer
        state.incoming = None
        drop_catching(state)
        try:
            state.heard.reset()  # its tails may hold whatever made it fail
        except Exception:  # noqa: BLE001 - a chain that can't even reset still mustn't take the stream down
            pass
        y = state.y_n
        y.fill(0.0)
        state.squares = 0.0
        return y
    state.squares = -1.0  # a mix: play sums its squares
    # b = a + g·(b − a), g the incoming chain's gain for these samples (the curve, then 1s: BlockState.resize).
    pos = state.fade_pos
    np.subtract(b, a, out=b)
    scale(b, state.fade_gain[pos : pos + n])
    b += a
    state.fade_pos = pos + n
    if state.fade_pos >= state.fade_len:
        state.pool.give_back(state.heard)
        state.heard, state.incoming = state.incoming, None
    return b
