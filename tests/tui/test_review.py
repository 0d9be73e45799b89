"""Pilot tests of the rehearsal review keys: what is heard is what is labelled, auto holds a like, undo/redo say
what they did, one press one label, back/forward, recall and breed, flip, locks, bypass, snapshots, reopening."""

from __future__ import annotations

import json

import pytest

from rlfx_tui.core.session import Session
from rlfx_tui.tui.app import make_app
from rlfx_tui.tui.format import frozen_clock
from rlfx_tui.tui.screens.snapshot import SnapshotNameScreen
from rlfx_tui.tui.widgets.params import LOCKED_MARK, ParamPanel, ParamRow

from .conftest import FROZEN, hear, notices, screen_text, settle, tone, until
from .test_keys import SIZE, row_labels, shown_values, table


def top_line(app) -> str:
    return screen_text(app).splitlines()[0]


async def test_a_label_in_follow_mode_saves_what_follow_mode_shows(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "right")
        await settle(pilot)
        hear(app.session, tone(880))  # another sound: the mapping proposes something else than the last jump
        await pilot.press("space")
        jumped = dict(app.session.current)
        await pilot.press("f")
        await settle(pilot)
        app.main.poll()  # what follow mode plays, on screen
        await pilot.pause()
        shown, playing = shown_values(app), app.rehearsal.predict_or_none()
        await pilot.press("right")
        await settle(pilot)
        saved = app.session.points[-1].params
        assert saved == pytest.approx(playing) and saved == pytest.approx(shown, rel=1e-3)
        assert saved != pytest.approx(jumped)


async def test_auto_mode_holds_a_like_until_space(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "right")
        await settle(pilot)
        assert "AUTO ‖" in top_line(app) and app.rehearsal.auto_paused
        assert not app.rehearsal.tick(now=1e12)
        await pilot.press("space")
        assert "AUTO ‖" not in top_line(app) and "AUTO" in top_line(app)


async def test_undo_and_redo_say_what_they_did(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert "undid good #1" in notices(app)[-1] and table(app).point_ids() == []
        await pilot.press("U")
        await settle(pilot)
        assert "redid good #1" in notices(app)[-1] and table(app).point_ids() == [1]


async def test_a_bouncing_press_labels_once(app):
    app.rehearsal.clock = lambda: 100.0  # both presses within the same instant, however loaded the machine is
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right", "right")
        await settle(pilot)
        assert table(app).point_ids() == [1] and "within 250 ms" in notices(app)[-1]


async def test_back_and_forward_play_the_settings_heard_again(app):
    async with app.run_test(size=SIZE) as pilot:
        first = dict(app.session.current)
        await pilot.press("space")
        second = dict(app.session.current)
        await pilot.press("backspace")
        assert shown_values(app) == pytest.approx(first) and "back" in top_line(app)
        await pilot.press("right_square_bracket")
        assert shown_values(app) == pytest.approx(second) and "forward" in top_line(app)


async def test_enter_recalls_a_row_space_breeds_from_it_and_x_flips_it(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "right", "space", "left", "left")
        await settle(pilot)
        await pilot.press("up", "up")  # the first point
        await pilot.press("enter")
        await pilot.pause()
        first = app.session.points[0]
        assert shown_values(app) == pytest.approx(first.params) and "recalled #1" in top_line(app)
        await pilot.press("space")
        await pilot.pause()
        assert "from #1" in top_line(app)
        space = app.session.space
        moved = abs(space.normalize(app.session.current) - space.normalize(first.params)).max()
        assert moved <= 0.1 + 1e-9  # a 10 % jump from the recalled setting
        await pilot.press("x")
        await settle(pilot)
        assert row_labels(app)[0] == "bad" and not Session(data_dir=app.session.data_dir).points[0].good


async def test_tab_to_the_knobs_lock_two_and_jumps_hold_them(app, data_dir):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab")
        assert isinstance(app.focused, ParamPanel)
        await pilot.press("l", "down", "down", "l")
        await pilot.pause()
        names = app.session.space.names
        locked = {names[0], names[2]}
        assert app.session.locked == locked
        assert {r.spec.name for r in app.screen.query(ParamRow) if LOCKED_MARK in str(r.render())} == locked
        held = {n: app.session.current[n] for n in locked}
        await pilot.press("0", "space", "space")
        assert {n: app.session.current[n] for n in locked} == held
        assert {n: shown_values(app)[n] for n in locked} == pytest.approx(held)
        await pilot.press("l")  # unlock the third again
        await pilot.pause()
        assert app.session.locked == {names[0]}


async def test_L_locks_what_is_marked(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("L")
        await settle(pilot)
        assert app.session.locked == frozenset() and "no knob is marked" in notices(app)[-1]


async def test_bypass_shows_and_refuses_labels(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("z")
        await pilot.pause()
        assert "BYPASS" in top_line(app)
        await pilot.press("right")
        await settle(pilot)
        assert table(app).point_ids() == [] and "bypassed: un-bypass" in notices(app)[-1]
        await pilot.press("z", "right")
        await settle(pilot)
        assert "BYPASS" not in top_line(app) and table(app).point_ids() == [1]


async def test_s_saves_a_named_snapshot(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "s")
        await pilot.pause()
        assert isinstance(app.screen, SnapshotNameScreen)
        await pilot.press(*"warm", "space", "b", "backspace", *"pad")  # the suggestion is selected: typing replaces it
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, SnapshotNameScreen) and app.session.points == []
        saved = json.loads((app.session.directory / "snapshots.json").read_text())
        assert list(saved) == ["warm pad"] and saved["warm pad"]["params"] == pytest.approx(app.session.current)
        assert any("saved as 'warm pad'" in n for n in notices(app))


async def test_reopening_shows_the_last_setting_and_the_locks(session, data_dir):
    app = make_app(session, clock=frozen_clock(FROZEN), poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space", "tab", "l")
        await pilot.pause()
    last, locked = dict(session.current), set(session.locked)
    reopened = Session(data_dir=data_dir, seed=0)
    app = make_app(reopened, clock=frozen_clock(FROZEN), poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.main is not None and app.main.is_mounted)
        assert shown_values(app) == pytest.approx(last)
        assert {r.spec.name for r in app.screen.query(ParamRow) if r.has_class("-locked")} == locked


async def test_the_model_panel_says_which_sound_it_hears_and_how_the_mapping_fits(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right")
        await settle(pilot)
        app.main.poll()
        await pilot.pause()
        text = screen_text(app)
        assert "sound 1 of 1 · 1 label · 1 liked" in text
        assert "fit " in text and " %" in text.split("fit ", 1)[1][:6]
        hear(app.session, tone(3000, amp=0.05))
        app.main.poll()
        await pilot.pause()
        assert "a new sound (1 known)" in screen_text(app)
