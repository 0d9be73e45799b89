"""The rehearsal's actions on points: a like or a dislike of what is heard, a flip, a delete, and their undo and
redo, then a retrain. Kept apart from the actions on settings (rehearsal_settings.py) because this is where a
press becomes a durable record, with the guards that decide whether it may: bypass, a stale context, a bounce.

A label records what the player hears when the key is pressed: in follow mode the setting the engine plays, not
the last jump. Labels are never silently dropped: if the dataset cannot be written (disk full, read-only), the
label is kept in `pending` (in memory, in order) and retried on every later action and by `retry_pending()`;
`LabelFailed` says so.
"""

from __future__ import annotations

import time

import numpy as np

from rlfx_tui.core import undo as undoing
from rlfx_tui.core.dataset import LabelledPoint
from rlfx_tui.core.errors import DatasetError
from rlfx_tui.core.events import (
    LabelFailed,
    ModelTrained,
    PointDeleted,
    PointLabelled,
    PointRelabelled,
    PointRestored,
    TrainingNeeded,
)
from rlfx_tui.core.rehearsal_state import PendingLabel, RehearsalState

BOUNCE_S = 0.25  # the same label again within this time, on the same setting, is a foot switch bouncing


class PointActions(RehearsalState):
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
