"""Descriptors off the audio thread: an analysis thread reads the input the callback already keeps.

The callback writes every input block into ``BlockState.history`` (a preallocated ring, ``state.written`` counting
the frames) to prime new chains. ``HistoryAnalyser.step`` reads the frames written since its last step from that
ring, read-only, and feeds them to a DescriptorTracker; ``AnalysisThread`` calls it at the control rate
(``ANALYSIS_INTERVAL_S``). The tracker splits its input at its own hop boundaries, so the descriptors are the
same whether it is fed 256-frame blocks in the callback or 1,200-frame chunks here; they are only later, by at
most one interval.

No lock: the writer never waits for the reader. The ring holds 2.5 s and the reader is ~25 ms behind, so the
writer cannot overtake it unless the reader stalls for seconds; after a copy the reader checks how far the writer
has got (``written`` plus the block it may be writing) and drops any frames that may have been overwritten under
it, counting them (``skipped``), rather than analysing a torn mix of old and new audio.

Offline users of ``process_block`` (render, the tests, the bench's click measure) keep the analysis inline
(``BlockState(analyse_inline=True)``, the default); the engine turns it off and runs this thread instead. Then the
input's peak meter is this thread's too (over both sides of a stereo ring, the same ballistics as the callback's,
up to one interval later): in the callback it was an ``abs`` and an ``argmax`` per block, ~8 % of a 64-frame
block's cost. The callback still keeps the input's mean square: its sum of squares is its finite check anyway.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import numpy as np

from rlfx_tui.audio.block import METER_RELEASE_S
from rlfx_tui.audio.control_thread import ControlThread
from rlfx_tui.core.descriptors import DescriptorTracker

if TYPE_CHECKING:
    from rlfx_tui.audio.block import BlockState

ANALYSIS_INTERVAL_S = 0.025  # 40 Hz: twice follow mode's control rate, a few hops of the tracker per step


class HistoryAnalyser:
    """Feeds ``tracker`` (the state's own by default, so ``state.tracker.values`` reads the result) from the
    state's history ring; one reader thread at a time."""

    def __init__(self, state: BlockState, tracker: DescriptorTracker | None = None) -> None:
        self.state = state
        self.tracker = tracker if tracker is not None else state.tracker
        self.read = state.written  # frames analysed so far (the ring's frame count)
        self._mono = np.zeros(state.history.shape[-1], dtype=np.float32)
        self.skipped = 0  # frames never analysed: the reader fell behind the writer
        self.busy_s = 0.0  # time spent in step() (the bench reports it)

    def step(self) -> int:
        """Analyse every frame written since the last step; returns how many."""
        began = time.perf_counter()
        state = self.state
        ring = state.history
        size = ring.shape[-1]
        end = state.written
        start = max(self.read, end - size + 2 * state.capacity)  # older frames may be rewritten while we copy
        count = end - start
        if count <= 0:
            self.skipped += max(0, end - self.read)
            self.read = max(self.read, end)
            return 0
        mono = self._mono[:count]
        a = start % size
        first = min(count, size - a)
        segments = (ring[..., a : a + first], ring[..., : count - first])
        self._copy(segments[0], mono[:first])
        self._copy(segments[1], mono[first:])
        peak = max(float(np.abs(seg).max()) if seg.size else 0.0 for seg in segments)  # both sides of a stereo ring
        # The writer may have moved on while we copied: it has written up to `written` and may be writing one
        # block more. Frames older than that minus the ring were overwritten: drop them.
        valid_from = state.written + state.capacity - size
        drop = max(0, valid_from - start)
        self.skipped += (start - self.read) + min(drop, count)
        if drop < count:
            self.tracker.update(mono[drop:])
        if drop == 0 and not state.analyse_inline:  # the input's peak meter is ours then (the callback's offline)
            decay = math.exp(-count / (state.samplerate * METER_RELEASE_S))
            state.in_peak = max(peak, state.in_peak * decay)
        self.read = end
        self.busy_s += time.perf_counter() - began
        return max(0, count - drop)

    @staticmethod
    def _copy(src: np.ndarray, dst: np.ndarray) -> None:
        if src.ndim == 2:  # a stereo ring (left, right): the descriptors hear their mix, as process_block makes it
            np.add(src[0], src[1], out=dst)
            dst *= np.float32(0.5)
        else:
            dst[:] = src


class AnalysisThread(ControlThread):
    """Runs ``HistoryAnalyser.step`` every ``interval_s`` on a daemon thread until stopped; an exception is
    counted (``errors``) and the next step goes on."""

    def __init__(self, analyser: HistoryAnalyser, interval_s: float = ANALYSIS_INTERVAL_S) -> None:
        super().__init__("rlfx-analysis", interval_s)
        self.analyser = analyser

    def step(self) -> None:
        self.analyser.step()
