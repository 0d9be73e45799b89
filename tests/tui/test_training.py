"""The app retrains through the child process (tests/core/test_training.py tests the trainer itself); the app
module itself does not load scikit-learn (the first frame must not wait for it)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from rlfx_tui.core.training import ProcessTrainer
from rlfx_tui.tui.app import make_app

from .conftest import hear, settle, tone


@pytest.fixture
def trainer():
    t = ProcessTrainer()
    t.warm_up()  # before Textual takes over stderr, as the command line does
    yield t
    t.close()


async def test_the_app_retrains_through_the_child(session, trainer):
    app = make_app(session, poll_interval=None, trainer=trainer)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("right", "left")
        hear(session, tone(440))
        await pilot.press("right")
        await settle(pilot)
        assert session.learner.point_ids_ == [1, 2, 3] and session.learner.n_good_ == 2
        assert not app.rehearsal.needs_training
    assert trainer.closing  # quitting stopped the child


def test_the_app_module_does_not_load_scikit_learn():
    check = ("import sys, rlfx_tui.cli, rlfx_tui.commands.app, rlfx_tui.tui.app; "
             "print(','.join(m for m in ('sklearn', 'rlfx_tui.core.session') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
