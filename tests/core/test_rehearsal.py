import itertools

import numpy as np
import pytest

from rlfx_tui.core.errors import DatasetError
from rlfx_tui.core.rehearsal import (
    LabelFailed,
    ModeChanged,
    Noticed,
    ParamsJumped,
    PointDeleted,
    PointLabelled,
    PointRestored,
    Rehearsal,
    TrainingNeeded,
)
from rlfx_tui.core.session import Session

from .sounds import feed, tone


@pytest.fixture
def rehearsal(tmp_path):
    session = Session(data_dir=tmp_path, seed=0)
    feed(session, tone(220))
    r = Rehearsal(session, clock=itertools.count(step=1.0).__next__)  # a second between presses: no bounces
    r.events = []
    r.subscribe(r.events.append)
    return r


def kinds(r):
    return [type(e).__name__ for e in r.events]


def test_bad_records_and_jumps_away_good_records_and_stays(rehearsal):
    before = dict(rehearsal.session.current)
    bad = rehearsal.bad()
    assert not bad.good and bad.params == before
    assert rehearsal.session.current != before
    assert kinds(rehearsal)[:3] == ["PointLabelled", "ModelTrained", "ParamsJumped"]
    kept = dict(rehearsal.session.current)
    good = rehearsal.good()
    assert good.good and rehearsal.session.current == kept
    assert [p.id for p in rehearsal.session.points] == [bad.id, good.id]


def test_jump_reports_which_parameters_changed(rehearsal):
    rehearsal.set_strength(1.0)
    rehearsal.randomize()
    jump = next(e for e in rehearsal.events if isinstance(e, ParamsJumped))
    assert jump.changed and jump.changed <= set(rehearsal.session.space.names)
    assert jump.strength == 1.0


def test_strength_steps_and_bounds(rehearsal):
    rehearsal.set_strength(0.5)
    assert rehearsal.nudge_strength(+1) == 0.55
    assert rehearsal.nudge_strength(-3) == 0.4
    assert rehearsal.set_strength(7) == 1.0 and rehearsal.nudge_strength(+1) == 1.0


def test_undo_label_then_undo_delete(rehearsal):
    first = rehearsal.good()
    second = rehearsal.good()
    rehearsal.delete(first.id)
    assert [p.id for p in rehearsal.session.points] == [second.id]
    assert isinstance(rehearsal.undo(), PointRestored)
    assert [p.id for p in rehearsal.session.points] == [first.id, second.id]
    assert isinstance(rehearsal.undo(), PointDeleted)
    assert [p.id for p in rehearsal.session.points] == [first.id]
    reopened = Session(data_dir=rehearsal.session.data_dir, seed=0)
    assert [p.id for p in reopened.points] == [first.id]


def test_follow_needs_a_like_first(rehearsal):
    assert rehearsal.set_follow(True) is False
    assert any(isinstance(e, Noticed) and "liked point" in e.message for e in rehearsal.events)
    rehearsal.good()
    assert rehearsal.set_follow(True) is True
    assert rehearsal.events[-1] == ModeChanged(follow=True, muted=False, auto=False)


def test_auto_mode_jumps_on_its_interval_and_a_label_resets_the_clock(rehearsal):
    rehearsal.auto_interval_s = 4.0
    rehearsal.set_auto(True, now=100.0)
    assert not rehearsal.tick(now=103.9)
    assert rehearsal.tick(now=104.0)
    assert not rehearsal.tick(now=107.0)
    assert rehearsal.tick(now=108.1)


def test_background_training_mode_asks_instead_of_training(rehearsal):
    rehearsal.train_in_background = True
    rehearsal.good()
    assert kinds(rehearsal) == ["PointLabelled", "TrainingNeeded"]
    assert rehearsal.needs_training
    rehearsal.train_now()
    assert not rehearsal.needs_training


def test_unwritable_dataset_keeps_labels_pending_in_order_and_retries(rehearsal, monkeypatch):
    dataset = rehearsal.session.dataset
    real_append = dataset._append

    def disk_full(record):
        raise DatasetError(f"{dataset.path}: could not save ([Errno 28] No space left on device)")

    monkeypatch.setattr(dataset, "_append", disk_full)
    assert rehearsal.good() is None
    first_params = dict(rehearsal.session.current)
    rehearsal.bad()
    assert len(rehearsal.pending) == 2 and rehearsal.session.points == []
    failures = [e for e in rehearsal.events if isinstance(e, LabelFailed)]
    assert "No space left" in failures[0].message and failures[-1].pending == 2
    monkeypatch.setattr(dataset, "_append", real_append)
    assert rehearsal.retry_pending() == 0
    points = Session(data_dir=rehearsal.session.data_dir, seed=0).points
    assert [p.good for p in points] == [True, False]
    assert points[0].params == pytest.approx(first_params)
    assert sum(isinstance(e, PointLabelled) for e in rehearsal.events) == 2


def test_like_rate(rehearsal):
    assert rehearsal.like_rate() is None
    rehearsal.good()
    rehearsal.bad()
    rehearsal.good()
    rehearsal.good()
    assert rehearsal.like_rate(last=20) == 0.75
    assert rehearsal.like_rate(last=2) == 1.0
    assert isinstance(rehearsal.session.descriptors, np.ndarray)
    assert TrainingNeeded not in map(type, rehearsal.events)
