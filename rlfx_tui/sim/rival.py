"""The standard rival: a Gaussian-process classifier per sound, the textbook human-in-the-loop optimiser.

Per sound (it is told which sound is playing: a kinder reading than the learner gets, which must tell sounds apart
by their descriptors): scikit-learn's GaussianProcessClassifier with a constant × RBF kernel, one length scale per
free parameter (ARD), fitted by the Laplace marginal likelihood on that sound's labels after every label.

- **Before the sound's first like**: the next point of a scrambled Sobol sequence over the random range (its own
  sequence per sound): space-filling, the usual start of Bayesian optimisation.
- **After it**: candidates jump at the player's strength from this sound's liked settings (the same distribution
  as a plain jump); only those at least `min_novelty` (0.9) of a typical jump away from every liked setting count,
  the same floor as the learner's; the one with the highest P(like) wins (before the classifier has a dislike to
  learn from, a random one of them).

The final mapping is the shared one (`Method.mapping`), trained on this method's own likes.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import qmc
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessClassifier
from sklearn.gaussian_process.kernels import RBF, ConstantKernel
from threadpoolctl import threadpool_limits

from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.sim.methods import Method

SOBOL_BLOCK = 64  # drawn at once per sound (a power of 2 keeps Sobol's balance); more blocks if a sound needs them


class GaussianProcessRival(Method):
    name = "GP classifier"

    def __init__(
        self,
        space: ParameterSpace,
        rng: np.random.Generator,
        seed: int,
        *,
        n_candidates: int = 256,
        min_novelty: float = 0.9,
        share: bool = True,
        restarts: int = 0,
    ) -> None:
        super().__init__(space, rng, seed)
        self.n_candidates = n_candidates
        self.min_novelty = min_novelty
        self.share = share
        self.restarts = restarts
        self.free = np.flatnonzero(~space.pinned)
        self.sounds: list[int] = []
        self._sobol: dict[int, tuple[qmc.Sobol, list[np.ndarray]]] = {}

    def _sobol_point(self, sound: int) -> np.ndarray:
        engine, queue = self._sobol.setdefault(
            sound,
            (qmc.Sobol(d=max(1, len(self.free)), scramble=True, seed=np.random.default_rng([self.seed, 7, sound])), []),
        )
        if not queue:
            queue.extend(engine.random(SOBOL_BLOCK))
        v = queue.pop(0)
        u = self.space.default_normalized.copy()
        low, high = self.space.random_low[self.free], self.space.random_high[self.free]
        u[self.free] = low + v[: len(self.free)] * (high - low)
        return self.space.constrain(u)

    def propose(self, sound: int, strength: float) -> np.ndarray:
        mine = [i for i, s in enumerate(self.sounds) if s == sound]
        liked = np.array([self.U[i] for i in mine if self.good[i]])
        if not len(liked):
            self.proposal = self._sobol_point(sound)
            return self.proposal
        centres = liked[self.rng.integers(0, len(liked), size=self.n_candidates)]
        candidates = self.space.randomize_normalized(centres, strength, self.rng, count=self.n_candidates)
        if self.share:  # as the learner's: each candidate moves a random share of the parameters, keeps the rest
            share = self.rng.uniform(0.1, 1.0, size=(self.n_candidates, 1))
            candidates = np.where(self.rng.random(candidates.shape) < share, candidates, centres)
        novel = self.space.novelty(candidates, liked, strength) >= self.min_novelty - 1e-9
        pool = candidates[novel] if novel.any() else candidates
        labels = np.array([self.good[i] for i in mine])
        if labels.all() or not len(self.free):
            self.proposal = pool[int(self.rng.integers(len(pool)))]
            return self.proposal
        p_like = self._classifier(np.array([self.U[i] for i in mine]), labels).predict_proba(pool[:, self.free])[:, 1]
        self.proposal = pool[int(np.argmax(p_like))]
        return self.proposal

    def _classifier(self, U: np.ndarray, good: np.ndarray) -> GaussianProcessClassifier:
        kernel = ConstantKernel(1.0, (1e-2, 1e2)) * RBF(
            length_scale=np.full(len(self.free), 0.3), length_scale_bounds=(1e-2, 1e2)
        )
        model = GaussianProcessClassifier(kernel=kernel, n_restarts_optimizer=self.restarts, random_state=self.seed)
        with threadpool_limits(limits=1), warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # a length scale at its bound: still the best fit
            return model.fit(U[:, self.free], good)

    def label(self, sound: int, good: bool) -> None:
        super().label(sound, good)
        self.sounds.append(sound)
