"""The parameter space: ordered parameters, normalisation, and randomisation at a given strength.

Normalised coordinates u ∈ [0, 1] per parameter: linear, u = (v − min) / (max − min); log,
u = log(v / min) / log(max / min). The learner works in u; the chain and the user see real units.

Randomisation at strength s ∈ [0, 1] (the distribution, exactly):
    for each parameter that is not pinned, draw r ~ Uniform(random_low, random_high) in normalised units
    (the preset's random_range, default the whole [0, 1]), then  u' = u + s · (r − u).
So s = 1 is a uniform draw anywhere in the random range, independent of the current state; s = 0.1 moves each
parameter at most 10 % of the way towards a random target (a nudge, at most 0.1 of the range). u' is a convex
combination of two in-bounds points, so it is always in bounds. Pinned parameters stay at their default.

Choice parameters (a switch, a filter mode: `values = [...]`, K values) have the index k as their real value and
u = k / (K − 1) as their normalised one (0, ½, 1 for three values); any u reads back as the nearest index,
round(u · (K − 1)), so the learner's continuous outputs land on a value. Randomised as categories: at strength s a
choice changes with probability s, to one of the other K − 1 values drawn uniformly (the random range is the whole
list); otherwise it stays.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping, Sequence

import numpy as np

from rlfx_tui.core.presets import ParamSpec


class ParameterSpace:
    def __init__(self, specs: Sequence[ParamSpec]) -> None:
        self.specs: tuple[ParamSpec, ...] = tuple(specs)
        self.names: tuple[str, ...] = tuple(s.name for s in self.specs)
        self._index = {name: i for i, name in enumerate(self.names)}
        self._low = np.array([s.min for s in self.specs], dtype=float)
        self._high = np.array([s.max for s in self.specs], dtype=float)
        self._log = np.array([s.scale == "log" for s in self.specs])
        self.choice = np.array([s.is_choice for s in self.specs], dtype=bool)
        self._steps = np.array([max(len(s.values) - 1, 1) for s in self.specs], dtype=float)  # K − 1
        self.pinned = np.array([s.pinned for s in self.specs])
        self.default_normalized = self._to_unit(np.array([s.default for s in self.specs], dtype=float))
        random_min = np.where(
            np.isnan([s.random_min for s in self.specs]), self._low, [s.random_min for s in self.specs]
        )
        random_max = np.where(
            np.isnan([s.random_max for s in self.specs]), self._high, [s.random_max for s in self.specs]
        )
        self.random_low = self._to_unit(random_min)
        self.random_high = self._to_unit(random_max)

    def __len__(self) -> int:
        return len(self.specs)

    def spec(self, name: str) -> ParamSpec:
        return self.specs[self._index[name]]

    def _to_unit(self, values: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.log(np.maximum(values, 1e-300) / self._low) / np.log(self._high / self._low)
        linear = (values - self._low) / (self._high - self._low)
        return np.clip(np.where(self._log, logs, linear), 0.0, 1.0)

    def _from_unit(self, u: np.ndarray) -> np.ndarray:
        u = np.clip(u, 0.0, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = self._low * (self._high / self._low) ** u
        values = np.where(self._log, logs, self._low + u * (self._high - self._low))
        values = np.where(self.choice, np.round(u * self._steps), values)
        return np.clip(values, self._low, self._high)

    def as_array(self, values: Mapping[str, float] | Sequence[float] | np.ndarray) -> np.ndarray:
        """Real-unit values in parameter order (a mapping must name every parameter)."""
        if isinstance(values, Mapping):
            missing = [n for n in self.names if n not in values]
            if missing:
                raise KeyError(f"missing parameter(s): {', '.join(missing)}")
            return np.array([float(values[n]) for n in self.names])
        array = np.asarray(values, dtype=float)
        if array.shape != (len(self),):
            raise ValueError(f"expected {len(self)} values, got shape {array.shape}")
        return array

    def normalize(self, values: Mapping[str, float] | Sequence[float] | np.ndarray) -> np.ndarray:
        """Real units (dict name → value, or an ordered array) → numpy array in [0, 1]."""
        return self._to_unit(self.as_array(values))

    def denormalize(self, u: Sequence[float] | np.ndarray) -> dict[str, float]:
        """Normalised array → dict name → real value (pinned parameters forced to their default)."""
        return dict(zip(self.names, self._from_unit(self.constrain(np.asarray(u, dtype=float))).tolist()))

    def real_array(self, u: np.ndarray) -> np.ndarray:
        """Normalised → real units, as an ordered array (no dict; cheap for the control-rate path)."""
        return self._from_unit(self.constrain(u))

    def within(self, real: np.ndarray) -> dict[str, float]:
        """Real-unit values (parameter order) clipped to the ranges, pinned ones at their default: what the chain
        plays. Values already in range come back exactly (no round trip through [0, 1])."""
        default = self._from_unit(self.default_normalized)
        real = np.clip(np.asarray(real, dtype=float), self._low, self._high)
        held = np.where(self.pinned, default, np.where(self.choice, np.round(real), real))
        return dict(zip(self.names, held.tolist()))

    def constrain(self, u: np.ndarray) -> np.ndarray:
        """Clip to [0, 1], put choices on their grid (k / (K − 1)) and hold pinned parameters at their default;
        works on (n,) or (k, n)."""
        u = np.clip(u, 0.0, 1.0)
        if self.choice.any():
            u = np.where(self.choice, np.round(u * self._steps) / self._steps, u)
        return np.where(self.pinned, self.default_normalized, u)

    def holding(self, names: Collection[str], u: np.ndarray) -> ParameterSpace:
        """This space with the named parameters also held, at their values in the normalised setting u: what a jump
        may move when the player has locked knobs. The held ones count as pinned everywhere (randomisation, the
        typical jump, novelty); the preset's own pinned ones stay pinned."""
        held = np.isin(np.array(self.names), list(names))
        if not held.any():
            return self
        view = copy.copy(self)
        view.pinned = self.pinned | held
        view.default_normalized = np.where(held, np.clip(np.asarray(u, dtype=float), 0.0, 1.0), self.default_normalized)
        return view

    def default(self) -> dict[str, float]:
        return self.denormalize(self.default_normalized)

    def randomize_normalized(
        self, u: np.ndarray, strength: float, rng: np.random.Generator, count: int | None = None
    ) -> np.ndarray:
        """u' = u + s·(r − u), r uniform in the random range; `count` draws give shape (count, n)."""
        strength = float(np.clip(strength, 0.0, 1.0))
        shape = (len(self),) if count is None else (count, len(self))
        targets = rng.uniform(self.random_low, self.random_high, size=shape)
        moved = u + strength * (targets - u)
        if self.choice.any():  # categories: change with probability s, to one of the other values
            index = np.round(np.clip(u, 0.0, 1.0) * self._steps)
            other = (index + 1 + np.floor(rng.uniform(size=shape) * self._steps)) % (self._steps + 1)
            change = rng.uniform(size=shape) < strength
            moved = np.where(self.choice, np.where(change, other, index) / self._steps, moved)
        return self.constrain(moved)

    def typical_jump(self, u: np.ndarray, strength: float) -> np.ndarray:
        """Root-mean-square distance ‖u' − u‖ of a jump at this strength from u (shape (n,) → scalar array, (k, n)
        → (k,)) over the free continuous parameters: s · √Σ E[(r_j − u_j)²], r uniform in the random range.

        Choices are left out: a choice moves all or nothing, and counting its flips (s · the mean squared distance
        to the other values) would make flipping a choice the only way to be as new as a typical jump, so every
        novel proposal would flip one whatever the player liked."""
        low, high = self.random_low, self.random_high
        free = ~self.pinned & ~self.choice
        per_axis = ((high - low) ** 2 / 12.0 + ((high + low) / 2.0 - np.asarray(u, dtype=float)) ** 2) * free
        return float(np.clip(strength, 0.0, 1.0)) * np.sqrt(per_axis.sum(axis=-1))

    def novelty(self, u: np.ndarray, liked: np.ndarray, strength: float) -> np.ndarray:
        """How new each setting u ((p,) or (k, p)) is next to the liked settings (m, p): its distance to the nearest
        one ÷ a typical jump at this strength from there (1 ≈ a plain jump from a liked setting, 0 = a repeat; inf
        at strength 0, where no jump is asked for). Shape () or (k,)."""
        points = np.asarray(u, dtype=float)
        gaps = np.linalg.norm(points[..., None, :] - np.asarray(liked, dtype=float), axis=-1)  # (…, m)
        typical = self.typical_jump(np.asarray(liked)[gaps.argmin(axis=-1)], strength)
        with np.errstate(over="ignore"):  # a vanishing strength: any move is new enough (inf)
            return np.where(typical > 0, gaps.min(axis=-1) / np.where(typical > 0, typical, 1.0), np.inf)

    def randomize(self, current: Mapping[str, float], strength: float, rng: np.random.Generator) -> dict[str, float]:
        """A random state at the given strength around `current` (see the module docstring for the distribution)."""
        return self.denormalize(self.randomize_normalized(self.normalize(current), strength, rng))
