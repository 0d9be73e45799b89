"""The keys' actions that hand straight over to the Rehearsal (through `act`, so a refusal is a notice), plus the
two that need a screen first: a point selected in the table, a name for a snapshot. Follow mode is in
training_worker.py (it may wait for a fit), quitting in quitting.py, MIDI learn in pedals.py."""

from __future__ import annotations

from textual import work

from rlfx_tui.tui.app_base import AppBase
from rlfx_tui.tui.screens.snapshot import SnapshotNameScreen


class PlayerActions(AppBase):
    # -- settings --------------------------------------------------------------------------------------
    def action_randomize(self) -> None:
        self.act(self.rehearsal.randomize)

    def action_nudge_strength(self, steps: int) -> None:
        self.act(self.rehearsal.nudge_strength, steps)

    def action_set_strength(self, strength: float) -> None:
        self.act(self.rehearsal.set_strength, strength)

    def action_previous_setting(self) -> None:  # not action_back: App has one (screen navigation)
        self.act(self.rehearsal.back)

    def action_next_setting(self) -> None:
        self.act(self.rehearsal.forward)

    def action_toggle_lock(self) -> None:
        assert self.main is not None
        self.act(self.rehearsal.toggle_lock, self.main.selected_param())

    def action_lock_mattering(self) -> None:
        self.act(self.rehearsal.lock_mattering)

    def action_save_snapshot(self) -> None:
        self.push_screen(SnapshotNameScreen(self.act(self.rehearsal.snapshot_name) or ""), self._save_snapshot)

    def _save_snapshot(self, name: str | None) -> None:
        if name:
            self.act(self.rehearsal.save_snapshot, name)

    # -- modes -----------------------------------------------------------------------------------------
    def action_toggle_auto(self) -> None:
        self.act(self.rehearsal.set_auto, not self.rehearsal.auto)

    def action_toggle_mute(self) -> None:
        self.act(self.rehearsal.set_muted, not self.rehearsal.muted)

    def action_toggle_bypass(self) -> None:
        self.act(self.rehearsal.set_bypass, not self.rehearsal.bypass)

    # -- labels and points -----------------------------------------------------------------------------
    def action_good(self) -> None:
        self.act(self.rehearsal.good)

    def action_bad(self) -> None:
        self.act(self.rehearsal.bad)

    def action_undo(self) -> None:
        self.act(self.rehearsal.undo)

    def action_redo(self) -> None:
        self.act(self.rehearsal.redo)

    def _selected_point(self) -> int | None:
        assert self.main is not None
        point_id = self.main.selected_point_id()
        if point_id is None:
            self.notify("no point selected: label one first (→ or ←)", severity="warning")
        return point_id

    def action_recall(self) -> None:
        point_id = self._selected_point()
        if point_id is not None:
            self.act(self.rehearsal.recall, point_id)

    def action_flip_point(self) -> None:
        point_id = self._selected_point()
        if point_id is not None:
            self.act(self.rehearsal.flip, point_id)

    def action_delete_point(self) -> None:
        point_id = self._selected_point()
        if point_id is not None:
            self.act(self.rehearsal.delete, point_id)

    # -- the engine ------------------------------------------------------------------------------------
    def action_restart_audio(self) -> None:
        if self.engine is None:
            self.notify("no audio engine in this session", severity="warning")
            return
        self.notify("restarting the audio engine…")
        self._restart_audio()

    @work(thread=True, exclusive=True, exit_on_error=False, group="audio", name="restart audio")
    def _restart_audio(self) -> None:
        """Opening devices may block: off the UI thread. The engine says how it went in its status message."""
        if self.engine is not None:
            self.engine.restart()
