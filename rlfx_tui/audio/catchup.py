"""Bounded catch-up: a primed chain reaches the present without ever costing the callback more than a few blocks.

A chain primed from a snapshot of the history ring (``BlockState.prepare``) is behind by every frame that arrived
since the snapshot. Two places close that gap:

* **the preparer** (any thread but the audio thread), right after priming: ``catch_up_while_preparing`` feeds the
  chain the frames that arrived while it primed, again for those that arrived meanwhile, until at most one block
  is left (each round is faster than real time, so this converges in a few rounds);
* **the audio thread**, at pick-up (``pick_up``): whatever is still missing (the preparer was descheduled before
  it handed over, or the jump waited for a fade to end) is fed at most ``CATCHUP_BLOCKS`` blocks' worth per
  callback. Until the chain has caught up it is ``state.catching``, not yet heard; then its crossfade starts as
  before. A newer jump arriving meanwhile replaces it (the newest wins, as for pending jumps).

So the callback's catch-up costs at most ``CATCHUP_BLOCKS`` blocks of chain work (a few % of the period), and no
jump ever clicks for being late.

The preparer also keeps out of the audio thread's way while the GIL is the bottleneck (small blocks): it primes
from views of the ring in chunks (``prime``: no 1.5 s copy, and every pedalboard call releases the GIL), and on a
clocked stream it starts the chain's reset right after a block (``right_after_a_block``): pedalboard holds the
GIL through a reset, 0.5-5 ms for a Delay's buffer (measured), which at 64 frames is more than a period.

Only a snapshot older than the whole ring (``BlockState.history``, 2.5 s: a
preparer stalled that long between its snapshot and the hand-over) cannot be caught up; it is set in place, as
every stale jump was before, and counted (``state.stale_jumps``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

from rlfx_tui.core.chain import EffectChain

if TYPE_CHECKING:
    from rlfx_tui.audio.block import BlockState

CATCHUP_BLOCKS = 4  # most catch-up the callback does per block, in blocks of that callback's size
PREPARE_ROUNDS = 8  # most catch-up rounds of the preparer before it hands over what it has
# Frames per pedalboard call while priming (each call releases the GIL). The first call is the largest a chain is
# ever given: pedalboard prepares its plugins again (losing their state) when a block is longer than any before.
PRIME_CHUNK = 8192


def right_after_a_block(state: BlockState) -> None:
    """On a clocked stream (``state.clocked``), wait until the audio thread has just finished a block (at most
    two periods), so that what comes next holds the GIL while the callback needs it least. Off the audio thread."""
    if not state.clocked:
        return
    blocks = state.blocks
    deadline = time.perf_counter() + 2.0 * state.capacity / state.samplerate
    while state.blocks == blocks and time.perf_counter() < deadline:
        time.sleep(0.0001)


def prime(state: BlockState, chain: EffectChain, start: int, end: int, fade: int) -> None:
    """Feed ``chain`` frames [start, end) of the history ring, the first ``fade`` of them faded in from silence:
    the first PRIME_CHUNK frames as a copy (faded), the rest as views of the ring, PRIME_CHUNK frames per call.
    Off the audio thread."""
    head_end = min(end, start + PRIME_CHUNK)
    head = np.concatenate(state._history_segments(start, head_end), axis=-1)
    fade = min(fade, head_end - start)
    head[..., :fade] *= np.linspace(0.0, 1.0, fade, dtype=np.float32)
    chain.process(head)
    _feed(state, chain, head_end, end)


def _feed(state: BlockState, chain: EffectChain, start: int, end: int) -> None:
    """Frames [start, end) of the ring through ``chain``, at most PRIME_CHUNK frames per call."""
    pos = start
    while pos < end:
        stop = min(end, pos + PRIME_CHUNK)
        for seg in state._history_segments(pos, stop):
            chain.process(seg, finite=True)  # the ring holds the checked input
        pos = stop


def catch_up_while_preparing(state: BlockState, chain: EffectChain, upto: int) -> int:
    """Feed ``chain`` (primed up to frame ``upto``) the frames the audio thread wrote since, until at most one
    block is left; returns the frame it is primed up to now. Off the audio thread only."""
    for _ in range(PREPARE_ROUNDS):
        end = state.processed  # what the heard chain has been through: never a block it has yet to hear
        if end - upto <= state.capacity:
            break
        _feed(state, chain, upto, end)
        upto = end
    return upto


def pick_up(state: BlockState, n: int) -> None:
    """The audio thread, before a block of ``n`` frames whose input is already in the ring: take a newly prepared
    chain, catch the one being caught up at most CATCHUP_BLOCKS·n frames closer, and start its fade once it is
    level with the frames before this block."""
    prepared = state.pool.take()
    if prepared is not None:
        drop_catching(state)  # a newer jump: the one still catching up is never heard
        state.target = prepared.target
        behind = state.written - n - prepared.upto
        # No fade wanted (ramp_ms=0: clicks, kept to show what the fade buys), or the chain comes back from
        # silence anyway (unmute), or the snapshot is older than the ring holds: set the parameters in place.
        if state.fade_len == 0 or state.mute_gain == 0.0 or behind > state.history.shape[-1] - n:
            if behind > state.history.shape[-1] - n:
                state.stale_jumps += 1
            state.heard.apply_array(prepared.target.real)
            state.pool.give_back(prepared.chain)
            return
        state.catching, state.catching_upto = prepared.chain, prepared.upto
    chain = state.catching
    if chain is None:
        return
    level = state.written - n  # the frames before this block
    stop = min(level, state.catching_upto + min(CATCHUP_BLOCKS * n, PRIME_CHUNK))
    for seg in state._history_segments(state.catching_upto, stop):
        chain.run(seg)  # the ring holds the checked input; the output is not played
    state.catching_upto = stop = max(stop, state.catching_upto)
    if stop == level:
        state.incoming, state.catching = chain, None
        state.fade_pos = 0


def drop_catching(state: BlockState) -> None:
    """Give the chain being caught up back to the pool (a newer jump, a mute, a chain fault). Audio thread."""
    if state.catching is not None:
        state.pool.give_back(state.catching)
        state.catching = None
