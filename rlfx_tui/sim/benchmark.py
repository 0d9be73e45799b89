"""One benchmark run: every method, the same player, the same sounds and tastes, over several seeds.

Per seed: a taste per sound, then a performance — the player plays the sounds in turns of `turn` labels (sound 1,
2, …, n, 1, 2, …), each label preceded by half a second of a fresh take (two seconds on a change of sound, so the
descriptors settle). Each method hears exactly this audio, proposes a setting at the player's strength, and the
player labels it (with `flip`, the opposite of what they think at a fixed random share of the labels, the same
labels for every method). At the end each method's mapping is asked for a setting per sound (from a clean take).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from rlfx_tui.core.descriptors import DescriptorTracker
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import Preset
from rlfx_tui.sim.methods import Method, NudgeWorkflow, SessionLearner, UniformRandom
from rlfx_tui.sim.player import Strength, Taste
from rlfx_tui.sim.rival import GaussianProcessRival
from rlfx_tui.sim.shapes import Blobs, Corner, Ridge, make_taste
from rlfx_tui.sim.sounds import SAMPLERATE, SOUNDS, Sound

# The command line's names for the methods, in report order; `run` compares the first three unless told otherwise.
METHODS: dict[str, type[Method]] = {
    "uniform": UniformRandom,
    "walk": NudgeWorkflow,
    "learner": SessionLearner,
    "gp": GaussianProcessRival,
}
DEFAULT_METHODS = ("uniform", "walk", "learner")
METHOD_NAMES = tuple(METHODS[key].name for key in DEFAULT_METHODS)
AnyTaste = Taste | Corner | Ridge | Blobs


@dataclass
class Outcome:
    """What one method did for one seed."""

    liked: np.ndarray  # (labels,) bool: the player truly liked it (their taste, before any flipped answer)
    sounds: np.ndarray  # (labels,) sound index per label
    first_like: np.ndarray  # (n_sounds,) labels on that sound up to and including its first like; nan = never
    distance: np.ndarray  # (n_sounds,) mapping's distance to the liked ball (nan = no mapping)
    novelty: np.ndarray  # (labels,) distance to the nearest liked setting of that sound ÷ a typical jump at
    # the player's strength (nan before the sound's first like)
    answered: np.ndarray | None = None  # (labels,) bool: what the player said (= liked unless answers are flipped)
    told: np.ndarray | None = None  # (n_sounds,) bool: the player said "like" to a truly liked setting of it


@dataclass
class Performance:
    """The audio of one seed's playing: per label a sound index, a take, and its descriptors."""

    sounds: list[int]
    takes: list[np.ndarray]
    descriptors: list[np.ndarray]
    clean: list[tuple[np.ndarray, np.ndarray]]  # per sound: a clean take and its descriptors


