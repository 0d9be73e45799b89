"""Which parameters matter to the player for this sound, and how far the liked spot reaches: a small Bayesian model.

The model: around the centre c of this sound's likes, the player likes a setting u with probability
    P(like | u) = ε + (1 − 2ε) · exp(−Σ_{j∈S} (u_j − c_j)² / 2ℓ²)
where S is the set of parameters that matter (a few of them; the rest may roam) and ℓ how far the liked spot
reaches. Neither is known: every S of up to `max_size` free parameters (prior: each parameter matters with
probability `prior_matters`) is weighed against a few widths ℓ by the labels of this sound, each label counting
with its context × recency weight. ε allows for a player who is not perfectly consistent.

Likes and dislikes both teach it: a like far from the centre along j says j does not matter (or the spot is wide);
a dislike that moved only j and k says one of them does. `predictive` averages over every (S, ℓ), so a proposal
that keeps the likely-relevant parameters near the centre and moves the others scores high.

Cost: subsets × widths × points exponentials per proposal; `max_size` shrinks for large presets so it stays small
(a few ms at 500 points for a 10-parameter preset).
"""

from __future__ import annotations

import itertools
from math import comb

import numpy as np

MAX_SUBSETS = 1500


class TasteModel:
    def __init__(self, free: np.ndarray, *, max_size: int = 4, prior_matters: float = 0.3,
                 widths: tuple[float, ...] = (0.06, 0.1, 0.16, 0.25), inconsistency: float = 0.05) -> None:
        free_idx = np.flatnonzero(free)
        size = max_size
        while size > 1 and sum(comb(len(free_idx), k) for k in range(size + 1)) > MAX_SUBSETS:
            size -= 1
        subsets = [s for k in range(min(size, len(free_idx)) + 1) for s in itertools.combinations(free_idx, k)]
        self.members = np.zeros((len(subsets), len(free)))  # (subsets, p) 0/1
        for i, subset in enumerate(subsets):
            self.members[i, list(subset)] = 1.0
        sizes = self.members.sum(axis=1)
        self.log_prior = sizes * np.log(prior_matters) + (len(free_idx) - sizes) * np.log1p(-prior_matters)
        self.widths = np.asarray(widths, dtype=float)
        self.inconsistency = inconsistency

    def _like_probability(self, params: np.ndarray) -> np.ndarray:
        """(subsets, widths, n): P(like) of each setting under each hypothesis."""
        spread = self.members @ ((params - self.centre_) ** 2).T
        bump = np.exp(-spread[:, None, :] / (2.0 * self.widths[None, :, None] ** 2))
        return self.inconsistency + (1.0 - 2.0 * self.inconsistency) * bump

    def fit(self, params: np.ndarray, good: np.ndarray, weights: np.ndarray) -> "TasteModel":
        """Normalised settings (n, p), good (n,), weights (n,) ≥ 0 with some weight on a like."""
        liked = weights * good
        self.centre_ = liked @ params / liked.sum()
        p_like = self._like_probability(params)
        log_likelihood = np.where(good, np.log(p_like), np.log1p(-p_like)) @ weights
        log_post = log_likelihood + self.log_prior[:, None]
        post = np.exp(log_post - log_post.max())
        self.posterior_ = post / post.sum()
        return self

    def matters(self) -> np.ndarray:
        """Per parameter: the posterior probability that it matters to the player here."""
        return self.posterior_.sum(axis=1) @ self.members

    def width(self) -> float:
        """Posterior mean of how far the liked spot reaches (normalised units, per parameter that matters)."""
        return float(self.posterior_.sum(axis=0) @ self.widths)

    def predictive(self, candidates: np.ndarray) -> np.ndarray:
        """P(like) of each candidate (k, p), averaged over the posterior."""
        return np.einsum("sw,swk->k", self.posterior_, self._like_probability(candidates))
