"""Session: the one API the TUI, the CLI, the tests, the benchmarks and outside tools all drive.

from rlfx_tui.session import Session
s = Session(preset=None, data_dir=path, seed=0)
s.listen(block, 48000)        # input descriptors
s.randomize(0.5)              # a jump, steered by the learner
s.label(True)                 # durable, and the model reflects it when this returns
s.predict()                   # the mapping's parameters for the current input
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from rlfx_tui.core import model_cache
from rlfx_tui.core.attachment import ContextSource, ParamSink
from rlfx_tui.core.chain import EffectChain
from rlfx_tui.core.consistency import LOOKS_INCONSISTENT
from rlfx_tui.core.context import FeatureContext
from rlfx_tui.core.dataset import Dataset, LabelledPoint
from rlfx_tui.core.descriptors import DESCRIPTOR_NAMES, DescriptorTracker
from rlfx_tui.core.errors import RlfxError
from rlfx_tui.core.learner import Learner
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.preset_state import PresetState, load_state, save_state
from rlfx_tui.core.presets import Preset, resolve_preset
from rlfx_tui.core.sound_groups import SoundHere
from rlfx_tui.core.training import fit_session
from rlfx_tui.paths import resolve_data_dir


class TrainingError(RlfxError):
    """A change was recorded durably, but the retrain after it failed; the session keeps its previous learner."""

    def __init__(self, message: str, point_id: int) -> None:
        super().__init__(message)
        self.point_id = point_id


class Session:
    def __init__(
        self,
        preset: str | os.PathLike[str] | Preset | None = None,
        data_dir: str | os.PathLike[str] | None = None,
        seed: int = 0,
        samplerate: int = 48000,
        learner_options: Mapping[str, object] | None = None,
        rng: np.random.Generator | None = None,
    ) -> None:
        """`seed` fixes the learner's fits (and the model cache's key); `rng` draws the jumps, from `seed` unless
        given: the app passes a fresh one, so each launch does not replay the same random settings."""
        self.preset: Preset = preset if isinstance(preset, Preset) else resolve_preset(preset, data_dir)
        self.data_dir: Path = resolve_data_dir(data_dir)
        self.directory: Path = self.data_dir / self.preset.name
        self.space = ParameterSpace(self.preset.params)
        self.samplerate = int(samplerate)
        self.chain = EffectChain(self.preset, self.samplerate)
        # What the learner keys on: the audio descriptors, or named features from outside ([context] in the preset)
        self.context_names: tuple[str, ...] = self.preset.context_names or DESCRIPTOR_NAMES
        self.tracker: ContextSource = (
            FeatureContext(self.context_names, samplerate=self.samplerate)
            if self.preset.context_names
            else DescriptorTracker(self.samplerate)
        )
        self.input_gate_db: float | None = None  # audio quieter than this is "nothing played": labels are refused
        self.rng = rng if rng is not None else np.random.default_rng(seed)
        self.seed = seed
        self.learner_options = dict(learner_options or {})
        if self.preset.context_names:  # octaves are for frequencies; a controller's numbers are compared as they are
            self.learner_options.setdefault("octaves", False)
        self.dataset = Dataset(self.directory, self.preset.name, self.context_names, self.space.names)
        state = load_state(self.directory, self.space)  # the last setting heard and the locked knobs, if any
        self.current: dict[str, float] = state.current or self.space.default()
        self.locked: frozenset[str] = state.locked
        # Where a new parameter state goes: the session's own chain by default; a running audio engine attaches
        # its own hand-off so plugins are only ever touched from the audio thread.
        self.param_sink: ParamSink = self.chain.apply
        self.param_sink(self.current)
        self.learner: Learner = self._cached_or_trained()

    # -- sound -----------------------------------------------------------------------------------------
    @property
    def descriptors(self) -> np.ndarray:
        """The current context: input descriptors (DESCRIPTOR_NAMES order), or the features (context_names order)."""
        return self.tracker.values

    @property
    def features(self) -> FeatureContext | None:
        """The context from outside, when the preset declares one (None: the audio descriptors)."""
        return self.tracker if isinstance(self.tracker, FeatureContext) else None

    def context_stale(self) -> str | None:
        """Why a label now would be a label for nothing: no features for over a second, or audio below the input
        gate (with input_gate_db set); None when something is playing."""
        if self.features is not None:
            return self.features.stale()
        if self.input_gate_db is not None:
            loudness = float(self.tracker.values[DESCRIPTOR_NAMES.index("loudness_db")])
            if loudness < self.input_gate_db:
                return f"nothing is playing (input {loudness:.0f} dBFS, below the {self.input_gate_db:g} dBFS gate)"
        return None

    def listen(self, block: np.ndarray, samplerate: int | None = None) -> None:
        """Feed a mono float32 input block to the descriptors (nothing, with a context from outside)."""
        if self.features is not None:
            return
        if samplerate is not None and int(samplerate) != self.tracker_samplerate:
            self.tracker = DescriptorTracker(int(samplerate))
        self.tracker.update(np.asarray(block, dtype=np.float32))

    @property
    def tracker_samplerate(self) -> int:
        return int(self.tracker.samplerate)

    @contextmanager
    def attach(self, sink: ParamSink, context: ContextSource) -> Iterator[None]:
        """While an audio engine runs (Engine.start to Engine.stop): parameter states go to `sink` and the
        descriptors come from `context` (unless the preset's context comes from outside: then it stays). On exit
        the session's own sink and tracker are back, and its chain catches up with `current`."""
        saved = self.tracker, self.param_sink
        # a context from outside stays the context: the engine's audio descriptors are not what the learner keys on
        self.tracker, self.param_sink = (self.tracker if self.features is not None else context), sink
        try:
            yield
        finally:
            self.tracker, self.param_sink = saved
            self.param_sink(self.current)

    def process(self, block: np.ndarray) -> np.ndarray:
        """A mono float32 block through the chain at `current` (streaming); returns the output block."""
        return self.chain.process(block)

    # -- parameters ------------------------------------------------------------------------------------
    def set_current(self, values: Mapping[str, float]) -> dict[str, float]:
        """Put a parameter state in force (constrained to the space); returns it. NaN/inf → ValueError, and the
        state in force is kept (pedalboard takes NaN silently, and a NaN cutoff silences the chain for good)."""
        real = self.space.as_array(values)
        if not np.isfinite(real).all():
            bad = [n for n, v in zip(self.space.names, real.tolist()) if not np.isfinite(v)]
            raise ValueError(f"parameter(s) {', '.join(bad)} must be finite numbers")
        self.current = self.space.within(real)
        self.param_sink(self.current)
        return self.current

    def randomize(self, strength: float, *, around_current: bool = False) -> dict[str, float]:
        """Jump at `strength` ∈ [0, 1]: the learner's first jump (a corner probe) until there are labels, then
        steered by the learner. Locked knobs keep their current values exactly. around_current: jump from the
        setting in force (e.g. a recalled point: "breed from here") rather than from what the learner thinks is
        liked here."""
        current = self.space.normalize(self.current)
        moves = self.space.holding(self.locked, current)
        if self.learner.n_points_:
            proposal = self.learner.propose(
                self.descriptors, current, strength, self.rng, moves=moves, around=current if around_current else None
            )
        else:
            proposal = self.learner.first_jump(current, strength, self.rng, moves=moves)
        held = {name: self.current[name] for name in self.locked}  # exact: no round trip through [0, 1]
        return self.set_current(self.space.denormalize(proposal) | held)

    # -- locked knobs ----------------------------------------------------------------------------------
    def lock(self, names: Iterable[str], on: bool = True) -> frozenset[str]:
        """Lock (or unlock) knobs at their current values: jumps and proposals don't move them. Saved with the
        preset's state in the data dir, so they are locked again when the preset is reopened."""
        names = set(names)
        unknown = sorted(names - set(self.space.names))
        if unknown:
            raise RlfxError(
                f"no parameter {', '.join(unknown)} in preset {self.preset.name!r}; it has "
                f"{', '.join(self.space.names)}"
            )
        self.locked = frozenset(self.locked | names) if on else frozenset(self.locked - names)
        self._save_state(durable=True)
        return self.locked

    def remember(self) -> None:
        """Save the setting in force as the one to reopen the preset on (the rehearsal does, at every change; a
        render or an export does not, so it never moves where the app starts)."""
        self._save_state(durable=False)

    def _save_state(self, *, durable: bool) -> None:
        try:
            save_state(self.directory, PresetState(self.current, self.locked), durable=durable)
        except OSError:
            pass  # like the model cache: losing the last setting or the locks costs a little, never a label

    # -- labels ----------------------------------------------------------------------------------------
    @property
    def points(self) -> list[LabelledPoint]:
        """Labelled points, oldest first."""
        return self.dataset.points

    def label(
        self,
        good: bool,
        *,
        train: bool = True,
        descriptors: np.ndarray | None = None,
        params: Mapping[str, float] | None = None,
    ) -> int:
        """Record (descriptors, current, good); durable when this returns. train=False leaves retraining to the
        caller (the TUI retrains in a worker). descriptors/params default to the current ones; a caller passes
        them to record what was in force when the player pressed the key (e.g. a label retried later).
        A DatasetError means nothing was recorded; a TrainingError means the label *was* recorded (its id is on
        the error) and the previous model is still in use."""
        point = self.dataset.add(
            self.descriptors if descriptors is None else descriptors, self.current if params is None else params, good
        )
        if train:
            self._retrain_after(f"label {point.id}", point.id)
        return point.id

    def delete(self, point_id: int, *, train: bool = True) -> LabelledPoint:
        point = self.dataset.delete(point_id)
        if train:
            self._retrain_after(f"the delete of {point_id}", point_id)
        return point

    def relabel(self, point_id: int, good: bool, *, train: bool = True) -> LabelledPoint:
        """Give a point the other label (or this one); durable when this returns."""
        point = self.dataset.relabel(point_id, good)
        if train:
            self._retrain_after(f"the relabel of {point_id}", point_id)
        return point

    def restore(self, point_id: int, *, train: bool = True) -> LabelledPoint:
        point = self.dataset.restore(point_id)
        if train:
            self._retrain_after(f"the restore of {point_id}", point_id)
        return point

    def _retrain_after(self, what: str, point_id: int) -> None:
        try:
            self.retrain()
        except Exception as exc:
            raise TrainingError(
                f"{what} is saved, but retraining failed ({type(exc).__name__}: {exc}); the "
                f"previous model is still in use",
                point_id,
            ) from exc

    # -- the model -------------------------------------------------------------------------------------
    def predict(self) -> dict[str, float]:
        """The mapping's parameters for the current descriptors (ModelNotReadyError before any good point)."""
        return self.space.denormalize(self.learner.predict(self.descriptors))

    def matters(self) -> dict[str, float] | None:
        """Per parameter, how likely it is to matter to the player for the sound heard now (the taste model);
        None before a like for this sound."""
        if not self.learner.n_points_:
            return None
        model = self.learner.taste(self.learner.context_weights(self.descriptors))
        return None if model is None else dict(zip(self.space.names, model.matters().tolist()))

    def sound_here(self) -> SoundHere | None:
        """Which of the labelled sounds the learner believes is playing (None before any label)."""
        return self.learner.sound_of(self.descriptors)

    def inconsistency(self) -> float | None:
        """How inconsistent the answers for the sound heard now look (the share the taste model reads as given the
        wrong way round, from this sound's own contradictions; above consistency.LOOKS_INCONSISTENT the model panel
        may say so); None before any label."""
        if not self.learner.n_points_:
            return None
        return self.learner.inconsistency(self.descriptors)

    def looks_inconsistent(self) -> bool:
        """Whether the answers for the sound heard now look inconsistent enough to tell the player (the model
        panel's "answers look inconsistent here")."""
        found = self.inconsistency()
        return found is not None and found > LOOKS_INCONSISTENT

    def train(self) -> Learner:
        """Fit a new learner on a snapshot of the points; touches no session state (safe in a worker thread)."""
        return fit_session(self)

    def install(self, learner: Learner) -> None:
        """Swap in a fitted learner (one reference assignment) and refresh the cache."""
        self.learner = learner
        try:
            model_cache.save(self.directory, self._cache_key(learner.point_ids_, learner.good_.tolist()), learner)
        except OSError:
            pass  # the cache is only a cache: the dataset holds the truth and the model is rebuilt from it

    def retrain(self) -> Learner:
        """train() then install(): if training raises, nothing is swapped and the previous learner stays."""
        learner = self.train()
        self.install(learner)
        return learner

    def _cache_key(self, ids: list[int], good: list[bool]) -> dict[str, object]:
        options = {k: repr(v) for k, v in sorted(self.learner_options.items())} | {"seed": self.seed}
        space = [
            [
                s.name,
                s.min,
                s.max,
                s.scale,
                s.pinned,
                *(None if math.isnan(v) else v for v in (s.random_min, s.random_max)),
            ]
            for s in self.space.specs
        ]  # lists and None, not tuples and NaN: the key must survive JSON
        return model_cache.cache_key(self.context_names, self.space.names, options, ids, good, space)

    def _cached_or_trained(self) -> Learner:
        points = self.dataset.points
        key = self._cache_key([p.id for p in points], [p.good for p in points])
        cached = model_cache.load(self.directory, key)
        if isinstance(cached, Learner):
            cached.space = self.space
            return cached
        return self.retrain() if points else self.train()
