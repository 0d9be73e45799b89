"""The learner: what the player likes, for the sound they play now, from both their likes and their dislikes.

Two parts, both fitted on the labelled points (descriptors d, normalised parameters u, good/bad):

1. **The mapping** (follow mode, export): Pipeline(FlooredScaler, MLPRegressor) from descriptors to normalised
   parameters, fitted on the liked sounds' takes. A liked point says "this setting, for this sound". Its target
   is the robust middle of the liked settings for nearly the same input (`mapping_smoothing`; a like far off
   pulls it by its weight, not by its distance: `rlfx_tui/core/middle.py`), each like weighted by its recency,
   its plausibility and how deep inside the likes it lies, so several likes for one sound teach "the middle of
   what I like here" rather than descriptor jitter or a slip; every other take of that sound (the
   disliked ones too) teaches the same target, so the mapping holds it over the sound's whole spread.

2. **The preference model** (proposals). For the current sound, each labelled point gets a *context weight*
   c_i = exp(−‖z − z_i‖²_rms / 2σ_c²) (z = scaled descriptors, frequencies in octaves; same sound ≈ 1, another
   sound ≈ 0) times a *recency weight* 0.5^(age / half_life). Two views of the weighted labels, both from likes
   *and* dislikes:
   - the **taste model** (`rlfx_tui/core/taste.py`): a Bayesian posterior over *which few parameters matter* here,
     the shape of the liked region (spots, open-ended, ridges) and how far it reaches around this sound's liked
     settings. A like far out along j says j does not matter; a dislike that moved only j and k says one of them
     does;
   - a **kernel score**: likes and dislikes add up around any setting u as kernel-weighted pseudo-counts G(u),
     B(u) (distance weighted by the taste model's relevance), giving a Beta posterior mean (α₀ + G)/(1 + G + B)
     and its spread: a local memory of what was liked or disliked right there, whatever the taste's shape.

   **Proposals.** Candidates are drawn with the ParameterSpace's own distribution at the player's strength, so
   the strength keeps its meaning:
   - *no like yet for this sound*: its first jump and, if nothing is liked by then, its sixth (`corner_probes`
     2, `corner_probe_spacing` 5 labels apart; 0 probes for a search that only ever looks inside the ranges,
     see docs/explanation/learner.md) go towards a corner of the random range (every
     knob near an end: a corner of every 2- and 3-knob view at once, where open-ended tastes lie); then
     candidates around the current setting; the one most likely to land in a liked region nobody has tried yet
     wins (`rlfx_tui/core/first_like.py`: every 2- and 3-parameter projection
     — the taste may hinge on any few parameters — away from what was labelled here; spots inside the ranges and,
     with `corner_prior` > 0, open-ended regions at their ends). With no labelled point here at all the score is
     the prior alone, and the jump is drawn ∝ the score (its maximum would always be the middlemost candidate);
   - *after a like*: candidates around this sound's liked settings (as often as each is plausible), their
     weighted middle and the mapping's prediction (with `extrapolate` > 0, that share of them first pushed
     outwards, a random share of the way to the end of each range the like lies nearer to where the taste model
     reads the likes lying that way: deeper into an open-ended region; 0 by default, docs/figures/learning.md
     measures what it trades), each moving a random share of the parameters at the player's strength and keeping
     the rest. With `doubt_search` W > 0, a jump searches on as before a like instead, with probability W × the
     doubt that any like here was meant (`doubt`); 0 by default: a consistent player's lone first like is doubted
     nearly as much as a slip, docs/figures/learning.md measures what it trades.
     Only candidates at least `min_novelty` (0.9) of a typical jump at that strength away from every liked
     setting count: the player hears something as new as a plain jump would be; the learner steers, it does not
     shrink the jump. They are ranked by taste-model P(like) × kernel score (+ κ·std, κ = `exploration`, 0 by
     default), and the proposal is drawn among the best `top_fraction`.
     So the parameters that matter stay near what was liked while the others roam at the chosen strength, and
     each answer tells the model more about which are which.

**Inconsistent answers** (`rlfx_tui/core/consistency.py`): each retrain estimates the player's inconsistency ε
from their own contradictions and how plausible each like is; the taste model, the proposals and the mapping
use both (`inconsistency()`). Every label stays in the fit; a doubtful like only weighs less.

Fitting costs one MLP fit (lbfgs, one BLAS thread: default OpenBLAS threading makes small fits slow and steals
the audio thread's core) and a few taste-model fits per sound for the consistency estimate; proposing costs a
few small matrix products of candidates × points.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from rlfx_tui.core.consistency import SAME_SOUND, Consistency, estimate, prior_inconsistency
from rlfx_tui.core.descriptors import DESCRIPTOR_NAMES, DESCRIPTOR_UNITS
from rlfx_tui.core.errors import ModelNotReadyError
from rlfx_tui.core.first_like import corner_probe, unexplored
from rlfx_tui.core.middle import robust_middle
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.sound_groups import SoundHere, group_sounds, sound_here
from rlfx_tui.core.taste import TasteModel

# scikit-learn's MLP activations by name: the learner's own forward pass and the FluCoMa export's check use these.
ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "identity": lambda x: x,
    "tanh": np.tanh,
    "relu": lambda x: np.maximum(x, 0.0),
    "logistic": lambda x: 1.0 / (1.0 + np.exp(-x)),
}


# For context weights, descriptors measured in Hz (or crossings per second) are compared in octaves: a bass at
# 100 Hz and a pad at 250 Hz are as different as 1 kHz and 2.5 kHz, and one bright sound must not squash every
# other sound together. The mapping keeps raw descriptors: it must stay a plain standardise + MLP that FluCoMa
# can run (rlfx_tui/interop/flucoma.py exports it).
SOUND_RADIUS = 2.0  # × context_width: points this near (rms, scaled descriptors) are shown as one sound
_LOG_UNITS = ("Hz", "crossings/s")
_LOG_COLUMNS = np.array([DESCRIPTOR_UNITS[name] in _LOG_UNITS for name in DESCRIPTOR_NAMES])
# Below this weight (descriptors, mapping_smoothing) a like is of another sound: it never pulls a take's
# target (it did by a few % each).
OTHER_SOUND = 0.2
# The least spread the context scaler divides each descriptor by, in the units it compares (dB, octaves, 0-1
# ratios): about how far apart two sounds of one player's set lie. Until a second sound is labelled the data's own
# spread is one sound's take-to-take wobble; standardised by it, every take of the sound looked like another sound
# (context weights 0.00-0.29 between its takes in `rlfx-tui simulate`), so its likes did not steer the next jumps
# and its corner probe came again at each label.
_SOUND_SPREAD = {"dBFS": 6.0, "Hz": 1.0, "crossings/s": 1.0, "ratio 0-1": 0.1}
_LEAST_SPREAD = np.array([_SOUND_SPREAD[DESCRIPTOR_UNITS[name]] for name in DESCRIPTOR_NAMES])


def _audio_descriptors(x: np.ndarray, octaves: bool) -> bool:
    """Whether x (…, d) is our own audio descriptors, whose units are known (octaves=False: a context from outside,
    whatever its length)."""
    return octaves and x.shape[-1] == len(DESCRIPTOR_NAMES)


def features(descriptors: np.ndarray, octaves: bool = True) -> np.ndarray:
    """Descriptors (…, d) as the learner compares them: frequency-like ones as log2(1 + f / 50 Hz) (only for the
    audio descriptors, see _audio_descriptors)."""
    x = np.asarray(descriptors, dtype=float)
    if not _audio_descriptors(x, octaves):
        return x
    return np.where(_LOG_COLUMNS, np.log2(1.0 + np.maximum(x, 0.0) / 50.0), x)


class FlooredScaler(StandardScaler):
    """StandardScaler whose scale never falls below `floor` × the feature's typical magnitude.

    All points of one sound have nearly equal descriptors; plain standardisation would blow their noise up to
    unit size and make the same sound look like many different ones.
    """

    scale_: np.ndarray

    def __init__(self, *, floor: float = 0.05, least: np.ndarray | None = None) -> None:
        super().__init__()
        self.floor = floor
        self.least = least  # a least scale per feature, in its own units (None: the relative floor only)

    def fit(self, X: np.ndarray, y: object = None, sample_weight: object = None) -> FlooredScaler:
        super().fit(X, y, sample_weight)
        magnitude = np.abs(np.asarray(X, dtype=float)).mean(axis=0)
        self.scale_ = np.maximum(self.scale_, self.floor * magnitude + 1e-6)
        if self.least is not None:
            self.scale_ = np.maximum(self.scale_, self.least)
        return self


class Learner(BaseEstimator):
    """A scikit-learn estimator in form: parameters in __init__ (so get_params, set_params and clone work), `fit`
    returns self, learned state ends in `_`, `check_is_fitted` guards what needs a fit.

    Not a drop-in one for scikit-learn's model selection: `fit` takes three arrays (descriptors, normalised
    parameters, liked) rather than X and y, and what it is for is `propose`, not `predict` alone. `space`, a
    ParameterSpace, is a parameter like the others: proposals draw from its distribution and the mapping's output
    is constrained to it (clone deep-copies it; the model cache and the training process put the caller's own back).
    """

    point_ids_: list[int]  # which labelled points the fit reflects; set by training.fit_learner
    octaves: bool = True  # what a learner cached before the option existed compares with

    def __init__(
        self,
        space: ParameterSpace,
        *,
        hidden_layer_sizes: tuple[int, ...] = (32, 32),
        context_width: float = 0.3,
        param_width: float = 0.08,
        exploration: float = 0.0,
        prior_like: float = 0.3,
        half_life: float = 200.0,
        n_candidates: int = 256,
        top_fraction: float = 0.01,
        mapping_smoothing: float = 0.25,
        fill_width: float = 0.08,
        fill_sharpness: float = 2.0,
        corner_prior: float = 0.0,
        corner_probes: int = 2,
        corner_probe_spacing: int = 5,
        extrapolate: float = 0.0,
        doubt_search: float = 0.0,
        prior_matters: float = 0.3,
        min_novelty: float = 0.9,
        octaves: bool = True,
        seed: int = 0,
    ) -> None:
        self.space = space
        self.hidden_layer_sizes = hidden_layer_sizes
        self.context_width = context_width
        self.param_width = param_width
        self.exploration = exploration
        self.prior_like = prior_like
        self.half_life = half_life
        self.n_candidates = n_candidates
        self.top_fraction = top_fraction
        self.mapping_smoothing = mapping_smoothing
        self.fill_width = fill_width
        self.fill_sharpness = fill_sharpness
        self.corner_prior = corner_prior
        self.corner_probes = corner_probes
        self.corner_probe_spacing = corner_probe_spacing
        self.extrapolate = extrapolate
        self.doubt_search = doubt_search
        self.prior_matters = prior_matters
        self.min_novelty = min_novelty
        self.octaves = octaves  # frequency-like descriptors compared in octaves (False: a context from outside)
        self.seed = seed

    # -- fitting -------------------------------------------------------------------------------------------
    def fit(self, descriptors: np.ndarray, params: np.ndarray, good: np.ndarray) -> Learner:
        """descriptors (n, d), normalised params (n, p), good (n,) bool; oldest first."""
        X = np.asarray(descriptors, dtype=float)
        U = np.asarray(params, dtype=float)
        y = np.asarray(good, dtype=bool)
        n = len(y)
        self.n_points_ = n
        self.n_good_ = int(y.sum())
        least = _LEAST_SPREAD if _audio_descriptors(X, self.octaves) else None  # a controller's numbers: no units
        scaler = FlooredScaler(least=least).fit(features(X, self.octaves)) if n else None
        self.context_scaler_ = scaler
        self.contexts_ = (
            scaler.transform(features(X, self.octaves))
            if scaler is not None
            else np.zeros((0, X.shape[1] if X.ndim == 2 else 0))
        )
        self.params_ = U
        self.good_ = y
        self.recency_ = 0.5 ** ((n - 1 - np.arange(n)) / self.half_life)
        self.sound_groups_, self.sound_leaders_ = group_sounds(self.contexts_, SOUND_RADIUS * self.context_width)
        self.consistency_ = (
            estimate(
                U,
                y,
                self.contexts_,
                self.recency_,
                ~self.space.pinned,
                context_width=self.context_width,
                prior_matters=self.prior_matters,
            )
            if self.n_good_
            else Consistency.none(n)
        )
        self.mapping_: Pipeline | None = None
        self.mapping_error_: float | None = None
        if self.n_good_:
            mlp = MLPRegressor(
                hidden_layer_sizes=self.hidden_layer_sizes,
                activation="tanh",
                solver="lbfgs",
                alpha=1e-2,
                max_iter=400,
                random_state=self.seed,
            )
            mapping = Pipeline([("scale", FlooredScaler()), ("mlp", mlp)])
            with threadpool_limits(limits=1), warnings.catch_warnings():
                # lbfgs often stops early on a handful of points; the fit is still the best it found
                warnings.simplefilter("ignore", ConvergenceWarning)
                taught, targets = self._mapping_examples()
                # a one-parameter preset: sklearn wants a 1-d target (it warns on a column)
                mapping.fit(X[taught], targets.ravel() if targets.shape[1] == 1 else targets)
            self.mapping_ = mapping
            self._cache_forward_pass(mapping)
            # how closely the mapping gives back what it was taught, on the points it was taught (training error)
            self.mapping_error_ = float(np.abs(self.predict(X[taught]) - targets).mean())
        return self

    def sound_of(self, descriptors: np.ndarray) -> SoundHere | None:
        """Which of the labelled sounds these descriptors are (see sound_groups.py); None before any label."""
        if not getattr(self, "n_points_", 0) or self.context_scaler_ is None or not hasattr(self, "sound_leaders_"):
            return None
        z = self.context_scaler_.transform(features(descriptors, self.octaves)[None, :])[0]
        return sound_here(z, self.sound_groups_, self.sound_leaders_, self.good_, SOUND_RADIUS * self.context_width)

    def _mapping_examples(self) -> tuple[np.ndarray, np.ndarray]:
        """What the mapping is taught: which labelled points' descriptors (a mask) and, for each, its target
        setting, the robust middle of the liked settings for (nearly) the same input, each weighted by its recency,
        its plausibility and how deep inside the likes it lies (a like the taste model doubts pulls the target less;
        a far one pulls it no more than a near one, see middle.py).

        Every take of a liked sound teaches its target, the disliked ones too: a sound's descriptors vary from take
        to take, and taught only at its liked takes the network is free to wander between them (`rlfx-tui simulate`
        on ridge tastes, whose liked band is thin, 100 seeds: the mapping landed inside for 75 % of the liked sounds,
        93 % when every take teaches). A take counts as a liked sound's when its weight to one of its likes
        is at least `OTHER_SOUND`; a sound never liked teaches nothing."""
        liked, settings = self.contexts_[self.good_], self.params_[self.good_]
        if self.mapping_smoothing <= 0:
            return self.good_.copy(), settings
        d2 = ((self.contexts_[:, None, :] - liked[None, :, :]) ** 2).mean(axis=2)
        trust = (self.consistency_.plausibility * self.consistency_.depth**2)[self.good_]
        same = np.exp(-d2 / (2 * self.mapping_smoothing**2))
        same[same < OTHER_SOUND] = 0.0
        taught = self.good_ | same.any(axis=1)
        same = same[taught]
        k = same * (self.recency_[self.good_] * trust)[None, :]
        return taught, robust_middle(k, settings)

    def _cache_forward_pass(self, mapping: Pipeline) -> None:
        """For one sample, sklearn's predict() costs many times the forward pass itself (input checks, a pipeline);
        this keeps the pass as plain numpy (timings: docs/figures/)."""
        scaler, mlp = mapping.named_steps["scale"], mapping.named_steps["mlp"]
        self._mean = scaler.mean_
        self._scale = scaler.scale_
        self._weights = [np.asarray(w) for w in mlp.coefs_]
        self._biases = [np.asarray(b) for b in mlp.intercepts_]
        self._hidden_act = mlp.activation  # a name, not a function: the learner is pickled into the cache

    def __getstate__(self) -> dict[str, object]:
        """Pickled (model cache, training process) without the last taste model: it belongs to one sound."""
        state = dict(super().__getstate__())  # a copy: BaseEstimator hands back the instance's own __dict__
        state.pop("_taste_memo", None)
        return state

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

    # -- the preference model ------------------------------------------------------------------------------
    def context_weights(self, descriptors: np.ndarray) -> np.ndarray:
        """Per labelled point: how much it speaks for the current sound (context × recency)."""
        if not getattr(self, "n_points_", 0) or self.context_scaler_ is None:
            return np.zeros(0)
        z = self.context_scaler_.transform(features(descriptors, self.octaves)[None, :])[0]
        d2 = ((self.contexts_ - z) ** 2).mean(axis=1)
        return np.exp(-d2 / (2 * self.context_width**2)) * self.recency_

    def taste(self, weights: np.ndarray, limit: int = 120) -> TasteModel | None:
        """The taste model (which parameters matter, how far a liked spot reaches) fitted on the `limit` heaviest
        labelled points of this context and its heaviest likes; None without a like here."""
        check_is_fitted(self)
        key = (np.asarray(weights).tobytes(), limit)
        memo = getattr(self, "_taste_memo", None)
        if memo is not None and memo[0] == key:  # a jump asks twice: to propose, then for the knobs that matter
            return memo[1]
        model = self._fit_taste(weights, limit)
        self._taste_memo = (key, model)
        return model

    def _fit_taste(self, weights: np.ndarray, limit: int) -> TasteModel | None:
        heaviest = np.argsort(weights)[::-1][:limit]
        liked = np.argsort(weights * self.good_)[::-1][:16]  # an older like still counts among many new dislikes
        order = np.union1d(heaviest, liked)
        order = order[weights[order] > 1e-3]
        if not (weights[order] * self.good_[order]).sum() > 1e-3:
            return None
        model = TasteModel(
            ~self.space.pinned, prior_matters=self.prior_matters, inconsistency=self.consistency_.inconsistency
        )
        return model.fit(
            self.params_[order], self.good_[order], weights[order], plausibility=self.consistency_.plausibility[order]
        )

    def inconsistency(self, descriptors: np.ndarray | None = None) -> float:
        """How inconsistent the player's answers look (ε: the share of answers given the wrong way round), from
        their own contradictions (rlfx_tui/core/consistency.py): over every sound, or for the sound with these
        descriptors from its labels alone (the prior's mean for a sound not looked at)."""
        found = self.consistency_
        if descriptors is None or not len(found.per_sound) or self.context_scaler_ is None:
            return found.inconsistency if descriptors is None else prior_inconsistency()
        z = self.context_scaler_.transform(features(descriptors, self.octaves)[None, :])[0]
        same = np.exp(-((found.centres - z) ** 2).mean(axis=1) / (2 * self.context_width**2))
        return float(found.per_sound[np.argmax(same)]) if same.max() > SAME_SOUND else prior_inconsistency()

    def doubt(self, weights: np.ndarray) -> float:
        """How likely it is that none of the likes here was meant: Π (1 − ρ) over the likes of this sound (context
        weight > 0.3), ρ each like's plausibility (rlfx_tui/core/consistency.py); 1 without a like here."""
        check_is_fitted(self)
        here = (weights > 0.3) & self.good_ if len(weights) else np.zeros(0, dtype=bool)
        return float(np.prod(1.0 - self.consistency_.plausibility[here]))

    def relevance(self, weights: np.ndarray) -> np.ndarray:
        """Which parameters matter here, as weights with mean 1 over the free parameters (all 1 without a like):
        the taste model's probability that each parameter matters."""
        return self._relevance_from(self.taste(weights) if len(weights) else None)

    def _relevance_from(self, model: TasteModel | None) -> np.ndarray:
        free = ~self.space.pinned
        if model is None or not free.any():
            return free.astype(float)
        matters = model.matters() * free
        return np.clip(matters / max(matters[free].mean(), 1e-9), 0.05, 6.0) * free

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

    def unexplored(self, candidates: np.ndarray, weights: np.ndarray, limit: int = 32) -> np.ndarray:
        """How likely each candidate (k, p) is to land in a liked region nobody has tried yet (higher = better),
        from the `limit` heaviest labelled points of this context (rlfx_tui/core/first_like.py)."""
        order = np.argsort(weights)[::-1][:limit]
        order = order[weights[order] > 1e-3]
        return unexplored(
            self.space,
            candidates,
            self.params_[order],
            weights[order],
            fill_width=self.fill_width,
            fill_sharpness=self.fill_sharpness,
            corner_prior=self.corner_prior,
        )

    def _least_explored(self, candidates: np.ndarray, weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Before a like here: the candidate most likely to land in a liked region nobody has tried yet. With no
        labelled point here at all, the score is the prior alone, nearly flat inside the ranges (it only counts
        the edges down), and its maximum would always be the candidate nearest the middle: then one is drawn with
        probability ∝ its score instead, so such jumps spread over the space as plain ones do."""
        scores = self.unexplored(candidates, weights)
        if (weights > 1e-3).any() or not scores.sum() > 0:
            return candidates[int(np.argmax(scores))]
        return candidates[int(rng.choice(len(candidates), p=scores / scores.sum()))]

    def _search(
        self,
        current: np.ndarray,
        weights: np.ndarray,
        strength: float,
        rng: np.random.Generator,
        moving: ParameterSpace,
    ) -> np.ndarray:
        """A jump from the current setting at the player's strength that searches for a liked region here."""
        candidates = moving.randomize_normalized(
            np.asarray(current, dtype=float), strength, rng, count=self.n_candidates
        )
        return self._least_explored(candidates, weights, rng)

    # -- proposals -----------------------------------------------------------------------------------------
    def first_jump(
        self, current: np.ndarray, strength: float, rng: np.random.Generator, moves: ParameterSpace | None = None
    ) -> np.ndarray:
        """The session's first jump, before any label (needs no fit): the first sound's corner probe, as every new
        sound's first jump is (`corner_probes` 0: a plain jump)."""
        moving = self.space if moves is None else moves
        current = np.asarray(current, dtype=float)
        if self.corner_probes < 1:
            return moving.randomize_normalized(current, strength, rng)
        nothing = np.zeros((0, len(self.space)))
        return corner_probe(moving, current, strength, nothing, np.zeros(0), rng, self.n_candidates)

    def _probes_now(self, labels_here: int) -> bool:
        """Whether a sound with no like yet and `labels_here` labels gets a corner probe now: at its first label
        and every `corner_probe_spacing`-th after, `corner_probes` in all. Back to back, the second probe took a
        jump the search inside the ranges needed (round tastes: −5 points late, docs/figures/learning.md)."""
        spacing = max(1, self.corner_probe_spacing)
        return labels_here % spacing == 0 and labels_here // spacing < self.corner_probes

    def propose(
        self,
        descriptors: np.ndarray,
        current: np.ndarray,
        strength: float,
        rng: np.random.Generator,
        moves: ParameterSpace | None = None,
        around: np.ndarray | None = None,
    ) -> np.ndarray:
        """The next normalised setting to try, for these descriptors, at the player's strength. `moves`: the space
        jumps move in, when it holds more than the learner's own (the player's locked knobs, see
        ParameterSpace.holding); the taste model still judges every knob, so a locked one can still matter.
        `around`: jump from this setting (as before a like), still ranked by what was liked and disliked here."""
        moving = self.space if moves is None else moves
        check_is_fitted(self)
        weights = self.context_weights(descriptors)
        liked_here = weights * self.good_ if len(weights) else weights
        if around is not None:
            return self._propose_around(np.asarray(around, dtype=float), weights, strength, rng, moving)
        if liked_here.max(initial=0.0) <= 0.3:
            if self._probes_now(int((weights > 0.3).sum())):  # a new sound: towards a corner of the ranges
                order = np.argsort(weights)[::-1][:32]
                order = order[weights[order] > 1e-3]
                return corner_probe(
                    moving,
                    np.asarray(current, dtype=float),
                    strength,
                    self.params_[order],
                    weights[order],
                    rng,
                    self.n_candidates,
                )
            return self._search(current, weights, strength, rng, moving)
        if self.doubt_search > 0 and rng.random() < self.doubt_search * self.doubt(weights):
            # every like here may be a slip: this jump searches on as if there were none (it still avoids them)
            return self._search(current, weights, strength, rng, moving)
        liked = np.flatnonzero(liked_here > 0.1 * liked_here.max())
        # jumps start from a like as often as it is plausible (a like the taste model doubts seeds fewer of them)
        seed = liked_here[liked] * self.consistency_.plausibility[liked]
        centres = self.params_[rng.choice(liked, size=self.n_candidates, p=seed / seed.sum())]
        third = self.n_candidates // 3
        centres[:third] = seed @ self.params_[liked] / seed.sum()  # the liked centroid
        if self.has_mapping:
            centres[third : 2 * third] = self.predict(descriptors)
        model = self.taste(weights)
        if model is not None and self.extrapolate > 0:
            # Some start further out: a like pushed towards the end of each range that it already lies nearer to,
            # where the likes lie that way from the dislikes (the taste model's open-ended direction), a random
            # share of the way. Where the liked region is open-ended they land deeper inside it; where it is a spot
            # the ranking drops them; two liked spots on either side of the middle are each pushed their own way.
            low, high = moving.random_low, moving.random_high
            up = centres > (low + high) / 2
            end = np.where(up, high, low)
            outward = up == (model.direction_ > 0)
            pushed = np.where(outward, centres + rng.random(centres.shape) * (end - centres), centres)
            centres = np.where((rng.random(self.n_candidates) < self.extrapolate)[:, None], pushed, centres)
        # Each candidate moves a random share of the parameters at the player's strength and keeps the rest: the
        # taste model then prefers moving the ones that don't matter, and what the player says of such a jump
        # tells which ones do.
        jumped = moving.randomize_normalized(centres, strength, rng, count=self.n_candidates)
        share = rng.uniform(0.1, 1.0, size=(self.n_candidates, 1))
        # constrain: a liked setting recorded before a parameter was pinned must not carry it into a proposal
        candidates = moving.constrain(np.where(rng.random(jumped.shape) < share, jumped, centres))
        # Novelty: at least `min_novelty` of a typical jump at this strength away from every liked setting, so the
        # strength keeps its meaning (the hit rate must come from steering, not from smaller jumps).
        novel = moving.novelty(candidates, self.params_[liked], strength) >= self.min_novelty - 1e-9
        pool = np.flatnonzero(novel) if novel.any() else np.arange(len(candidates))  # only these can be chosen
        scores = np.full(len(candidates), -np.inf)
        scores[pool] = self.score(candidates[pool], weights, self._relevance_from(model))
        if model is not None:
            scores[pool] *= model.predictive(candidates[pool])
        top = np.argsort(scores)[::-1][: max(1, int(round(self.top_fraction * self.n_candidates)))]
        return candidates[int(rng.choice(top))]

    def _propose_around(
        self, around: np.ndarray, weights: np.ndarray, strength: float, rng: np.random.Generator, moving: ParameterSpace
    ) -> np.ndarray:
        """Candidates jump from `around` at the player's strength; the taste model and the kernel score (what was
        liked and disliked here) pick among them, or the least explored one before a like."""
        candidates = moving.randomize_normalized(around, strength, rng, count=self.n_candidates)
        model = self.taste(weights) if len(weights) else None
        if model is None:
            return self._least_explored(candidates, weights, rng)
        scores = self.score(candidates, weights, self._relevance_from(model)) * model.predictive(candidates)
        top = np.argsort(scores)[::-1][: max(1, int(round(self.top_fraction * self.n_candidates)))]
        return candidates[int(rng.choice(top))]
