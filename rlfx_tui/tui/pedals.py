"""MIDI pedals in the app: MIDI learn (M), and the footer showing a learned pedal beside its key ("→·n60").

The pedals go in the footer only while the whole footer still fits the terminal's width: at 80 columns, three
learned pedals would push "? help" and "q quit" off the edge. Then the footer shows the keys alone, as without
MIDI, and the help (?) lists every pedal beside its key. It is all pedals or none, so the footer never says a
pedal is learned for one action and keeps quiet about another.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual import events
from textual.binding import Binding

from rlfx_tui.interop.midi_map import BINDING_IDS
from rlfx_tui.tui.app_base import AppBase
from rlfx_tui.tui.screens.midi_learn import MidiLearnScreen

MIDI_ACTIONS = {binding_id: action for action, binding_id in BINDING_IDS.items()}  # rlfx.good -> good


def footer_width(entries: Sequence[tuple[str, str]]) -> int:
    """Columns a compact footer takes for (key shown, description) entries: "key description", one space apart."""
    return sum(cell_len(key) + 1 + cell_len(description) for key, description in entries) + max(len(entries) - 1, 0)


class PedalKeys(AppBase):
    def get_key_display(self, binding: Binding) -> str:
        """A key as the footer shows it, with its MIDI pedal beside it once one is learned ("→·n60"), if the
        footer has room for every pedal it would show."""
        shown = super().get_key_display(binding)
        pedal = self._pedal(binding)
        if pedal is not None and self._pedals_fit():
            return f"{shown}·{pedal}"
        return shown

    def _pedal(self, binding: Binding) -> str | None:
        """The learned pedal of a binding, short ("n60"), or None."""
        midi = self.midi
        if midi is None or not binding.id:
            return None
        trigger = midi.map.get(MIDI_ACTIONS.get(binding.id, ""))
        return trigger.short if trigger is not None else None

    def _pedals_fit(self) -> bool:
        """Whether the footer, with every pedal beside its key, fits the terminal's width."""
        shown: dict[str, Binding] = {}  # the footer shows one entry per action: its first binding
        for active in self.screen.active_bindings.values():
            if active.binding.show:
                shown.setdefault(active.binding.action, active.binding)
        entries = []
        for binding in shown.values():
            key = super().get_key_display(binding)
            pedal = self._pedal(binding)
            entries.append((key if pedal is None else f"{key}·{pedal}", binding.description))
        return footer_width(entries) <= self.size.width

    def on_resize(self, event: events.Resize) -> None:
        if self.midi is not None:  # room for the pedals may have come or gone: the footer asks again
            self.call_later(self.refresh_bindings)

    def action_midi_learn(self) -> None:
        if self.midi is None:
            self.notify(
                "no MIDI input: start with --midi-in PORT (`rlfx-tui devices` lists the MIDI ports)", severity="warning"
            )
            return
        self.push_screen(MidiLearnScreen(self.midi), lambda _: self.refresh_bindings())
