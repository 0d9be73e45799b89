"""`rlfx-tui export flucoma DIR`: the labels and the trained mapping as files FluCoMa objects `read` as they are.
`rlfx-tui export preset OUT.toml --point N | --snapshot NAME`: the current preset with that setting as its defaults."""

from __future__ import annotations

import argparse

from rlfx_tui.commands.setting_options import add_setting_options, chosen_setting
from rlfx_tui.core.errors import RlfxError

HELP = (
    "export the labelled points and the trained mapping for FluCoMa (SuperCollider, Max, Pd), one setting "
    "(a labelled point or a snapshot) as a preset file whose defaults are that setting, or print the "
    "SuperCollider helper (sc) that declares a synth and sends its analysis"
)
PRESET_ONLY = ("point", "snapshot", "name", "force")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "format",
        choices=["flucoma", "preset", "sc"],
        help="flucoma: FluCoMa's JSON files into a folder; preset: a preset .toml file; sc: print "
        "rlfx.scd, the SuperCollider helper (with --example: a whole example that uses it)",
    )
    parser.add_argument(
        "target",
        nargs="?",
        metavar="DIR | OUT.toml",
        help="flucoma: the folder to write (created if missing); preset: the file to write",
    )
    parser.add_argument(
        "--example",
        action="store_true",
        help="flucoma: print the SuperCollider example that loads an export, and write nothing; "
        "sc: print the example that plays your input through the helper's example synth",
    )
    add_setting_options(parser, "preset: defaults from")
    parser.add_argument(
        "--name",
        metavar="NAME",
        help="preset: the new preset's name (default: OUT's file name without .toml); it names the "
        "folder its labels go to, so they don't mix with the current preset's",
    )
    parser.add_argument("--force", action="store_true", help="preset: replace OUT if it exists")


def run(args: argparse.Namespace) -> int:
    if args.format == "preset":
        return _run_preset(args)
    if args.format == "sc":
        return _run_sc(args)
    given = [f"--{key}" for key in PRESET_ONLY if getattr(args, key) not in (None, False)]
    if given:
        raise RlfxError(f"export flucoma: {given[0]} is for `rlfx-tui export preset OUT.toml`")
    from rlfx_tui.interop import flucoma

    if args.example:
        print(flucoma.EXAMPLE_SCD.read_text(), end="")
        return 0
    if not args.target:
        raise RlfxError("export flucoma: give a folder to write, e.g. `rlfx-tui export flucoma ~/rlfx-export`")
    from rlfx_tui.session import Session

    session = Session(preset=getattr(args, "preset", None), data_dir=getattr(args, "data_dir", None))
    written = flucoma.export_flucoma(session, args.target)
    points = session.points
    n_good = sum(p.good for p in points)
    print(f"exported {len(points)} points ({n_good} good) of preset {session.preset.name!r} to {args.target}:")
    for path in written:
        print(f"  {path.name:<18} {flucoma.FILES[path.name]}")
    if not session.learner.has_mapping:
        print("no mapping yet (no point labelled good): standardize.json and mlp.json were not written")
    return 0


def _run_sc(args: argparse.Namespace) -> int:
    from pathlib import Path

    given = [f"--{key}" for key in PRESET_ONLY if getattr(args, key) not in (None, False)]
    if given or args.target:
        raise RlfxError(
            f"export sc: prints to stdout and takes no {given[0] if given else 'target'}; e.g. "
            "`rlfx-tui export sc > rlfx.scd`"
        )
    here = Path(__file__).resolve().parents[1] / "interop"
    print((here / ("rlfx_example.scd" if args.example else "rlfx.scd")).read_text(), end="")
    return 0


def _run_preset(args: argparse.Namespace) -> int:
    from pathlib import Path

    if args.example:
        raise RlfxError("export preset: --example is for `rlfx-tui export flucoma`")
    if not args.target:
        raise RlfxError("export preset: give the file to write, e.g. `rlfx-tui export preset warm.toml --point 7`")
    out = Path(args.target).expanduser()
    if out.suffix != ".toml":
        raise RlfxError(f"{out}: a preset file's name must end in .toml (so --preset reads it as a file)")
    if out.exists() and not args.force:
        raise RlfxError(f"{out}: already exists; pass --force to replace it")
    from rlfx_tui.core.preset_writer import with_defaults, write_preset
    from rlfx_tui.core.presets import IDENTIFIER, shipped_presets
    from rlfx_tui.session import Session

    session = Session(preset=getattr(args, "preset", None), data_dir=getattr(args, "data_dir", None))
    source = session.preset
    chosen = chosen_setting(session, args.point, args.snapshot, command="export preset", required=True)
    assert chosen is not None
    name = args.name if args.name is not None else out.stem
    if args.name is None:
        if not IDENTIFIER.match(name):
            raise RlfxError(
                f"{out}: the preset would be named {name!r} after the file, which is not an identifier "
                f"(ASCII letters, digits, _; at most 40); pass --name NAME"
            )
        if name == source.name or name in shipped_presets():
            raise RlfxError(
                f"{out}: the preset would be named {name!r} after the file, like "
                f"{'the preset it comes from' if name == source.name else 'a shipped preset'}, so "
                f"their labels would mix; pass --name NAME (the same name only on purpose)"
            )
    header = [
        f"Exported by rlfx-tui from preset {source.name!r} ({source.path}): the defaults are",
        f"{chosen.what}; everything else is as in {source.name!r}.",
    ]
    written = write_preset(with_defaults(source, chosen.params, name=name), out, header=header, force=args.force)
    print(
        f"wrote {out}: preset {written.name!r} = {source.name!r} with the defaults of {chosen.what}; "
        f"play it with `rlfx-tui --preset {out}` (its labels go to the data dir's {written.name}/ folder)"
    )
    return 0
