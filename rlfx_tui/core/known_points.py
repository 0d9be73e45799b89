"""Is this point already in the dataset? So importing the same files twice doesn't count each opinion twice.

Two points are the same when they have the same label, the same descriptors and the same setting, within what a
trip through JSON (and, for normalised parameters, through normalise → denormalise) can change: 1e-9 relative for
descriptors, 1e-9 of a parameter's normalised range. Each live point matches at most one incoming point, so a
dataset that really holds two identical labels imports as two, and re-importing it skips both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from rlfx_tui.core.dataset import LabelledPoint
from rlfx_tui.core.params import ParameterSpace

RTOL = 1e-9  # descriptors: relative (and absolute near zero)
UTOL = 1e-9  # parameters: in normalised units, so the same for Hz, dB and ratios, log scale or not


class KnownPoints:
    def __init__(self, points: Sequence[LabelledPoint], space: ParameterSpace) -> None:
        self.space = space
        self._used = np.zeros(len(points), dtype=bool)
        self._key = np.zeros(0)  # the first descriptor of each live point, sorted: a window narrows the search
        if not points:
            return
        descriptors = np.array([p.descriptors for p in points], dtype=float)
        order = np.argsort(descriptors[:, 0], kind="stable")
        self._x = descriptors[order]
        self._u = np.array([space.normalize(p.params) for p in points])[order]
        self._good = np.array([p.good for p in points], dtype=bool)[order]
        self._key = self._x[:, 0]

    def take(self, descriptors: np.ndarray, params: Mapping[str, float], good: bool) -> bool:
        """True if an unused live point is the same as this one (it is then used up); False if this one is new."""
        x = np.asarray(descriptors, dtype=float)
        if not len(self._key):
            return False
        slack = RTOL * (1.0 + abs(x[0]))  # np.isclose's own bound below, so the window holds every candidate
        lo = int(np.searchsorted(self._key, x[0] - slack, side="left"))
        hi = int(np.searchsorted(self._key, x[0] + slack, side="right"))
        if lo >= hi:
            return False
        u = self.space.normalize(params)
        window = slice(lo, hi)
        same = (
            (self._good[window] == bool(good))
            & ~self._used[window]
            & np.isclose(self._x[window], x, rtol=RTOL, atol=RTOL).all(axis=1)
            & (np.abs(self._u[window] - u) <= UTOL).all(axis=1)
        )
        hits = np.flatnonzero(same)
        if not len(hits):
            return False
        self._used[lo + int(hits[0])] = True
        return True
