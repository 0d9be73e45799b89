"""Tastes of other shapes than one ball: open-ended ones (a corner, a ridge) and several spots (blobs).

Each shape likes the same share of the preset's random range as the ball (`volume`, default 4 %), over 2 or 3 of
its free parameters; the other parameters don't matter. All answer the same two questions as the ball
(`player.Taste`): `likes(u)` and `distance(u)` (how far u lies outside the liked region over the taste's
parameters, in normalised units; 0 = inside). Coordinates: v = (u − random_low) / (random_high − random_low) per
parameter, so "the top 20 %" means the top of what a jump can reach.

- **corner**: "this knob high and that one low": v_j ≥ 1 − w_j (or v_j ≤ w_j) on every parameter of the taste,
  the widths w_j multiplying to `volume`. Open-ended: it reaches the ends of the ranges (and beyond the random
  range, up to the parameter's own end).
- **ridge**: two knobs that trade off: |v_a ± v_b − c| ≤ h, a band across the square (`+`: more of one, less of
  the other; `−`: both together), h set so the band holds `volume`.
- **blobs**: two balls of half the volume each over the same parameters, apart from each other.
- **mixed** (in `make_taste`): one of ball, corner, ridge, blobs per sound.

With `edges` the ball's and the blobs' centres lie anywhere in the random range (the part beyond the range is cut
off, so a little less than `volume` may be reachable); without, at least one radius inside, as before.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.sim.player import Taste, ball_radius, random_taste

SHAPES = ("ball", "corner", "ridge", "blobs", "mixed")


def _span(space: ParameterSpace, dims: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    low, high = space.random_low[list(dims)], space.random_high[list(dims)]
    return low, np.maximum(high - low, 1e-9)


@dataclass(frozen=True)
class Corner:
    """Liked iff every parameter of the taste is beyond its threshold (up or down): an orthant of the range."""

    dims: tuple[int, ...]
    threshold: np.ndarray  # normalised units
    up: np.ndarray  # bool per dim: liked above the threshold (else below)

    def distance(self, u: np.ndarray) -> float:
        x = np.asarray(u)[list(self.dims)]
        short = np.where(self.up, self.threshold - x, x - self.threshold)
        return float(np.linalg.norm(np.maximum(short, 0.0)))

    def likes(self, u: np.ndarray) -> bool:
        return self.distance(u) == 0.0


@dataclass(frozen=True)
class Ridge:
    """Liked iff |v_a + sign·v_b − centre| ≤ half_width (v in random-range units): a band across two knobs."""

    dims: tuple[int, int]
    low: np.ndarray
    span: np.ndarray
    sign: float
    centre: float
    half_width: float

    def distance(self, u: np.ndarray) -> float:
        v = (np.asarray(u)[list(self.dims)] - self.low) / self.span
        g = v[0] + self.sign * v[1] - self.centre
        gradient = np.hypot(1.0 / self.span[0], 1.0 / self.span[1])  # |∇g| in normalised units
        return max(0.0, abs(g) - self.half_width) / gradient

    def likes(self, u: np.ndarray) -> bool:
        return self.distance(u) == 0.0


@dataclass(frozen=True)
class Blobs:
    """Several liked balls over the same parameters."""

    balls: tuple[Taste, ...]

    @property
    def dims(self) -> tuple[int, ...]:
        return self.balls[0].dims

    def distance(self, u: np.ndarray) -> float:
        return min(ball.distance(u) for ball in self.balls)

    def likes(self, u: np.ndarray) -> bool:
        return self.distance(u) == 0.0


def _dims(space: ParameterSpace, rng: np.random.Generator, sizes: tuple[int, ...]) -> tuple[int, ...]:
    free = np.flatnonzero(~space.pinned)
    count = int(rng.choice(sizes)) if len(free) >= max(sizes) else min(len(free), min(sizes))
    return tuple(sorted(int(i) for i in rng.choice(free, size=count, replace=False)))


def corner_taste(space: ParameterSpace, rng: np.random.Generator, volume: float) -> Corner:
    dims = _dims(space, rng, (2, 3))
    # widths multiplying to the volume, unequal by up to ×2 either way
    logs = rng.uniform(-0.7, 0.7, size=len(dims))
    widths = np.clip(volume ** (1.0 / len(dims)) * np.exp(logs - logs.mean()), 0.02, 1.0)
    up = rng.random(len(dims)) < 0.5
    low, span = _span(space, dims)
    threshold = low + span * np.where(up, 1.0 - widths, widths)
    return Corner(dims, threshold, up)


def _band_area(sign: float, centre: float, half_width: float) -> float:
    """Area of {|x + sign·y − centre| ≤ half_width} in the unit square (x + y and x − y are triangular)."""

    def cdf(t: float) -> float:  # of s = x + y on [0, 2]; x − y is the same shifted by 1
        t = t + (1.0 if sign < 0 else 0.0)
        if t <= 0:
            return 0.0
        if t >= 2:
            return 1.0
        return t * t / 2 if t <= 1 else 1 - (2 - t) ** 2 / 2

    return cdf(centre + half_width) - cdf(centre - half_width)


def ridge_taste(space: ParameterSpace, rng: np.random.Generator, volume: float) -> Ridge | Taste:
    dims = _dims(space, rng, (2,))
    if len(dims) < 2:
        return ridge_or_ball_fallback(space, rng, volume)
    sign = 1.0 if rng.random() < 0.5 else -1.0
    centre = float(rng.uniform(0.6, 1.4)) if sign > 0 else float(rng.uniform(-0.4, 0.4))
    lo, hi = 0.0, 1.0
    for _ in range(50):  # bisection: the band's area grows with its half-width
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _band_area(sign, centre, mid) < volume else (lo, mid)
    low, span = _span(space, dims)
    return Ridge((dims[0], dims[1]), low, span, sign, centre, (lo + hi) / 2)


def ridge_or_ball_fallback(space: ParameterSpace, rng: np.random.Generator, volume: float) -> Taste:
    """A one-parameter preset has no two knobs to trade off: a ball (an interval) instead."""
    return random_taste(space, rng, volume=volume)


def ball_taste(space: ParameterSpace, rng: np.random.Generator, volume: float, edges: bool) -> Taste:
    if not edges:
        return random_taste(space, rng, volume=volume)  # the default benchmark's worlds, unchanged
    dims = _dims(space, rng, (2, 3))
    low, high = space.random_low[list(dims)], space.random_high[list(dims)]
    return Taste(dims, rng.uniform(low, high), ball_radius(len(dims), volume))


def blobs_taste(space: ParameterSpace, rng: np.random.Generator, volume: float, edges: bool, count: int = 2) -> Blobs:
    dims = _dims(space, rng, (2, 3))
    radius = ball_radius(len(dims), volume / count)
    low, high = space.random_low[list(dims)], space.random_high[list(dims)]
    margin = np.zeros(len(dims)) if edges else np.minimum(radius, (high - low) / 2)
    centres: list[np.ndarray] = []
    for _ in range(200):  # apart: the gap between two spots is at least one radius
        c = rng.uniform(low + margin, high - margin)
        if all(np.linalg.norm(c - other) >= 3 * radius for other in centres):
            centres.append(c)
            if len(centres) == count:
                break
    while len(centres) < count:  # a cramped range: take what fits
        centres.append(rng.uniform(low + margin, high - margin))
    return Blobs(tuple(Taste(dims, c, radius) for c in centres))


def make_taste(
    shape: str, space: ParameterSpace, rng: np.random.Generator, *, volume: float = 0.04, edges: bool = False
) -> Taste | Corner | Ridge | Blobs:
    """One sound's taste of this shape (see the module docstring)."""
    if shape == "mixed":
        shape = str(rng.choice(SHAPES[:-1]))
    if shape == "ball":
        return ball_taste(space, rng, volume, edges)
    if shape == "corner":
        return corner_taste(space, rng, volume)
    if shape == "ridge":
        return ridge_taste(space, rng, volume)
    if shape == "blobs":
        return blobs_taste(space, rng, volume, edges)
    raise ValueError(f"unknown taste shape {shape!r} (expected one of {', '.join(SHAPES)})")
