"""Writing a preset file: a Preset in, TOML text out that preset_toml.read_preset reads back to the same preset.

tomllib only reads, and a preset needs little of TOML (strings, finite floats, booleans, a two-number array,
an inline table of settings, [[plugins]], [[params]], [safety]), so this writes exactly that, in the layout of the
shipped presets. Floats are written as Python's repr, which TOML parses back to the same double.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from rlfx_tui.core.errors import RlfxError
from rlfx_tui.core.presets import IDENTIFIER, ParamSpec, Preset

BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _key(key: str) -> str:
    return key if BARE_KEY.match(key) else _string(key)


def _number(value: float) -> str:
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"a preset holds finite numbers only, got {value!r}")
    return repr(value)


def _value(value: float | str | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _string(value)
    return _number(value)


def _comment(line: str) -> str:
    """One comment line; control characters shown escaped, so a name with a line break can't end the comment."""
    return "# " + "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)


def _param_lines(spec: ParamSpec) -> list[str]:
    lines = ["[[params]]", f"name = {_string(spec.name)}"]
    if spec.plugin:  # an OSC preset's parameters bind no plugin
        lines += [f"plugin = {_string(spec.plugin)}", f"attribute = {_string(spec.attribute)}"]
    if spec.values:  # a choice: the values, and the default as one of them
        lines += [
            f"values = [{', '.join(_value(v) for v in spec.values)}]",
            f"default = {_value(spec.values[int(round(spec.default))])}",
        ]
    else:
        lines += [f"min = {_number(spec.min)}", f"max = {_number(spec.max)}", f"default = {_number(spec.default)}"]
    if spec.unit:
        lines.append(f"unit = {_string(spec.unit)}")
    if spec.scale != "linear":
        lines.append(f"scale = {_string(spec.scale)}")
    if spec.pinned:
        lines.append("pinned = true")
    if not (math.isnan(spec.random_min) and math.isnan(spec.random_max)):
        low = spec.min if math.isnan(spec.random_min) else spec.random_min
        high = spec.max if math.isnan(spec.random_max) else spec.random_max
        lines.append(f"random_range = [{_number(low)}, {_number(high)}]")
    if spec.label:
        lines.append(f"label = {_string(spec.label)}")
    return lines


def preset_toml(preset: Preset, header: Sequence[str] = ()) -> str:
    """The preset as TOML text (with `header` lines as comments at the top)."""
    lines = [_comment(line) for line in header]
    lines += [f"name = {_string(preset.name)}", f"description = {_string(preset.description)}"]
    if preset.engine != "pedalboard":
        lines.append(f"engine = {_string(preset.engine)}")
    if preset.context_names:
        lines += ["", "[context]", 'source = "osc"', f"names = [{', '.join(_string(n) for n in preset.context_names)}]"]
    for plugin in preset.plugins:
        lines += ["", "[[plugins]]", f"id = {_string(plugin.id)}", f"type = {_string(plugin.type)}"]
        if plugin.path is not None:
            lines.append(f"path = {_string(str(plugin.path))}")
        if plugin.plugin_name:
            lines.append(f"plugin_name = {_string(plugin.plugin_name)}")
        if plugin.settings:
            inline = ", ".join(f"{_key(k)} = {_value(v)}" for k, v in plugin.settings.items())
            lines.append(f"settings = {{ {inline} }}")
    for spec in preset.params:
        lines += ["", *_param_lines(spec)]
    if preset.engine == "osc":
        return "\n".join(lines) + "\n"  # no safety stage of ours: the patch makes the sound
    safety = preset.safety
    lines += [
        "",
        "[safety]",
        f"limiter_threshold_db = {_number(safety.limiter_threshold_db)}",
        f"limiter_release_ms = {_number(safety.limiter_release_ms)}",
        f"ceiling_db = {_number(safety.ceiling_db)}",
    ]
    return "\n".join(lines) + "\n"


def with_defaults(preset: Preset, defaults: Mapping[str, float], name: str | None = None) -> Preset:
    """The same preset with new parameter defaults (every parameter, real units, within its range) and optionally a
    new name; everything else (plugins, ranges, scales, pinned, random ranges, safety) unchanged."""
    if name is not None and not IDENTIFIER.match(name):
        raise RlfxError(
            f"preset name {name!r}: expected an identifier (ASCII letters, digits, _; at most 40, not "
            f"starting with a digit)"
        )
    params = []
    for spec in preset.params:
        if spec.name not in defaults:
            raise RlfxError(f"new defaults for preset {preset.name!r} lack parameter {spec.name}")
        value = float(defaults[spec.name])
        if not (math.isfinite(value) and spec.min <= value <= spec.max):
            raise RlfxError(
                f"parameter {spec.name} = {value!r} is outside its range [{spec.min:g}, {spec.max:g}] "
                f"in preset {preset.name!r}"
            )
        params.append(replace(spec, default=float(round(value)) if spec.values else value))
    return replace(preset, name=preset.name if name is None else name, params=tuple(params))


def write_preset(
    preset: Preset, path: str | os.PathLike[str], *, header: Sequence[str] = (), force: bool = False
) -> Preset:
    """Write `preset` to `path` (atomically; an existing file only with force) and return it as read back from there.

    The text is read back through the normal preset reader before it takes the name, so a file that would not load
    as `--preset PATH` is never written."""
    from rlfx_tui.core.atomic import write_atomic
    from rlfx_tui.core.preset_toml import read_preset

    path = Path(path)
    if path.suffix != ".toml":
        raise RlfxError(f"{path}: a preset file's name must end in .toml (so --preset reads it as a file)")
    if path.exists() and not force:
        raise RlfxError(f"{path}: already exists; pass --force to replace it")
    if path.is_dir():
        raise RlfxError(f"{path}: is a folder, not a file")
    text = preset_toml(preset, header)
    loaded: list[Preset] = []

    def reads_back(temp: Path) -> None:
        try:
            loaded.append(read_preset(temp))
        except RlfxError as exc:
            raise RlfxError(f"{path}: the written preset would not load ({exc}); nothing was written") from None
        if not _same(loaded[0], preset):
            raise RlfxError(f"{path}: the written preset does not read back as the same preset; nothing was written")

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text.encode("utf-8"), overwrite=force, check=reads_back)
    except FileExistsError:
        raise RlfxError(f"{path}: already exists; pass --force to replace it") from None
    except OSError as exc:
        raise RlfxError(f"{path}: cannot write ({exc.strerror or exc}); nothing was written") from None
    return replace(loaded[0], path=path)


def _same(a: Preset, b: Preset) -> bool:
    """Equal but for the file they came from (NaN random bounds compare equal)."""

    def spec_key(s: ParamSpec) -> tuple[object, ...]:
        return (
            s.name,
            s.plugin,
            s.attribute,
            s.min,
            s.max,
            s.default,
            s.unit,
            s.scale,
            s.pinned,
            s.label,
            s.values,
            *(None if math.isnan(v) else v for v in (s.random_min, s.random_max)),
        )

    return (a.name, a.description, a.plugins, a.safety, a.engine, a.context_names) == (
        b.name,
        b.description,
        b.plugins,
        b.safety,
        b.engine,
        b.context_names,
    ) and [spec_key(s) for s in a.params] == [spec_key(s) for s in b.params]
