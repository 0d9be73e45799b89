"""Which parameters matter to the player for this sound, and what shape the liked region has: a small Bayesian model.

The model: the player likes a setting u with probability
    P(like | u) = ε + (1 − 2ε) · ρ_c · exp(−D_h(u, c) / 2ℓ²),   c = the liked setting nearest to u under D_h
where c runs over this sound's liked settings (so two different liked spots stay two: nothing pulls proposals into
the gap between them), ρ_c ∈ (0, 1] is how plausible that like is (1 unless told otherwise:
rlfx_tui/core/consistency.py), ℓ how far a liked region reaches, ε how inconsistent the player's answers are, and
h = (S, shape) says which few parameters S matter and how:

- **spot**: D = Σ_{j∈S} (u_j − c_j)²: a bump around each like, the rest may roam (every S up to `max_size`);
- **open-ended**: D = Σ_{j∈S} max(0, d_j (c_j − u_j))²: a like says "this far *or further*" along each j ∈ S, in
  the direction d_j the likes lie in relative to the dislikes here (a corner, a knob that is liked high, a
  half-space): settings further that way are liked as much (every S up to `open_size`, prior share `open_prior`);
- **ridge**: D = ((u_a − c_a) + s (u_b − c_b))² / 2 for a pair {a, b}: two knobs that trade off (s = +1) or move
  together (s = −1); the like extends along the ridge (prior share `ridge_prior` of each pair's mass).

A like is measured against the *other* likes (against itself it would say nothing). Neither h nor ℓ is known:
the prior picks S with each parameter mattering w.p. `prior_matters`, then its shape; every (h, ℓ) is weighed by
the labels of this sound, each counting with its context × recency weight. Likes and dislikes both teach it: a
like far from the other likes along j says j does not matter (or the region is wide, or open that way); a dislike
that moved only j and k away from a like says one of them does. `predictive` averages over every (h, ℓ), so a
proposal that keeps the likely-relevant parameters near a like — or moves them further into an open-ended region —
and moves the others scores high.

Cost: hypotheses × liked settings × points distances and hypotheses × widths × points exponentials per fit
(rlfx_tui/core/hypotheses.py keeps the hypotheses under MAX_SUBSETS; a few ms at 500 labels for a 10-parameter
preset); the predictive skips hypotheses the labels have ruled out.
"""

from __future__ import annotations

import functools

import numpy as np
from threadpoolctl import ThreadpoolController

from rlfx_tui.core.hypotheses import MAX_SUBSETS, hypotheses

__all__ = ["MAX_SUBSETS", "TasteModel"]

PRUNE = 1e-7  # hypotheses with less posterior mass than this are left out of the predictive
MAX_LIKED = 32  # liked settings a model measures against (the heaviest); their index fits in INDEX_BITS
INDEX_BITS = 5
_INDEX = (1 << INDEX_BITS) - 1
_FAR = np.float32(1e30)  # "left out": a finite stand-in for inf, so its bit pattern stays an ordered float


@functools.lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


