"""What a MIDI controller's pedals and knobs do: `midi.toml` in the data dir, one action per line.

    good = "note 60"        # a foot switch sending notes: acts when pressed (velocity >= 64), release ignored
    bad = "cc 81"           # a switch sending a CC: acts at values >= 64 (the press), release (0) ignored
    jump = "program 3"      # a program change acts at once
    mute = "cc 82 ch 2"     # only on MIDI channel 2 (1-16; without it, any channel)
    strength = "cc 7"       # a knob or expression pedal: 0-127 sets the strength 0-100 %

No mido here (the app shows and edits the map; rlfx_tui/interop/midi.py reads the port). A message is reduced to
`(type, channel, number, value)` before it meets the map, so the map is tested without a port.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple

from rlfx_tui.core.errors import RlfxError

MIDI_MAP_FILE = "midi.toml"
PRESS = 64  # a switch's value (note velocity, CC value) at or above this is a press; below, a release
SWITCHES = ("good", "bad", "jump", "back", "undo", "auto", "follow", "mute")
ACTIONS = (*SWITCHES, "strength")
BINDING_IDS = {
    "good": "rlfx.good",
    "bad": "rlfx.bad",
    "jump": "rlfx.jump",
    "back": "rlfx.back",
    "undo": "rlfx.undo",
    "auto": "rlfx.auto",
    "follow": "rlfx.follow",
    "mute": "rlfx.mute",
}
KINDS = {"note": "note", "cc": "cc", "program": "program"}
SHORT = {"note": "n", "cc": "cc", "program": "pc"}

Kind = Literal["note", "cc", "program"]


class MidiEvent(NamedTuple):
    """One incoming message, reduced: type is "note", "cc" or "program"; channel 1-16; value 0-127 (a note's
    velocity, 0 for note off; a program change's is 127)."""

    kind: Kind
    channel: int
    number: int
    value: int

    @property
    def pressed(self) -> bool:
        return self.value >= PRESS


@dataclass(frozen=True)
class MidiTrigger:
    kind: Kind
    number: int
    channel: int | None = None  # None: any channel

    def matches(self, event: MidiEvent) -> bool:
        return (
            event.kind == self.kind
            and event.number == self.number
            and (self.channel is None or self.channel == event.channel)
        )

    def __str__(self) -> str:
        return f"{self.kind} {self.number}" + (f" ch {self.channel}" if self.channel is not None else "")

    @property
    def short(self) -> str:
        """For the footer: n60, cc81, pc3."""
        return f"{SHORT[self.kind]}{self.number}"

    @classmethod
    def of(cls, event: MidiEvent) -> MidiTrigger:
        """What MIDI learn stores: the message's kind and number, on any channel."""
        return cls(event.kind, event.number)

    @classmethod
    def parse(cls, text: str) -> MidiTrigger:
        """ "note 60", "cc 7", "program 3", optionally followed by "ch N"; ValueError says what is wrong."""
        words = text.lower().split()
        if len(words) not in (2, 4) or words[0] not in KINDS or (len(words) == 4 and words[2] != "ch"):
            raise ValueError(f'expected "note N", "cc N" or "program N" (then optionally "ch 1-16"), got {text!r}')
        try:
            number = int(words[1])
            channel = int(words[3]) if len(words) == 4 else None
        except ValueError:
            raise ValueError(f"expected whole numbers in {text!r}") from None
        if not 0 <= number <= 127:
            raise ValueError(f"{text!r}: the number must be 0-127")
        if channel is not None and not 1 <= channel <= 16:
            raise ValueError(f"{text!r}: the channel must be 1-16")
        kind: Kind = "note" if words[0] == "note" else "cc" if words[0] == "cc" else "program"
        return cls(kind, number, channel)


@dataclass
class MidiMap:
    """{action: trigger}; one trigger per action and one action per trigger (setting a trigger takes it from
    whichever action had it)."""

    bindings: dict[str, MidiTrigger] = field(default_factory=dict)
    path: Path | None = None

    def __iter__(self) -> Iterator[tuple[str, MidiTrigger]]:
        return iter(sorted(self.bindings.items(), key=lambda item: ACTIONS.index(item[0])))

    def get(self, action: str) -> MidiTrigger | None:
        return self.bindings.get(action)

    def set(self, action: str, trigger: MidiTrigger) -> str | None:
        """Bind; returns the action that had this trigger before (now unbound), if any."""
        if action not in ACTIONS:
            raise ValueError(f"{action!r} is not a MIDI action; known: {', '.join(ACTIONS)}")
        previous = next((a for a, t in self.bindings.items() if t == trigger and a != action), None)
        if previous is not None:
            del self.bindings[previous]
        self.bindings[action] = trigger
        return previous

    def clear(self, action: str) -> None:
        self.bindings.pop(action, None)

    def decide(self, event: MidiEvent) -> tuple[str, float | None] | None:
        """(action, strength 0-1 for "strength", else None) for a message, or None: unbound, or a release."""
        for action, trigger in list(self.bindings.items()):  # MIDI learn may change it from the UI thread
            if trigger.matches(event):
                if action == "strength":
                    return action, event.value / 127.0
                return (action, None) if event.pressed else None
        return None

    # -- the file ------------------------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path) -> MidiMap:
        """The map in `path` (empty if there is no file); a bad file is an RlfxError naming the file and key."""
        if not path.exists():
            return cls(path=path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise RlfxError(f"{path}: cannot read the MIDI map ({exc.strerror})") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise RlfxError(f"{path}: not a valid TOML MIDI map ({exc})") from None
        midi = cls(path=path)
        for action, text in data.items():
            if action not in ACTIONS:
                raise RlfxError(f"{path}: {action!r} is not a MIDI action; known: {', '.join(ACTIONS)}")
            if not isinstance(text, str):
                raise RlfxError(f'{path}: {action}: expected a string such as "note 60", got {text!r}')
            try:
                trigger = MidiTrigger.parse(text)
            except ValueError as exc:
                raise RlfxError(f"{path}: {action}: {exc}") from None
            if midi.set(action, trigger) is not None:
                raise RlfxError(f"{path}: {trigger} is given to two actions")
        return midi

    def save(self, path: Path | None = None) -> Path:
        """Write the map (atomically: a crash leaves the old file or the new one)."""
        target = path or self.path
        if target is None:
            raise ValueError("no path to save the MIDI map to")
        lines = [
            "# rlfx-tui MIDI map (MIDI learn writes it: shift+m in the app). A switch acts when pressed",
            "# (value >= 64); strength takes a CC's 0-127 as 0-100 %.",
        ]
        lines += [f'{action} = "{trigger}"' for action, trigger in self]
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
        self.path = target
        return target
