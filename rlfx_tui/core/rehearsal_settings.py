"""The rehearsal's actions on settings: a jump at a strength, back and forward through what was heard, the recall
of a point to breed from, knob locks and snapshots. None of them writes a label; they choose what is heard next
(the actions on points are in rehearsal_points.py)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from rlfx_tui.core.events import LocksChanged, SnapshotSaved, StrengthChanged
from rlfx_tui.core.rehearsal_state import RehearsalState
from rlfx_tui.core.snapshots import SnapshotStore

STRENGTH_STEP = 0.05
MATTERS_TO_LOCK = 0.5  # L locks the knobs marked • : those the taste model thinks matter at least this likely


class SettingActions(RehearsalState):
    # -- jumps and history -----------------------------------------------------------------------------
    def randomize(self) -> dict[str, float]:
        """A jump at the current strength, steered by the learner (from the setting in force after a recall)."""
        with self._lock:
            if self.auto_paused:
                self.auto_paused = False
                self._emit_modes()
            return self._jump()

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
