"""Pilot tests: the keys do what the footer says, and the dataset on disk agrees with the table."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from rlfx_tui.core.errors import DatasetError
from rlfx_tui.tui.screens.help import HelpScreen
from rlfx_tui.tui.widgets.params import ParamPanel, ParamRow
from rlfx_tui.tui.widgets.points import PointsTable
from rlfx_tui.tui.widgets.topbar import TopBar

from .conftest import labels_on_disk, notices, screen_text, settle

SIZE = (100, 32)


def table(app) -> PointsTable:
    return app.screen.query_one(PointsTable)


def row_labels(app) -> list[str]:
    t = table(app)
    return [str(t.get_row(str(pid))[0]).split()[-1] for pid in t.point_ids()]


def shown_values(app) -> dict[str, float]:
    return {row.spec.name: row.value for row in app.screen.query(ParamRow)}


def text_of(widget) -> str:
    return str(widget.render())


async def test_swipes_label_durably_and_show_in_the_table(app, data_dir):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "right", "left", "g", "b")
        await settle(pilot)
        assert row_labels(app) == ["good", "bad", "good", "bad"]
        assert labels_on_disk(data_dir) == [True, False, True, False]
        assert app.session.learner.n_points_ == 4  # retrained in the worker, not on the UI thread
        assert "trained" in text_of(app.screen.query_one("#model-state"))
        assert "good 2  bad 2" in text_of(app.screen.query_one("#model-counts"))


async def test_swipe_keys_work_while_the_table_has_focus_and_up_down_still_navigate(app):
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.focused, PointsTable)
        before = shown_values(app)
        await pilot.press("space")
        await pilot.pause()
        assert shown_values(app) != before == pytest.approx(before)
        await pilot.press("right", "space", "right", "space", "right")  # three settings liked (a jump between)
        await settle(pilot)
        assert table(app).cursor_row == 2  # follows the newest label
        await pilot.press("up", "up")
        assert table(app).cursor_row == 0
        await pilot.press("down")
        assert table(app).cursor_row == 1


async def test_a_jump_shows_new_values_and_highlights_what_changed(app):
    changed = []
    app.rehearsal.subscribe(lambda e: changed.append(getattr(e, "changed", None)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "space")  # 10 %: a small jump
        await pilot.pause()
        jumped = next(c for c in changed if c is not None)
        assert shown_values(app) == pytest.approx(app.session.current)
        assert set(app.screen.query_one(ParamPanel).changed_names()) == set(jumped)
        row = app.screen.query_one(f"#param-{next(iter(jumped))}", ParamRow)
        assert text_of(row).startswith("◆")


async def test_after_a_jump_the_knobs_that_matter_for_this_sound_are_marked(app, session):
    """Likes only when delay mix and reverb size sit near the middle: those two are marked, the rest are not."""
    space, rng = session.space, np.random.default_rng(0)
    matter = [space.names.index("delay_mix"), space.names.index("reverb_size")]
    for i in range(40):
        u = rng.uniform(0, 1, len(space))
        if i % 2 == 0:
            u[matter] = 0.5 + rng.uniform(-0.06, 0.06, 2)
        session.label(bool(np.abs(u[matter] - 0.5).max() < 0.1), train=False, params=space.denormalize(u))
    session.retrain()
    async with app.run_test() as pilot:
        await settle(pilot)
        panel = app.screen.query_one(ParamPanel)
        assert panel.mattering_names() == []  # nothing is claimed before a jump asks the model
        await pilot.press("space")
        await settle(pilot)
        assert set(panel.mattering_names()) == {"delay_mix", "reverb_size"}
        row = app.screen.query_one("#param-delay_mix", ParamRow)
        assert "•" in str(row.render())


async def test_strength_keys(app):
    async with app.run_test(size=SIZE) as pilot:
        strength = app.screen.query_one("#strength")
        assert "50 %" in text_of(strength)
        await pilot.press("plus")
        assert app.rehearsal.strength == pytest.approx(0.55)
        await pilot.press("minus", "minus")
        assert app.rehearsal.strength == pytest.approx(0.45)
        await pilot.press("3")
        await pilot.pause()
        assert app.rehearsal.strength == pytest.approx(0.3) and "30 %" in text_of(strength)
        await pilot.press("0")
        await pilot.pause()
        assert app.rehearsal.strength == pytest.approx(1.0) and "100 %" in text_of(strength)
        await pilot.press("plus")
        assert app.rehearsal.strength == pytest.approx(1.0)


async def test_delete_the_selected_point_then_undo_restores_it_in_place(app, data_dir):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right", "left", "right")
        await settle(pilot)
        await pilot.press("up")  # select point 2 (the bad one)
        await pilot.press("d")
        await settle(pilot)
        assert table(app).point_ids() == [1, 3]
        assert labels_on_disk(data_dir) == [True, True]
        await pilot.press("u")
        await settle(pilot)
        assert table(app).point_ids() == [1, 2, 3]
        assert labels_on_disk(data_dir) == [True, False, True]
        await pilot.press("delete")
        await settle(pilot)
        assert table(app).point_ids() == [1, 3]


async def test_undo_removes_the_last_label(app, data_dir):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right", "left")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert table(app).point_ids() == [1] and labels_on_disk(data_dir) == [True]
        await pilot.press("u", "u")
        await settle(pilot)
        assert table(app).point_ids() == [] and any("nothing to undo" in n for n in notices(app))


async def test_follow_needs_a_like_then_toggles(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        await settle(pilot)
        assert not app.rehearsal.follow
        assert any("follow needs a liked point" in n for n in notices(app))
        await pilot.press("right")
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        assert app.rehearsal.follow
        badge = app.screen.query_one("#mode-follow")
        assert badge.has_class("-on") and text_of(badge) == "FOLLOW"
        app.main.poll()  # follow mode shows the mapping's parameters for the current sound
        await pilot.pause()
        assert shown_values(app) == pytest.approx(app.rehearsal.predict_or_none())
        await pilot.press("f")
        await pilot.pause()
        assert not app.rehearsal.follow and text_of(badge) == "follow"


async def test_mute_and_auto_toggle(app):
    app.rehearsal.auto_interval_s = 0.0
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m", "a")
        await pilot.pause()
        assert app.rehearsal.muted and app.rehearsal.auto
        assert app.screen.query_one(TopBar).query_one("#mode-muted").has_class("-on")
        before = dict(app.session.current)
        app.main.poll()  # the poll ticks auto mode
        await pilot.pause()
        assert app.session.current != before and shown_values(app) == pytest.approx(app.session.current)
        await pilot.press("m", "a")
        assert not app.rehearsal.muted and not app.rehearsal.auto


async def test_help_lists_every_key_and_closes(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for _ in range(3):  # every key is there, some below the fold at this size: scroll as a reader would
            await pilot.press("pagedown")
            await pilot.pause()
            text += screen_text(app)
        for expected in (
            "space",
            "→ / g",
            "← / b",
            "1 … 9, 0",
            "d / delete",
            "undo",
            "mute",
            "follow",
            "quit",
            "⌫",
            "]",
            "redo",
            "bypass",
            "lock",
            "snapshot",
            "flip",
        ):
            assert expected in text
        await pilot.press("space")  # the modal keeps the player's keys from acting behind it
        assert app.session.points == [] and isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_a_failed_save_is_a_notice_and_the_label_shows_once_durable(app, data_dir, monkeypatch):
    dataset = app.session.dataset
    real_append = dataset._append

    def disk_full(record):
        raise DatasetError(f"{dataset.path}: could not save ([Errno 28] No space left on device)")

    async with app.run_test(size=SIZE) as pilot:
        monkeypatch.setattr(dataset, "_append", disk_full)
        await pilot.press("right")
        await settle(pilot)
        assert table(app).point_ids() == []
        assert any("No space left" in n for n in notices(app))
        assert "1 unsaved" in text_of(app.screen.query_one("#model-counts"))
        monkeypatch.setattr(dataset, "_append", real_append)
        app.main.retry_pending()
        await settle(pilot)
        assert table(app).point_ids() == [1] and labels_on_disk(data_dir) == [True]


async def test_a_training_failure_is_a_notice_and_the_previous_model_stays(app, monkeypatch):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right")
        await settle(pilot)
        previous = app.session.learner

        def broken():
            raise RuntimeError("out of memory")

        monkeypatch.setattr(app.session, "train", broken)
        await pilot.press("left")
        await settle(pilot)
        assert app.session.learner is previous
        assert any("out of memory" in n and "previous model" in n for n in notices(app))
        assert app.is_running


async def test_events_from_another_thread_reach_the_screen(app):
    async with app.run_test(size=SIZE) as pilot:
        worker = threading.Thread(target=app.rehearsal.good)  # e.g. the OSC control thread
        worker.start()
        worker.join()
        await settle(pilot)
        assert table(app).point_ids() == [1]


async def test_a_user_keymap_moves_a_key(session):
    from rlfx_tui.tui.app import make_app

    app = make_app(session, keymap={"rlfx.good": "k"}, poll_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("k")
        await settle(pilot)
        assert [p.good for p in app.session.points] == [True]


async def test_follow_pressed_while_the_first_like_is_learned_starts_when_ready(session):
    import time

    from rlfx_tui.tui.app import make_app

    release = threading.Event()

    class SlowTrainer:  # holds the first fit until the test has pressed f (however loaded the machine is)
        def __call__(self, s):
            assert release.wait(10)
            return s.train()

        def close(self):
            pass

    app = make_app(session, poll_interval=None, trainer=SlowTrainer())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right")
        began = time.monotonic()
        while not app.training:
            assert time.monotonic() - began < 5, "the retrain never started"
            await pilot.pause(0.02)
        await pilot.press("f")
        assert not app.rehearsal.follow and any("as soon as the model" in n for n in notices(app))
        release.set()
        await settle(pilot)
        assert app.rehearsal.follow


async def test_the_polls_start_only_once_the_panels_are_mounted(session):
    """Polling starts from the main screen's own mount, not the app's, which can come before the screen has
    mounted its panels' lines: a 10 ms poll started there found the model panel without them (NoMatches, once in a
    CI run)."""
    from rlfx_tui.tui.app import make_app

    app = make_app(session, poll_interval=0.01)
    assert app.main is not None
    assert not app.main.polling  # built, not mounted
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause(0.05)
        assert app.main.polling
        await pilot.press("q")
    assert app.return_code == 0


async def test_the_polls_stop_when_the_app_exits(session):
    """The poll timers belong to the main screen, whose panels unmount first: a poll in between looked for a line
    that was gone (NoMatches on quitting, a rare failure of the disk-fault tests)."""
    from rlfx_tui.tui.app import make_app

    app = make_app(session, poll_interval=0.01)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause(0.05)
        main = app.main
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    main.poll()  # what a timer still running would do now: nothing
