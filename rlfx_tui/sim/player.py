"""The synthetic player: a hidden taste per sound, and the way they move the randomise strength.

**Taste.** For each sound the player likes a ball in 2 or 3 of the preset's free parameters (chosen at random per
sound and seed), in normalised units; every other parameter does not matter to them. The radius is set so a
uniform random setting is liked `like_volume` of the time (default 4 %), and the centre lies inside the random
range, at least one radius from its edges, so every method can reach the whole ball. A setting is liked iff its
relevant coordinates fall inside the ball: no noise, no memory, the same judge for every method.

**Strength.** Per sound (the player remembers where they were with each sound): 100 % until the first like;
`narrow` (default 40 %) right after any like; after `patience` (3) dislikes in a row the strength grows ×1.5, up
to 100 %. Every method sees the same rule: the player reacts only to what they hear.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from rlfx_tui.core.params import ParameterSpace


def ball_radius(dims: int, volume: float) -> float:
    """Radius of a `dims`-ball with this volume."""
    unit = math.pi ** (dims / 2) / math.gamma(dims / 2 + 1)
    return (volume / unit) ** (1.0 / dims)


@dataclass(frozen=True)
class Taste:
    """A liked ball over a few parameters, in normalised units."""

    dims: tuple[int, ...]
    centre: np.ndarray
    radius: float

    def distance(self, u: np.ndarray) -> float:
        """How far `u` lies outside the liked ball (0 = inside), in normalised units over the relevant axes."""
        gap = float(np.linalg.norm(np.asarray(u)[list(self.dims)] - self.centre))
        return max(0.0, gap - self.radius)

    def likes(self, u: np.ndarray) -> bool:
        return self.distance(u) == 0.0


def random_taste(space: ParameterSpace, rng: np.random.Generator, *, volume: float = 0.04) -> Taste:
    free = np.flatnonzero(~space.pinned)
    count = int(rng.integers(2, 4)) if len(free) >= 3 else len(free)
    dims = tuple(sorted(int(i) for i in rng.choice(free, size=count, replace=False)))
    radius = ball_radius(count, volume)
    low, high = space.random_low[list(dims)], space.random_high[list(dims)]
    margin = np.minimum(radius, (high - low) / 2)
    return Taste(dims, rng.uniform(low + margin, high - margin), radius)


@dataclass
class Strength:
    """The player's randomise strength for one sound."""

    narrow: float = 0.4
    patience: int = 3
    value: float = 1.0
    liked_once: bool = False
    misses: int = field(default=0)

    def after(self, good: bool) -> None:
        if good:
            self.liked_once, self.value, self.misses = True, self.narrow, 0
            return
        self.misses += 1
        if self.liked_once and self.misses >= self.patience:
            self.value, self.misses = min(1.0, self.value * 1.5), 0
