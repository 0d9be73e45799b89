"""The real console script in tmux with a MIDI pedal: a virtual JACK MIDI port on a private real-time JACK dummy
server, opened with --midi-in as hardware would be; its pedals label good and bad and jump, as midi.toml says."""

from __future__ import annotations

import json
from pathlib import Path

import mido
import pytest

from rlfx_tui.core.dataset import FILE_NAME
from rlfx_tui.core.session import Session
from rlfx_tui.interop.midi_map import MIDI_MAP_FILE
from tests.midi_pedal import Pedal, midi_jack_server
from tests.tui.tmux import SCRIPT, Tmux, app_env
from tests.waiting import wait_for

pytestmark = [pytest.mark.tmux, pytest.mark.jack]


def parameters(screen: str) -> list[str]:
    """The parameter panel's rows (left half of the lines under its title)."""
    lines = screen.splitlines()
    top = next(i for i, line in enumerate(lines) if "parameters" in line)
    return [line[:60] for line in lines[top + 1 : top + 11]]


def labels_on_disk(data_dir: Path) -> list[bool]:
    """The labels the app has made durable, read from its log as it stands (each record is one fsynced write, so a
    reader sees whole lines; opening a Dataset here could set aside a line being written)."""
    records = [json.loads(line) for path in data_dir.glob(f"*/{FILE_NAME}") for line in path.read_text().splitlines()]
    return [record["good"] for record in records if record["op"] == "label"]


def test_a_midi_pedal_labels_and_jumps_in_tmux(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"  # made by the autouse tmp_data_dir fixture
    (data_dir / MIDI_MAP_FILE).write_text('good = "note 60"\nbad = "cc 81"\njump = "program 3"\n')
    tmux = Tmux(tmp_path.name)
    with midi_jack_server() as server:
        pedal = Pedal(server, "fcb")
        command = f"{SCRIPT} --source demo --midi-in fcb --data-dir {data_dir}; echo EXITED=$?; sleep 30"
        try:
            tmux.start(command, app_env(**server.env))
            screen = tmux.wait_for("q quit")
            assert "→·n60" in screen and "←·cc81" in screen and "space·pc3 jump" in screen  # the footer shows them
            assert wait_for(pedal.connected, 20), "the app never connected to the pedal"
            # a lost message never arrives, so it is sent again only after 5 s without its label on disk (not on
            # screen: a busy machine can redraw later than that, and a second press would be a second label)
            pedal.send(mido.Message("note_on", note=60, velocity=127), lambda: labels_on_disk(data_dir) == [True], 5)
            tmux.wait_for("✓ good")
            pedal.send(mido.Message("note_off", note=60))
            before = parameters(tmux.screen())
            pedal.send(mido.Message("program_change", program=3), lambda: parameters(tmux.screen()) != before, 5)
            pedal.send(
                mido.Message("control_change", control=81, value=127),
                lambda: labels_on_disk(data_dir) == [True, False],
                5,
            )
            tmux.wait_for("✗ bad")
            pedal.send(mido.Message("control_change", control=81, value=0))
            tmux.press("q")
            if not wait_for(lambda: "EXITED=" in tmux.screen(), 3):
                tmux.wait_for("q again to quit")  # sound on a JACK output: q asks once
                tmux.press("q")
            screen = tmux.wait_for("EXITED=")
            assert "EXITED=0" in screen and "Traceback" not in screen, screen
        finally:
            tmux("kill-server")
            pedal.close()
    assert [p.good for p in Session(data_dir=data_dir).points] == [True, False]
