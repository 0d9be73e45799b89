"""On stage: DEMO says when the built-in loop plays, q asks once while sound is live, the audio panel shows
PortAudio's latency, and the command palette (ctrl+p) lists the player's actions."""

from __future__ import annotations

from pathlib import Path

from rlfx_tui.audio.engine import Engine, EngineConfig
from rlfx_tui.core.rehearsal import Rehearsal
from rlfx_tui.core.session import Session
from rlfx_tui.tui.app import make_app
from rlfx_tui.tui.keys import PLAYER_KEYS, palette_rows
from rlfx_tui.tui.widgets.audio import AudioPanel, latency_text
from rlfx_tui.tui.widgets.line import Line
from tests.jack_server import JackDummyServer
from tests.tui.conftest import labels_on_disk, notices, settle, until


def test_latency_text() -> None:
    assert latency_text((None, None)) == ""
    assert latency_text((5.33, 10.7)) == "lat 5.3/11 ms"
    assert latency_text((None, 21.3)) == "lat –/21 ms"


async def test_on_jack_q_asks_once_and_the_panel_shows_latency_and_demo(
    jack_server: JackDummyServer, tmp_data_dir: Path
) -> None:
    jack_server.portaudio_device()
    session = Session(data_dir=tmp_data_dir, seed=0)
    engine = Engine(session, EngineConfig(source="demo", hostapi="JACK", samplerate=48000, blocksize=256))
    engine.start()
    app = make_app(session, Rehearsal(session, engine, train_in_background=True), engine, poll_interval=0.1)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            panel = app.screen.query_one(AudioPanel)
            await until(pilot, lambda: panel.status is not None and panel.status.running)
            in_ms, out_ms = engine.status.latency_ms
            assert in_ms is None and out_ms is not None and 0 < out_ms < 200  # an output stream: no input side
            assert latency_text(engine.status.latency_ms) in panel.health()[0]
            assert "48 kHz/256" in str(panel.border_title)
            assert app.screen.query_one("#demo", Line).display  # the demo loop plays: the top bar says so
            await pilot.press("right")
            await until(pilot, lambda: len(session.points) == 1)
            await pilot.press("q")
            await pilot.pause()
            assert app.is_running and any("q again to quit" in n for n in notices(app)), notices(app)
            await pilot.press("q")
            await until(pilot, lambda: not app.is_running)
    finally:
        engine.stop()
    assert labels_on_disk(tmp_data_dir) == [True]


async def test_q_quits_at_once_when_muted(jack_server: JackDummyServer, tmp_data_dir: Path) -> None:
    jack_server.portaudio_device()
    session = Session(data_dir=tmp_data_dir, seed=0)
    engine = Engine(session, EngineConfig(source="demo", hostapi="JACK", samplerate=48000, blocksize=256))
    engine.start()
    app = make_app(session, Rehearsal(session, engine, train_in_background=True), engine, poll_interval=0.1)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await until(pilot, lambda: engine.status.running)
            await pilot.press("m")
            await until(pilot, lambda: engine.status.muted)
            await pilot.press("q")
            await until(pilot, lambda: not app.is_running)
    finally:
        engine.stop()


async def test_no_demo_badge_without_the_demo(app) -> None:  # noqa: ANN001
    async with app.run_test(size=(100, 32)) as pilot:
        app.main.poll()
        await pilot.pause()
        assert not app.screen.query_one("#demo", Line).display


def test_the_palette_lists_every_player_action() -> None:
    rows = palette_rows()
    assert [action for _, _, action in rows] == [b.action for b in PLAYER_KEYS]
    good = next(row for row in rows if row[2] == "good")
    assert good[0] == "good" and "swipe right" in good[1] and "[→ / g]" in good[1]


async def test_ctrl_p_finds_good_by_name_and_labels(app, data_dir) -> None:  # noqa: ANN001
    from textual.command import CommandList, CommandPalette

    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"strength 70")  # typed into the palette: neither a jump (space) nor strength 70 % (7)
        await pilot.pause(0.3)
        assert app.rehearsal.strength == 0.5 and not app.session.points
        for _ in range(11):
            await pilot.press("backspace")
        await pilot.press(*"good")
        commands = app.screen.query_one(CommandList)

        def first_is_good() -> bool:  # the palette searches in a worker: wait for its hits
            index = commands.highlighted
            return index is not None and str(commands.get_option_at_index(index).prompt).startswith("good")

        await until(pilot, first_is_good)
        await pilot.press("enter")
        await until(pilot, lambda: len(app.session.points) == 1)
        await settle(pilot)
        assert not isinstance(app.screen, CommandPalette)
    assert labels_on_disk(data_dir) == [True]
