"""Inconsistent answers: the player's ε from their own contradictions, plausible and implausible likes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rlfx_tui.core.consistency import LOOKS_INCONSISTENT, estimate, prior_inconsistency
from rlfx_tui.core.learner import Learner
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import resolve_preset
from rlfx_tui.core.session import Session

PAD = np.array([-28.0, 250.0, 70.0, 0.0, 330.0, 440.0, 0.04])
HATS = np.array([-18.0, 15000.0, 5700.0, 0.28, 22000.0, 32000.0, 0.28])


@pytest.fixture
def space() -> ParameterSpace:
    return ParameterSpace(resolve_preset("space").params)


def a_taste(
    rng: np.random.Generator, space: ParameterSpace, n: int, flip: float, centre: float = 0.3
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Settings around a liked spot on knobs 2 and 7 (the rest roam); liked iff both are within 0.1 of `centre`,
    each answer given the wrong way round with probability `flip`."""
    u = rng.uniform(0, 1, size=(n, len(space)))
    near = rng.random(n) < 0.5
    u[near][:, [2, 7]] = 0  # (a copy: set below)
    u[np.ix_(near, [2, 7])] = centre + rng.uniform(-0.12, 0.12, size=(near.sum(), 2))
    truth = np.abs(u[:, [2, 7]] - centre).max(axis=1) < 0.1
    said = truth ^ (rng.random(n) < flip)
    return u, truth, said


def fitted(space: ParameterSpace, u: np.ndarray, said: np.ndarray, descriptors: np.ndarray = PAD) -> Learner:
    rng = np.random.default_rng(0)
    X = descriptors * (1 + rng.normal(0, 0.01, size=(len(u), 7)))
    return Learner(space, hidden_layer_sizes=(8,)).fit(X, u, said)


def test_a_consistent_player_looks_consistent_and_every_like_plausible(space: ParameterSpace) -> None:
    u, truth, said = a_taste(np.random.default_rng(1), space, 50, flip=0.0)
    learner = fitted(space, u, said)
    assert learner.inconsistency() < 0.05 < prior_inconsistency()
    plausible = learner.consistency_.plausibility[said]
    # all but a like on the region's very edge, 0.01 from a dislike just outside it (a slip would look the same)
    assert np.mean(plausible > 0.8) >= 0.95 and np.median(plausible) > 0.95, plausible


def test_flipped_answers_raise_the_inconsistency_and_slipped_likes_weigh_less(space: ParameterSpace) -> None:
    rng = np.random.default_rng(2)
    u, truth, said = a_taste(rng, space, 60, flip=0.0)
    # the same spot again, and five likes where the player had disliked nearly the same setting
    slips = np.flatnonzero(~truth)[-5:]
    again = np.clip(u[slips] + rng.normal(0, 0.01, size=(5, len(space))), 0, 1)
    u2, said2 = np.vstack([u, again]), np.concatenate([said, np.ones(5, dtype=bool)])
    truth2 = np.concatenate([truth, np.zeros(5, dtype=bool)])
    learner = fitted(space, u2, said2)
    assert learner.inconsistency() > fitted(space, u, said).inconsistency() + 0.015
    plausible = learner.consistency_.plausibility
    assert np.median(plausible[said2 & ~truth2]) < np.median(plausible[said2 & truth2]) - 0.3
    assert len(plausible) == len(said2) and learner.n_points_ == len(said2)  # every label stays


def test_a_stray_like_does_not_pull_the_mapping_out_of_the_liked_spot(space: ParameterSpace) -> None:
    rng = np.random.default_rng(3)
    liked = np.clip(0.3 + rng.uniform(-0.05, 0.05, size=(5, len(space))), 0, 1)
    stray = np.full((1, len(space)), 0.9)
    disliked = np.clip(0.9 + rng.normal(0, 0.02, size=(6, len(space))), 0, 1)  # the stray like's own contradictions
    u = np.vstack([liked[:3], stray, disliked, liked[3:]])
    said = np.array([True] * 3 + [True] + [False] * 6 + [True] * 2)
    mapped = fitted(space, u, said).predict(PAD)
    plain_mean = u[said].mean(axis=0)
    assert np.abs(plain_mean - 0.3).max() > 0.08
    assert np.abs(mapped - liked.mean(axis=0)).max() < 0.05


def test_each_sound_has_its_own_inconsistency(space: ParameterSpace) -> None:
    rng = np.random.default_rng(4)
    u, _, said = a_taste(rng, space, 40, flip=0.0)
    v, _, noisy = a_taste(rng, space, 40, flip=0.3, centre=0.7)
    X = np.vstack([PAD * (1 + rng.normal(0, 0.01, size=(40, 7))), HATS * (1 + rng.normal(0, 0.01, size=(40, 7)))])
    learner = Learner(space, hidden_layer_sizes=(8,)).fit(X, np.vstack([u, v]), np.concatenate([said, noisy]))
    assert learner.inconsistency(HATS) > LOOKS_INCONSISTENT > learner.inconsistency(PAD)


def test_the_session_says_how_inconsistent_the_answers_here_look(tmp_path: Path) -> None:
    session = Session("space", data_dir=tmp_path, seed=0)
    assert session.inconsistency() is None and not session.looks_inconsistent()
    rng = np.random.default_rng(5)
    block = (0.1 * np.sin(2 * np.pi * 220 * np.arange(4800) / 48000)).astype(np.float32)
    session.listen(block, 48000)
    for good in (True, False, True):
        session.randomize(1.0)
        session.label(good)
        session.listen(block + rng.normal(0, 1e-4, len(block)).astype(np.float32))
    value = session.inconsistency()
    assert value is not None and 0.0 < value < 0.5
    assert session.looks_inconsistent() == (value > LOOKS_INCONSISTENT)


def test_estimate_without_a_like_changes_nothing(space: ParameterSpace) -> None:
    rng = np.random.default_rng(6)
    u = rng.random((10, len(space)))
    found = estimate(
        u,
        np.zeros(10, dtype=bool),
        rng.random((10, 7)),
        np.ones(10),
        ~space.pinned,
        context_width=0.3,
        prior_matters=0.3,
    )
    assert np.all(found.plausibility == 1.0) and found.inconsistency == pytest.approx(prior_inconsistency())


def test_two_far_likes_nothing_contradicts_pull_the_mapping_no_further_than_near_ones(space: ParameterSpace) -> None:
    """Two likes side by side, far from six others and with no dislike beside them, look plausible (each backs
    the other), yet may be slips. Their pull on the mapping's target is their weight, not their distance: with the
    weighted mean of the likes the mapping moved 0.09 towards them (on 5 seeds), with the robust middle 0.01."""
    rng = np.random.default_rng(9)
    liked = np.clip(0.3 + rng.uniform(-0.04, 0.04, size=(6, len(space))), 0, 1)
    far = np.clip(0.9 + rng.uniform(-0.03, 0.03, size=(2, len(space))), 0, 1)
    u = np.vstack([liked[:4], far, liked[4:]])
    said = np.ones(len(u), dtype=bool)
    mapped = fitted(space, u, said).predict(PAD)
    assert np.abs(mapped - liked.mean(axis=0)).max() < 0.04
