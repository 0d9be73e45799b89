"""Where data lives: platformdirs' user data dir, overridable by --data-dir or RLFX_TUI_DATA_DIR."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "RLFX_TUI_DATA_DIR"


def default_data_dir() -> Path:
    """The data directory used when none is given: $RLFX_TUI_DATA_DIR, else the user's data dir."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("rlfx-tui", appauthor=False))


def resolve_data_dir(data_dir: str | os.PathLike[str] | None) -> Path:
    return Path(data_dir).expanduser() if data_dir is not None else default_data_dir()


USER_PRESETS = "presets"  # <data dir>/presets/: a reserved preset name (core/declared.py), so no preset's folder


def user_presets_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Your presets (`rlfx-tui presets scan` and a patch's /rlfx/declare write there): found by name like the shipped
    ones."""
    return resolve_data_dir(data_dir) / USER_PRESETS


def shipped_presets_dir() -> Path:
    """presets/ ships inside the wheel as rlfx_tui/presets; in a source checkout it sits beside the package."""
    here = Path(__file__).resolve().parent
    installed = here / "presets"
    return installed if installed.is_dir() else here.parent / "presets"
