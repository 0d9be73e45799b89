"""How long the learner takes at a realistic dataset size: one retrain, and one proposal."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from rlfx_tui.core.descriptors import describe
from rlfx_tui.core.learner import Learner
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.sim.sounds import SAMPLERATE, SOUNDS


@dataclass(frozen=True)
class Timing:
    points: int
    fit_s: float  # one retrain (median of 3) (MLP fit and preference-model state), one BLAS thread
    propose_ms: float  # median proposal
    propose_max_ms: float


def learner_timing(space: ParameterSpace, *, points: int = 500, proposals: int = 50, seed: int = 0) -> Timing:
    """Fit on `points` labels spread over the benchmark's sounds (a fifth liked), then time proposals."""
    rng = np.random.default_rng(seed)
    sound_descriptors = np.array([describe(s.take(1.0, rng), SAMPLERATE) for s in SOUNDS])
    which = rng.integers(0, len(SOUNDS), size=points)
    X = sound_descriptors[which] * rng.normal(1.0, 0.02, size=(points, sound_descriptors.shape[1]))
    U = space.randomize_normalized(space.default_normalized, 1.0, rng, count=points)
    good = rng.random(points) < 0.2
    with threadpool_limits(limits=1):
        fits = []
        for _ in range(3):  # the median of three: a busy machine should not decide the figure alone
            start = time.perf_counter()
            learner = Learner(space, seed=seed).fit(X, U, good)
            fits.append(time.perf_counter() - start)
        fit_s = float(np.median(fits))
        learner.propose(X[0], U[0], 0.5, rng)  # one-off costs (caches, first allocations) are not a proposal's
        times = []
        for i in range(proposals):
            start = time.perf_counter()
            learner.propose(X[i], U[i], 0.5, rng)
            times.append(time.perf_counter() - start)
    return Timing(points, fit_s, 1e3 * float(np.median(times)), 1e3 * float(np.max(times)))
