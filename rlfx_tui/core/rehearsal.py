"""Rehearsal: the player's actions, headless. Keys in the TUI and OSC control messages both call these methods,
so every way of saying "good" goes through one code path; tests drive it without a terminal.

Listeners receive events (core/events.py) synchronously, in the calling thread. Actions take an internal lock
(never touched by the audio callback), so a control thread and the UI thread may both act.

A label records what the player hears when the key is pressed: in follow mode the setting the engine plays, not
the last jump. Labels are never silently dropped: if the dataset cannot be written (disk full, read-only), the
label is kept in `pending` (in memory, in order) and retried on every later action and by `retry_pending()`;
`LabelFailed` says so.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from rlfx_tui.core import undo as undoing
from rlfx_tui.core.dataset import LabelledPoint
from rlfx_tui.core.errors import DatasetError, ModelNotReadyError
from rlfx_tui.core.events import (
    LabelFailed,
    LocksChanged,
    ModeChanged,
    ModelTrained,
    Noticed,
    ParamsJumped,
    PointDeleted,
    PointLabelled,
    PointRelabelled,
    PointRestored,
    RehearsalEvent,
    SnapshotSaved,
    StrengthChanged,
    TrainingNeeded,
)
from rlfx_tui.core.history import SettingHistory
from rlfx_tui.core.session import Session
from rlfx_tui.core.snapshots import SnapshotStore

if TYPE_CHECKING:
    from rlfx_tui.core.learner import Learner

__all__ = [
    "EngineControls",
    "LabelFailed",
    "LocksChanged",
    "ModeChanged",
    "ModelTrained",
    "Noticed",
    "ParamsJumped",
    "PendingLabel",
    "PointDeleted",
    "PointLabelled",
    "PointRelabelled",
    "PointRestored",
    "Rehearsal",
    "SnapshotSaved",
    "StrengthChanged",
    "TrainingNeeded",
]

STRENGTH_STEP = 0.05
CHANGED_THRESHOLD = 0.01  # normalised units: smaller moves don't count as "changed by the last jump"
BOUNCE_S = 0.25  # the same label again within this time, on the same setting, is a foot switch bouncing
MATTERS_TO_LOCK = 0.5  # L locks the knobs marked • : those the taste model thinks matter at least this likely


class EngineControls(Protocol):
    """What the rehearsal needs from an audio engine (rlfx_tui.audio.engine.Engine provides it)."""

    def set_muted(self, muted: bool) -> None: ...
    def set_follow(self, on: bool) -> None: ...
    def set_bypass(self, on: bool) -> None: ...
    @property
    def current_params(self) -> dict[str, float]: ...


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
    train_in_background: bool = False  # True: the caller runs train_now() off its thread after TrainingNeeded
    # Fits a learner on a snapshot of the session's points; None: Session.train in the calling thread. The app
    # passes a ProcessTrainer (core/training.py): a fit in a thread holds the GIL and the audio and keys lag.
    trainer: Callable[[Session], Learner] | None = None
    listeners: list[Callable[[RehearsalEvent], None]] = field(default_factory=list)
    clock: Callable[[], float] = time.monotonic
    follow: bool = False
    muted: bool = False
    auto: bool = False
    auto_paused: bool = False  # after a like, auto mode holds that setting until a jump or a again
    bypass: bool = False
    bred_from: int | None = None  # after a recall: jumps move from the setting in force, until the next label
    pending: list[PendingLabel] = field(default_factory=list)
    _undo: list[undoing.Step] = field(default_factory=list)
    _redo: list[undoing.Step] = field(default_factory=list)
    _next_auto_jump: float = 0.0
    _setting_serial: int = 0  # counts settings put in force (but not the jump a ← makes on its own)
    _last_label: tuple[float, bool, int] | None = None  # (when, good, setting serial): to tell a bounce
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self.history = SettingHistory(self.session.current)

    # -- events ----------------------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[RehearsalEvent], None]) -> None:
        self.listeners.append(listener)

    def _emit(self, event: RehearsalEvent) -> None:
        for listener in list(self.listeners):
            listener(event)

    def notice(self, message: str, severity: str = "information") -> None:
        """Tell the player something (a refused action, what undo did, the training process stopped...)."""
        self._emit(Noticed(message, severity))

    # -- settings --------------------------------------------------------------------------------------
    def heard(self) -> dict[str, float]:
        """The setting the player hears now: in follow mode what the engine plays (or, without an engine, the
        mapping's prediction), else the one in force."""
        if self.follow:
            played = getattr(self.engine, "current_params", None)
            if played is not None:
                return dict(played)
            predicted = self.predict_or_none()
            if predicted is not None:
                return predicted
        return dict(self.session.current)

    def randomize(self) -> dict[str, float]:
        """A jump at the current strength, steered by the learner (from the setting in force after a recall)."""
        with self._lock:
            if self.auto_paused:
                self.auto_paused = False
                self._emit_modes()
            return self._jump()

    def _jump(self, by_player: bool = True) -> dict[str, float]:
        before = self.session.space.normalize(self.session.current)
        values = self.session.randomize(self.strength, around_current=self.bred_from is not None)
        self._now_in_force(before, values, "jump", self.bred_from, by_player)
        return values

    def _put(self, values: Mapping[str, float], origin: str, point_id: int | None = None) -> dict[str, float]:
        """Put a setting heard before back in force, exactly (back, forward, recall, undo of a ←)."""
        if self.follow:
            self.set_follow(False)
            self.notice("follow mode off: playing the setting you asked for")
        before = self.session.space.normalize(self.session.current)
        values = self.session.set_current(values)
        self._now_in_force(before, values, origin, point_id)
        return values

    def _now_in_force(
        self, before: np.ndarray, values: dict[str, float], origin: str, point_id: int | None, by_player: bool = True
    ) -> None:
        space = self.session.space
        moved = np.abs(space.normalize(values) - before) > CHANGED_THRESHOLD
        self.session.remember()
        if origin not in ("back", "forward"):
            self.history.heard(values)
        if by_player:
            self._setting_serial += 1
        self._schedule_auto()
        self._emit(
            ParamsJumped(
                dict(values),
                frozenset(np.array(space.names)[moved]),
                self.strength,
                self.session.matters(),
                origin,
                point_id,
            )
        )

    def back(self) -> dict[str, float] | None:
        """The setting heard before this one (backspace), click-free like a jump; None at the oldest kept."""
        with self._lock:
            values = self.history.back()
            if values is None:
                self.notice("no earlier setting")
                return None
            return self._put(values, "back")

    def forward(self) -> dict[str, float] | None:
        """After going back, the setting heard after this one (]); None at the newest."""
        with self._lock:
            values = self.history.forward()
            if values is None:
                self.notice("no later setting: this is the newest")
                return None
            return self._put(values, "forward")

    def recall(self, point_id: int) -> dict[str, float]:
        """Hear a labelled point's setting again; the next jumps move from it ("breed from here")."""
        with self._lock:
            point = self._point(point_id)
            values = self._put(point.params, "recall", point_id)
            self.bred_from = point_id
            return values

    def set_strength(self, strength: float) -> float:
        with self._lock:
            self.strength = round(float(np.clip(strength, 0.0, 1.0)), 4)
            self._emit(StrengthChanged(self.strength))
            return self.strength

    def nudge_strength(self, steps: int) -> float:
        return self.set_strength(self.strength + steps * STRENGTH_STEP)

    # -- locks -----------------------------------------------------------------------------------------
    def lock(self, names: str | Iterable[str], on: bool = True) -> frozenset[str]:
        """Lock knobs at their current values (jumps and the learner's proposals hold them), or unlock them."""
        with self._lock:
            locked = self.session.lock([names] if isinstance(names, str) else names, on)
            self._emit(LocksChanged(locked))
            return locked

    def toggle_lock(self, name: str) -> frozenset[str]:
        return self.lock(name, name not in self.session.locked)

    def lock_mattering(self) -> frozenset[str]:
        """Lock every knob the learner thinks matters for this sound (the ones marked •)."""
        with self._lock:
            matters = self.session.matters() or {}
            names = [n for n, p in matters.items() if p >= MATTERS_TO_LOCK]
            if not names:
                self.notice("no knob is marked • for this sound yet: like a setting first", "warning")
                return self.session.locked
            return self.lock(names)

    # -- keep it ---------------------------------------------------------------------------------------
    def snapshot_name(self) -> str:
        """The name the next snapshot gets unless the player gives one ("snapshot 3")."""
        return SnapshotStore(self.session.directory, self.session.space.names).next_name()

    def save_snapshot(self, name: str | None = None) -> str:
        """Keep the setting heard under a name (s); `rlfx-tui export preset --snapshot NAME` makes it a preset."""
        with self._lock:
            store = SnapshotStore(self.session.directory, self.session.space.names)
            name = name or store.next_name()
            values = self.heard()
            store.save(name, values)
            self._emit(SnapshotSaved(name, values))
            return name

    # -- labels ----------------------------------------------------------------------------------------
    def good(self) -> LabelledPoint | None:
        """Swipe right: the setting heard, for the sound heard, is liked; auto mode holds it."""
        with self._lock:
            _, point = self._label(True)
            if point is not None and self.auto and not self.auto_paused:
                self.auto_paused = True
                self._emit_modes()
            return point

    def bad(self) -> LabelledPoint | None:
        """Swipe left: disliked, and jump away at once (in follow mode the mapping goes on driving instead)."""
        with self._lock:
            taken, point = self._label(False)
            if taken and not self.follow:
                self._jump(by_player=False)
                if point is not None and self._undo and self._undo[-1].point_id == point.id:  # redo comes back here
                    self._undo[-1] = undoing.Step("label", point.id, False, dict(self.session.current))
            return point

    def _label(self, good: bool) -> tuple[bool, LabelledPoint | None]:
        """(taken, the point if it is saved): refused (bypassed, a bounce) is (False, None); kept in memory until
        the disk takes it is (True, None)."""
        if self.bypass:
            self.notice("bypassed: un-bypass (z) to judge the effect", "warning")
            return False, None
        stale = self.session.context_stale()
        if stale is not None:  # no like for nothing: the label would be for a sound nobody plays
            self.notice(f"{undoing.verdict(good)} not recorded: {stale}", "warning")
            return False, None
        now = self.clock()
        if self._last_label is not None:
            when, was_good, serial = self._last_label
            if was_good == good and serial == self._setting_serial and now - when < BOUNCE_S:
                self.notice(
                    f"ignored a second {undoing.verdict(good)} within {BOUNCE_S * 1000:.0f} ms (a bouncing switch?)"
                )
                return False, None
        self._last_label = (now, good, self._setting_serial)
        self.retry_pending()
        descriptors = np.array(self.session.descriptors, dtype=float)
        params = self.heard()
        if self.follow:
            self.history.heard(params)
        if self.pending:  # keep order: a later label must not overtake one still waiting
            self.pending.append(PendingLabel(descriptors, params, good, "waiting for earlier labels"))
            self._emit(LabelFailed("not saved yet: earlier labels still wait for the disk", len(self.pending)))
            return True, None
        try:
            point_id = self.session.label(good, train=False, descriptors=descriptors, params=params)
        except DatasetError as exc:
            self.pending.append(PendingLabel(descriptors, params, good, str(exc)))
            self._emit(LabelFailed(f"{exc} — kept in memory, retrying", len(self.pending)))
            return True, None
        return True, self._labelled(point_id)

    def _labelled(self, point_id: int) -> LabelledPoint:
        point = self.session.dataset.points[-1]
        assert point.id == point_id
        self._did(undoing.Step("label", point_id, point.good))
        self.bred_from = None
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
                    point_id = self.session.label(
                        item.good, train=False, descriptors=item.descriptors, params=item.params
                    )
                except DatasetError as exc:
                    item.error = str(exc)
                    break
                self.pending.pop(0)
                self._labelled(point_id)
            return len(self.pending)

    def flip(self, point_id: int) -> LabelledPoint:
        """Give a point the other label (x): a durable record in the log, undoable."""
        with self._lock:
            point = self.session.relabel(point_id, not self._point(point_id).good, train=False)
            self._did(undoing.Step("flip", point_id, point.good))
            self._emit(PointRelabelled(point))
            self._after_change()
            return point

    def delete(self, point_id: int) -> LabelledPoint:
        with self._lock:
            point = self.session.delete(point_id, train=False)
            self._did(undoing.Step("delete", point_id, point.good))
            self._emit(PointDeleted(point))
            self._after_change()
            return point

    def _point(self, point_id: int) -> LabelledPoint:
        for point in self.session.points:
            if point.id == point_id:
                return point
        raise KeyError(f"no labelled point with id {point_id}")

    # -- undo / redo -----------------------------------------------------------------------------------
    def _did(self, step: undoing.Step) -> None:
        self._undo.append(step)
        self._redo.clear()

    def undo(self) -> PointDeleted | PointRestored | PointRelabelled | None:
        """Undo the last label, delete or flip, and say which; undoing a ← also goes back to the setting that was
        disliked (the key had jumped away from it)."""
        with self._lock:
            while self._undo:
                step = self._undo.pop()
                try:
                    event = undoing.undo(self.session, step)
                except KeyError:
                    continue  # already gone another way (e.g. deleted from the table): undo the step before
                self._emit(event)
                self._redo.append(step)
                if step.kind == "label" and not step.good and not self.follow:
                    self._put(event.point.params, "undo", step.point_id)
                self.notice(f"undid {undoing.describe(step)}")
                self._after_change()
                return event
            self.notice("nothing to undo")
            return None

    def redo(self) -> PointDeleted | PointRestored | PointRelabelled | None:
        """Take the last undone step again (U)."""
        with self._lock:
            while self._redo:
                step = self._redo.pop()
                try:
                    event = undoing.redo(self.session, step)
                except KeyError:
                    continue
                self._emit(event)
                self._undo.append(step)
                if step.after is not None and not self.follow:
                    self._put(step.after, "redo")
                self.notice(f"redid {undoing.describe(step)}")
                self._after_change()
                return event
            self.notice("nothing to redo")
            return None

    # -- training --------------------------------------------------------------------------------------
    @property
    def needs_training(self) -> bool:
        learner = self.session.learner
        trained = (getattr(learner, "point_ids_", None), getattr(learner, "good_", np.zeros(0)).tolist())
        return trained != ([p.id for p in self.session.points], [p.good for p in self.session.points])

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
        event = ModelTrained(
            time.perf_counter() - started, learner.n_points_, learner.n_good_, getattr(learner, "mapping_error_", None)
        )
        self._emit(event)
        return event

    # -- modes -----------------------------------------------------------------------------------------
    def set_follow(self, on: bool) -> bool:
        with self._lock:
            if on and not self.session.learner.has_mapping:
                self.notice("follow needs a liked point first: press → on a setting you like", "warning")
                on = False
            if self.follow and not on:  # keep playing what follow mode played: no jump when it stops
                self.session.set_current(self.heard())
                self.session.remember()
                self.history.heard(self.session.current)
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

    def set_bypass(self, on: bool) -> None:
        """Hear the dry input (through the same safety stage), to compare; labels wait until it is off again."""
        with self._lock:
            self.bypass = on
            if self.engine is not None:
                self.engine.set_bypass(on)
            self._emit_modes()

    def set_auto(self, on: bool, now: float | None = None) -> None:
        with self._lock:
            self.auto = on
            self.auto_paused = False
            self._schedule_auto(now)
            self._emit_modes()

    def _emit_modes(self) -> None:
        self._emit(ModeChanged(self.follow, self.muted, self.auto, self.bypass, self.auto_paused))

    def _schedule_auto(self, now: float | None = None) -> None:
        self._next_auto_jump = (time.monotonic() if now is None else now) + self.auto_interval_s

    def tick(self, now: float | None = None) -> bool:
        """Call regularly: in auto mode, jumps when the interval has passed since the last jump or label, unless
        it holds a liked setting."""
        now = time.monotonic() if now is None else now
        if self.auto and not self.auto_paused and not self.follow and now >= self._next_auto_jump:
            with self._lock:
                self._jump()
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
