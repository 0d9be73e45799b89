"""What the player sees: the compact layout at 80×24, the wide one, the engine's meters, the first frame."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from textual.geometry import Region

from rlfx_tui.core.rehearsal import Rehearsal
from rlfx_tui.core.session import Session
from rlfx_tui.tui.app import Parts, make_app
from rlfx_tui.tui.screens.loading import LoadingScreen
from rlfx_tui.tui.screens.main import MainScreen
from rlfx_tui.tui.widgets.params import ParamRow
from rlfx_tui.tui.widgets.points import PointsTable

from .conftest import notices, screen_text, settle, until


def inside(widget, size) -> bool:
    region = widget.region
    return region.width > 0 and region.height > 0 and region.right <= size[0] and region.bottom <= size[1]


@pytest.mark.parametrize("size", [(80, 24), (100, 32), (160, 50)])
async def test_everything_fits(app, size):
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "right", "left")
        await settle(pilot)
        screen = app.screen
        assert screen.compact == (size == (80, 24))
        rows = list(screen.query(ParamRow))
        assert len(rows) == len(app.session.space) and all(inside(r, size) for r in rows)
        table = screen.query_one(PointsTable)
        assert inside(table, size) and table.region.height >= 8
        text = screen_text(app)
        for expected in (
            "space",
            "strength  50 %",
            "low cut",
            "reverb wet",
            "good 1  bad 1",
            "✓ good",
            "✗ bad",
            "space jump",
            "→ good",
            "← bad",
            "d delete",
            "? help",
            "q quit",
        ):
            assert expected in text, expected


async def test_compact_layout_drops_frames(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.has_class("-narrow") and app.screen.has_class("-short")
        assert "╭" not in screen_text(app)
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert not app.screen.compact and "╭─ parameters" in screen_text(app)


class FakeEngine:
    """Just what the app polls: status, descriptors, current_params; and what the rehearsal calls."""

    def __init__(self):
        self.muted = self.follow = False
        self.status = SimpleNamespace(
            running=True,
            source="demo",
            input_device="demo",
            output_device="Scarlett 2i2",
            samplerate=48000,
            blocksize=256,
            input_peak_db=-6.0,
            input_rms_db=-18.0,
            output_peak_db=-0.5,
            output_rms_db=-12.0,
            xruns=3,
            cpu_load=0.12,
            chain_faults=0,
            callback_errors=0,
            muted=False,
            follow=False,
            message="no default input device: playing the built-in demo loop instead",
        )
        self.descriptors = [-18.0, 1200.0, 800.0, 0.1, 3000.0, 400.0, 0.05]

    def set_muted(self, muted):
        self.muted = muted

    def set_follow(self, on):
        self.follow = on


async def test_engine_status_is_polled_onto_the_screen(session):
    engine = FakeEngine()
    app = make_app(session, Rehearsal(session, engine, train_in_background=True), engine, poll_interval=0.05)
    async with app.run_test(size=(100, 32)) as pilot:
        await until(pilot, lambda: "xruns 3" in screen_text(app))  # the 10 Hz poll, not a push
        text = screen_text(app)
        assert "xruns 3" in text and "cpu 12 %" in text and "-6.0 dB" in text and "-0.5 dB" in text
        assert "audio · demo · 48 kHz/256" in text and "cent  1.2k" in text
        await until(pilot, lambda: any("playing the built-in demo" in n for n in notices(app)))  # said as a notice
        await pilot.press("m")
        assert engine.muted


async def test_the_command_line_app_shows_its_first_frame_before_the_session_is_built(data_dir):
    def build():
        time.sleep(0.5)  # scikit-learn, the model, the audio device...
        session = Session(data_dir=data_dir, seed=0)
        return Parts(session, Rehearsal(session, None, train_in_background=True))

    app = make_app(build=build, loading=("space", "HighpassFilter → Chorus → Delay → Reverb → Limiter"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoadingScreen) and "loading" in screen_text(app)
        await pilot.press("space")  # the player's keys wait for the parts
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        await pilot.press("right")
        await settle(pilot)
        assert [p.good for p in app.session.points] == [True]


async def test_a_failing_start_exits_with_the_reason(data_dir):
    from rlfx_tui.core.errors import DatasetError

    def build():
        raise DatasetError(f"{data_dir}/space/points.jsonl: line 3: not JSON")

    app = make_app(build=build, loading=("space", "chain"))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.return_code == 2


async def test_r_restarts_the_audio_engine_off_the_ui_thread(session):
    import threading

    engine = FakeEngine()
    threads = []
    engine.restart = lambda: threads.append(threading.current_thread())
    app = make_app(session, Rehearsal(session, engine, train_in_background=True), engine, poll_interval=None)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("r")
        await settle(pilot)
        assert threads and threads[0] is not threading.main_thread()


@pytest.mark.parametrize("size", [(80, 24), (100, 32)])
async def test_the_startup_notice_leaves_the_newest_labels_and_the_top_bar_visible(session, size):
    for i in range(20):  # more than the table shows: the newest rows are at its bottom
        session.randomize(0.5)
        session.label(i % 3 != 1, train=False)
    session.retrain()
    engine = FakeEngine()  # its status says: no input device, playing the demo loop
    app = make_app(session, Rehearsal(session, engine, train_in_background=True), engine, poll_interval=None)
    async with app.run_test(size=size, notifications=True) as pilot:
        app.main.poll()
        await until(pilot, lambda: any(toast.region.height for toast in app.screen.query("Toast")))
        await pilot.pause()
        toast = app.screen.query_one("Toast").region  # a notice's widget
        table = app.screen.query_one(PointsTable)
        lines = screen_text(app).splitlines()
        y = next(i for i, line in enumerate(lines) if line.strip(" │").startswith("20  "))
        assert table.region.y < y < table.region.bottom  # the newest label is on screen, in the table...
        assert not toast.overlaps(Region(table.region.x, y, table.region.width, 1))  # ...and not under the notice
        assert toast.y >= 1 and "no default input device" in " ".join(screen_text(app).split())  # below the top bar
