"""Rehearsal: the player's actions, headless. Keys in the TUI and OSC control messages both call these methods,
so every way of saying "good" goes through one code path; tests drive it without a terminal.

`Rehearsal` is the one class its users import. Its actions come in two groups, each in its own module so neither
outgrows a read: on points (rehearsal_points.py: labels, flip, delete, undo/redo, retraining) and on settings
(rehearsal_settings.py: jumps, back/forward, recall, locks, snapshots), over the state and modes they share
(rehearsal_state.py).

Listeners receive events (core/events.py) synchronously, in the calling thread. Actions take an internal lock
(never touched by the audio callback), so a control thread and the UI thread may both act. Labels are never
silently dropped (see rehearsal_points.py).
"""

from __future__ import annotations

from dataclasses import dataclass

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
    SnapshotSaved,
    StrengthChanged,
    TrainingNeeded,
)
from rlfx_tui.core.rehearsal_points import BOUNCE_S as BOUNCE_S
from rlfx_tui.core.rehearsal_points import PointActions
from rlfx_tui.core.rehearsal_settings import MATTERS_TO_LOCK as MATTERS_TO_LOCK
from rlfx_tui.core.rehearsal_settings import STRENGTH_STEP as STRENGTH_STEP
from rlfx_tui.core.rehearsal_settings import SettingActions
from rlfx_tui.core.rehearsal_state import CHANGED_THRESHOLD as CHANGED_THRESHOLD
from rlfx_tui.core.rehearsal_state import EngineControls, PendingLabel

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


@dataclass
class Rehearsal(PointActions, SettingActions):
    """A rehearsal over one session: `Rehearsal(session, engine, ...)`, then the player's actions as methods."""

    # -- views -----------------------------------------------------------------------------------------
    def like_rate(self, last: int = 20) -> float | None:
        recent = self.session.points[-last:]
        return sum(p.good for p in recent) / len(recent) if recent else None
