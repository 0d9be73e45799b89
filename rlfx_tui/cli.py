"""Command line: `rlfx-tui [options]` launches the app; subcommands do the rest.

Each subcommand lives in rlfx_tui/commands/<name>.py with `HELP`, `add_arguments(parser)` and `run(args) -> int`.
Errors a user can cause (RlfxError) print one line and exit 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import keyword
import os
import sys
from collections.abc import Sequence

from rlfx_tui import __version__
from rlfx_tui.audio.options import add_engine_options
from rlfx_tui.commands import app as app_command
from rlfx_tui.core.errors import RlfxError
from rlfx_tui.interop.osc_options import add_osc_options

SUBCOMMANDS = ("presets", "devices", "render", "bench", "simulate", "export", "import", "serve")
EXIT_USAGE = 2


def add_data_options(parser: argparse.ArgumentParser, *, nested: bool) -> None:
    """--data-dir and --preset, accepted before or after any subcommand that touches data.

    The subcommand's copies default to SUPPRESS so a value given before the subcommand is not reset."""
    default = argparse.SUPPRESS if nested else None
    parser.add_argument(
        "--data-dir",
        default=default,
        metavar="DIR",
        help="where labels and models live (default: the user data dir, or $RLFX_TUI_DATA_DIR)",
    )
    parser.add_argument(
        "--preset",
        default=default,
        metavar="NAME|FILE",
        help="a shipped preset name, one of yours (rlfx-tui presets), or a .toml file (default: space)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rlfx-tui",
        description="Swipe right on effect settings: randomise, say good or bad, and a model "
        "learns the settings you like for the sound you play.",
    )
    parser.add_argument("--version", action="version", version=f"rlfx-tui {__version__}")
    add_data_options(parser, nested=False)
    add_engine_options(parser)
    add_osc_options(parser)
    app_command.add_arguments(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        module = importlib.import_module(f"rlfx_tui.commands.{name}{'_' * keyword.iskeyword(name)}")
        text = module.HELP.replace("%", "%%")  # argparse %-formats help strings; HELP is plain text
        sub = commands.add_parser(name, help=text, description=text)
        if getattr(module, "TOUCHES_DATA", True):
            add_data_options(sub, nested=True)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if getattr(args, "run", None) is None:
            return app_command.run(args)
        return int(args.run(args))
    except RlfxError as exc:
        print(f"rlfx-tui: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        sys.stdout = open(os.devnull, "w")
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
