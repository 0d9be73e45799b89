"""Retraining in a child process gives the same model as in-process, and the app uses it; the app module itself
does not load scikit-learn (the first frame must not wait for it)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from rlfx_tui.tui.app import make_app
from rlfx_tui.tui.training import ProcessTrainer

from .conftest import hear, settle, tone


@pytest.fixture
def trainer():
    t = ProcessTrainer()
    t.warm_up()  # before Textual takes over stderr, as the command line does
    yield t
    t.close()


def test_a_fit_in_the_child_matches_a_fit_here(session, trainer):
    for good in (True, False, True):
        session.randomize(0.7)
        session.label(good, train=False)
    here, there = session.train(), trainer.fit(session)
    assert there.point_ids_ == here.point_ids_ == [1, 2, 3]
    assert there.space is session.space
    x = session.descriptors
    np.testing.assert_allclose(there.predict(x), here.predict(x))


async def test_the_app_retrains_through_the_child(session, trainer):
    app = make_app(session, poll_interval=None, trainer=trainer)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("right", "left")
        hear(session, tone(440))
        await pilot.press("right")
        await settle(pilot)
        assert session.learner.point_ids_ == [1, 2, 3] and session.learner.n_good_ == 2
        assert not app.rehearsal.needs_training


def test_a_dead_child_falls_back_to_fitting_here(session, trainer):
    session.label(True, train=False)
    trainer._child.kill()
    trainer._child.join()
    assert trainer.fit(session).point_ids_ == [1] and trainer.broken
    assert trainer.fit(session).point_ids_ == [1]  # and keeps fitting here


def test_quitting_does_not_wait_for_a_fit(session, trainer):
    import threading
    import time

    for i in range(200):
        session.randomize(1.0)
        session.label(i % 3 == 0, train=False)
    errors = []
    worker = threading.Thread(target=lambda: errors.append(pytest.raises(RuntimeError, trainer.fit, session)))
    worker.start()
    time.sleep(0.1)
    started = time.perf_counter()
    trainer.close()
    worker.join(timeout=5)
    assert time.perf_counter() - started < 2 and errors and not trainer.broken


def test_the_app_module_does_not_load_scikit_learn():
    check = ("import sys, rlfx_tui.cli, rlfx_tui.commands.app, rlfx_tui.tui.app; "
             "print(','.join(m for m in ('sklearn', 'rlfx_tui.core.session') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
