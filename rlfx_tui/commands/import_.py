"""`rlfx-tui import flucoma DESCRIPTORS.json PARAMS.json`: a pair of FluidDataSets becomes labelled points.

(The module is `import_` because `import` is a Python keyword; the command is `import`.)"""

from __future__ import annotations

import argparse

HELP = (
    "add labelled points from a pair of FluCoMa FluidDataSets (descriptors, parameters); points already in the "
    "dataset (same label, descriptors and setting) are skipped, so importing the same files twice adds nothing"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("format", choices=["flucoma"], help="the file format (FluCoMa's JSON)")
    parser.add_argument(
        "descriptors",
        metavar="DESCRIPTORS.json",
        help="FluidDataSet of rlfx-tui's 7 input descriptors (as in an export's descriptors.json)",
    )
    parser.add_argument(
        "params", metavar="PARAMS.json", help="FluidDataSet of the preset's parameters, same ids, in preset order"
    )
    parser.add_argument(
        "--label", choices=["good", "bad"], default="good", help="the label every point gets (default: good)"
    )
    parser.add_argument(
        "--labels",
        metavar="LABELS.json",
        help="a FluidLabelSet of good/bad per id (overrides --label where it has the id)",
    )
    parser.add_argument(
        "--units",
        choices=["normalized", "real"],
        default="normalized",
        help="PARAMS.json values: normalised to [0, 1] as exported (default), or real units",
    )


def run(args: argparse.Namespace) -> int:
    from rlfx_tui.interop.flucoma import import_flucoma
    from rlfx_tui.session import Session

    session = Session(preset=getattr(args, "preset", None), data_dir=getattr(args, "data_dir", None))
    result = import_flucoma(
        session, args.descriptors, args.params, good=args.label == "good", labels=args.labels, units=args.units
    )
    added = set(result.added)
    n_good = sum(p.good for p in session.points if p.id in added)
    counts = f"imported {len(added)} points" + (f" ({n_good} good)" if added else "")
    if result.skipped:
        counts += f", skipped {result.skipped} already in the dataset"
    done = "the model is retrained" if added else "nothing changed"
    print(f"{counts} (preset {session.preset.name!r}, {session.dataset.path}); {done}")
    return 0
