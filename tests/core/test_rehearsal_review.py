"""The rehearsal loop a player can trust: labels of what is heard, auto that stops on a like, undo that says what it
undid and redoes, one press one label, back/forward, recall and breed, flips, locks, bypass, and reopening."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlfx_tui.core.dataset import Dataset
from rlfx_tui.core.descriptors import DESCRIPTOR_NAMES
from rlfx_tui.core.events import LocksChanged, ModeChanged, Noticed, ParamsJumped, PointRelabelled
from rlfx_tui.core.history import SettingHistory
from rlfx_tui.core.rehearsal import Rehearsal
from rlfx_tui.core.session import Session

from .sounds import feed, noise, tone


class Clock:
    """Seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def rehearsal(tmp_path, clock):
    session = Session(data_dir=tmp_path, seed=0)
    feed(session, tone(220))
    r = Rehearsal(session, clock=clock)
    r.events = []
    r.subscribe(r.events.append)
    return r


def notices(r: Rehearsal) -> list[str]:
    return [e.message for e in r.events if isinstance(e, Noticed)]


def later(clock: Clock, seconds: float = 1.0) -> None:
    clock.now += seconds


# -- labels record what is heard -------------------------------------------------------------------------------
class PlayingEngine:
    """An engine whose follow mode plays a setting of its own (as the real one does: tests/audio test it live)."""

    def __init__(self, playing: dict[str, float]) -> None:
        self.current_params = playing
        self.follow = self.bypass = False

    def set_muted(self, muted: bool) -> None: ...
    def set_follow(self, on: bool) -> None:
        self.follow = on

    def set_bypass(self, on: bool) -> None:
        self.bypass = on


def test_a_label_in_follow_mode_stores_what_follow_mode_plays(rehearsal, clock):
    rehearsal.randomize()
    rehearsal.good()  # a mapping to follow
    later(clock)
    jumped = rehearsal.randomize()
    playing = rehearsal.session.space.denormalize(np.full(len(rehearsal.session.space), 0.8))
    rehearsal.engine = PlayingEngine(playing)
    assert rehearsal.set_follow(True)
    later(clock)
    point = rehearsal.good()
    assert point.params == pytest.approx(playing) and point.params != pytest.approx(jumped)
    later(clock)
    bad = rehearsal.bad()  # in follow mode ← labels what plays and doesn't jump: the mapping drives
    assert bad.params == pytest.approx(playing)
    rehearsal.set_follow(False)  # and leaving follow mode keeps playing what it played
    assert rehearsal.session.current == pytest.approx(playing)


def test_descriptors_of_a_label_are_those_heard_when_the_key_was_pressed(rehearsal, clock):
    rehearsal.good()
    feed(rehearsal.session, noise(0.5))
    heard = rehearsal.session.descriptors.copy()
    later(clock)
    rehearsal.randomize()
    point = rehearsal.good()
    np.testing.assert_allclose(point.descriptors, heard)


# -- auto mode stops on a like ---------------------------------------------------------------------------------
def test_auto_mode_holds_a_liked_setting_and_goes_on_after_a_dislike(rehearsal):
    rehearsal.set_auto(True, now=0.0)
    assert rehearsal.tick(now=10.0)  # jumps while nothing is said
    liked = dict(rehearsal.session.current)
    rehearsal.good()
    assert rehearsal.auto_paused and ModeChanged(False, False, True, False, True) in rehearsal.events
    assert not rehearsal.tick(now=1e6) and rehearsal.session.current == liked  # held, however long
    rehearsal.randomize()  # space: auto goes on
    assert not rehearsal.auto_paused and rehearsal.tick(now=2e6)
    rehearsal.good()
    rehearsal.set_auto(True)  # a again: goes on too
    assert not rehearsal.auto_paused
    rehearsal.bad()
    assert not rehearsal.auto_paused and rehearsal.tick(now=3e6)


# -- undo says what it undid, and redoes ----------------------------------------------------------------------
def test_undo_names_what_it_undid_and_redo_takes_it_again(rehearsal, clock):
    point = rehearsal.good()
    rehearsal.undo()
    assert notices(rehearsal)[-1] == f"undid good #{point.id}" and rehearsal.session.points == []
    rehearsal.redo()
    assert notices(rehearsal)[-1] == f"redid good #{point.id}"
    assert [p.id for p in rehearsal.session.points] == [point.id]
    rehearsal.redo()
    assert notices(rehearsal)[-1] == "nothing to redo"


