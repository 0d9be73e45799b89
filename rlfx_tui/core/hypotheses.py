"""The hypotheses the taste model weighs: which few parameters matter to the player, and how (rlfx_tui/core/taste.py).

A hypothesis is a set S of free parameters and a shape: a **spot** (a bump around each like over S), **open-ended**
(a like says "this far or further" along each parameter of S) or a **ridge** (S is a pair of knobs that trade off
or move together). Spots cover every S up to `max_size`, open-ended ones every S up to `open_size`, ridges every
pair; for large presets the sizes shrink so all of them stay under MAX_SUBSETS (spots get half the budget,
open-ended ones a quarter, ridges a quarter or none).
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from math import comb

import numpy as np

MAX_SUBSETS = 1500


@dataclass(frozen=True)
class Hypotheses:
    """Every (S, shape) of a preset's free parameters, as 0/1 rows of the parameters that matter."""

    members: np.ndarray  # (H, p): spots, then open-ended, then ridges
    spots: int  # how many rows are spots
    opens: int  # … open-ended
    pairs: np.ndarray  # (R, 2) the ridges' two parameters
    signs: np.ndarray  # (R,) +1: they trade off; −1: they move together
    sizes: np.ndarray  # (H,) |S|


def _size_within(count: int, size: int, budget: int) -> int:
    while size > 1 and sum(comb(count, k) for k in range(size + 1)) > budget:
        size -= 1
    return size


@functools.lru_cache(maxsize=8)
def hypotheses(free: tuple[int, ...], p: int, max_size: int, open_size: int, ridges: bool) -> Hypotheses:
    """Spots up to `max_size`, open-ended up to `open_size` (fewer for large presets: spots get half the
    MAX_SUBSETS budget), ridges over every pair if they fit in a quarter. Cached: the same preset asks for the same
    hypotheses at every proposal."""
    f = len(free)
    spot_size = _size_within(f, max_size, MAX_SUBSETS // 2)
    open_size = min(open_size, _size_within(f, open_size, MAX_SUBSETS // 4)) if open_size else 0
    rows = [s for k in range(min(spot_size, f) + 1) for s in itertools.combinations(free, k)]
    opens = [s for k in range(1, min(open_size, f) + 1) for s in itertools.combinations(free, k)]
    pairs = list(itertools.combinations(free, 2)) if ridges and 2 * comb(f, 2) <= MAX_SUBSETS // 4 else []
    ridge_rows = [pair for pair in pairs for _ in (1, -1)]
    members = np.zeros((len(rows) + len(opens) + len(ridge_rows), p))
    subsets: list[tuple[int, ...]] = [*rows, *opens, *ridge_rows]
    for i, subset in enumerate(subsets):
        members[i, list(subset)] = 1.0
    members.flags.writeable = False  # shared between models through the cache
    pair_array = np.array([pair for pair in ridge_rows], dtype=int).reshape(-1, 2)
    signs = np.tile([1.0, -1.0], len(pairs))
    return Hypotheses(members, len(rows), len(opens), pair_array, signs, members.sum(axis=1))
