"""Choice parameters learn: on a preset over the test plugin (a three-way mode and an on/off switch), the learner
picks up which choice the player likes for which sound, in its mapping and in what it proposes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rlfx_tui.core.learner import Learner
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import load_preset
from tests.core.test_learner import HATS, PAD, jitter


def _likes(name: str, setting: dict[str, float]) -> bool:
    """The player: the pad wants the filter on in low-pass mode; the hats want it off."""
    if name == "pad":
        return setting["enabled"] == 1 and setting["mode"] == 0
    return setting["enabled"] == 0


def test_choices_sit_on_their_grid_everywhere(plugin_preset: Path) -> None:
    space = ParameterSpace(load_preset(plugin_preset).params)
    u = space.constrain(np.random.default_rng(0).uniform(size=(50, len(space))))
    modes, switches = u[:, space.names.index("mode")], u[:, space.names.index("enabled")]
    assert set(np.unique(modes)) <= {0.0, 0.5, 1.0} and set(np.unique(switches)) <= {0.0, 1.0}


def test_a_switch_and_a_mode_are_learnt_per_sound(plugin_preset: Path) -> None:
    space = ParameterSpace(load_preset(plugin_preset).params)
    rng = np.random.default_rng(4)
    X, U, good = [], [], []
    for name, sound in (("pad", PAD), ("hats", HATS)):
        u = space.default_normalized
        for d in jitter(sound, rng, 60):
            u = space.randomize_normalized(u, 0.8, rng)
            X.append(d)
            U.append(u)
            good.append(_likes(name, space.denormalize(u)))
    assert 5 < sum(good) < len(good) - 5
    learner = Learner(space, hidden_layer_sizes=(8,)).fit(np.array(X), np.array(U), np.array(good))
    pad, hats = space.denormalize(learner.predict(PAD)), space.denormalize(learner.predict(HATS))
    assert (pad["enabled"], pad["mode"], hats["enabled"]) == (1, 0, 0)
    for name, sound in (("pad", PAD), ("hats", HATS)):
        chance = np.mean(
            [
                _likes(name, space.denormalize(space.randomize_normalized(space.default_normalized, 0.5, rng)))
                for _ in range(200)
            ]
        )
        proposed = [space.denormalize(learner.propose(sound, space.default_normalized, 0.5, rng)) for _ in range(40)]
        hits = np.mean([_likes(name, s) for s in proposed])
        assert hits > chance + 0.2, (name, hits, chance)
