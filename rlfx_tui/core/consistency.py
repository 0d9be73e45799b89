"""How consistent are the player's answers, and which likes are meant? Estimated from their own contradictions.

Players slip: a like for a setting they would dislike on a second hearing (or the other way round). A slipped
like is dangerous: it becomes a seed for new proposals and is averaged into the mapping's targets. So, in every
retrain, per sound (labels grouped by their descriptors):

1. the taste model (rlfx_tui/core/taste.py) is fitted to the sound's labels;
2. for each inconsistency ε of a small grid: every like starts as plausible as its answer alone makes it,
   ρ₀ = q(1 − ε) / (q(1 − ε) + (1 − q) ε), where q is how likely the setting was to be liked before the player
   answered: how far it lay in the region of this sound's earlier likes (TasteModel.earlier_support), at least
   `NEW_SPOT` (the chance a jump lands in a liked region no other like explains; a lucky find far from every
   like is more often a slip); then the labels around it speak (TasteModel.like_support: likes and dislikes a
   region around it would explain, against as if it were not there) and ρ = σ(logit ρ₀ + support); the
   taste model is refitted with these ρ and its evidence P(labels | ε) recorded;
3. the evidence of all sounds together gives the player's ε (prior: most players are mostly consistent), and each
   like's plausibility is its ρ averaged over that posterior.

A like next to dislikes of nearly the same setting, or alone where the knobs that matter were disliked, is a
contradiction: it raises ε and gets a low ρ. A like that other likes corroborate keeps ρ ≈ 1, and with a
consistent player (ε small) ρ₀ is already near 1, so nothing changes for them. Nothing is dropped: every label
stays in the dataset and in the fit; an implausible like only weighs less (the taste model scales its region by
ρ, the mapping averages it in with weight ρ, proposals start from it less often).

Cost: per sound one taste fit (the distances) and, per ε, a few likelihood evaluations on its `LIMIT` heaviest
points; at most `MAX_GROUPS` sounds (the most recent ones) are looked at, the others' likes keep ρ₀ at the
estimated ε.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit

from rlfx_tui.core.taste import TasteModel

EPSILONS = np.array([0.02, 0.07, 0.15, 0.3])
PRIOR = np.array([0.45, 0.3, 0.15, 0.1])  # most players are mostly consistent
NEW_SPOT = 0.1
MAX_GROUPS = 6
LIMIT = 40
ROUNDS = 1  # plausibility ↔ taste model: each like's plausibility given the others' (a second round changed no figure)
SAME_SOUND = 0.5  # context weight above which two labels are of the same sound
LOOKS_INCONSISTENT = 0.12  # an ε above this (the prior's mean is 0.08) is worth telling the player


@dataclass(frozen=True)
class Consistency:
    """What `estimate` found: per labelled point, how plausible it is; the player's ε; per sound, its own ε."""

    plausibility: np.ndarray  # (n,): 1 for dislikes (a slipped dislike costs little: nothing starts from it)
    posterior: np.ndarray  # (len(EPSILONS),) over EPSILONS, every sound's labels together
    centres: np.ndarray  # (groups, d) the scaled descriptors of each sound looked at
    per_sound: np.ndarray  # (groups,) posterior mean ε from that sound's labels alone
    depth: np.ndarray  # (n,): how deep inside what was liked each like lies (1 for dislikes)

    @property
    def inconsistency(self) -> float:
        return float(self.posterior @ EPSILONS)

    @staticmethod
    def none(n: int) -> Consistency:
        """Before any like: nothing to contradict."""
        return Consistency(np.ones(n), PRIOR.copy(), np.zeros((0, 0)), np.zeros(0), np.ones(n))


def sound_groups(contexts: np.ndarray, context_width: float, limit: int = MAX_GROUPS) -> list[np.ndarray]:
    """Labels grouped by sound, most recent sound first: the newest label not yet grouped and every ungrouped
    label whose context weight to it (without recency) is above `SAME_SOUND`."""
    left = np.ones(len(contexts), dtype=bool)
    groups: list[np.ndarray] = []
    while left.any() and len(groups) < limit:
        newest = int(np.flatnonzero(left)[-1])
        d2 = ((contexts - contexts[newest]) ** 2).mean(axis=1)
        member = left & (np.exp(-d2 / (2 * context_width**2)) > SAME_SOUND)
        groups.append(np.flatnonzero(member))
        left &= ~member
    return groups


def prior_inconsistency() -> float:
    return float(PRIOR @ EPSILONS)


def prior_plausibility(eps: float | np.ndarray, before: float | np.ndarray = NEW_SPOT) -> np.ndarray:
    """P(a like is meant) from the answer alone: before · (1 − ε) / (before · (1 − ε) + (1 − before) · ε), where
    `before` is how likely the setting was to be liked before the player answered."""
    return np.asarray(before * (1 - eps) / (before * (1 - eps) + (1 - before) * eps))


