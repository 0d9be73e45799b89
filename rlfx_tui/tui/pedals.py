"""MIDI pedals in the app: MIDI learn (M), and the footer showing a learned pedal beside its key ("→·n60")."""

from __future__ import annotations

from textual.binding import Binding

from rlfx_tui.interop.midi_map import BINDING_IDS
from rlfx_tui.tui.app_base import AppBase
from rlfx_tui.tui.screens.midi_learn import MidiLearnScreen

MIDI_ACTIONS = {binding_id: action for action, binding_id in BINDING_IDS.items()}  # rlfx.good -> good


class PedalKeys(AppBase):
    def get_key_display(self, binding: Binding) -> str:
        """A key as the footer shows it, with its MIDI pedal beside it once one is learned: "→·n60"."""
        shown = super().get_key_display(binding)
        midi = self.midi
        if midi is not None and binding.id:
            trigger = midi.map.get(MIDI_ACTIONS.get(binding.id, ""))
            if trigger is not None:
                return f"{shown}·{trigger.short}"
        return shown

    def action_midi_learn(self) -> None:
        if self.midi is None:
            self.notify(
                "no MIDI input: start with --midi-in PORT (`rlfx-tui devices` lists the MIDI ports)", severity="warning"
            )
            return
        self.push_screen(MidiLearnScreen(self.midi), lambda _: self.refresh_bindings())
