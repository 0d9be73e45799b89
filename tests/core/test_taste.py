"""The taste model on hand-made labels: which parameters matter, how far a liked spot reaches, several spots."""

from __future__ import annotations

import numpy as np

from rlfx_tui.core.taste import MAX_SUBSETS, TasteModel


def labels(rng: np.random.Generator, matter: list[int], p: int = 8, n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Settings that roam everywhere; liked iff the parameters in `matter` are within 0.1 of 0.5."""
    u = rng.uniform(0, 1, size=(n, p))
    u[: n // 2, matter] = 0.5 + rng.uniform(-0.08, 0.08, size=(n // 2, len(matter)))
    good = np.abs(u[:, matter] - 0.5).max(axis=1) < 0.1
    return u, good


def test_a_single_like_alone_says_nothing_so_the_prior_stands() -> None:
    model = TasteModel(np.ones(6, dtype=bool)).fit(np.full((1, 6), 0.5), np.array([True]), np.ones(1))
    prior = np.exp(model.log_prior - model.log_prior.max())
    np.testing.assert_allclose(model.posterior_.sum(axis=1), prior / prior.sum(), atol=1e-12)
    np.testing.assert_allclose(model.matters(), 0.3, atol=0.05)  # the prior: each parameter matters w.p. 0.3


def test_likes_and_dislikes_tell_which_parameters_matter() -> None:
    u, good = labels(np.random.default_rng(1), matter=[1, 5])
    matters = TasteModel(np.ones(8, dtype=bool)).fit(u, good, np.ones(len(u))).matters()
    assert matters[[1, 5]].min() > 0.75
    assert np.delete(matters, [1, 5]).max() < 0.1


def test_weights_decide_which_labels_count() -> None:
    """Labels of another sound (weight 0) change nothing."""
    rng = np.random.default_rng(2)
    u, good = labels(rng, matter=[0, 2])
    other_u, other_good = labels(rng, matter=[3, 4])
    alone = TasteModel(np.ones(8, dtype=bool)).fit(u, good, np.ones(len(u)))
    mixed = TasteModel(np.ones(8, dtype=bool)).fit(
        np.vstack([u, other_u]),
        np.concatenate([good, other_good]),
        np.concatenate([np.ones(len(u)), np.zeros(len(other_u))]),
    )
    # Not bit-equal: the zero-weight rows change the order of sums (9.5e-7 relative seen on an AVX-512 machine).
    np.testing.assert_allclose(mixed.posterior_, alone.posterior_, rtol=1e-5, atol=1e-12)


def test_two_liked_spots_stay_two() -> None:
    """Likes at (0.2, 0.2) and (0.8, 0.8) on the first two parameters, dislikes between them: the middle is not
    predicted liked, each spot is."""
    rng = np.random.default_rng(3)
    a, b, middle = (np.full(6, 0.5) for _ in range(3))
    a[:2], b[:2] = 0.2, 0.8
    u = np.vstack(
        [a + rng.normal(0, 0.02, (3, 6)), b + rng.normal(0, 0.02, (3, 6)), middle + rng.normal(0, 0.04, (4, 6))]
    )
    good = np.array([True] * 6 + [False] * 4)
    model = TasteModel(np.ones(6, dtype=bool)).fit(u, good, np.ones(len(u)))
    p_a, p_b, p_middle = model.predictive(np.vstack([a, b, middle]))
    assert min(p_a, p_b) > 0.7
    assert p_middle < 0.3


def test_pinned_parameters_never_matter_and_large_presets_stay_small() -> None:
    free = np.ones(24, dtype=bool)
    free[[0, 7]] = False
    model = TasteModel(free)
    assert len(model.members) <= MAX_SUBSETS
    assert model.members[:, [0, 7]].sum() == 0
    u, good = labels(np.random.default_rng(4), matter=[3, 9], p=24)
    model.fit(u, good, np.ones(len(u)))
    assert set(np.argsort(model.matters())[-2:]) == {3, 9}
    assert model.matters()[[0, 7]].max() == 0.0


def test_an_open_ended_taste_is_liked_further_that_way() -> None:
    """Liked iff knob 1 is high and knob 4 low (a corner): the model learns that going further into the corner
    stays liked, where a bump around the likes would fall off."""
    rng = np.random.default_rng(5)
    u = rng.uniform(0, 1, size=(60, 6))
    u[:20, 1], u[:20, 4] = rng.uniform(0.72, 0.85, 20), rng.uniform(0.15, 0.28, 20)
    good = (u[:, 1] > 0.7) & (u[:, 4] < 0.3)
    deeper = np.full((1, 6), 0.5)
    deeper[0, 1], deeper[0, 4] = 0.99, 0.01
    open_ended = TasteModel(np.ones(6, dtype=bool)).fit(u, good, np.ones(len(u)))
    bumps = TasteModel(np.ones(6, dtype=bool), open_prior=0.0, ridge_prior=0.0).fit(u, good, np.ones(len(u)))
    assert open_ended.shape()["open-ended"] > 0.7
    assert open_ended.predictive(deeper)[0] > 0.8 > bumps.predictive(deeper)[0] + 0.2
    assert set(np.argsort(open_ended.matters())[-2:]) == {1, 4}


def test_a_ridge_where_two_knobs_trade_off_is_liked_along_it() -> None:
    """Liked iff knob 0 + knob 3 ≈ 1: likes spread along the ridge, dislikes just off it on both sides; a new
    setting on the ridge, far from every like, is liked; off it, not. The other knobs roam."""
    rng = np.random.default_rng(6)
    t = np.linspace(0.3, 0.7, 5)
    along = np.stack([t, 1.0 - t], axis=1)
    off_ridge = np.vstack([along + 0.1, along - 0.1])
    u = rng.uniform(0, 1, size=(15, 6))
    u[:, [0, 3]] = np.vstack([along, off_ridge])
    good = np.abs(u[:, 0] + u[:, 3] - 1.0) < 0.05
    on, off = np.full((2, 6), 0.5)
    on[0], on[3] = 0.9, 0.1
    off[0], off[3] = 0.9, 0.4
    model = TasteModel(np.ones(6, dtype=bool)).fit(u, good, np.ones(len(u)))
    assert model.shape()["ridge"] > 0.7
    p_on, p_off = model.predictive(np.vstack([on, off]))
    assert p_on > 0.7 and p_off < 0.2


def test_a_doubted_like_weighs_less() -> None:
    """Plausibility scales a like's region: the same labels with two likes doubted predict less around them."""
    u = np.array(
        [
            [0.2] * 4,
            [0.22] * 4,
            [0.8] * 4,
            [0.82] * 4,
            [0.5] * 4,
            [0.52] * 4,
            [0.2, 0.2, 0.8, 0.8],
            [0.8, 0.8, 0.2, 0.2],
        ]
    )
    good = np.array([True] * 4 + [False] * 4)
    meant = np.array([1.0, 1.0, 0.3, 0.3] + [1.0] * 4)
    trusted = TasteModel(np.ones(4, dtype=bool)).fit(u, good, np.ones(len(u)))
    doubted = TasteModel(np.ones(4, dtype=bool)).fit(u, good, np.ones(len(u)), plausibility=meant)
    near_doubted = np.full((1, 4), 0.81)
    assert doubted.predictive(near_doubted)[0] < trusted.predictive(near_doubted)[0] - 0.2
    assert doubted.predictive(np.full((1, 4), 0.21))[0] > 0.7
