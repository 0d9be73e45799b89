"""`rlfx-tui export flucoma DIR`: the labels and the trained mapping as files FluCoMa objects `read` as they are."""

from __future__ import annotations

import argparse

from rlfx_tui.core.errors import RlfxError

HELP = "export the labelled points and the trained mapping for FluCoMa (SuperCollider, Max, Pd)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("format", choices=["flucoma"], help="the file format (FluCoMa's JSON)")
    parser.add_argument("directory", nargs="?", metavar="DIR", help="folder to write (created if missing)")
    parser.add_argument("--example", action="store_true",
                        help="print the SuperCollider example that loads an export, and write nothing")


def run(args: argparse.Namespace) -> int:
    from rlfx_tui.interop import flucoma

    if args.example:
        print(flucoma.EXAMPLE_SCD.read_text(), end="")
        return 0
    if not args.directory:
        raise RlfxError("export flucoma: give a folder to write, e.g. `rlfx-tui export flucoma ~/rlfx-export`")
    from rlfx_tui.session import Session

    session = Session(preset=getattr(args, "preset", None), data_dir=getattr(args, "data_dir", None))
    written = flucoma.export_flucoma(session, args.directory)
    points = session.points
    n_good = sum(p.good for p in points)
    print(f"exported {len(points)} points ({n_good} good) of preset {session.preset.name!r} to {args.directory}:")
    for path in written:
        print(f"  {path.name:<18} {flucoma.FILES[path.name]}")
    if not session.learner.has_mapping:
        print("no mapping yet (no point labelled good): standardize.json and mlp.json were not written")
    return 0
