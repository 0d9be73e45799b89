"""Launch the Textual app (no subcommand)."""

from __future__ import annotations

import argparse

from rlfx_tui.core.errors import RlfxError


def run(args: argparse.Namespace) -> int:
    raise RlfxError("the terminal app is not built yet; try `rlfx-tui presets`")
