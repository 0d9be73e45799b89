"""The trainer: a fit in the child process matches a fit here; a dead child falls back to fitting here (and says
so, once); closing never waits for a fit; the rehearsal fits through whichever trainer it is given."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from rlfx_tui.core.rehearsal import ModelTrained, Rehearsal
from rlfx_tui.core.session import Session
from rlfx_tui.core.training import fit_learner, training_arrays

from .sounds import feed, tone


@pytest.fixture
def session(tmp_path):
    s = Session(data_dir=tmp_path, seed=0)
    feed(s, tone(220, seconds=0.3))
    return s


def label_some(session, goods=(True, False, True)):
    for good in goods:
        session.randomize(0.7)
        session.label(good, train=False)


def test_the_pure_fit_is_what_the_session_trains(session):
    label_some(session)
    X, U, good = training_arrays(session.points, session.space)
    assert X.shape[0] == U.shape[0] == len(good) == 3 and U.shape[1] == len(session.space)
    pure = fit_learner(session.space, X, U, good, seed=session.seed, point_ids=[1, 2, 3])
    here = session.train()
    assert pure.point_ids_ == here.point_ids_ == [1, 2, 3]
    np.testing.assert_allclose(pure.predict(session.descriptors), here.predict(session.descriptors))


def test_a_fit_in_the_child_matches_a_fit_here(session, process_trainer):
    label_some(session)
    here, there = session.train(), process_trainer(session)
    assert there.point_ids_ == here.point_ids_ == [1, 2, 3]
    assert there.space is session.space
    x = session.descriptors
    np.testing.assert_allclose(there.predict(x), here.predict(x))


def test_a_dead_child_falls_back_to_fitting_here(session, process_trainer):
    reasons: list[str] = []
    process_trainer.on_fallback = reasons.append
    session.label(True, train=False)
    process_trainer._child.kill()
    process_trainer._child.join()
    assert process_trainer(session).point_ids_ == [1] and process_trainer.broken
    assert process_trainer(session).point_ids_ == [1]  # and keeps fitting here
    assert len(reasons) == 1 and "fitting here" in reasons[0]  # said once, not at every fit


def test_quitting_does_not_wait_for_a_fit(session, process_trainer):
    for i in range(200):
        session.randomize(1.0)
        session.label(i % 3 == 0, train=False)
    errors = []
    worker = threading.Thread(target=lambda: errors.append(pytest.raises(RuntimeError, process_trainer, session)))
    worker.start()
    time.sleep(0.1)
    started = time.perf_counter()
    process_trainer.close()
    worker.join(timeout=5)
    assert time.perf_counter() - started < 2 and errors and not process_trainer.broken
    with pytest.raises(RuntimeError):  # a closed trainer starts no new child
        process_trainer(session)
    assert process_trainer._child is None


def test_the_rehearsal_fits_through_its_trainer(session):
    calls = []

    def counting(s: Session):
        calls.append(len(s.points))
        return s.train()

    rehearsal = Rehearsal(session, trainer=counting)
    events = []
    rehearsal.subscribe(events.append)
    rehearsal.good()
    assert calls == [1] and session.learner.point_ids_ == [1] and not rehearsal.needs_training
    assert [e.n_points for e in events if isinstance(e, ModelTrained)] == [1]
