"""Before a sound's first like: spots inside the ranges and open-ended regions at their ends."""

from __future__ import annotations

import numpy as np
import pytest

from rlfx_tui.core.first_like import PROBE_DEPTH, corner_probe, unexplored
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import resolve_preset


@pytest.fixture
def space() -> ParameterSpace:
    return ParameterSpace(resolve_preset("space").params)


def test_the_corner_prior_gives_the_ends_of_the_ranges_their_own_chance(space: ParameterSpace) -> None:
    middle = np.full((1, len(space)), 0.5)
    end = space.random_low + 0.02 * (space.random_high - space.random_low)
    end = end[None, :]
    none = np.zeros((0, len(space)))
    spots = unexplored(space, np.vstack([middle, end]), none, np.zeros(0))
    both = unexplored(space, np.vstack([middle, end]), none, np.zeros(0), corner_prior=0.5)
    assert spots[1] < 0.5 * spots[0]  # edges count as half-explored: fewer spots inside the ranges reach them
    assert both[1] > 2.5 * spots[1] and both[0] == pytest.approx(spots[0], rel=1e-6)
    # a dislike deeper into that corner rules most of it out (every corner holding the candidate holds it too)
    deeper = (space.random_low + 0.005 * (space.random_high - space.random_low))[None, :]
    corner_before = both[1] - spots[1]
    corner_after = (
        unexplored(space, end, deeper, np.ones(1), corner_prior=0.5) - unexplored(space, end, deeper, np.ones(1))
    )[0]
    assert corner_after < 0.5 * corner_before


def test_a_corner_probe_reaches_the_ends_of_every_knob_and_the_next_tries_other_corners(space: ParameterSpace) -> None:
    rng = np.random.default_rng(4)
    free = ~space.pinned
    low, span = space.random_low[free], space.random_high[free] - space.random_low[free]
    none = np.zeros((0, len(space)))
    first = corner_probe(space, space.default_normalized, 1.0, none, np.zeros(0), rng)
    v = (first[free] - low) / span
    assert np.all(np.minimum(v, 1.0 - v) <= PROBE_DEPTH + 1e-9)  # a corner of every 2- and 3-knob view
    second = corner_probe(space, first, 1.0, first[None, :], np.ones(1), rng)
    w = (second[free] - low) / span
    pairs = [(j, k) for j in range(len(v)) for k in range(j + 1, len(v))]
    same = np.mean([(v[j] > 0.5) == (w[j] > 0.5) and (v[k] > 0.5) == (w[k] > 0.5) for j, k in pairs])
    assert same < 0.15  # a random corner would share a pair's corner with the first one time in four
    # at a lower strength the probe is a jump of that strength towards a corner
    half = corner_probe(space, space.default_normalized, 0.5, none, np.zeros(0), rng)
    assert np.abs(half - space.default_normalized).max() <= 0.5 + 1e-9
