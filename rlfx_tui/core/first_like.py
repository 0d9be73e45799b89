"""Before any like for a sound: where is a liked setting most likely to be, that nothing has tried yet?

A taste may hinge on any two or three parameters, so the score sums over every 2- and 3-parameter projection S
of the free parameters. Per projection, two kinds of liked region are weighed (a prior over shapes, no data):

- **a spot inside the ranges** (a bump of `fill_width` per axis): the share of the candidate's neighbourhood that
  lies inside the random range (a liked spot has some extent, so fewer spots cover a setting at the edge than one
  inside), times exp(−λ Σ_i w_i Π_{j∈S} k_ij) over the labelled points of this sound, k_ij the per-axis bump between
  candidate and point (λ = `fill_sharpness`: a setting tried right there leaves e^−λ of the chance);
- **an open-ended region** ("this knob high and that one low": a corner of the projection reaching the ends of the
  ranges), with prior weight `corner_prior` (0 by default): it can hold the candidate only if the candidate lies
  within about `corner_depth` of the nearer end on every axis of S, and a dislike at least as deep into the same
  corner rules it out (every corner holding the candidate holds that dislike too):
  exp(−λ_c Σ_i w_i Π_{j∈S} deeper_ij).

- **a corner probe** (`corner_probe`; the learner's `corner_probes`, two by default, five labels apart): a jump at
  the player's strength towards a corner of the whole random range, every free knob within PROBE_DEPTH of one of its
  ends. One such setting lies in a corner of all 2- and 3-parameter views at once, so it finds an open-ended taste
  on a new sound about a fifth of the time (in 1 of 4 orientations of a pair, 1 of 8 of a triple), where a uniform
  jump finds one 4 % of the time; it costs a taste inside the ranges a first-like jump. Among corner candidates the
  one whose corners the labels here have tried least wins (the corner term alone: `spot_prior` 0, `corner_depth`
  PROBE_REACH).

Spot-only search maximises distance from what was tried and, left alone, drifts to the corners; the edge share
keeps it inside, and the corner term gives the ends of the ranges their own, separately explored, chance. Which
is better depends on where the player's tastes lie, and nothing tells before their first like: with corner_prior
0.3, corner tastes get about twice the late like-rate and ball tastes lose about a fifth of theirs
(docs/figures/learning.md measures both).
Costs two batched matrix products per kind over the `limit` heaviest labelled points.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.special import ndtr

from rlfx_tui.core.params import ParameterSpace

CORNER_SOFTNESS = 0.05  # how sharply "within corner_depth of the end" and "at least as deep" switch, in range units
PROBE_DEPTH = 0.05  # a corner probe's knobs lie at most this far from an end (share of the random range)
PROBE_REACH = 0.1  # corner_depth when scoring probes: only corner candidates count as in a corner


def projections(p: int) -> np.ndarray:
    """Every pair and triple of p axes as rows of 3 indices; pairs use the padding axis p as their third."""
    pairs = [(j, k, p) for j, k in itertools.combinations(range(p), 2)]
    triples = list(itertools.combinations(range(p), 3))
    return np.array(pairs + triples or [(0, p, p)], dtype=int)


def _coverage(factor: np.ndarray, weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Σ_i w_i Π_{j∈S} factor_ij per candidate and projection, from factor (k, n, f + 1) with a last axis of ones.

    Pair and triple sums over points as two batched matrix products, where an exact product over points would be
    a (k, points, projections) array."""
    k, n, f1 = factor.shape
    weighted = factor * weights[None, :, None]
    outer = (weighted[:, :, :, None] * factor[:, :, None, :]).reshape(k, n, f1 * f1)
    triple = np.matmul(outer.transpose(0, 2, 1), factor)  # (k, (f + 1)², f + 1)
    return triple[:, rows[:, 0] * f1 + rows[:, 1], rows[:, 2]]


def _pad(x: np.ndarray, value: float) -> np.ndarray:
    return np.concatenate([x, np.full(x.shape[:-1] + (1,), value)], axis=-1)


