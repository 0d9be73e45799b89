"""midi.toml: what each pedal does, press-only switches, a CC for strength; no port needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from rlfx_tui.core.errors import RlfxError
from rlfx_tui.interop.midi_map import MidiEvent, MidiMap, MidiTrigger


def test_triggers_parse_and_print() -> None:
    assert MidiTrigger.parse("note 60") == MidiTrigger("note", 60)
    assert MidiTrigger.parse("CC 7 ch 2") == MidiTrigger("cc", 7, 2)
    assert str(MidiTrigger("program", 3, 16)) == "program 3 ch 16" and MidiTrigger("cc", 81).short == "cc81"
    for bad in ("note", "note 128", "cc 7 ch 17", "pitch 3", "note sixty", "cc 7 on 2"):
        with pytest.raises(ValueError):
            MidiTrigger.parse(bad)


def test_switches_act_on_the_press_only_and_strength_on_every_value() -> None:
    midi = MidiMap(
        {
            "good": MidiTrigger("note", 60),
            "bad": MidiTrigger("cc", 81),
            "jump": MidiTrigger("program", 3),
            "mute": MidiTrigger("cc", 82, 2),
            "strength": MidiTrigger("cc", 7),
        }
    )
    assert midi.decide(MidiEvent("note", 1, 60, 100)) == ("good", None)
    assert midi.decide(MidiEvent("note", 1, 60, 0)) is None  # note off / release
    assert midi.decide(MidiEvent("note", 1, 60, 63)) is None  # below 64 is not a press
    assert midi.decide(MidiEvent("cc", 5, 81, 64)) == ("bad", None)  # any channel
    assert midi.decide(MidiEvent("cc", 5, 81, 0)) is None
    assert midi.decide(MidiEvent("program", 1, 3, 127)) == ("jump", None)
    assert midi.decide(MidiEvent("cc", 1, 82, 127)) is None and midi.decide(MidiEvent("cc", 2, 82, 127)) == (
        "mute",
        None,
    )  # only on its channel
    assert midi.decide(MidiEvent("cc", 1, 7, 0)) == ("strength", 0.0)
    assert midi.decide(MidiEvent("cc", 1, 7, 127)) == ("strength", 1.0)
    assert midi.decide(MidiEvent("note", 1, 61, 127)) is None  # unbound


def test_a_trigger_moves_between_actions_and_the_file_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "midi.toml"
    midi = MidiMap.load(path)
    assert list(midi) == []
    midi.set("bad", MidiTrigger("note", 60))
    assert midi.set("good", MidiTrigger("note", 60)) == "bad"  # one action per pedal
    midi.set("strength", MidiTrigger("cc", 7, 3))
    midi.save(path)
    again = MidiMap.load(path)
    assert list(again) == [("good", MidiTrigger("note", 60)), ("strength", MidiTrigger("cc", 7, 3))]
    assert 'good = "note 60"' in path.read_text()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('goood = "note 60"', "'goood' is not a MIDI action; known: good, bad"),
        ("good = 60", 'good: expected a string such as "note 60"'),
        ('good = "note 200"', "good: 'note 200': the number must be 0-127"),
        ('good = "note 60"\nbad = "note 60"', "note 60 is given to two actions"),
        ("good = ", "not a valid TOML MIDI map"),
    ],
)
def test_a_bad_map_is_one_line_naming_the_file(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "midi.toml"
    path.write_text(text)
    with pytest.raises(RlfxError) as caught:
        MidiMap.load(path)
    assert str(caught.value).startswith(f"{path}: ") and says in str(caught.value), caught.value
