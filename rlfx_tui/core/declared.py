"""Parameter spaces a patch declares at run time (`/rlfx/declare`, `/rlfx/declare_features`), kept as presets in
`<data dir>/presets/<name>.toml` so `--preset <name>` reopens them.

A declaration is built into the shape a TOML preset parses to and checked by the same code (preset_toml
.preset_from_data), so it meets the same rules and the same errors; nothing is written unless it passes. The
written file is read back before it takes its name (preset_writer.write_preset).

Declaring a name again with the same space adopts it as it is (a patch declares on every boot). With a different
space, the labels recorded so far would no longer mean anything: that is refused while the preset has labels,
unless `redeclare` (the CLI's --redeclare) is given; then the old data folder is renamed aside whole
(`<data dir>/<name>.before-<time>/`, its preset file copied in as `preset.toml`) and the new space starts a new
dataset.
"""

from __future__ import annotations

import math
import os
import shutil
import tomllib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rlfx_tui.core.dataset import FILE_NAME as POINTS_FILE
from rlfx_tui.core.dataset import Dataset
from rlfx_tui.core.errors import RlfxError
from rlfx_tui.core.preset_spec import IDENTIFIER, ParamSpec, Preset
from rlfx_tui.core.preset_toml import MAX_CONTEXT, preset_from_data
from rlfx_tui.core.preset_writer import write_preset
from rlfx_tui.core.presets import USER_PRESETS, shipped_presets
from rlfx_tui.paths import resolve_data_dir

DECLARE = Path("/rlfx/declare")  # what a declaration's errors name instead of a file
GROUP = 5  # name, min, max, "lin"|"exp", default
MAX_PARAMS = 128
SCALES = {"lin": "linear", "linear": "linear", "exp": "log", "log": "log"}
RESERVED = {USER_PRESETS}  # a preset named "presets" would keep its labels among the preset files


class DeclarationError(RlfxError):
    """A declaration that is refused: nothing was written, nothing adopted."""


def declared_preset(args: Sequence[object], context_names: Sequence[str] = ()) -> Preset:
    """`/rlfx/declare <preset name> (<param name> <min> <max> <"lin"|"exp"> <default>)…` as a checked Preset."""
    if not args or not isinstance(args[0], str):
        raise DeclarationError(
            f"{DECLARE}: expected a preset name first, then groups of {GROUP} (name min max lin|exp default)"
        )
    name, rest = args[0], list(args[1:])
    if not rest or len(rest) % GROUP:
        raise DeclarationError(
            f"{DECLARE}: expected groups of {GROUP} values (name min max lin|exp default) after "
            f"the preset name, got {len(rest)}"
        )
    if len(rest) // GROUP > MAX_PARAMS:
        raise DeclarationError(f"{DECLARE}: at most {MAX_PARAMS} parameters, got {len(rest) // GROUP}")
    params: list[dict[str, Any]] = []
    for i in range(0, len(rest), GROUP):
        param, low, high, scale, default = rest[i : i + GROUP]
        if not isinstance(scale, str) or scale not in SCALES:
            shown = scale if isinstance(scale, (int, float, str)) and len(repr(scale)) < 40 else type(scale).__name__
            raise DeclarationError(f'{DECLARE}: params[{i // GROUP}].scale: expected "lin" or "exp" (got {shown!r})')
        params.append({"name": param, "min": low, "max": high, "scale": SCALES[scale], "default": default})
    data: dict[str, Any] = {
        "name": name,
        "description": "declared by a patch over OSC (/rlfx/declare)",
        "engine": "osc",
        "params": params,
    }
    if context_names:
        data["context"] = {"source": "osc", "names": list(context_names)}
    return _checked(data)


def with_context(preset: Preset, names: Sequence[object]) -> Preset:
    """The preset with the features of `/rlfx/declare_features <name>…` as its context."""
    if not names:
        raise DeclarationError(f"{DECLARE}_features: expected 1 to {MAX_CONTEXT} feature names")
    data: dict[str, Any] = {
        "name": preset.name,
        "description": preset.description,
        "engine": "osc",
        "params": [_param_table(s) for s in preset.params],
        "context": {"source": "osc", "names": list(names)},
    }
    return _checked(data, Path(f"{DECLARE}_features"))


