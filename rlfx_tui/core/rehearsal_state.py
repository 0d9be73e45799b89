"""What a rehearsal holds and what every group of its actions shares: the setting in force and how it got there,
the modes (follow, mute, bypass, auto), the listeners and the lock. The actions on points (rehearsal_points.py)
and on settings (rehearsal_settings.py) build on this; `Rehearsal` (rehearsal.py) is the one class users see.

Listeners receive events (core/events.py) synchronously, in the calling thread. Actions take an internal lock
(never touched by the audio callback), so a control thread and the UI thread may both act.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from rlfx_tui.core import undo as undoing
from rlfx_tui.core.dataset import LabelledPoint
from rlfx_tui.core.errors import ModelNotReadyError
from rlfx_tui.core.events import ModeChanged, Noticed, ParamsJumped, RehearsalEvent
from rlfx_tui.core.history import SettingHistory
from rlfx_tui.core.session import Session

if TYPE_CHECKING:
    from rlfx_tui.core.learner import Learner

CHANGED_THRESHOLD = 0.01  # normalised units: smaller moves don't count as "changed by the last jump"


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
class RehearsalState:
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

    # -- the setting in force --------------------------------------------------------------------------
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

    def predict_or_none(self) -> dict[str, float] | None:
        try:
            return self.session.predict()
        except ModelNotReadyError:
            return None

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

    def _point(self, point_id: int) -> LabelledPoint:
        for point in self.session.points:
            if point.id == point_id:
                return point
        raise KeyError(f"no labelled point with id {point_id}")

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