def perform(sounds: Sequence[Sound], labels: int, turn: int, rng: np.random.Generator) -> Performance:
    tracker = DescriptorTracker(SAMPLERATE)
    order: list[int] = []
    takes: list[np.ndarray] = []
    descriptors: list[np.ndarray] = []
    for i in range(labels):
        sound = (i // turn) % len(sounds)
        changed = not order or order[-1] != sound
        take = sounds[sound].take(2.0 if changed else 0.5, rng)
        for start in range(0, len(take), 256):
            tracker.update(take[start : start + 256])
        order.append(sound)
        takes.append(take)
        descriptors.append(tracker.values)
    clean = []
    for each in sounds:
        take = each.take(2.0, rng)
        for start in range(0, len(take), 256):
            tracker.update(take[start : start + 256])
        clean.append((take, tracker.values))
    return Performance(order, takes, descriptors, clean)


def play(
    method: Method,
    performance: Performance,
    tastes: Sequence[AnyTaste],
    narrow: float,
    space: ParameterSpace,
    flips: np.ndarray | None = None,
) -> Outcome:
    """`flips[i]`: the player gives the opposite answer at label i (the same labels for every method)."""
    n_sounds = len(tastes)
    flips = np.zeros(len(performance.sounds), dtype=bool) if flips is None else flips
    told = np.zeros(n_sounds, dtype=bool)
    answered: list[bool] = []
    strengths = [Strength(narrow=narrow) for _ in range(n_sounds)]
    counts = np.zeros(n_sounds, dtype=int)
    first_like = np.full(n_sounds, np.nan)
    liked, novelty = [], []
    liked_settings: list[list[np.ndarray]] = [[] for _ in range(n_sounds)]
    for i, (sound, take, descriptors) in enumerate(zip(performance.sounds, performance.takes, performance.descriptors)):
        method.listen(take, descriptors)
        strength = strengths[sound].value
        u = method.propose(sound, strength)
        novelty.append(_novelty(space, u, liked_settings[sound], strength))
        good = tastes[sound].likes(u)
        says = good != bool(flips[i])
        if good:
            liked_settings[sound].append(u.copy())
        method.label(sound, says)
        strengths[sound].after(says)  # the player reacts to what they said
        counts[sound] += 1
        if good and np.isnan(first_like[sound]):
            first_like[sound] = counts[sound]
        told[sound] |= good and says
        liked.append(good)
        answered.append(says)
    distance = np.full(n_sounds, np.nan)
    for sound, (take, descriptors) in enumerate(performance.clean):
        mapped = method.mapping(take, descriptors)
        if mapped is not None:
            distance[sound] = tastes[sound].distance(mapped)
    method.close()
    return Outcome(
        np.array(liked), np.array(performance.sounds), first_like, distance, np.array(novelty), np.array(answered), told
    )


def _novelty(space: ParameterSpace, u: np.ndarray, liked: list[np.ndarray], strength: float) -> float:
    """ParameterSpace.novelty against this sound's liked settings so far; nan before its first like."""
    return float(space.novelty(u, np.array(liked), strength)) if liked else float("nan")


def make_method(
    key: str, space: ParameterSpace, seed: int, preset: Preset, learner_options: dict[str, object] | None = None
) -> Method:
    """A fresh method by its command-line name, with its own random stream (the same per seed as before)."""
    stream = {"uniform": 2, "walk": 3, "learner": 4, "gp": 6}[key]
    rng = np.random.default_rng([seed, stream])
    if key == "learner":
        return SessionLearner(space, rng, seed, preset, learner_options)
    return METHODS[key](space, rng, seed)


def run_seed(
    preset: Preset,
    seed: int,
    *,
    labels: int = 60,
    n_sounds: int = 4,
    turn: int = 5,
    narrow: float = 0.4,
    volume: float = 0.04,
    shape: str = "ball",
    edges: bool = False,
    flip: float = 0.0,
    methods: Sequence[str] = DEFAULT_METHODS,
    learner_options: dict[str, object] | None = None,
) -> dict[str, Outcome]:
    """The methods on one seed's world (tastes, performance, which answers are flipped); learner_options go to the
    learner's Session."""
    space = ParameterSpace(preset.params)
    sounds = SOUNDS[:n_sounds]
    world = np.random.default_rng([seed, 1])
    tastes = [make_taste(shape, space, world, volume=volume, edges=edges) for _ in sounds]
    performance = perform(sounds, labels, turn, world)
    flips = np.random.default_rng([seed, 5]).random(labels) < flip
    out = {}
    for key in methods:
        method = make_method(key, space, seed, preset, learner_options)
        out[method.name] = play(method, performance, tastes, narrow, space, flips)
    return out


def run(
    preset: Preset,
    *,
    seeds: int = 10,
    first_seed: int = 0,
    jobs: int = 1,
    progress: Callable[[str], None] | None = None,
    methods: Sequence[str] = DEFAULT_METHODS,
    **options: Any,
) -> dict[str, list[Outcome]]:
    """Outcomes per method name, one per seed (in seed order); `jobs` worker processes share the seeds."""
    names = [METHODS[key].name for key in methods]
    options["methods"] = tuple(methods)
    results: dict[str, list[Outcome]] = {name: [] for name in names}
    seed_list = list(range(first_seed, first_seed + seeds))
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            outcomes = pool.map(partial(run_seed, preset, **options), seed_list)
            per_seed = list(_report(outcomes, seed_list, progress))
    else:
        per_seed = list(_report((run_seed(preset, seed, **options) for seed in seed_list), seed_list, progress))
    for outcome in per_seed:
        for name in names:
            results[name].append(outcome[name])
    return results


def _report(
    outcomes: Iterable[dict[str, Outcome]], seeds: list[int], progress: Callable[[str], None] | None
) -> Iterator[dict[str, Outcome]]:
    for seed, outcome in zip(seeds, outcomes):
        if progress:
            progress(
                f"seed {seed}: "
                + ", ".join(f"{name} {result.liked.mean():.0%} liked" for name, result in outcome.items())
            )
        yield outcome
