"""`rlfx-tui simulate`: the synthetic-player benchmark (uniform random, "randomise N %", the learner, a GP rival)."""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass

from rlfx_tui.core.errors import RlfxError
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import resolve_preset

HELP = (
    "benchmark the learner against random search, nudges of N percent and a Gaussian-process classifier, "
    "with a synthetic player"
)
METHOD_KEYS = ("uniform", "walk", "learner", "gp")  # rlfx_tui.sim.benchmark.METHODS (not imported: sklearn is slow)
SHAPES = ("ball", "corner", "ridge", "blobs", "mixed")  # rlfx_tui.sim.shapes.SHAPES
TOUCHES_DATA = False  # sessions live in temporary folders; the user's labels are never touched


@dataclass(frozen=True)
class LearnerFlag:
    """A command-line switch for one Learner option (only passed on when given: the learner keeps its default)."""

    name: str
    option: str
    kind: type[int] | type[float]
    low: float
    high: float
    metavar: str
    help: str


LEARNER_FLAGS = (
    LearnerFlag(
        "--corner-prior",
        "corner_prior",
        float,
        0,
        10,
        "W",
        "the learner's prior weight for liked regions at the ends of the ranges before a like; default 0",
    ),
    LearnerFlag(
        "--corner-probes",
        "corner_probes",
        int,
        0,
        10,
        "N",
        "how many of a sound's first jumps the learner sends towards a corner of the ranges; default 2",
    ),
    LearnerFlag(
        "--corner-probe-spacing",
        "corner_probe_spacing",
        int,
        1,
        60,
        "K",
        "labels between a sound's corner probes while nothing there is liked; default 5; 1: back to back",
    ),
    LearnerFlag(
        "--doubt-search",
        "doubt_search",
        float,
        0,
        1,
        "W",
        "how often, × the doubt that any like here was meant, a jump searches on as if nothing here were liked; "
        "default 0",
    ),
)


def learner_options(args: argparse.Namespace) -> dict[str, object]:
    """The Learner options given on the command line, each checked against its range."""
    options: dict[str, object] = {}
    for flag in LEARNER_FLAGS:
        value = getattr(args, flag.option)
        if value is None:
            continue
        if not flag.low <= value <= flag.high:
            raise RlfxError(f"{flag.name} must be in [{flag.low:g}, {flag.high:g}] (got {value})")
        options[flag.option] = value
    return options


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--preset",
        default=argparse.SUPPRESS,
        metavar="NAME|FILE",
        help="a shipped preset name or a .toml file (default: space)",
    )
    parser.add_argument("--seeds", type=int, default=10, help="how many seeds (worlds) to run (default 10)")
    parser.add_argument("--first-seed", type=int, default=0, help="the first seed (default 0)")
    parser.add_argument("--labels", type=int, default=60, help="labels per seed (default 60)")
    parser.add_argument("--sounds", type=int, default=4, help="how many of the 5 synthesised sounds (default 4)")
    parser.add_argument("--turn", type=int, default=5, help="labels per sound before switching (default 5)")
    parser.add_argument(
        "--narrow", type=float, default=0.4, help="the player's strength right after a like (default 0.4)"
    )
    parser.add_argument(
        "--volume",
        type=float,
        default=0.04,
        help="share of the parameter space each sound's taste likes (default 0.04)",
    )
    parser.add_argument(
        "--taste",
        choices=SHAPES,
        default="ball",
        help="the shape of each sound's taste (default ball; mixed: one shape per sound)",
    )
    parser.add_argument(
        "--edges",
        action="store_true",
        help="let balls and blobs lie against the ends of the ranges (corners and ridges always do)",
    )
    parser.add_argument(
        "--flip",
        type=float,
        default=0.0,
        help="share of answers the player gives the wrong way round, in [0, 0.5) (default 0)",
    )
    parser.add_argument(
        "--methods",
        default=",".join(METHOD_KEYS),
        metavar="LIST",
        help=f"comma-separated, from {', '.join(METHOD_KEYS)} (default: all)",
    )
    for flag in LEARNER_FLAGS:
        parser.add_argument(
            flag.name,
            dest=flag.option,
            type=flag.kind,
            default=None,
            metavar=flag.metavar,
            help=f"{flag.help} (Learner {flag.option})",
        )
    parser.add_argument(
        "--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes (default: up to 2)"
    )
    parser.add_argument("--plot", metavar="FILE", help="write the like-rate curves to a PNG (needs matplotlib)")
    parser.add_argument("--no-timing", action="store_true", help="skip the learner timing at 500 points")


