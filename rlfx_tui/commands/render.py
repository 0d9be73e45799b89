"""`rlfx-tui render IN OUT`: a file through the effect offline, by the same block code the live engine runs."""

from __future__ import annotations

import argparse
import sys
import time

from rlfx_tui.commands.setting_options import add_setting_options, chosen_setting
from rlfx_tui.core.errors import RlfxError

HELP = (
    "render an audio file through the preset: at its defaults, at the setting of a labelled point or a "
    "snapshot, or following the trained mapping"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="IN", help="any audio file pedalboard.io reads (WAV, FLAC, MP3, ...)")
    parser.add_argument("output", metavar="OUT", help="the file to write; the format follows the extension")
    parser.add_argument(
        "--follow",
        action="store_true",
        help="let the trained mapping drive the parameters from the input, as in follow mode",
    )
    add_setting_options(parser, "render at")
    parser.add_argument("--blocksize", type=int, default=256, metavar="FRAMES", help="block size (default 256)")
    parser.add_argument(
        "--tail",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="silence appended so delays and reverb ring out (default 0)",
    )


class _Progress:
    """A one-line progress display on stderr, shown only once a render takes longer than half a second."""

    def __init__(self, name: str) -> None:
        self.name, self.began, self.last = name, time.perf_counter(), 0.0

    def __call__(self, done_s: float, total_s: float) -> None:
        now = time.perf_counter()
        if now - self.began < 0.5 or (now - self.last < 0.2 and done_s < total_s):
            return
        self.last = now
        speed = done_s / (now - self.began)
        print(
            f"\rrendering {self.name}: {100 * done_s / max(total_s, 1e-9):5.1f} % "
            f"({done_s:.1f} of {total_s:.1f} s, {speed:.0f}x real time)",
            end="",
            file=sys.stderr,
            flush=True,
        )
        self.shown = True

    def finish(self) -> None:
        if getattr(self, "shown", False):
            print(file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from rlfx_tui.audio.render import render
    from rlfx_tui.core.session import Session

    if args.follow and (args.point is not None or args.snapshot is not None):
        chosen_flag = "--point" if args.point is not None else "--snapshot"
        raise RlfxError(
            f"render: give --follow or {chosen_flag}, not both (in follow mode the mapping chooses the setting)"
        )
    session = Session(preset=args.preset, data_dir=args.data_dir)
    chosen = chosen_setting(session, args.point, args.snapshot, command="render", required=False)
    # the session opens on the last setting heard in the app; a render without --point is at the defaults
    session.set_current(session.space.default() if chosen is None else chosen.params)
    progress = _Progress(args.input)
    try:
        result = render(
            args.input,
            args.output,
            session,
            follow=args.follow,
            blocksize=args.blocksize,
            tail_s=args.tail,
            progress=progress,
        )
    finally:
        progress.finish()
    how = (
        "following the mapping"
        if args.follow
        else "at its defaults"
        if chosen is None
        else f"at the setting of {chosen.what}"
    )
    print(
        f"wrote {args.output}: {result.seconds:.1f} s, {result.samplerate} Hz, {result.channels} ch, preset "
        f"{session.preset.name} {how}, in {result.wall_s:.2f} s ({result.realtime_factor:.0f}x real time)"
    )
    return 0
