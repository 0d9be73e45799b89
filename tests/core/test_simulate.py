"""`rlfx-tui simulate` in small: the player, the sounds, and the learner beating both baselines by clear margins."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from rlfx_tui.cli import main
from rlfx_tui.core.descriptors import describe
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import resolve_preset
from rlfx_tui.sim.benchmark import METHOD_NAMES, run
from rlfx_tui.sim.player import Strength, random_taste
from rlfx_tui.sim.sounds import SAMPLERATE, SOUNDS


@pytest.fixture(scope="module")
def small_run() -> dict:
    """4 seeds × 40 labels, two sounds in turns of 5, a roomier taste (8 %) so 40 labels say something."""
    return run(resolve_preset("space"), seeds=4, labels=40, n_sounds=2, turn=5, volume=0.08, jobs=1)


def test_the_learner_beats_random_and_the_nudge_workflow(small_run: dict) -> None:
    late = {name: np.mean([o.liked[20:].mean() for o in small_run[name]]) for name in METHOD_NAMES}
    uniform, nudge, ours = (late[name] for name in METHOD_NAMES)
    print(late)
    assert ours >= 3 * max(uniform, 0.05)
    assert ours >= 1.4 * nudge


def test_after_a_like_the_learner_still_proposes_something_new(small_run: dict) -> None:
    """Its hit rate must not come from smaller jumps: its proposals land about as far from the sound's liked
    settings as the nudge workflow's plain jumps from a liked setting do."""
    novelty = {
        name: np.concatenate([o.novelty[~np.isnan(o.novelty)] for o in small_run[name]]) for name in METHOD_NAMES[1:]
    }
    nudge, ours = (novelty[name] for name in METHOD_NAMES[1:])
    assert len(ours) >= 20
    assert np.median(ours) >= 0.85 * np.median(nudge)
    assert np.mean(ours < 0.5) < 0.05


def test_the_learners_mapping_lands_in_the_liked_region(small_run: dict) -> None:
    outcomes = small_run[METHOD_NAMES[2]]
    liked = np.concatenate([~np.isnan(o.first_like) for o in outcomes])
    distance = np.concatenate([o.distance for o in outcomes])
    assert liked.sum() >= 4
    assert np.mean(distance[liked] == 0.0) >= 0.75


def test_sounds_are_clearly_different() -> None:
    rng = np.random.default_rng(0)
    d = np.array([describe(s.take(1.0, rng), SAMPLERATE) for s in SOUNDS])
    loud, centroid = d[:, 0], np.log2(d[:, 1])
    for i in range(len(SOUNDS)):
        for j in range(i + 1, len(SOUNDS)):
            assert abs(loud[i] - loud[j]) > 4 or abs(centroid[i] - centroid[j]) > 0.7, (SOUNDS[i], SOUNDS[j])


def test_a_taste_likes_about_its_volume_of_random_settings() -> None:
    space = ParameterSpace(resolve_preset("space").params)
    rng = np.random.default_rng(1)
    rates = []
    for _ in range(20):
        taste = random_taste(space, rng, volume=0.04)
        assert 2 <= len(taste.dims) <= 3
        rates.append(
            np.mean(
                [taste.likes(u) for u in space.randomize_normalized(space.default_normalized, 1.0, rng, count=2000)]
            )
        )
    assert 0.03 < np.mean(rates) < 0.07  # a little over 4 %: one parameter's random range is narrower


def test_the_player_narrows_after_a_like_and_widens_after_misses() -> None:
    strength = Strength(narrow=0.4, patience=3)
    for _ in range(5):
        strength.after(False)
    assert strength.value == 1.0  # wide until the first like
    strength.after(True)
    assert strength.value == 0.4
    for _ in range(3):
        strength.after(False)
    assert strength.value == pytest.approx(0.6)


def test_the_command_prints_the_tables(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--seeds", "1", "--labels", "12", "--sounds", "2", "--jobs", "1", "--no-timing"]) == 0
    out = capsys.readouterr().out
    assert "Like-rate per block" in out and "rlfx-tui learner" in out and "sounds never liked" in out


def test_plot_without_matplotlib_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main(["simulate", "--seeds", "1", "--labels", "5", "--plot", str(tmp_path / "x.png")]) == 2
    assert "rlfx-tui[plot]" in capsys.readouterr().err


def test_plot_writes_a_png(tmp_path) -> None:
    path = tmp_path / "curves.png"
    assert (
        main(
            [
                "simulate",
                "--seeds",
                "1",
                "--labels",
                "10",
                "--sounds",
                "1",
                "--jobs",
                "1",
                "--no-timing",
                "--plot",
                str(path),
            ]
        )
        == 0
    )
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_options_are_one_line_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--sounds", "9"]) == 2
    assert "--sounds" in capsys.readouterr().err
