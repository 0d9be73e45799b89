"""Choice parameters in the ParameterSpace: index as the real value, k / (K − 1) as the normalised one, randomised
as categories (strength = the probability of changing), typical jumps over the continuous parameters only."""

from __future__ import annotations

import numpy as np
import pytest

from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import ParamSpec


@pytest.fixture
def space() -> ParameterSpace:
    return ParameterSpace(
        [
            ParamSpec("cutoff", "f", "cutoff_hz", 100.0, 10000.0, 1000.0, scale="log"),
            ParamSpec("mode", "f", "mode", 0.0, 2.0, 0.0, values=("Low", "High", "Band")),
            ParamSpec("on", "f", "enabled", 0.0, 1.0, 1.0, values=(0.0, 1.0)),
        ]
    )


def test_choices_normalise_to_their_grid_and_back(space: ParameterSpace) -> None:
    assert space.normalize({"cutoff": 1000.0, "mode": 1, "on": 0}).tolist() == [0.5, 0.5, 0.0]
    assert space.denormalize([0.5, 0.7, 0.4]) == {"cutoff": pytest.approx(1000.0), "mode": 1.0, "on": 0.0}
    assert space.within(np.array([300.0, 1.4, 0.6]))["mode"] == 1.0  # what the chain plays: an index
    assert space.spec("mode").shown(2) == "Band" and space.spec("on").shown(1) == "on"


@pytest.mark.parametrize("strength", [0.0, 0.2, 0.7, 1.0])
def test_strength_is_the_probability_that_a_choice_changes(space: ParameterSpace, strength: float) -> None:
    rng = np.random.default_rng(0)
    u = space.default_normalized
    draws = space.randomize_normalized(u, strength, rng, count=20000)
    for j in (1, 2):
        changed = draws[:, j] != u[j]
        assert changed.mean() == pytest.approx(strength, abs=0.015)
        assert set(np.unique(draws[:, j])) <= ({0.0, 0.5, 1.0} if j == 1 else {0.0, 1.0})
    if strength:  # to the other values alike
        others = draws[draws[:, 1] != u[1], 1]
        assert (others == 0.5).mean() == pytest.approx(0.5, abs=0.03)


def test_the_typical_jump_counts_the_continuous_parameters(space: ParameterSpace) -> None:
    rng = np.random.default_rng(1)
    u = space.default_normalized
    draws = space.randomize_normalized(u, 0.5, rng, count=20000)
    rms = float(np.sqrt(((draws[:, 0] - u[0]) ** 2).mean()))
    assert float(space.typical_jump(u, 0.5)) == pytest.approx(rms, rel=0.03)
