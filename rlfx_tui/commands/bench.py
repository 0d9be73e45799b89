"""`rlfx-tui bench`: per-block cost, render speed and a stress run on a real stream, on this machine."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "measure the audio engine: per-block cost per preset, render speed, and a stress run on a real stream"
TOUCHES_DATA = False  # everything runs in a temporary data dir


def _sizes(value: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(v) for v in value.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated block sizes, got {value!r}") from None
    if not sizes or min(sizes) <= 0:
        raise argparse.ArgumentTypeError(f"block sizes must be > 0, got {value!r}")
    return sizes


def _sizes_or_none(value: str) -> tuple[int, ...]:
    return () if value.strip().lower() in ("none", "0", "") else _sizes(value)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--blocksizes",
        type=_sizes,
        default=(64, 128, 256),
        metavar="N,N,...",
        help="block sizes for the per-block cost (default 64,128,256)",
    )
    parser.add_argument(
        "--preset",
        dest="presets",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="also measure this preset file (a plugin preset from `presets scan`); repeatable",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=2.0,
        metavar="S",
        help="audio per cost measurement (default 2; best of 3 repeats)",
    )
    parser.add_argument(
        "--render-seconds", type=float, default=20.0, metavar="S", help="length of the render speed test (default 20)"
    )
    parser.add_argument(
        "--stress-seconds",
        type=float,
        default=60.0,
        metavar="S",
        help="length of the stress run on a real stream (default 60; 0 skips it)",
    )
    parser.add_argument(
        "--stress-blocksize",
        type=_sizes,
        default=(64, 128),
        metavar="N,N,...",
        help="block size(s) of the stress run, one run each (default 64,128)",
    )
    parser.add_argument(
        "--round-trip",
        type=_sizes_or_none,
        default=(64, 128, 256),
        metavar="N,N,...|none",
        help="block sizes for the measured round trip, an impulse through a JACK dummy loop "
        "(default 64,128,256; none skips it)",
    )
    parser.add_argument(
        "--stress-trainer",
        choices=("both", "process", "thread"),
        default="both",
        help="where the learner refits during the stress run: a subprocess, a thread of this "
        "process (GIL contention with the callback), or one run of each (default)",
    )
    parser.add_argument(
        "--stress-floor",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="before each stress block size, the same time with JACK's C example client alone on a fresh dummy "
        "server: the periods the machine itself misses (default on; needs jackd2)",
    )
    parser.add_argument(
        "--stress-device",
        choices=("auto", "jack-dummy", "default"),
        default="auto",
        help="auto: a private JACK dummy server when jackd is installed, else the default output device",
    )


def run(args: argparse.Namespace) -> int:
    from rlfx_tui.audio.bench import block_costs, click_report, format_costs, render_speed

    print(format_costs(block_costs(args.seconds, args.blocksizes, extra=args.presets)), flush=True)
    print()
    print(click_report(extra=args.presets), flush=True)
    seconds, rtf = render_speed(args.render_seconds)
    print(
        f"\nRender: {seconds:.1f} s of the demo loop through the default preset (mono in, stereo out) at "
        f"{rtf:.0f}x real time",
        flush=True,
    )
    if args.stress_seconds > 0:
        from rlfx_tui.audio.stress import stress_run

        use_jack = {"auto": None, "jack-dummy": True, "default": False}[args.stress_device]
        trainers = ("process", "thread") if args.stress_trainer == "both" else (args.stress_trainer,)
        for blocksize in args.stress_blocksize:
            if args.stress_floor and use_jack is not False:
                from rlfx_tui.audio.floor import floor_available, floor_run

                if floor_available():
                    print()
                    print(floor_run(args.stress_seconds, blocksize).format(), flush=True)
            for trainer in trainers:
                print()
                print(stress_run(args.stress_seconds, blocksize, use_jack, trainer=trainer).format(), flush=True)
    if args.round_trip:
        from rlfx_tui.audio.jackd import JackError
        from rlfx_tui.audio.roundtrip import format_round_trips, measure_round_trips

        print()
        try:
            print(format_round_trips(measure_round_trips(args.round_trip)), flush=True)
        except JackError as exc:
            print(f"Round trip: not measured ({exc})", flush=True)
    return 0
