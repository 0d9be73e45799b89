import numpy as np
import pytest

from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import resolve_preset


@pytest.fixture
def space() -> ParameterSpace:
    return ParameterSpace(resolve_preset("motion").params)


def test_normalize_round_trip_and_log_scale(space):
    values = space.default()
    assert space.denormalize(space.normalize(values)) == pytest.approx(values)
    rate = space.spec("phaser_rate")  # log 0.05 .. 8: the geometric midpoint is the normalised middle
    middle = dict(values, phaser_rate=float(np.sqrt(rate.min * rate.max)))
    assert space.normalize(middle)[space.names.index("phaser_rate")] == pytest.approx(0.5)


def test_full_strength_is_uniform_over_the_random_range(space):
    rng = np.random.default_rng(1)
    current = space.normalize(space.default())
    draws = space.randomize_normalized(current, 1.0, rng, count=20000)
    free = ~space.pinned
    assert draws[:, free].mean(axis=0) == pytest.approx(0.5, abs=0.02)
    assert draws[:, free].std(axis=0) == pytest.approx(np.sqrt(1 / 12), abs=0.02)


def test_small_strength_is_a_bounded_nudge_and_pinned_stay(space):
    rng = np.random.default_rng(2)
    current = np.full(len(space), 0.9)
    draws = space.randomize_normalized(current, 0.1, rng, count=5000)
    free = ~space.pinned
    assert np.abs(draws[:, free] - 0.9).max() <= 0.1 + 1e-12
    assert np.abs(draws[:, free] - 0.9).max() > 0.05
    assert np.all((draws >= 0) & (draws <= 1))
    assert np.all(draws[:, space.pinned] == space.default_normalized[space.pinned])


def test_random_range_bounds_full_strength_draws():
    space = ParameterSpace(resolve_preset("space").params)
    rng = np.random.default_rng(3)
    draws = space.randomize_normalized(np.zeros(len(space)), 1.0, rng, count=2000)
    i = space.names.index("delay_feedback")
    assert draws[:, i].max() <= space.random_high[i] + 1e-12 < 1.0


def test_randomize_returns_real_units_in_bounds(space):
    rng = np.random.default_rng(4)
    for _ in range(50):
        values = space.randomize(space.default(), 1.0, rng)
        for spec in space.specs:
            assert spec.min <= values[spec.name] <= spec.max


@pytest.mark.parametrize("strength", [0.1, 0.4, 1.0])
def test_a_plain_jump_from_a_liked_setting_has_novelty_about_one(space, strength):
    """typical_jump is the root-mean-square length of a jump, so novelty² averages 1 over plain jumps."""
    rng = np.random.default_rng(3)
    liked = space.randomize_normalized(space.default_normalized, 1.0, rng)
    jumps = space.randomize_normalized(liked, strength, rng, count=4000)
    novelty = space.novelty(jumps, liked[None, :], strength)
    assert novelty.shape == (4000,)
    assert np.mean(novelty**2) == pytest.approx(1.0, rel=0.05)
    assert space.novelty(liked, liked[None, :], strength) == 0.0  # a repeat
    assert np.isinf(space.novelty(liked, liked[None, :], 0.0))  # no jump asked for: anything is new enough