class TasteModel:
    # like_support's caches, reset by fit: the answers' log-likelihood with every like meant (per ε) and each
    # label's (h, ℓ, nearest like) bin
    _meant: tuple[float, np.ndarray] | None = None
    _keys: np.ndarray | None = None

    def __init__(
        self,
        free: np.ndarray,
        *,
        max_size: int = 4,
        prior_matters: float = 0.3,
        widths: tuple[float, ...] = (0.06, 0.1, 0.16, 0.25),
        inconsistency: float = 0.05,
        open_size: int = 3,
        open_prior: float = 0.2,
        ridge_prior: float = 0.15,
    ) -> None:
        h = hypotheses(
            tuple(np.flatnonzero(free).tolist()), len(free), max_size, open_size if open_prior else 0, ridge_prior > 0
        )
        self.hypotheses = h
        self.members = h.members
        self._members32 = h.members.astype(np.float32)
        free_count = int(np.count_nonzero(free))
        subset = h.sizes * np.log(prior_matters) + (free_count - h.sizes) * np.log1p(-prior_matters)
        # the prior picks S, then its shape: open-ended if S has an open-ended twin, a ridge if S is a pair
        shape = np.zeros(len(h.members))
        sizes = h.sizes[: h.spots]
        open_max = h.sizes[h.spots : h.spots + h.opens].max(initial=0)
        share = open_prior * ((sizes >= 1) & (sizes <= open_max)) + ridge_prior * (sizes == 2) * (len(h.pairs) > 0)
        shape[: h.spots] = np.log1p(-share)
        shape[h.spots : h.spots + h.opens] = np.log(max(open_prior, 1e-300))
        shape[h.spots + h.opens :] = np.log(max(ridge_prior, 1e-300) / 2)
        self.log_prior = subset + shape
        self.widths = np.asarray(widths, dtype=float)
        self.inconsistency = inconsistency

    # -- geometry ------------------------------------------------------------------------------------------
    def _nearest(
        self,
        params: np.ndarray,
        rows: np.ndarray | None = None,
        own: np.ndarray | None = None,
        after: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per hypothesis h (all, or `rows`) and setting: D_h to the nearest liked setting and which one it is,
        (H, n) each (inf and 0 where none counts). own[i] = the index of setting i among the liked settings (−1:
        none), which is then left out; after[i]: only liked settings labelled before position after[i] count.

        One liked setting at a time, so the working arrays stay small (hypotheses × settings) and in cache; in
        float32 (a few digits are plenty). Which liked setting is nearest rides along in the lowest INDEX_BITS of
        each distance's bit pattern: non-negative floats order like their bits as integers, so one integer minimum
        finds both (numpy's argmin over this axis is ~10× slower than its minimum)."""
        h = self.hypotheses
        rows = np.arange(len(h.members)) if rows is None else rows
        f32 = np.float32
        spots = self._members32[rows[rows < h.spots]]
        opens = self._members32[rows[(rows >= h.spots) & (rows < h.spots + h.opens)]]
        ridges = rows[rows >= h.spots + h.opens] - h.spots - h.opens
        pairs, signs = h.pairs[ridges], h.signs[ridges, None].astype(f32)
        direction = self.direction_[:, None].astype(f32)
        slab = np.empty((len(rows), len(params)), dtype=f32)
        best = np.full(slab.shape, _FAR, dtype=f32).view(np.int32)
        points = params.astype(f32)
        # one BLAS thread: these products are small, and OpenBLAS waking its threads for each costs 10× the product
        with _blas().limit(limits=1, user_api="blas"):
            self._slabs(points, spots, opens, pairs, signs, direction, slab, best, own, after)
        nearest = (best & _INDEX).astype(np.intp)
        spread = (best & ~_INDEX).view(f32)
        return np.where(spread < _FAR / 2, spread, np.inf), nearest

    def _slabs(
        self,
        points: np.ndarray,
        spots: np.ndarray,
        opens: np.ndarray,
        pairs: np.ndarray,
        signs: np.ndarray,
        direction: np.ndarray,
        slab: np.ndarray,
        best: np.ndarray,
        own: np.ndarray | None,
        after: np.ndarray | None,
    ) -> None:
        """The running minimum over the liked settings (see _nearest), into `best` (int32 view)."""
        f32 = np.float32
        a, b = len(spots), len(spots) + len(opens)
        bits = slab.view(np.int32)
        for c, liked in enumerate(self.liked_.astype(f32)):
            gap = (liked - points).T  # (p, n): c − u
            if a:
                np.matmul(spots, gap * gap, out=slab[:a])
            if b > a:
                short = np.maximum(gap * direction, 0.0)
                np.matmul(opens, short * short, out=slab[a:b])
            if len(pairs):
                across = gap[pairs[:, 0]] + signs * gap[pairs[:, 1]]
                np.multiply(across, across * f32(0.5), out=slab[b:])
            np.maximum(slab, 0.0, out=slab)  # no −0.0 (its bit pattern is negative)
            if own is not None:
                slab[:, own == c] = _FAR
            if after is not None:
                slab[:, after <= self.liked_index_[c]] = _FAR
            np.bitwise_and(bits, ~_INDEX, out=bits)
            np.bitwise_or(bits, c, out=bits)
            np.minimum(best, bits, out=best)

    def _set_plausibility(self, plausibility: np.ndarray | None) -> None:
        self.plausibility_ = (
            None
            if plausibility is None
            else np.clip(np.asarray(plausibility, dtype=float)[self.liked_index_], 1e-6, 1.0)
        )

    def _like_probability(
        self, spread: np.ndarray, nearest: np.ndarray, inconsistency: float, plausible: bool = True
    ) -> np.ndarray:
        """(H, widths, n) P(like) from (H, n) distances to the nearest liked setting and which one it is (without
        `plausible`: as if every like were meant); float32, where numpy's exp and log run several times faster."""
        scale = (-0.5 / self.widths**2).astype(np.float32)
        p_like = np.exp(spread.astype(np.float32, copy=False)[:, None, :] * scale[None, :, None])  # inf → 0
        height = np.float32(1.0 - 2.0 * inconsistency)
        if plausible and self.plausibility_ is not None:
            p_like *= (height * self.plausibility_.astype(np.float32))[nearest][:, None, :]
        else:
            p_like *= height
        p_like += np.float32(inconsistency)
        return p_like

    # -- fitting -------------------------------------------------------------------------------------------
    def fit(
        self,
        params: np.ndarray,
        good: np.ndarray,
        weights: np.ndarray,
        max_liked: int = 16,
        plausibility: np.ndarray | None = None,
    ) -> TasteModel:
        """Normalised settings (n, p) oldest first, good (n,), weights (n,) ≥ 0 with some weight on a like;
        plausibility (n,): how likely each like is to be meant (default: all are)."""
        liked_weight = weights * good * (1.0 if plausibility is None else np.maximum(plausibility, 0.05))
        # the heaviest likes; among equal weights the most recent
        liked = (len(good) - 1 - np.argsort(-liked_weight[::-1], kind="stable"))[: min(max_liked, MAX_LIKED)]
        liked = liked[liked_weight[liked] > 0.1 * liked_weight.max()]
        self.liked_ = params[liked]
        self.liked_index_ = liked
        self._set_plausibility(plausibility)
        self.direction_ = _direction(params, good, weights)
        own = np.full(len(params), -1)
        own[liked] = np.arange(len(liked))
        spread, nearest = self._nearest(params, own=own)
        # a like with no other like to be measured against says nothing here (only the empty S gets it right)
        self.counts_ = np.isfinite(spread).min(axis=0).astype(float)
        self._labels = (params, good, weights * self.counts_)
        self._geometry = (spread, nearest)
        self._keys = None
        self._meant = None
        self.posterior_ = self._posterior()
        return self

    def refit(self, inconsistency: float, plausibility: np.ndarray | None, posterior: bool = True) -> TasteModel:
        """The same labels and liked settings under another ε and plausibility of the likes (per labelled point,
        as in `fit`): only the posterior is computed again (not even that without `posterior`: for
        `like_support` and `log_evidence`, which need only the likelihood)."""
        self.inconsistency = inconsistency
        self._set_plausibility(plausibility)
        if posterior:
            self.posterior_ = self._posterior()
        return self

    def _log_answers(self, plausible: bool = True) -> np.ndarray:
        """(H, W, n) log P(each label's answer | h, ℓ)."""
        _, good, _ = self._labels
        p_like = self._like_probability(*self._geometry, self.inconsistency, plausible)
        return np.log(np.where(good, p_like, 1.0 - p_like))

    def _joint(self, answers: np.ndarray | None = None) -> np.ndarray:
        """(H, W) log prior + log likelihood (widths equally likely), from _log_answers() if given."""
        weights = self._labels[2].astype(np.float32)
        answers = self._log_answers() if answers is None else answers
        return (answers @ weights).astype(float) + self.log_prior[:, None] - np.log(len(self.widths))

    def _posterior(self) -> np.ndarray:
        joint = self._joint()
        post = np.exp(joint - joint.max())
        return post / post.sum()

    def log_evidence(self) -> float:
        """log P(labels | ε, ρ), marginalised over (h, ℓ) with the prior."""
        return float(_log_sum_exp(self._joint().ravel()))

    def like_support(self) -> np.ndarray:
        """Per liked setting (in `liked_index_` order): log of the Bayes factor the other labels give for "this like
        is meant" against "this like is a slip", each marginalised over (h, ℓ) with the prior. Meant: the labels
        whose nearest like it is are liked or disliked as a region around it would have them; a slip: as if it were
        not there (liked with probability ε; labels nearest to another like are left as they are)."""
        _, good, weights = self._labels
        w = weights.astype(np.float32)
        eps = self.inconsistency
        now = self._log_answers()
        cached = self._meant
        if cached is None or cached[0] != eps:  # "meant" does not depend on the plausibility: once per ε
            cached = (eps, self._log_answers(plausible=False))
            self._meant = cached
        meant = cached[1]
        absent = np.log(np.where(good, eps, 1.0 - eps)).astype(np.float32)
        hw, m = now.shape[0] * now.shape[1], len(self.liked_)
        keys = self._keys
        if keys is None:  # each label's (h, ℓ, nearest like) bin, the same every call
            keys = (np.arange(hw).reshape(now.shape[:2])[:, :, None] * m + self._geometry[1][:, None, :]).ravel()
            self._keys = keys
        now_w = now * w
        to_meant = np.bincount(keys, weights=(now_w - meant * w).ravel(), minlength=hw * m).reshape(hw, m)
        to_absent = np.bincount(keys, weights=(now_w - absent * w).ravel(), minlength=hw * m).reshape(hw, m)
        joint = self._joint(now).ravel()[:, None]
        return _log_sum_exp(joint - to_meant) - _log_sum_exp(joint - to_absent)

    def earlier_support(self) -> np.ndarray:
        """Per liked setting (in `liked_index_` order): the posterior-mean chance that it lay in the region of the
        likes labelled before it (0 for the first): how likely it was to be liked before the player answered."""
        spread, nearest = self._nearest(self.liked_, after=self.liked_index_)
        p_like = self._like_probability(spread, nearest, 0.0, plausible=False)
        return np.einsum("hw,hwm->m", self.posterior_, p_like)

    # -- answers -------------------------------------------------------------------------------------------
    def matters(self) -> np.ndarray:
        """Per parameter: the posterior probability that it matters to the player here."""
        return self.posterior_.sum(axis=1) @ self.members

    def shape(self) -> dict[str, float]:
        """Posterior share of each shape of liked region: spot, open-ended, ridge."""
        mass = self.posterior_.sum(axis=1)
        h = self.hypotheses
        return {
            "spot": float(mass[: h.spots].sum()),
            "open-ended": float(mass[h.spots : h.spots + h.opens].sum()),
            "ridge": float(mass[h.spots + h.opens :].sum()),
        }

    def width(self) -> float:
        """Posterior mean of how far the liked region reaches (normalised units, per parameter that matters)."""
        return float(self.posterior_.sum(axis=0) @ self.widths)

    def predictive(self, candidates: np.ndarray) -> np.ndarray:
        """P(like) of each candidate (k, p), averaged over the posterior."""
        mass = self.posterior_.sum(axis=1)
        rows = np.flatnonzero(mass > PRUNE * mass.max())
        p_like = self._like_probability(*self._nearest(candidates, rows), self.inconsistency)
        post = self.posterior_[rows]
        return np.einsum("sw,swk->k", post, p_like) / post.sum()


def _log_sum_exp(x: np.ndarray) -> np.ndarray:
    """log Σ exp over the first axis."""
    top = x.max(axis=0)
    return top + np.log(np.exp(x - top).sum(axis=0))


def _direction(params: np.ndarray, good: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per parameter, which way the likes lie from the labels here (+1: higher; −1: lower): the sign of the
    weighted covariance of "liked" with the parameter; without dislikes, towards the nearer end from the likes."""
    w = weights / max(weights.sum(), 1e-12)
    liked_share = float(w @ good)
    centre = w @ params
    covariance = (w * (good - liked_share)) @ (params - centre)
    toward_end = np.where((w * good) @ params / max(liked_share, 1e-12) >= 0.5, 1.0, -1.0)
    return np.where(np.abs(covariance) > 1e-9, np.sign(covariance), toward_end)