def unexplored(
    space: ParameterSpace,
    candidates: np.ndarray,
    points: np.ndarray,
    weights: np.ndarray,
    *,
    fill_width: float = 0.08,
    fill_sharpness: float = 2.0,
    corner_prior: float = 0.0,
    corner_depth: float = 0.25,
    corner_sharpness: float = 3.0,
    spot_prior: float = 1.0,
) -> np.ndarray:
    """How likely each candidate (k, p) is to land in a liked region nobody has tried yet (higher = better), given
    this sound's labelled points (n, p) and their weights (n,) (see the module docstring); `spot_prior` weighs the
    spots (0: the corner term alone)."""
    free = np.flatnonzero(~space.pinned)
    if len(free) == 0:
        return np.zeros(len(candidates))
    h = fill_width
    low, high = space.random_low[free], space.random_high[free]
    c = candidates[:, free]
    rows = projections(len(free))
    inside = _pad(np.log(np.maximum(ndtr((c - low) / h) + ndtr((high - c) / h) - 1.0, 1e-12)), 0.0)
    log_spot = inside[:, rows].sum(axis=2)  # (k, projections)
    x = points[:, free]
    if len(x):
        bump = _pad(np.exp(-((c[:, None, :] - x[None]) ** 2) / (2 * h**2)), 1.0)  # (k, n, f + 1)
        log_spot = log_spot - fill_sharpness * _coverage(bump, weights, rows)
    score = spot_prior * np.exp(log_spot)
    if corner_prior > 0:
        span = np.maximum(high - low, 1e-9)
        v, vx = (c - low) / span, (x - low) / span
        depth = np.minimum(v, 1.0 - v)  # distance to the nearer end of the random range
        near_end = _pad(np.log(np.maximum(ndtr((corner_depth - depth) / CORNER_SOFTNESS), 1e-12)), 0.0)
        log_corner = near_end[:, rows].sum(axis=2)
        if len(x):
            up = v > 0.5
            depth_x = np.where(up[:, None, :], 1.0 - vx[None], vx[None])  # the point's depth into that end
            deeper = _pad(ndtr((depth[:, None, :] - depth_x) / CORNER_SOFTNESS), 1.0)
            log_corner = log_corner - corner_sharpness * _coverage(deeper, weights, rows)
        score = score + corner_prior * np.exp(log_corner)
    return score.sum(axis=1)


def towards_corners(
    space: ParameterSpace, current: np.ndarray, strength: float, rng: np.random.Generator, count: int
) -> np.ndarray:
    """`count` jumps at this strength from `current` (p,) towards corners of the random range: each free knob's
    target lies within PROBE_DEPTH of one of its ends (either, at random) instead of anywhere in the range (at
    strength 1 the jump lands there). Choices jump as in a plain jump."""
    low, high = space.random_low, space.random_high
    shape = (count, len(low))
    depth = rng.uniform(0.0, PROBE_DEPTH, size=shape) * (high - low)
    target = np.where(rng.random(shape) < 0.5, low + depth, high - depth)
    moved = space.constrain(current + float(np.clip(strength, 0.0, 1.0)) * (target - current))
    if space.choice.any():
        moved = np.where(space.choice, space.randomize_normalized(current, strength, rng, count=count), moved)
    return moved


def corner_probe(
    space: ParameterSpace,
    current: np.ndarray,
    strength: float,
    points: np.ndarray,
    weights: np.ndarray,
    rng: np.random.Generator,
    count: int = 256,
) -> np.ndarray:
    """A jump towards a corner of the random range (see the module docstring): of `count` candidates, the one whose
    2- and 3-parameter corners this sound's labelled points (n, p) with weights (n,) have tried least."""
    candidates = towards_corners(space, current, strength, rng, count)
    scores = unexplored(space, candidates, points, weights, corner_prior=1.0, corner_depth=PROBE_REACH, spot_prior=0)
    return candidates[int(np.argmax(scores))]
