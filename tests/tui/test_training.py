"""The app retrains through the child process (tests/core/test_training.py tests the trainer itself); the app
module itself does not load scikit-learn (the first frame must not wait for it)."""

from __future__ import annotations

from rlfx_tui.tui.app import make_app
from tests.hygiene import loaded_after

from .conftest import hear, settle, tone


async def test_the_app_retrains_through_the_child(session, process_trainer):
    app = make_app(session, poll_interval=None, trainer=process_trainer)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("right", "left")
        hear(session, tone(440))
        await pilot.press("right")
        await settle(pilot)
        assert session.learner.point_ids_ == [1, 2, 3] and session.learner.n_good_ == 2
        assert not app.rehearsal.needs_training
    assert process_trainer.closing  # quitting stopped the child


def test_the_app_module_does_not_load_scikit_learn():
    code = "import rlfx_tui.cli, rlfx_tui.commands.app, rlfx_tui.tui.app"
    assert loaded_after(code, ("sklearn", "rlfx_tui.core.session")) == []


async def test_a_dead_child_is_a_notice_and_fits_go_on_here(session, process_trainer):
    from rlfx_tui.core.rehearsal import Rehearsal

    from .conftest import notices

    rehearsal = Rehearsal(session, train_in_background=True, trainer=process_trainer)
    process_trainer.on_fallback = lambda reason: rehearsal.notice(reason, "warning")  # as the command line does
    app = make_app(session, rehearsal, poll_interval=None, trainer=process_trainer)
    async with app.run_test(size=(100, 32)) as pilot:
        process_trainer._child.kill()
        process_trainer._child.join()
        await pilot.press("right")
        await settle(pilot)
        assert session.learner.point_ids_ == [1] and process_trainer.broken
        assert any("training process stopped" in n for n in notices(app))
