"""MIDI learn (shift+m): "press the pedal for: good", then bad, jump... each stored in midi.toml as it arrives.

The MIDI input hands every message to this screen while it is open (none acts); they come from rtmidi's thread
and are posted here as MidiArrived. A switch is learned from its press (a release is ignored), strength from a
CC (a knob or an expression pedal); the pedal just learned is ignored until another one arrives, so a bounce or
its release never binds the next action too.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from rlfx_tui.interop.midi_map import ACTIONS, MidiEvent, MidiTrigger


class MidiArrived(Message):
    def __init__(self, event: MidiEvent) -> None:
        super().__init__()
        self.event = event


class MidiLearnScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "done", key_display="esc"),
        Binding("tab,down", "move(1)", "skip"),
        Binding("shift+tab,up", "move(-1)", "back"),
        Binding("delete,backspace", "forget", "forget"),
    ]

    def __init__(self, midi: Any, action: str = "good") -> None:  # midi: an interop.midi.MidiIn
        super().__init__()
        self.midi = midi
        self.index = ACTIONS.index(action)
        self.last: MidiTrigger | None = None
        self.said = ""

    @property
    def action(self) -> str:
        return ACTIONS[self.index]

    def compose(self) -> ComposeResult:
        with Vertical(id="midi-learn") as box:
            box.border_title = f"MIDI learn · {self.midi.port_name}"
            box.border_subtitle = "tab skip · shift+tab back · delete forget · esc done"
            yield Static(id="midi-prompt")
            yield Static(id="midi-said")
            yield Static(id="midi-map")

    def on_mount(self) -> None:
        self.midi.learn(self._arrived)
        self.show()

    def on_unmount(self) -> None:
        self.midi.learn(None)

    def _arrived(self, event: MidiEvent) -> None:  # rtmidi's thread: only post
        self.post_message(MidiArrived(event))

    def on_midi_arrived(self, message: MidiArrived) -> None:
        event = message.event
        trigger = MidiTrigger.of(event)
        if trigger == self.last:
            return  # the pedal just learned: its release, a bounce, the knob still turning
        if self.action == "strength":
            if event.kind != "cc":
                self.say(f"{trigger} is a switch: strength needs a knob or expression pedal (a CC)")
                return
        elif not event.pressed:
            return  # a release (or a knob resting low): a switch is learned from its press
        moved = self.midi.map.set(self.action, trigger)
        self.last = trigger
        try:
            path = self.midi.map.save()
        except OSError as exc:
            self.say(f"{self.action} ← {trigger}, but midi.toml could not be written ({exc.strerror})")
        else:
            self.say(f"{self.action} ← {trigger}" + (f" (taken from {moved})" if moved else "") + f", in {path}")
        self.app.refresh_bindings()
        if self.index == len(ACTIONS) - 1:
            self.dismiss()
            return
        self.index += 1
        self.show()

    def action_move(self, steps: int) -> None:
        self.index = (self.index + steps) % len(ACTIONS)
        self.last = None
        self.show()

    def action_forget(self) -> None:
        self.midi.map.clear(self.action)
        try:
            self.midi.map.save()
        except OSError as exc:
            self.say(f"midi.toml could not be written ({exc.strerror})")
        else:
            self.say(f"{self.action} has no pedal now")
        self.app.refresh_bindings()
        self.show()

    def say(self, text: str) -> None:
        self.said = text
        self.query_one("#midi-said", Static).update(text)

    def show(self) -> None:
        what = (
            "turn the knob or pedal for: strength"
            if self.action == "strength"
            else f"press the pedal for: {self.action}"
        )
        self.query_one("#midi-prompt", Static).update(f"[b]{what}[/b]")
        rows = []
        for action in ACTIONS:
            trigger = self.midi.map.get(action)
            mark = "▶" if action == self.action else " "
            rows.append(f"{mark} {action:<9} {trigger if trigger is not None else '–'}")
        self.query_one("#midi-map", Static).update("\n".join(rows))