def _param_table(spec: ParamSpec) -> dict[str, Any]:
    table: dict[str, Any] = {
        "name": spec.name,
        "min": spec.min,
        "max": spec.max,
        "default": spec.default,
        "scale": spec.scale,
        "pinned": spec.pinned,
        "unit": spec.unit,
        "label": spec.label,
    }
    if not (math.isnan(spec.random_min) and math.isnan(spec.random_max)):
        table["random_range"] = [
            spec.min if math.isnan(spec.random_min) else spec.random_min,
            spec.max if math.isnan(spec.random_max) else spec.random_max,
        ]
    return table


def _checked(data: dict[str, Any], where: Path = DECLARE) -> Preset:
    preset = preset_from_data(data, where)  # PresetError: the same message a TOML file would get
    if preset.name in shipped_presets() or preset.name in RESERVED:
        raise DeclarationError(f"{where}: {preset.name!r} is a shipped preset's name (or reserved); declare another")
    return preset


def space_key(preset: Preset) -> tuple[object, ...]:
    """What the labels' meaning depends on: the parameters (names, ranges, scales) and the context names."""
    return (tuple((s.name, s.min, s.max, s.scale) for s in preset.params), preset.context_names)


def adopt_declared(preset: Preset, data_dir: str | os.PathLike[str] | None, *, redeclare: bool = False) -> Preset:
    """Keep a declared preset in `<data dir>/presets/` (see the module docstring for re-declaring); returns it as
    read back from its file."""
    data = resolve_data_dir(data_dir)
    path = data / USER_PRESETS / f"{preset.name}.toml"
    old = _existing(path)
    if (
        old is not None
        and space_key(old)[0] == space_key(preset)[0]
        and (not preset.context_names or preset.context_names == old.context_names)
    ):
        return old  # the same space (a declaration without features keeps the features declared before)
    labels = _labels(data / preset.name, old)
    if old is not None and labels:
        if not redeclare:
            raise DeclarationError(
                f"{preset.path}: preset {preset.name!r} already exists with another space and "
                f"{labels} label(s) for it; they would mean nothing for the new one. Declare "
                "another name, or start rlfx-tui with --redeclare to keep them aside and start a "
                "new dataset"
            )
        _set_aside(data / preset.name, path)
    return write_preset(preset, path, header=["declared over OSC (/rlfx/declare)"], force=old is not None)


def _existing(path: Path) -> Preset | None:
    if not path.exists():
        return None
    try:
        engine = tomllib.loads(path.read_text(encoding="utf-8")).get("engine", "pedalboard")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        engine = None  # load_preset below says what is wrong with it
    if engine is not None and engine != "osc":  # `presets scan` and the player write there too: never replace theirs
        raise DeclarationError(
            f"{DECLARE}: {path} is one of your presets with engine = {engine!r} (scanned from a "
            "plugin or written by hand), not one a patch declared; declare another name"
        )
    from rlfx_tui.core.presets import load_preset

    return load_preset(path)


def _labels(directory: Path, old: Preset | None) -> int:
    if old is None or not (directory / POINTS_FILE).exists():
        return 0
    return len(Dataset(directory, old.name, old.context_names or _audio(), [s.name for s in old.params]).points)


def _audio() -> tuple[str, ...]:
    from rlfx_tui.core.descriptors import DESCRIPTOR_NAMES

    return DESCRIPTOR_NAMES


def _set_aside(directory: Path, preset_file: Path) -> Path:
    """The old data folder, renamed whole (files untouched), with its preset file copied in."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    aside = directory.with_name(f"{directory.name}.before-{stamp}")
    try:
        directory.rename(aside)
        shutil.copy2(preset_file, aside / "preset.toml")
    except OSError as exc:
        raise DeclarationError(
            f"{directory}: cannot set the old dataset aside ({exc.strerror}); nothing changed"
        ) from None
    return aside


def valid_name(name: object) -> bool:
    return isinstance(name, str) and bool(IDENTIFIER.match(name))
