"""The mapping's target: a robust (Huber) middle of liked settings, which one far-off like cannot drag away."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from rlfx_tui.core.middle import MEAN_WITHIN, robust_middle


def test_one_far_like_does_not_drag_the_middle_out_of_the_liked_spot() -> None:
    rng = np.random.default_rng(3)
    spot = 0.2 + 0.02 * rng.standard_normal((6, 3))  # six likes in one spot
    slip = np.array([[0.95, 0.95, 0.95]])  # a press the player did not mean, far off
    points = np.vstack([spot, slip])
    middle = robust_middle(np.ones((1, len(points))), points)[0]
    spot_centre = spot.mean(axis=0)
    # the mean moves a seventh of the way to the slip (0.11 per knob); the robust middle stays inside the spot
    assert np.abs(points.mean(axis=0) - spot_centre).max() > 0.1
    assert np.abs(middle - spot_centre).max() < 0.03


def test_a_spots_likes_average_out_as_in_a_mean() -> None:
    """Within MEAN_WITHIN of the middle every like pulls as in a mean: the spot's own weighted mean comes out, not
    the densest of its likes (a geometric median would sit nearer the two that coincide)."""
    points = np.array([[0.50, 0.50], [0.50, 0.50], [0.56, 0.50], [0.50, 0.56]])
    weights = np.array([[1.0, 1.0, 1.0, 2.0]])
    assert np.abs(points - points.mean(axis=0)).max() < MEAN_WITHIN
    np.testing.assert_allclose(robust_middle(weights, points)[0], (weights @ points)[0] / weights.sum(), atol=1e-12)


def test_each_row_of_weights_is_its_own_middle_and_zero_weights_do_not_count() -> None:
    points = np.array([[0.1, 0.1], [0.9, 0.9], [0.1, 0.9]])
    weights = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [1.0, 1.0, 0.0]])
    middle = robust_middle(weights, points)
    np.testing.assert_allclose(middle[0], [0.1, 0.1], atol=1e-9)
    np.testing.assert_allclose(middle[1], [0.9, 0.9], atol=1e-9)
    np.testing.assert_allclose(middle[2], [0.5, 0.5], atol=1e-9)  # two equal likes: half way


def _huber_loss(x: np.ndarray, weights: np.ndarray, points: np.ndarray) -> float:
    d = np.linalg.norm(points - x, axis=1)
    loss = np.where(d <= MEAN_WITHIN, d**2 / 2, MEAN_WITHIN * (d - MEAN_WITHIN / 2))
    return float((weights * loss).sum())


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_points=st.integers(3, 25), n_params=st.integers(1, 7))
def test_the_middle_minimises_the_weighted_huber_loss(seed: int, n_points: int, n_params: int) -> None:
    rng = np.random.default_rng(seed)
    points = rng.uniform(0.0, 1.0, (n_points, n_params))
    weights = rng.uniform(0.05, 1.0, n_points)
    ours = robust_middle(weights[None, :], points)[0]
    # a general-purpose optimiser from several starts: ours is no worse than the best of them, to a hair
    best = min(
        (
            minimize(
                _huber_loss,
                start,
                args=(weights, points),
                method="Nelder-Mead",
                options={"xatol": 1e-7, "fatol": 1e-10, "maxiter": 4000},
            )
            for start in (points[0], points.mean(axis=0), np.median(points, axis=0))
        ),
        key=lambda result: result.fun,
    )
    assert _huber_loss(ours, weights, points) <= best.fun + 1e-4 * weights.sum()