def run(args: argparse.Namespace) -> int:
    from rlfx_tui.sim.benchmark import run as run_benchmark
    from rlfx_tui.sim.plot import plot_like_rates, require_matplotlib
    from rlfx_tui.sim.report import summary, tables, verdict
    from rlfx_tui.sim.sounds import SOUNDS
    from rlfx_tui.sim.timing import learner_timing

    if not 1 <= args.sounds <= len(SOUNDS):
        raise RlfxError(f"--sounds: expected 1 to {len(SOUNDS)} (got {args.sounds})")
    if args.seeds < 1 or args.labels < 1 or args.turn < 1:
        raise RlfxError("--seeds, --labels and --turn must be at least 1")
    if not 0.0 < args.narrow <= 1.0 or not 0.0 < args.volume < 1.0:
        raise RlfxError("--narrow must be in (0, 1] and --volume in (0, 1)")
    if not 0.0 <= args.flip < 0.5:
        raise RlfxError(f"--flip must be in [0, 0.5) (got {args.flip})")
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in methods if m not in METHOD_KEYS]
    if unknown or not methods:
        raise RlfxError(f"--methods: expected some of {', '.join(METHOD_KEYS)} (got {args.methods!r})")
    methods = sorted(set(methods), key=METHOD_KEYS.index)
    options = learner_options(args)
    if args.plot:
        require_matplotlib()
    preset = resolve_preset(getattr(args, "preset", None))
    names = [s.name for s in SOUNDS[: args.sounds]]
    print(
        f"rlfx-tui simulate: preset {preset.name}, {args.seeds} seeds × {args.labels} labels, sounds "
        f"{', '.join(names)} in turns of {args.turn}; taste volume {args.volume:.0%}, strength 100 % until a "
        f"like, {args.narrow:.0%} after one, ×1.5 after 3 misses; taste {args.taste}"
        f"{' (edges allowed)' if args.edges else ''}, {args.flip:.0%} of answers flipped; methods "
        f"{', '.join(methods)}" + (f"; learner {options}" if options else ""),
        flush=True,
    )
    start = time.perf_counter()
    results = run_benchmark(
        preset,
        seeds=args.seeds,
        first_seed=args.first_seed,
        labels=args.labels,
        n_sounds=args.sounds,
        turn=args.turn,
        narrow=args.narrow,
        volume=args.volume,
        shape=args.taste,
        edges=args.edges,
        flip=args.flip,
        methods=methods,
        learner_options=options or None,
        jobs=max(1, args.jobs),
        progress=lambda line: print("  " + line, flush=True),
    )
    print(f"({time.perf_counter() - start:.0f} s)\n")
    print(tables(results, names))
    print()
    setting = " ".join(
        [args.taste]
        + (["--edges"] if args.edges else [])
        + ([f"--flip {args.flip:g}"] if args.flip else [])
        + [f"{flag.name} {options[flag.option]:g}" for flag in LEARNER_FLAGS if flag.option in options]
    )
    print(summary(results, setting))
    print()
    print(verdict(results, flip=args.flip, shape=args.taste))
    if not args.no_timing:
        t = learner_timing(ParameterSpace(preset.params))
        load = f", load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs" if hasattr(os, "getloadavg") else ""
        print(
            f"learner at {t.points} points (one BLAS thread{load}): retrain {t.fit_s:.2f} s median of 3 "
            f"(target ≤ 0.3), proposal {t.propose_ms:.1f} ms median, {t.propose_max_ms:.1f} ms max (target ≤ 20)"
        )
    if args.plot:
        plot_like_rates(results, args.plot, f"{preset.name}: like-rate, {args.seeds} seeds")
        print(f"wrote {args.plot}")
    return 0
