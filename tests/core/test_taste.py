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
    np.testing.assert_allclose(mixed.posterior_, alone.posterior_, atol=1e-12)


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