def test_undoing_a_dislike_goes_back_to_the_disliked_setting(rehearsal):
    disliked = dict(rehearsal.session.current)
    point = rehearsal.bad()
    jumped_to = dict(rehearsal.session.current)
    assert jumped_to != disliked
    rehearsal.undo()
    assert rehearsal.session.current == pytest.approx(disliked) and notices(rehearsal)[-1] == f"undid bad #{point.id}"
    assert [e.origin for e in rehearsal.events if isinstance(e, ParamsJumped)][-1] == "undo"
    rehearsal.redo()  # the label again, and back to where the ← had jumped
    assert rehearsal.session.current == pytest.approx(jumped_to)
    assert [p.good for p in rehearsal.session.points] == [False]


def test_a_new_action_clears_what_could_be_redone(rehearsal, clock):
    rehearsal.good()
    rehearsal.undo()
    later(clock)
    rehearsal.randomize()
    rehearsal.good()
    rehearsal.redo()
    assert notices(rehearsal)[-1] == "nothing to redo" and len(rehearsal.session.points) == 1


# -- one press, one label --------------------------------------------------------------------------------------
def test_a_bouncing_switch_labels_once(rehearsal, clock):
    rehearsal.good()
    clock.now += 0.1
    assert rehearsal.good() is None
    assert "ignored a second good within 250 ms" in notices(rehearsal)[-1]
    clock.now += 0.3  # a second press later on the same setting: the player means it
    assert rehearsal.good() is not None
    clock.now += 0.05
    rehearsal.bad()  # the other key at once is an answer, not a bounce
    clock.now += 0.05
    assert rehearsal.bad() is None  # but ← bouncing, on the setting it just jumped to, is
    assert [p.good for p in rehearsal.session.points] == [True, True, False]
    clock.now += 0.05
    rehearsal.randomize()  # the player moved on: a label at once is a label
    assert rehearsal.bad() is not None


# -- back and forward ------------------------------------------------------------------------------------------
def test_back_and_forward_through_the_settings_heard(rehearsal):
    heard = [dict(rehearsal.session.current)] + [rehearsal.randomize() for _ in range(3)]
    assert rehearsal.back() == pytest.approx(heard[2])
    assert rehearsal.back() == pytest.approx(heard[1])
    assert rehearsal.forward() == pytest.approx(heard[2])
    new = rehearsal.randomize()  # an accidental jump after going back loses nothing
    for expected in (heard[2], heard[3], heard[2], heard[1], heard[0]):
        assert rehearsal.back() == pytest.approx(expected)
    assert rehearsal.back() is None and notices(rehearsal)[-1] == "no earlier setting"
    assert new in [rehearsal.forward() for _ in range(6)]


def test_history_keeps_the_last_hundred():
    history = SettingHistory({"a": 0.0}, length=100)
    for i in range(1, 150):
        history.heard({"a": float(i)})
    assert len(history) == 100
    values = [history.back() for _ in range(120)]
    assert values[98] == {"a": 50.0} and values[99] is None


# -- recall, breed, flip ---------------------------------------------------------------------------------------
def test_recall_plays_a_point_again_and_jumps_breed_from_it(rehearsal, clock):
    rehearsal.set_strength(0.2)
    first = rehearsal.good()
    for _ in range(3):
        later(clock)
        rehearsal.set_strength(1.0)
        rehearsal.bad()
    assert rehearsal.recall(first.id) == pytest.approx(first.params)
    jump = [e for e in rehearsal.events if isinstance(e, ParamsJumped)][-1]
    assert jump.origin == "recall" and jump.point_id == first.id
    rehearsal.set_strength(0.1)
    space = rehearsal.session.space
    bred = space.normalize(rehearsal.randomize())
    # a jump at 10 % from the recalled setting moves each knob at most 10 % of its range from it
    assert np.abs(bred - space.normalize(first.params)).max() <= 0.1 + 1e-9


def test_flip_is_durable_undoable_and_retrains(rehearsal, tmp_path):
    point = rehearsal.good()
    assert rehearsal.session.learner.n_good_ == 1
    flipped = rehearsal.flip(point.id)
    assert not flipped.good and PointRelabelled(flipped) in rehearsal.events
    assert rehearsal.session.learner.n_good_ == 0  # retrained with the new label
    reread = Dataset(rehearsal.session.directory, "space", DESCRIPTOR_NAMES, rehearsal.session.space.names)
    assert [p.good for p in reread.points] == [False]
    rehearsal.undo()
    assert notices(rehearsal)[-1] == f"undid flip of #{point.id} to bad"
    assert [p.good for p in rehearsal.session.points] == [True] and rehearsal.session.learner.n_good_ == 1


