"""Rehearsal: the player's actions, headless. Keys in the TUI and OSC control messages both call these methods,
so every way of saying "good" goes through one code path; tests drive it without a terminal.

Listeners receive events (past-tense dataclasses below) synchronously, in the calling thread. Actions take an
internal lock (never touched by the audio callback), so a control thread and the UI thread may both act.

Labels are never silently dropped: if the dataset cannot be written (disk full, read-only), the label is kept in
`pending` (in memory, in order) and retried on every later action and by `retry_pending()`; `LabelFailed` says so.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from rlfx_tui.core.dataset import LabelledPoint
from rlfx_tui.core.errors import DatasetError, ModelNotReadyError
from rlfx_tui.core.session import Session

if TYPE_CHECKING:
    from rlfx_tui.core.learner import Learner

STRENGTH_STEP = 0.05
CHANGED_THRESHOLD = 0.01  # normalised units: smaller moves don't count as "changed by the last jump"


class EngineControls(Protocol):
    """What the rehearsal needs from an audio engine (rlfx_tui.audio.engine.Engine provides it)."""

    def set_muted(self, muted: bool) -> None: ...
    def set_follow(self, on: bool) -> None: ...


@dataclass(frozen=True)
class ParamsJumped:
    values: dict[str, float]
    changed: frozenset[str]
    strength: float
    matters: dict[str, float] | None = None  # per parameter, P(it matters for this sound); None before a like


@dataclass(frozen=True)
class PointLabelled:
    point: LabelledPoint


@dataclass(frozen=True)
class LabelFailed:
    message: str
    pending: int


@dataclass(frozen=True)
class PointDeleted:
    point: LabelledPoint


@dataclass(frozen=True)
class PointRestored:
    point: LabelledPoint


@dataclass(frozen=True)
class StrengthChanged:
    strength: float


@dataclass(frozen=True)
class ModeChanged:
    follow: bool
    muted: bool
    auto: bool


@dataclass(frozen=True)
class ModelTrained:
    seconds: float
    n_points: int
    n_good: int


@dataclass(frozen=True)
class TrainingNeeded:
    """The points changed; with train_in_background the caller runs train_now() in a worker."""


@dataclass(frozen=True)
class Noticed:
    """Something the player should read (a refused action, a recovered error)."""
    message: str
    severity: str = "information"


@dataclass
class PendingLabel:
    descriptors: np.ndarray
    params: dict[str, float]
    good: bool
    error: str


@dataclass
class Rehearsal:
    session: Session
    engine: EngineControls | None = None
    strength: float = 0.5
    auto_interval_s: float = 4.0
    train_in_background: bool = False   # True: the caller runs train_now() off its thread after TrainingNeeded
    # Fits a learner on a snapshot of the session's points; None: Session.train in the calling thread. The app
    # passes a ProcessTrainer (core/training.py): a fit in a thread holds the GIL and the audio and keys lag.
    trainer: Callable[[Session], Learner] | None = None
    listeners: list[Callable[[object], None]] = field(default_factory=list)
    follow: bool = False
    muted: bool = False
    auto: bool = False
    pending: list[PendingLabel] = field(default_factory=list)
    _undo: list[tuple[str, int]] = field(default_factory=list)
    _next_auto_jump: float = 0.0
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # -- events ----------------------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[object], None]) -> None:
        self.listeners.append(listener)

    def _emit(self, event: object) -> None:
        for listener in list(self.listeners):
            listener(event)

    # -- jumps -----------------------------------------------------------------------------------------
    def randomize(self) -> dict[str, float]:
        """A jump at the current strength, steered by the learner."""
        with self._lock:
            before = self.session.space.normalize(self.session.current)
            values = self.session.randomize(self.strength)
            moved = np.abs(self.session.space.normalize(values) - before) > CHANGED_THRESHOLD
            self._schedule_auto()
            self._emit(ParamsJumped(dict(values), frozenset(np.array(self.session.space.names)[moved]),
                                    self.strength, self.session.matters()))
            return values

    def set_strength(self, strength: float) -> float:
        with self._lock:
            self.strength = round(float(np.clip(strength, 0.0, 1.0)), 4)
            self._emit(StrengthChanged(self.strength))
            return self.strength

    def nudge_strength(self, steps: int) -> float:
        return self.set_strength(self.strength + steps * STRENGTH_STEP)

    # -- labels ----------------------------------------------------------------------------------------
    def good(self) -> LabelledPoint | None:
        """Swipe right: the current setting, for the current sound, is liked."""
        return self._label(True)

    def bad(self) -> LabelledPoint | None:
        """Swipe left: disliked, and jump away at once."""
        point = self._label(False)
        self.randomize()
        return point

    def _label(self, good: bool) -> LabelledPoint | None:
        with self._lock:
            self.retry_pending()
            descriptors = self.session.descriptors
            params = dict(self.session.current)
            if self.pending:  # keep order: a later label must not overtake one still waiting
                self.pending.append(PendingLabel(descriptors, params, good, "waiting for earlier labels"))
                self._emit(LabelFailed("not saved yet: earlier labels still wait for the disk", len(self.pending)))
                return None
            try:
                point_id = self.session.label(good, train=False, descriptors=descriptors, params=params)
            except DatasetError as exc:
                self.pending.append(PendingLabel(descriptors, params, good, str(exc)))
                self._emit(LabelFailed(f"{exc} — kept in memory, retrying", len(self.pending)))
                return None
            point = self.session.dataset.points[-1]
            assert point.id == point_id
            self._undo.append(("label", point_id))
            self._schedule_auto()
            self._emit(PointLabelled(point))
            self._after_change()
            return point

    def retry_pending(self) -> int:
        """Try to save labels that could not be written; returns how many are still pending."""
        with self._lock:
            while self.pending:
                item = self.pending[0]
                try:
                    point_id = self.session.label(item.good, train=False, descriptors=item.descriptors,
                                                  params=item.params)
                except DatasetError as exc:
                    item.error = str(exc)
                    break
                self.pending.pop(0)
                self._undo.append(("label", point_id))
                self._emit(PointLabelled(self.session.dataset.points[-1]))
                self._after_change()
            return len(self.pending)

    def delete(self, point_id: int) -> LabelledPoint:
        with self._lock:
            point = self.session.delete(point_id, train=False)
            self._undo.append(("delete", point_id))
            self._emit(PointDeleted(point))
            self._after_change()
            return point

    def undo(self) -> object | None:
        """Undo the last label (deletes it) or the last delete (restores it)."""
        with self._lock:
            while self._undo:
                kind, point_id = self._undo.pop()
                try:
                    if kind == "label":
                        event: object = PointDeleted(self.session.delete(point_id, train=False))
                    else:
                        event = PointRestored(self.session.restore(point_id, train=False))
                except KeyError:
                    continue  # already gone another way (e.g. deleted from the table): undo the step before
                self._emit(event)
                self._after_change()
                return event
            self._emit(Noticed("nothing to undo"))
            return None

    # -- training --------------------------------------------------------------------------------------
    @property
    def needs_training(self) -> bool:
        learner = self.session.learner
        return getattr(learner, "point_ids_", None) != [p.id for p in self.session.points]

    def _after_change(self) -> None:
        if self.train_in_background:
            self._emit(TrainingNeeded())
        else:
            self.train_now()

    def train_now(self) -> ModelTrained:
        """Fit on a snapshot of the points and swap the new learner in (call from a worker thread if you like)."""
        started = time.perf_counter()
        learner = self.session.train() if self.trainer is None else self.trainer(self.session)
        self.session.install(learner)  # one reference swap; the dataset stays the truth
        event = ModelTrained(time.perf_counter() - started, learner.n_points_, learner.n_good_)
        self._emit(event)
        return event

    # -- modes -----------------------------------------------------------------------------------------
    def set_follow(self, on: bool) -> bool:
        with self._lock:
            if on and not self.session.learner.has_mapping:
                self._emit(Noticed("follow needs a liked point first: press → on a setting you like", "warning"))
                on = False
            self.follow = on
            if self.engine is not None:
                self.engine.set_follow(on)
            self._emit_modes()
            return on

    def set_muted(self, muted: bool) -> None:
        with self._lock:
            self.muted = muted
            if self.engine is not None:
                self.engine.set_muted(muted)
            self._emit_modes()

    def set_auto(self, on: bool, now: float | None = None) -> None:
        with self._lock:
            self.auto = on
            self._schedule_auto(now)
            self._emit_modes()

    def notice(self, message: str, severity: str = "information") -> None:
        """Tell the player something that happened outside an action (e.g. the training process stopped)."""
        self._emit(Noticed(message, severity))

    def _emit_modes(self) -> None:
        self._emit(ModeChanged(self.follow, self.muted, self.auto))

    def _schedule_auto(self, now: float | None = None) -> None:
        self._next_auto_jump = (time.monotonic() if now is None else now) + self.auto_interval_s

    def tick(self, now: float | None = None) -> bool:
        """Call regularly: in auto mode, jumps when the interval has passed since the last jump or label."""
        now = time.monotonic() if now is None else now
        if self.auto and not self.follow and now >= self._next_auto_jump:
            self.randomize()
            self._schedule_auto(now)
            return True
        return False

    # -- views -----------------------------------------------------------------------------------------
    def like_rate(self, last: int = 20) -> float | None:
        recent = self.session.points[-last:]
        return sum(p.good for p in recent) / len(recent) if recent else None

    def predict_or_none(self) -> dict[str, float] | None:
        try:
            return self.session.predict()
        except ModelNotReadyError:
            return None