def estimate(
    params: np.ndarray,
    good: np.ndarray,
    contexts: np.ndarray,
    recency: np.ndarray,
    free: np.ndarray,
    *,
    context_width: float,
    prior_matters: float,
) -> Consistency:
    """The player's inconsistency and each label's plausibility (see the module docstring)."""
    n = len(good)
    if not good.any():
        return Consistency.none(n)
    groups = sound_groups(contexts, context_width)
    evidence = np.zeros((len(groups), len(EPSILONS)))
    rho = np.full((len(groups), len(EPSILONS), n), np.nan)
    depth = np.ones(n)
    for g, group in enumerate(groups):
        centre = contexts[group[-1]]
        weights = np.exp(-((contexts[group] - centre) ** 2).mean(axis=1) / (2 * context_width**2)) * recency[group]
        heaviest = np.sort(np.argsort(weights)[::-1][:LIMIT])  # still oldest first: earlier_support needs it
        members, weights = group[heaviest], weights[heaviest]
        if not good[members].any():
            continue
        model = TasteModel(free, prior_matters=prior_matters).fit(params[members], good[members], weights)
        # how likely each like was before its answer: a new spot (NEW_SPOT), or in the region of earlier likes
        before = np.full(len(members), NEW_SPOT)
        before[model.liked_index_] = np.clip(model.earlier_support(), NEW_SPOT, 0.98)
        # likes the model does not measure against (beyond its seeds, or older than its LIMIT points):
        # corroborated as far as the seeds' regions reach
        seeds = members[model.liked_index_]
        others = group[good[group] & ~np.isin(group, seeds)]
        for e, eps in enumerate(EPSILONS):
            start = prior_plausibility(eps, before)
            meant = start.copy()
            for _ in range(ROUNDS):
                support = model.refit(float(eps), meant, posterior=False).like_support()
                meant[model.liked_index_] = expit(logit(start[model.liked_index_]) + support)
            model.refit(float(eps), meant)
            evidence[g, e] = model.log_evidence()
            rho[g, e, members] = np.where(good[members], meant, 1.0)
            if len(others):
                rho[g, e, others] = expit(
                    logit(prior_plausibility(eps)) + np.log(model.predictive(params[others]) / eps)
                )
        best = int(np.argmax(evidence[g]))
        model.refit(float(EPSILONS[best]), rho[g, best, members])
        depth[members] = _depth(
            params[members], good[members], weights, rho[g, :, members].mean(axis=1), model.matters(), free
        )
    pooled = np.log(PRIOR) + evidence.sum(axis=0)
    posterior = np.exp(pooled - pooled.max())
    posterior /= posterior.sum()
    alone = np.log(PRIOR)[None, :] + evidence
    alone = np.exp(alone - alone.max(axis=1, keepdims=True))
    per_sound = (alone / alone.sum(axis=1, keepdims=True)) @ EPSILONS
    plausibility = np.where(good, float(prior_plausibility(posterior @ EPSILONS)), 1.0)
    for g, group in enumerate(groups):
        seen = group[np.isfinite(rho[g, 0, group])]
        plausibility[seen] = np.where(good[seen], posterior @ rho[g][:, seen], 1.0)
    centres = np.array([contexts[m[-1]] for m in groups]).reshape(len(groups), contexts.shape[1])
    return Consistency(plausibility, posterior, centres, per_sound, depth)


def _depth(
    params: np.ndarray,
    good: np.ndarray,
    weights: np.ndarray,
    meant: np.ndarray,
    matters: np.ndarray,
    free: np.ndarray,
    width: float = 0.08,
) -> np.ndarray:
    """Per label: how deep inside what was liked it lies: the Beta posterior mean (0.3 + G) / (1 + G + B) of the
    likes (G, each × its plausibility) and dislikes (B) right around it, along the parameters that matter (the
    taste model's relevance, as in Learner.score). 1 for dislikes."""
    typical = matters[free].mean() if free.any() else 1.0
    relevance = np.where(free, np.clip(matters / max(typical, 1e-9), 0.05, 6.0), 0.0)
    x = params * np.sqrt(relevance / len(params[0]))
    d2 = ((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=2)
    kernel = np.exp(-d2 / (2 * width**2)) * weights[None, :]
    np.fill_diagonal(kernel, 0.0)
    liked = kernel @ np.where(good, np.nan_to_num(meant, nan=1.0), 0.0)
    disliked = kernel @ ~good
    return np.where(good, (0.3 + liked) / (1.0 + liked + disliked), 1.0)