# -- locks -----------------------------------------------------------------------------------------------------
def test_locked_knobs_hold_through_jumps_and_reopen_locked(tmp_path, clock):
    session = Session(data_dir=tmp_path, seed=0)
    feed(session, tone(220))
    r = Rehearsal(session, clock=clock)
    r.set_strength(1.0)
    r.randomize()
    held = {n: session.current[n] for n in ("reverb_size", "delay_mix")}
    events = []
    r.subscribe(events.append)
    assert r.lock(list(held)) == frozenset(held)
    assert events == [LocksChanged(frozenset(held))]
    for _ in range(5):
        later(clock)
        r.good() if _ % 2 else r.bad()
        r.randomize()
        assert {n: session.current[n] for n in held} == held
    r.lock("delay_mix", False)
    last = dict(session.current)
    reopened = Session(data_dir=tmp_path, seed=0)
    assert reopened.locked == {"reverb_size"} and reopened.current == pytest.approx(last)


def test_a_bad_lock_name_is_a_clear_error(rehearsal):
    with pytest.raises(Exception, match="no parameter wetness in preset 'space'; it has low_cut"):
        rehearsal.lock("wetness")


def test_L_locks_the_knobs_the_learner_thinks_matter(rehearsal, clock):
    assert rehearsal.lock_mattering() == frozenset()
    assert "no knob is marked" in notices(rehearsal)[-1]
    space = rehearsal.session.space
    rng = np.random.default_rng(3)
    for _ in range(40):  # a taste for a large reverb, nothing else
        later(clock)
        values = space.denormalize(rng.uniform(size=len(space)))
        rehearsal.session.set_current(values)
        rehearsal.good() if space.normalize(values)[space.names.index("reverb_size")] > 0.6 else rehearsal.bad()
    matters = rehearsal.session.matters()
    locked = rehearsal.lock_mattering()
    assert locked == {n for n, p in matters.items() if p >= 0.5} and "reverb_size" in locked


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    labels=st.lists(st.booleans(), min_size=0, max_size=12),
    locked=st.sets(st.integers(0, 9), min_size=1),
    strength=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**16),
)
def test_no_proposal_ever_moves_a_locked_knob(tmp_path_factory, labels, locked, strength, seed):
    session = Session(data_dir=tmp_path_factory.mktemp("locks"), seed=seed)
    feed(session, tone(110 + seed % 500, seconds=0.2))
    space = session.space
    rng = np.random.default_rng(seed)
    for good in labels:
        session.set_current(space.denormalize(rng.uniform(size=len(space))))
        session.label(good, train=False)
    session.retrain()
    names = [space.names[i] for i in locked]
    session.lock(names)
    held = {n: session.current[n] for n in names}
    for around in (False, True):
        session.randomize(strength, around_current=around)
        assert {n: session.current[n] for n in names} == held


# -- bypass ----------------------------------------------------------------------------------------------------
def test_a_label_while_bypassed_is_refused(rehearsal):
    rehearsal.engine = PlayingEngine({})
    rehearsal.set_bypass(True)
    assert rehearsal.engine.bypass and rehearsal.events[-1].bypass
    before = dict(rehearsal.session.current)
    assert rehearsal.good() is None and rehearsal.bad() is None
    assert notices(rehearsal)[-1] == "bypassed: un-bypass (z) to judge the effect"
    assert rehearsal.session.points == [] and rehearsal.session.current == before  # ← didn't jump either
    rehearsal.set_bypass(False)
    assert rehearsal.good() is not None


# -- reopening -------------------------------------------------------------------------------------------------
def test_reopening_starts_on_the_last_setting_heard(tmp_path):
    session = Session(data_dir=tmp_path, seed=0)
    rehearsal = Rehearsal(session)
    rehearsal.randomize()
    last = rehearsal.back()  # back counts too: the last setting *heard*
    session.set_current(session.space.default())  # a session alone (render, export) moves nothing
    assert Session(data_dir=tmp_path, seed=1).current == pytest.approx(last)


def test_an_unreadable_state_file_is_set_aside_not_lost(tmp_path):
    session = Session(data_dir=tmp_path, seed=0)
    Rehearsal(session).randomize()
    state = session.directory / "state.json"
    state.write_text("{not json")
    with pytest.warns(UserWarning, match="state.json cannot be read"):
        reopened = Session(data_dir=tmp_path, seed=0)
    assert reopened.current == reopened.space.default() and not state.exists()
    kept = list(session.directory.glob("state.json.unreadable-*"))
    assert len(kept) == 1 and kept[0].read_text() == "{not json"
