"""The learner: what the player likes, for the sound they play now, from both their likes and their dislikes.

Two parts, both fitted on the labelled points (descriptors d, normalised parameters u, good/bad):

1. **The mapping** (follow mode, export): Pipeline(FlooredScaler, MLPRegressor) from descriptors to normalised
   parameters, fitted on the liked points only. A liked point says "this setting, for this sound".

2. **The preference model** (proposals). For the current sound, each labelled point gets a *context weight*
   c_i = exp(−‖z − z_i‖²_rms / 2σ_c²) (z = scaled descriptors; same sound ≈ 1, another sound ≈ 0) times a
   *recency weight* 0.5^(age / half_life). Around any candidate setting u, likes and dislikes then add up as
   kernel-weighted pseudo-counts G(u), B(u) with k = exp(−Σ_j r_j (u_j − u_ij)² / p / 2ℓ²), giving a Beta
   posterior for "the player likes u here": mean (α₀ + G)/(α₀ + β₀ + G + B) and its spread. The relevance r_j
   says which parameters matter: in this context, how much farther the dislikes lie from the liked centre than
   the likes do along parameter j (normalised to mean 1). Dislikes are never thrown away: they lower the mean
   where they sit and, against the likes, teach which parameters matter.

   A proposal draws `n_candidates` settings at the player's strength (the ParameterSpace distribution) around
   centres — the mapping's prediction and the best-liked point for this sound when there are likes here, else
   the current setting — and returns the one with the highest upper confidence score mean + κ·std. Before any
   like for a sound that favours settings far from everything labelled (space-filling, away from dislikes);
   after a like it hones in around it.

Fitting costs one MLP fit (lbfgs, one BLAS thread: default OpenBLAS threading makes small fits slow and steals
the audio thread's core); proposing costs one matrix product of candidates × points.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from rlfx_tui.core.errors import ModelNotReadyError
from rlfx_tui.core.params import ParameterSpace

ACTIVATIONS = {"identity": lambda x: x, "tanh": np.tanh, "relu": lambda x: np.maximum(x, 0.0),
               "logistic": lambda x: 1.0 / (1.0 + np.exp(-x))}


class FlooredScaler(StandardScaler):
    """StandardScaler whose scale never falls below `floor` × the feature's typical magnitude.

    All points of one sound have nearly equal descriptors; plain standardisation would blow their noise up to
    unit size and make the same sound look like many different ones.
    """

    def __init__(self, *, floor: float = 0.05) -> None:
        super().__init__()
        self.floor = floor

    def fit(self, X: np.ndarray, y: object = None, sample_weight: object = None) -> "FlooredScaler":
        super().fit(X, y, sample_weight)
        magnitude = np.abs(np.asarray(X, dtype=float)).mean(axis=0)
        self.scale_ = np.maximum(self.scale_, self.floor * magnitude + 1e-6)
        return self


class Learner:
    """Estimator-style: parameters in __init__, `fit` returns self, learned state ends in `_`."""

    def __init__(self, space: ParameterSpace, *, hidden_layer_sizes: tuple[int, ...] = (32, 32),
                 context_width: float = 0.5, param_width: float = 0.15, exploration: float = 0.5,
                 prior_like: float = 0.3, half_life: float = 200.0, n_candidates: int = 256,
                 seed: int = 0) -> None:
        self.space = space
        self.hidden_layer_sizes = hidden_layer_sizes
        self.context_width = context_width
        self.param_width = param_width
        self.exploration = exploration
        self.prior_like = prior_like
        self.half_life = half_life
        self.n_candidates = n_candidates
        self.seed = seed

    # -- fitting -------------------------------------------------------------------------------------------
    def fit(self, descriptors: np.ndarray, params: np.ndarray, good: np.ndarray) -> "Learner":
        """descriptors (n, d), normalised params (n, p), good (n,) bool; oldest first."""
        X = np.asarray(descriptors, dtype=float)
        U = np.asarray(params, dtype=float)
        y = np.asarray(good, dtype=bool)
        n = len(y)
        self.n_points_ = n
        self.n_good_ = int(y.sum())
        self.context_scaler_ = FlooredScaler().fit(X) if n else None
        self.contexts_ = self.context_scaler_.transform(X) if n else np.zeros((0, X.shape[1] if X.ndim == 2 else 0))
        self.params_ = U
        self.good_ = y
        self.recency_ = 0.5 ** ((n - 1 - np.arange(n)) / self.half_life)
        self.mapping_: Pipeline | None = None
        if self.n_good_:
            mlp = MLPRegressor(hidden_layer_sizes=self.hidden_layer_sizes, activation="tanh", solver="lbfgs",
                               alpha=1e-2, max_iter=400, random_state=self.seed)
            mapping = Pipeline([("scale", FlooredScaler()), ("mlp", mlp)])
            with threadpool_limits(limits=1), warnings.catch_warnings():
                # lbfgs often stops early on a handful of points; the fit is still the best it found
                warnings.simplefilter("ignore", ConvergenceWarning)
                mapping.fit(X[y], U[y])
            self.mapping_ = mapping
            self._cache_forward_pass(mapping)
        return self

    def _cache_forward_pass(self, mapping: Pipeline) -> None:
        """sklearn's predict() costs ~85 µs for one sample; the same forward pass in numpy costs a few µs."""
        scaler, mlp = mapping.named_steps["scale"], mapping.named_steps["mlp"]
        self._mean = scaler.mean_
        self._scale = scaler.scale_
        self._weights = [np.asarray(w) for w in mlp.coefs_]
        self._biases = [np.asarray(b) for b in mlp.intercepts_]
        self._hidden_act = mlp.activation  # a name, not a function: the learner is pickled into the cache

    @property
    def has_mapping(self) -> bool:
        return getattr(self, "mapping_", None) is not None

    # -- the mapping ---------------------------------------------------------------------------------------
    def predict(self, descriptors: np.ndarray) -> np.ndarray:
        """Normalised parameters the mapping gives for these descriptors (pinned ones at their default)."""
        if not self.has_mapping:
            raise ModelNotReadyError("no liked point yet: label a setting as good first")
        h = (np.asarray(descriptors, dtype=float) - self._mean) / self._scale
        last = len(self._weights) - 1
        for i, (w, b) in enumerate(zip(self._weights, self._biases)):
            h = h @ w + b
            if i < last:
                h = ACTIVATIONS[self._hidden_act](h)
        return self.space.constrain(h)

    # -- proposals -----------------------------------------------------------------------------------------
    def context_weights(self, descriptors: np.ndarray) -> np.ndarray:
        """Per labelled point: how much it speaks for the current sound (context × recency)."""
        if not getattr(self, "n_points_", 0):
            return np.zeros(0)
        z = self.context_scaler_.transform(np.asarray(descriptors, dtype=float)[None, :])[0]
        d2 = ((self.contexts_ - z) ** 2).mean(axis=1)
        return np.exp(-d2 / (2 * self.context_width**2)) * self.recency_

    def relevance(self, weights: np.ndarray) -> np.ndarray:
        """Which parameters matter here: dislikes' spread from the liked centre over the likes' spread, per axis."""
        p = len(self.space)
        wg, wb = weights * self.good_, weights * ~self.good_
        if wg.sum() < 0.5 or wb.sum() < 0.5:
            return np.ones(p)
        centre = wg @ self.params_ / wg.sum()
        sq = (self.params_ - centre) ** 2
        prior = 1.0 / 12.0  # the variance of a uniform coordinate: shrinks the ratio towards 1 with few points
        spread_good = (wg @ sq + prior) / (wg.sum() + 1.0)
        spread_bad = (wb @ sq + prior) / (wb.sum() + 1.0)
        ratio = np.where(self.space.pinned, 0.0, spread_bad / spread_good)
        free = ~self.space.pinned
        if not free.any():
            return np.ones(p)
        return np.clip(ratio / ratio[free].mean(), 0.25, 4.0) * free

    def score(self, candidates: np.ndarray, weights: np.ndarray, relevance: np.ndarray) -> np.ndarray:
        """Upper confidence score that the player likes each candidate (k, p) in this context."""
        keep = weights > 1e-4
        points, w, good = self.params_[keep], weights[keep], self.good_[keep]
        if len(points) == 0:
            good_mass = bad_mass = np.zeros(len(candidates))
        else:
            root = np.sqrt(relevance / len(self.space))
            a, b = candidates * root, points * root
            d2 = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
            kernel = np.exp(-np.maximum(d2, 0.0) / (2 * self.param_width**2)) * w
            good_mass, bad_mass = kernel @ good, kernel @ ~good
        alpha = self.prior_like + good_mass
        total = 1.0 + good_mass + bad_mass  # prior pseudo-count 1 = α₀ + β₀
        mean = alpha / total
        std = np.sqrt(mean * (1.0 - mean) / (total + 1.0))
        return mean + self.exploration * std

    def propose(self, descriptors: np.ndarray, current: np.ndarray, strength: float,
                rng: np.random.Generator) -> np.ndarray:
        """The next normalised setting to try, for these descriptors, at the player's strength."""
        weights = self.context_weights(descriptors)
        relevance = self.relevance(weights)
        centres = [np.asarray(current, dtype=float)]
        liked_here = weights * self.good_ if len(weights) else weights
        if len(weights) and liked_here.max(initial=0.0) > 0.3:
            centres = [self.params_[int(np.argmax(liked_here))], current]
            if self.has_mapping:
                centres.insert(0, self.predict(descriptors))
        per_centre = max(1, self.n_candidates // len(centres))
        candidates = np.vstack([self.space.randomize_normalized(c, strength, rng, count=per_centre)
                                for c in centres])
        return candidates[int(np.argmax(self.score(candidates, weights, relevance)))]
