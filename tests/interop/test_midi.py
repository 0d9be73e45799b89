"""MIDI in on real ports: a virtual JACK MIDI pedal on a private real-time JACK dummy server, opened by name as
hardware would be; its presses call the Rehearsal's actions as the keys do."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import mido
import pytest

from rlfx_tui.core import events as ev
from rlfx_tui.core.errors import RlfxError
from rlfx_tui.core.rehearsal import Rehearsal
from rlfx_tui.core.session import Session
from rlfx_tui.interop.midi import MidiIn, find_midi_input, list_midi
from rlfx_tui.interop.midi_map import MidiMap, MidiTrigger
from tests.midi_pedal import Pedal, midi_jack_server
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.jack


@pytest.fixture
def pedal() -> Iterator[Pedal]:
    with midi_jack_server() as server:
        pedal = Pedal(server, "pedal")
        try:
            yield pedal
        finally:
            pedal.close()


def test_ports_are_found_by_part_of_their_name_and_a_missing_one_lists_them(pedal: Pedal) -> None:
    port = find_midi_input("RLFXPEDAL")  # case-insensitive
    assert port.name == pedal.name and port.api == "UNIX_JACK" and port.label == f"{pedal.name} (JACK)"
    with pytest.raises(RlfxError) as caught:
        find_midi_input("FCB1010")
    message = str(caught.value)
    assert message.startswith("--midi-in FCB1010: no MIDI input port matching 'FCB1010'; MIDI inputs: ")
    assert f"{pedal.name} (JACK)" in message and "\n" not in message
    assert f"  {pedal.name} (JACK)" in list_midi()


def test_the_command_exits_2_naming_the_ports(pedal: Pedal, tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "rlfx_tui", "--midi-in", "FCB1010", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert out.returncode == 2
    assert out.stderr.splitlines() == [
        f"rlfx-tui: error: --midi-in FCB1010: no MIDI input port matching 'FCB1010'; "
        f"MIDI inputs: {pedal.name} (JACK) (`rlfx-tui devices` lists them)"
    ]
    devices = subprocess.run(
        [sys.executable, "-m", "rlfx_tui", "devices"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert f"  {pedal.name} (JACK)" in devices.stdout and devices.stderr == ""


def test_pedal_presses_call_the_rehearsals_actions(pedal: Pedal, tmp_data_dir: Path) -> None:
    session = Session(data_dir=tmp_data_dir, seed=0)
    rehearsal = Rehearsal(session, train_in_background=True)
    seen: list[ev.RehearsalEvent] = []
    rehearsal.subscribe(seen.append)
    midi_map = MidiMap(
        {
            "good": MidiTrigger("note", 60),
            "bad": MidiTrigger("cc", 81),
            "jump": MidiTrigger("program", 3),
            "strength": MidiTrigger("cc", 7),
            "follow": MidiTrigger("note", 62),
        }
    )
    midi = MidiIn(rehearsal, find_midi_input(pedal.name), midi_map)
    try:
        assert wait_for(pedal.connected, 5)
        received = midi.counters.received
        # handshake: an unbound CC until one arrives (the connection is up), then every message is awaited
        pedal.send(mido.Message("control_change", control=119, value=0), lambda: midi.counters.received > received)

        def send(message: mido.Message) -> None:
            before = midi.counters.received
            pedal.send(message, lambda: midi.counters.received > before)

        send(mido.Message("note_on", note=60, velocity=100))
        assert [p.good for p in session.points] == [True]
        send(mido.Message("note_off", note=60))  # the release does nothing
        send(mido.Message("note_on", note=60, velocity=0))  # nor a note-on at velocity 0
        assert len(session.points) == 1
        send(mido.Message("control_change", control=81, value=127))
        send(mido.Message("control_change", control=81, value=0))
        assert [p.good for p in session.points] == [True, False]
        before = dict(session.current)
        send(mido.Message("program_change", program=3))
        assert session.current != before
        send(mido.Message("control_change", control=7, value=127))
        assert rehearsal.strength == 1.0
        send(mido.Message("control_change", control=7, value=0))
        assert rehearsal.strength == 0.0
        send(mido.Message("note_on", note=62, velocity=127))  # follow without a mapping: said, not raised
        assert any(isinstance(e, ev.Noticed) and "follow needs" in e.message for e in seen)
        assert midi.counters.failed == 0 and midi.counters.handled == 6
    finally:
        midi.stop()
    assert [p.good for p in Session(data_dir=tmp_data_dir).points] == [True, False]


def test_an_adopted_preset_takes_the_pedals_with_it(pedal: Pedal, tmp_path: Path) -> None:
    """The app adopts a preset a patch declared (a new session and rehearsal): the same MIDI input acts on it."""
    first = Rehearsal(Session(data_dir=tmp_path / "first", seed=0), train_in_background=True)
    second = Rehearsal(Session(data_dir=tmp_path / "second", seed=0), train_in_background=True)
    midi = MidiIn(first, find_midi_input(pedal.name), MidiMap({"good": MidiTrigger("note", 60)}))
    try:
        assert wait_for(pedal.connected, 5)
        received = midi.counters.received
        pedal.send(mido.Message("control_change", control=119, value=0), lambda: midi.counters.received > received)
        midi.use(second)
        before = midi.counters.received
        pedal.send(mido.Message("note_on", note=60, velocity=127), lambda: midi.counters.received > before)
    finally:
        midi.stop()
    assert not first.session.points and [p.good for p in second.session.points] == [True]
