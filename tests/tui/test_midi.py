"""A MIDI pedal in the app (Pilot): a virtual JACK MIDI port, learned with shift+m, labels good and bad and jumps;
the footer and help show the pedal beside the key; the map survives a restart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import mido
import pytest

from rlfx_tui.core.rehearsal import Rehearsal
from rlfx_tui.core.session import Session
from rlfx_tui.interop.midi import MidiIn, find_midi_input
from rlfx_tui.interop.midi_map import MIDI_MAP_FILE, MidiMap, MidiTrigger
from rlfx_tui.tui.app import make_app
from rlfx_tui.tui.format import frozen_clock
from rlfx_tui.tui.keys import PLAYER_KEYS
from rlfx_tui.tui.screens.help import HelpScreen
from rlfx_tui.tui.screens.midi_learn import MidiLearnScreen
from tests.midi_pedal import Pedal, midi_jack_server
from tests.tui.conftest import FROZEN, labels_on_disk, notices, screen_text, settle, until
from tests.waiting import wait_for

pytestmark = pytest.mark.jack
GOOD = next(b for b in PLAYER_KEYS if b.id == "rlfx.good")


@pytest.fixture
def pedal() -> Iterator[Pedal]:
    with midi_jack_server() as server:
        pedal = Pedal(server, "fcb")
        try:
            yield pedal
        finally:
            pedal.close()


def open_app(data_dir: Path, pedal: Pedal):  # noqa: ANN201
    session = Session(data_dir=data_dir, seed=0)
    rehearsal = Rehearsal(session, train_in_background=True)
    midi = MidiIn(rehearsal, find_midi_input("fcb"), MidiMap.load(data_dir / MIDI_MAP_FILE))
    assert wait_for(pedal.connected, 5)
    app = make_app(session, rehearsal, clock=frozen_clock(FROZEN), poll_interval=None, midi=midi)
    return app, midi


def sender(pedal: Pedal, midi: MidiIn):  # noqa: ANN201
    """Send one message and wait until the app's MIDI input has dealt with it (sent again only if it never came)."""

    def send(message: mido.Message) -> None:
        before = midi.counters.received
        pedal.send(message, lambda: midi.counters.received > before)

    send(mido.Message("control_change", control=119, value=0))  # handshake: the connection is up
    return send


async def test_midi_learn_then_the_pedal_labels_and_the_map_survives_a_restart(pedal: Pedal, data_dir: Path) -> None:
    app, midi = open_app(data_dir, pedal)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            send = sender(pedal, midi)
            send(mido.Message("note_on", note=60, velocity=100))  # no map yet: nothing happens
            assert not app.session.points
            await pilot.press("M")
            await until(pilot, lambda: isinstance(app.screen, MidiLearnScreen))
            learn = app.screen
            assert "press the pedal for: good" in str(learn.query_one("#midi-prompt").render())
            send(mido.Message("note_on", note=60, velocity=100))
            await until(pilot, lambda: learn.action == "bad")
            send(mido.Message("note_off", note=60))  # its release, then a bounce: neither is bad's pedal
            send(mido.Message("note_on", note=60, velocity=100))
            send(mido.Message("control_change", control=81, value=127))
            await until(pilot, lambda: learn.action == "jump")
            send(mido.Message("control_change", control=81, value=0))
            send(mido.Message("program_change", program=3))
            await until(pilot, lambda: learn.action == "back")
            assert "jump ← program 3" in learn.said
            assert not app.session.points  # while learning, no pedal acts
            await pilot.press("escape")
            await until(pilot, lambda: not isinstance(app.screen, MidiLearnScreen))
            assert app.get_key_display(GOOD) == "→·n60"  # the footer shows the pedal beside the key
            send(mido.Message("note_on", note=60, velocity=127))
            await until(pilot, lambda: [p.good for p in app.session.points] == [True])
            send(mido.Message("control_change", control=81, value=127))
            await until(pilot, lambda: [p.good for p in app.session.points] == [True, False])
            before = dict(app.session.current)
            send(mido.Message("program_change", program=3))
            await until(pilot, lambda: app.session.current != before)
            await settle(pilot)  # the jump reaches the screen before the app quits
    finally:
        midi.stop()
    assert labels_on_disk(data_dir) == [True, False]
    assert list(MidiMap.load(data_dir / MIDI_MAP_FILE)) == [
        ("good", MidiTrigger("note", 60)),
        ("bad", MidiTrigger("cc", 81)),
        ("jump", MidiTrigger("program", 3)),
    ]

    app, midi = open_app(data_dir, pedal)  # a restart: the map comes back from midi.toml
    try:
        async with app.run_test(size=(120, 60)) as pilot:
            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(app.screen, HelpScreen))
            keys = screen_text(app)
            assert "MIDI note 60" in keys and "MIDI cc 81" in keys and "MIDI program 3" in keys
            await pilot.press("escape")
            send = sender(pedal, midi)
            send(mido.Message("note_on", note=60, velocity=127))
            await until(pilot, lambda: len(app.session.points) == 3)
            await settle(pilot)
    finally:
        midi.stop()
    assert labels_on_disk(data_dir) == [True, False, True]


async def test_midi_learn_without_a_midi_input_says_how(app) -> None:  # noqa: ANN001
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("M")
        await pilot.pause()
        assert not isinstance(app.screen, MidiLearnScreen)
        assert any("--midi-in" in n for n in notices(app))
