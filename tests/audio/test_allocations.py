"""The callback allocates nothing of its own: tracemalloc, line by line, over 1,000 blocks of process_block.

tracemalloc snapshots only show memory still held, so a temporary array made and freed inside a block would not
appear in them. Instead a tracer (sys.settrace, only while process_block runs) reads tracemalloc's peak at every
line event and resets it: the peak above the memory in use when a line began is what that line allocated, even if
it freed it again at once. Every line of rlfx_tui that the callback runs is measured this way.

The tracer itself makes Python allocate a frame object for every function it sees, and numpy's reductions and
scalar arguments make small fixed-size objects (0-d arrays, iterator state): a line can show up to ~2.5 kB of
these, the same at any block size. A buffer (a temporary array, a mask, a copy) grows with the block. So the
measure runs at two block sizes and the bound is on the growth: from 256 to 1,024 frames any block-length buffer
grows by at least 768 bytes (a bool mask; float32 samples 3,072), so no line may grow by more than
``GROWTH_SLACK``. The one line allowed more is pedalboard's call in EffectChain.process: it returns a new array
per call by design (a block, or a bounded catch-up of up to CATCHUP_BLOCKS blocks). A snapshot comparison adds
that nothing is kept from one block to the next either.
"""

from __future__ import annotations

import sys
import tracemalloc
from collections import defaultdict
from pathlib import Path
from types import FrameType
from typing import Any

import numpy as np
import pytest

import rlfx_tui
from rlfx_tui.audio.block import BlockState, process_block
from rlfx_tui.audio.catchup import CATCHUP_BLOCKS
from rlfx_tui.core.denormals import flushing_thread
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import resolve_preset

SR = 48000
SMALL, LARGE = 256, 1024
BLOCKS = 1000
WARM_UP = 310  # blocks before measuring: a mute at 150, a bypass from 280
GROWTH_SLACK = 256  # bytes a line's allocation may grow from SMALL to LARGE frames (a buffer grows >= 768)
FIXED_SLACK = 4096  # bytes of fixed-size objects (frames shown to the tracer, numpy scalars) any one line may make
PACKAGE = str(Path(rlfx_tui.__file__).parent)


