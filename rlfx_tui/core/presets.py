"""Presets: an ordered pedalboard chain and the parameters it exposes, declared in TOML (data, never executed).

This is where presets are found and loaded (and where the shipped ones are): the data model is preset_spec.py,
reading and checking a file is preset_toml.py, which shows the file format. Values that could run away (feedback,
gain) are bounded by SAFE_RANGES whatever the preset says.
"""

from __future__ import annotations

import os
from pathlib import Path

from rlfx_tui.core.errors import PresetError
from rlfx_tui.core.preset_spec import (
    HUGE,
    IDENTIFIER,
    PLUGIN_TYPES,
    SAFE_RANGES,
    ParamSpec,
    PluginSpec,
    Preset,
    SafetySpec,
)
from rlfx_tui.core.preset_toml import read_preset
from rlfx_tui.paths import USER_PRESETS, resolve_data_dir, shipped_presets_dir, user_presets_dir

__all__ = [
    "DEFAULT_PRESET",
    "HUGE",
    "IDENTIFIER",
    "PLUGIN_TYPES",
    "SAFE_RANGES",
    "ParamSpec",
    "PluginSpec",
    "Preset",
    "SafetySpec",
    "USER_PRESETS",
    "load_preset",
    "resolve_preset",
    "shipped_presets",
    "user_presets",
]

DEFAULT_PRESET = "space"


def load_preset(path: str | Path) -> Preset:
    """Parse and validate one preset file; raises PresetError naming the file, the key and what was expected."""
    return read_preset(path)


def shipped_presets() -> dict[str, Path]:
    """Shipped preset names → files, sorted by name."""
    return {p.stem: p for p in sorted(shipped_presets_dir().glob("*.toml"))}


def user_presets(data_dir: str | os.PathLike[str] | None = None) -> dict[str, Path]:
    """Your presets in `<data dir>/presets/` (written by `presets scan`, declared by a patch with /rlfx/declare, or put
    there by hand), by name, sorted."""
    folder = user_presets_dir(data_dir)
    return {p.stem: p for p in sorted(folder.glob("*.toml"))} if folder.is_dir() else {}


def resolve_preset(preset: str | os.PathLike[str] | None, data_dir: str | os.PathLike[str] | None = None) -> Preset:
    """None → the default preset; a shipped name; one of your presets' names (`<data dir>/presets/`); or a path to a
    .toml file."""
    if preset is None:
        preset = DEFAULT_PRESET
    shipped = shipped_presets()
    if isinstance(preset, str) and preset in shipped:
        return load_preset(shipped[preset])
    user = user_presets(data_dir) if isinstance(preset, str) and IDENTIFIER.match(preset) else {}
    if isinstance(preset, str) and preset in user:
        return load_preset(user[preset])
    path = Path(preset)
    if path.suffix == ".toml" or path.exists():
        return load_preset(path)
    yours = ", ".join(user or user_presets(data_dir)) or "none yet"
    mine = f", one of yours in {resolve_data_dir(data_dir) / USER_PRESETS} ({yours})"
    raise PresetError(
        str(preset), "(preset)", f"a shipped preset name, one of {sorted(shipped)}{mine}, or a .toml file"
    )
