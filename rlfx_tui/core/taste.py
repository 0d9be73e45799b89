"""Which parameters matter to the player for this sound, and how far a liked spot reaches: a small Bayesian model.

The model: the player likes a setting u with probability
    P(like | u) = ε + (1 − 2ε) · exp(−min_c Σ_{j∈S} (u_j − c_j)² / 2ℓ²)
where c runs over this sound's liked settings (so two different liked spots stay two: nothing pulls proposals
into the gap between them), S is the set of parameters that matter (a few of them; the rest may roam) and ℓ how
far a liked spot reaches. A like is measured against the *other* likes (against itself it would say nothing).
Neither is known: every S of up to `max_size` free parameters (prior: each parameter matters with probability
`prior_matters`) is weighed against a few widths ℓ by the labels of this sound, each label counting
with its context × recency weight. ε allows for a player who is not perfectly consistent.

Likes and dislikes both teach it: a like far from the other likes along j says j does not matter (or the spot is
wide); a dislike that moved only j and k away from a like says one of them does. `predictive` averages over every
(S, ℓ), so a proposal that keeps the likely-relevant parameters near a like and moves the others scores high.

Cost: subsets × widths × points exponentials per proposal; `max_size` shrinks for large presets so it stays small
(timings: docs/figures/).
"""

from __future__ import annotations

import functools
import itertools
from math import comb

import numpy as np

MAX_SUBSETS = 1500


@functools.lru_cache(maxsize=8)
def _subsets(free: tuple[int, ...], p: int, max_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Every subset of the free parameters up to `max_size` (fewer for large presets) as (subsets, p) 0/1 rows,
    and their sizes. Cached: the same preset asks for the same subsets at every proposal."""
    size = max_size
    while size > 1 and sum(comb(len(free), k) for k in range(size + 1)) > MAX_SUBSETS:
        size -= 1
    subsets = [s for k in range(min(size, len(free)) + 1) for s in itertools.combinations(free, k)]
    members = np.zeros((len(subsets), p))
    for i, subset in enumerate(subsets):
        members[i, list(subset)] = 1.0
    members.flags.writeable = False  # shared between models through the cache
    return members, members.sum(axis=1)


class TasteModel:
    def __init__(
        self,
        free: np.ndarray,
        *,
        max_size: int = 4,
        prior_matters: float = 0.3,
        widths: tuple[float, ...] = (0.06, 0.1, 0.16, 0.25),
        inconsistency: float = 0.05,
    ) -> None:
        self.members, sizes = _subsets(tuple(np.flatnonzero(free).tolist()), len(free), max_size)
        free_count = int(np.count_nonzero(free))
        self.log_prior = sizes * np.log(prior_matters) + (free_count - sizes) * np.log1p(-prior_matters)
        self.widths = np.asarray(widths, dtype=float)
        self.inconsistency = inconsistency

    def _like_probability(self, spread: np.ndarray) -> np.ndarray:
        """(subsets, widths, n) P(like) from (subsets, n) squared distances to the nearest liked setting."""
        bump = np.exp(-spread[:, None, :] / (2.0 * self.widths[None, :, None] ** 2))
        return self.inconsistency + (1.0 - 2.0 * self.inconsistency) * bump

    def _spread(self, params: np.ndarray, own: np.ndarray | None = None) -> np.ndarray:
        """(subsets, n): per subset S, the squared distance over S from each setting to its nearest liked setting;
        own[i] = the index of setting i among the liked settings (−1: none), which is then left out."""
        diff2 = (self.liked_[:, None, :] - params[None, :, :]) ** 2  # (m, n, p)
        m, n = diff2.shape[:2]
        # (subsets, m, n): the minimum over the middle axis runs as m elementwise minima (fast); over a short
        # last axis numpy's reduction is several times slower
        spread = (self.members @ diff2.reshape(m * n, -1).T).reshape(len(self.members), m, n)
        if own is not None:
            rows = np.flatnonzero(own >= 0)
            spread[:, own[rows], rows] = np.inf
        return spread.min(axis=1)

    def fit(self, params: np.ndarray, good: np.ndarray, weights: np.ndarray, max_liked: int = 16) -> TasteModel:
        """Normalised settings (n, p), good (n,), weights (n,) ≥ 0 with some weight on a like."""
        liked_weight = weights * good
        # the heaviest likes; among equal weights the most recent (points are oldest first)
        liked = (len(good) - 1 - np.argsort(-liked_weight[::-1], kind="stable"))[:max_liked]
        liked = liked[liked_weight[liked] > 0.1 * liked_weight.max()]
        self.liked_ = params[liked]
        own = np.full(len(params), -1)
        own[liked] = np.arange(len(liked))
        spread = self._spread(params, own)
        # a like with no other like to be measured against says nothing here (only the empty S gets it right)
        counts = np.where(np.isfinite(spread), 1.0, 0.0).min(axis=0)
        p_like = self._like_probability(np.where(np.isfinite(spread), spread, 0.0))
        log_likelihood = np.where(good, np.log(p_like), np.log1p(-p_like)) @ (weights * counts)
        log_post = log_likelihood + self.log_prior[:, None]
        post = np.exp(log_post - log_post.max())
        self.posterior_ = post / post.sum()
        return self

    def matters(self) -> np.ndarray:
        """Per parameter: the posterior probability that it matters to the player here."""
        return self.posterior_.sum(axis=1) @ self.members

    def predictive(self, candidates: np.ndarray) -> np.ndarray:
        """P(like) of each candidate (k, p), averaged over the posterior."""
        return np.einsum("sw,swk->k", self.posterior_, self._like_probability(self._spread(candidates)))
