"""The two ends of process_block (audio/block.py): the input into the history ring, and what is played.

Both run on the audio thread every block, so they are written for numpy's per-call cost, which at 64-256 frames is
most of what they cost: each does the fewest numpy calls it can, on views cut once per block length
(``BlockState.resize``), with no temporary array.

* **In** (``take_input``): the input goes to the place the chains read it from: for a mono chain the ring itself
  (one copy, the ring's slot is the chain's input), for a stereo one the stereo buffer, then the ring. One sum of
  squares gives the input meter's mean square and says whether the block is finite (NaN or inf in any sample makes
  it NaN or inf); only then, or for samples above ~1e19 whose squares overflow, does the exact check run. The
  input's peak is measured here only offline: with the analysis thread running, it measures it (audio/analysis.py).
* **Out** (``play``): the output's peak first (one ``abs`` and one ``argmax``: numpy's ``argmax`` costs a fraction
  of a ``max`` reduction at these sizes; NaN when any sample is). Under the ceiling, as the limiter keeps one
  chain's output, there is nothing to clip, and the sum of squares the chain's own check computed is the output
  meter's; otherwise the ceiling clips it in place and one sum of squares over the result is the meter and the
  last NaN guard at once (the clip takes ±inf to the ceiling, so only a NaN, from a mix of huge chain outputs, is
  left for it to find).
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import numpy as np

from rlfx_tui.core.finite import CLIP

if TYPE_CHECKING:
    from rlfx_tui.audio.block import BlockState


def take_input(state: BlockState, indata: np.ndarray | None, n: int) -> np.ndarray:
    """The block's input, written to the history ring and checked finite; returns what the chains are fed: (n,)
    for a mono chain (a view of the ring), (2, n) for a stereo one. Updates the input meters and, offline, the
    descriptors."""
    history = state.history
    size = history.shape[-1]
    pos = state.written % size
    if state.channels == 1:
        direct = pos + n <= size  # the block fits in the ring without wrapping: the chains read it there
        x = history[pos : pos + n] if direct else state.mono_n
        if state.source is not None:
            state.source.read(n, x)
        elif indata is None:
            x.fill(0.0)
        else:
            np.copyto(x, indata[:, 0] if indata.ndim == 2 else indata)
        flat = mono = x
    else:
        x, mono = state.x_n, state.mono_n
        if indata is not None and indata.ndim == 2 and indata.shape[1] >= 2:
            np.copyto(x, indata[:, :2].T)  # a stereo input keeps its sides
        elif state.source is not None:
            state.source.read(n, mono)
            x[:] = mono  # a mono input on both sides, before the chain
        elif indata is None:
            x.fill(0.0)
        else:
            x[:] = indata[:, 0] if indata.ndim == 2 else indata
        flat = state.x_flat_n
    ms = float(flat.dot(flat)) / flat.shape[0]
    if not math.isfinite(ms):
        ms = _clean_input(state, flat)
    decay = state.decay
    state.in_ms += (1.0 - decay) * (ms - state.in_ms)
    if state.analyse_inline:  # else the analysis thread keeps the input's peak meter (audio/analysis.py)
        scratch = state.scratch_n
        np.abs(flat, out=scratch)
        state.in_peak = max(float(scratch[scratch.argmax()]), state.in_peak * decay)
    if state.channels == 2:
        if state.analyse_inline:  # the descriptors hear the mono mix
            np.add(x[0], x[1], out=mono)
            mono *= np.float32(0.5)
        if pos + n <= size:
            history[:, pos : pos + n] = x
        else:
            first = size - pos
            history[:, pos:] = x[:, :first]
            history[:, : n - first] = x[:, first:]
    elif not direct:
        first = size - pos
        history[pos:] = x[:first]
        history[: n - first] = x[first:]
    if state.analyse_inline:
        began = time.perf_counter()
        state.tracker.update(mono)
        state.descriptors_s += time.perf_counter() - began
    state.written += n  # the analysis thread may read the block from now on
    return x


def _clean_input(state: BlockState, flat: np.ndarray) -> float:
    """A block whose sum of squares is not finite: NaN or inf (a broken driver or file) is zeroed and counted,
    so it never reaches the chain or the meters; finite samples too large to square keep their values (the
    chain's limiter and the ceiling deal with them). Returns the mean square. Rare: allowed to allocate."""
    if not bool(np.isfinite(flat).all()):
        state.input_faults += 1
        np.nan_to_num(flat, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    return float(np.mean(np.square(flat, dtype=np.float64)))


def play(state: BlockState, y: np.ndarray, outdata: np.ndarray, squares: float = -1.0) -> None:
    """``y`` (the chains' mix, (n,) or (2, n)) into ``outdata``, within the ceiling, finite, metered. ``squares``:
    y's sum of squares when the caller knows it (one chain's output played as it is: EffectChain.run), else -1."""
    flat = y if y.ndim == 1 else y.reshape(-1)
    scratch = state.scratch_n
    np.abs(flat, out=scratch)
    peak = float(scratch[scratch.argmax()])  # NaN if any sample is: argmax stops at the first NaN
    if not peak <= state.ceiling32:  # over the ceiling (a mix, a bypassed hot input), or NaN
        CLIP(flat, state.low, state.high, out=flat)
        squares = float(flat.dot(flat))
        peak = state.ceiling32
        if not math.isfinite(squares):  # NaN (the clip takes ±inf to the ceiling): only a mix of huge outputs
            state.mix_faults += 1
            flat.fill(0.0)
            squares = peak = 0.0
    elif squares < 0.0:
        squares = float(flat.dot(flat))
    write(y, outdata)
    decay = state.decay
    state.out_peak = max(peak, state.out_peak * decay)
    state.out_ms += (1.0 - decay) * (squares / flat.shape[0] - state.out_ms)


def write(y: np.ndarray, outdata: np.ndarray) -> None:
    """The chain's output into the stream's buffer (see process_block for the channel rule)."""
    if y.ndim == 1:
        if outdata.ndim == 2 and outdata.shape[1] == 1:
            outdata[:, 0] = y
        elif outdata.ndim == 2:
            for c in range(outdata.shape[1]):  # a column at a time: broadcasting y[:, None] costs twice as much
                outdata[:, c] = y
        else:
            outdata[:] = y
    elif outdata.ndim == 1 or outdata.shape[1] == 1:  # a stereo chain into one channel: the mean of both
        fold = outdata if outdata.ndim == 1 else outdata[:, 0]
        np.add(y[0], y[1], out=fold)
        fold *= np.float32(0.5)
    elif outdata.shape[1] == 2:  # a column at a time: half the cost of a transposing copy (outdata[:] = y.T)
        outdata[:, 0] = y[0]
        outdata[:, 1] = y[1]
    else:
        outdata[:, 0::2] = y[0][:, None]
        outdata[:, 1::2] = y[1][:, None]


def scale(y: np.ndarray, g: np.ndarray) -> None:
    """y *= g, a gain per frame; row by row for a stereo y (numpy copies y to broadcast g over it in place)."""
    if y.ndim == 1:
        y *= g
    else:
        for row in y:
            row *= g