class LineAllocations:
    """A tracer: per (file, line) of rlfx_tui, the most a single execution of it allocated (peak above start)."""

    def __init__(self) -> None:
        self.worst: dict[tuple[str, int], int] = defaultdict(int)
        self._where: tuple[str, int] | None = None
        self._base = 0

    def _mark(self, where: tuple[str, int] | None) -> None:
        current, peak = tracemalloc.get_traced_memory()
        if self._where is not None:
            grown = peak - self._base
            if grown > self.worst[self._where]:
                self.worst[self._where] = grown
        self._where = where
        tracemalloc.reset_peak()
        self._base = tracemalloc.get_traced_memory()[0]  # after our own bookkeeping (a dict may have grown)

    def _local(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "return":  # the rest of the caller's line runs next
            back = frame.f_back
            self._mark((back.f_code.co_filename, back.f_lineno) if back is not None else None)
        else:
            self._mark((frame.f_code.co_filename, frame.f_lineno))
        return self._local

    def _global(self, frame: FrameType, event: str, arg: Any) -> Any:
        if not frame.f_code.co_filename.startswith(PACKAGE):
            return None
        self._mark((frame.f_code.co_filename, frame.f_lineno))
        return self._local

    def run(self, state: BlockState, x: np.ndarray, out: np.ndarray) -> None:
        self._where = None
        sys.settrace(self._global)
        try:
            process_block(state, x, out)
        finally:
            sys.settrace(None)
        self._mark(None)


def _is_pedalboard_call(where: tuple[str, int]) -> bool:
    """The chain's board call, or, in a stereo chain, a plugin stage's call per side (core/stereo.py)."""
    path, line = where
    text = Path(path).read_text().splitlines()[line - 1]
    return (path.endswith("chain.py") and "self.board(" in text) or (
        path.endswith("stereo.py") and ("stage.left(" in text or "stage.right(" in text)
    )


def _measure(bs: int, channels: int) -> dict[tuple[str, int], int]:
    """Per line of rlfx_tui, the most one execution allocated, over BLOCKS blocks of ``bs`` frames after a warm-up:
    jumps picked up late (so the callback catches them up, bounded), crossfades, mutes and bypasses."""
    preset = resolve_preset("space")  # delay + reverb: the longest catch-up, a full crossfade
    space = ParameterSpace(preset.params)
    rng = np.random.default_rng(3)
    jumps = [space.real_array(space.randomize_normalized(space.default_normalized, 1.0, rng)) for _ in range(40)]
    state = BlockState(preset, SR, jumps[0], blocksize=bs, analyse_inline=False, channels=channels)
    t = np.arange(bs * (WARM_UP + BLOCKS)) / SR
    signal = (0.5 * np.sin(2 * np.pi * 220 * t) * (1 + 0.5 * np.sin(2 * np.pi * 0.7 * t))).astype(np.float32)
    out = np.zeros((bs, channels), dtype=np.float32)
    held: list[Any] = []
    real_hand_over = state.pool.hand_over
    state.pool.hand_over = held.append  # type: ignore[method-assign]  # the test hands over late, by hand
    every = 25  # blocks between jumps: the same events at both block sizes, so only the block length differs

    def play(i: int, tracer: LineAllocations | None) -> None:
        if i % every == 0:  # prepared here (off the "audio thread": not traced) ...
            state.prepare(jumps[i // every % len(jumps)])
        if i % every == 6 and held:  # ... and handed over 6 blocks late, so the callback catches it up
            real_hand_over(held.pop())
        x = signal[i * bs : (i + 1) * bs]
        if tracer is None:
            process_block(state, x, out)
        else:
            tracer.run(state, x, out)
        state.mute_requested = i % 200 == 150  # a mute and an unmute now and then (the gain ramp)
        state.bypass_requested = i % 300 >= 280  # and a bypass, faded

    tracemalloc.start()
    try:
        tracer = LineAllocations()
        for i in range(WARM_UP):  # every path once: jumps, fades, mute, bypass (lazy buffers, numpy's caches)
            play(i, tracer)
        tracer.worst.clear()
        before = tracemalloc.take_snapshot()
        fades = catches = 0
        for i in range(WARM_UP, WARM_UP + BLOCKS):
            play(i, tracer)
            fades += state.incoming is not None
            catches += state.catching is not None
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    assert fades >= 10 and catches >= 10, (fades, catches)  # crossfades and bounded catch-ups were measured
    # Nothing kept: what rlfx_tui's lines hold after the blocks is what they held before, give or take the
    # parameter state of the latest jump and a float or two (under 1 kB; keeping 24 bytes a block would be 24 kB).
    kept = [d for d in after.compare_to(before, "lineno") if d.traceback[0].filename.startswith(PACKAGE)]
    assert sum(d.size_diff for d in kept) <= 1024, "\n".join(str(d) for d in kept[:8])
    return {where: grown for where, grown in tracer.worst.items() if where[0].startswith(PACKAGE)}


@pytest.mark.parametrize("channels", [1, 2])
def test_process_block_allocates_nothing_of_its_own_per_block(channels: int) -> None:
    """Mono and stereo output (space plays per side in stereo: a chain per side, core/stereo.py), on a thread
    that flushes denormals for good, as the stream's does (core/denormals.py)."""
    with flushing_thread():
        small, large = _measure(SMALL, channels), _measure(LARGE, channels)
    assert len(large) > 30, sorted(large)  # the tracer saw the callback's lines
    board = {where for where in large if _is_pedalboard_call(where)}
    assert board, "pedalboard's call was not traced"
    growth = {where: large[where] - small.get(where, 0) for where in large}
    for where in board:  # its own output: a block, or a catch-up of up to CATCHUP_BLOCKS blocks (float32)
        assert growth[where] <= 4 * channels * (LARGE - SMALL) * CATCHUP_BLOCKS + GROWTH_SLACK, growth[where]
    name = lambda where: f"{Path(where[0]).name}:{where[1]}"  # noqa: E731
    buffers = {name(w): g for w, g in growth.items() if w not in board and g > GROWTH_SLACK}
    assert not buffers, f"lines allocating a block-sized buffer (bytes more at {LARGE} than at {SMALL}): {buffers}"
    objects = {name(w): b for w, b in large.items() if w not in board and b > FIXED_SLACK}
    assert not objects, f"lines allocating more than fixed-size objects (bytes): {objects}"
