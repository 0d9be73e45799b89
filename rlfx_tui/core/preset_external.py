"""The parts of a preset that bind to a plugin file (`type = "vst3"`, `"au"`), and choice parameters.

An external plugin entry::

    [[plugins]]
    id = "filter"
    type = "vst3"
    path = "~/.vst3/Thing.vst3"          # ~ and paths relative to the preset file are resolved
    plugin_name = "Thing Mono"           # only for a bundle that holds several plugins

Its `[[params]]` name the plugin's parameters as pedalboard exposes them (``gain_db``, ``cutoff_hz``: the
``plugin.parameters`` keys), with a range inside the plugin's own. The plugin is loaded once, in a child process
(core/plugin_probe.py), to check all that; a crash or a hang there is one line, never the caller's death.

A choice parameter (``values = [...]``, on an external or a built-in plugin) takes one of a list of values; its real
value in the parameter space is the index into that list.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any, Protocol

from rlfx_tui.core.errors import PresetError
from rlfx_tui.core.plugin_probe import ParamInfo, PluginInfo, PluginLoadError, probe
from rlfx_tui.core.preset_spec import EXTERNAL_TYPES, ParamSpec

SUFFIXES = {"vst3": ".vst3", "au": ".component"}


class Checker(Protocol):
    def fail(self, key: str, expected: str, got: object = None) -> PresetError: ...
    def string(
        self, data: dict[str, Any], key: str, where: str, default: str | None = None, identifier: bool = False
    ) -> str: ...
    def number(self, data: dict[str, Any], key: str, where: str, default: float | None = None) -> float: ...
    def finite(self, value: object, key: str) -> float: ...


def pinned_and_random_range(
    check: Checker, table: dict[str, Any], where: str, low: float, high: float
) -> tuple[bool, float, float]:
    """A [[params]] entry's `pinned` and `random_range` (NaN, NaN when the whole range is random), checked."""
    pinned = table.get("pinned", False)
    if not isinstance(pinned, bool):
        raise check.fail(f"{where}pinned", "true or false", pinned)
    random_min = random_max = math.nan
    if "random_range" in table:
        rr = table["random_range"]
        if not isinstance(rr, list) or len(rr) != 2:
            raise check.fail(f"{where}random_range", "an array [low, high]", rr)
        random_min = check.finite(rr[0], f"{where}random_range[0]")
        random_max = check.finite(rr[1], f"{where}random_range[1]")
        if not low <= random_min < random_max <= high:
            raise check.fail(f"{where}random_range", f"low < high within [min, max] = [{low:g}, {high:g}]", rr)
    return pinned, random_min, random_max


def resolve_path(text: str, base: Path) -> Path:
    """`~` expanded, a relative path taken from the preset file's folder."""
    path = Path(text).expanduser()
    return path if path.is_absolute() else base / path


def load_external_info(check: Checker, table: dict[str, Any], where: str, type_name: str, base: Path) -> PluginInfo:
    if type_name == "au" and sys.platform != "darwin":
        raise check.fail(f"{where}type", "a plugin type this system hosts (Audio Units are macOS only)", type_name)
    path = resolve_path(check.string(table, "path", where), base)
    if not path.exists():
        raise check.fail(f"{where}path", f"{EXTERNAL_TYPES[type_name]} that exists", str(path))
    if path.suffix != SUFFIXES[type_name]:
        raise check.fail(
            f"{where}path", f"{EXTERNAL_TYPES[type_name]}: a name ending in {SUFFIXES[type_name]}", str(path)
        )
    try:
        return probe(path, check.string(table, "plugin_name", where, default=""))
    except PluginLoadError as exc:
        raise check.fail(f"{where}path", f"{EXTERNAL_TYPES[type_name]} that loads", exc.reason) from None


def _known(info: PluginInfo, attribute: str, check: Checker, key: str) -> ParamInfo:
    param = info.param(attribute)
    if param is None:
        raise check.fail(key, f"a parameter of {info.name}, one of {[p.name for p in info.params]}", attribute)
    return param


def _one_of(check: Checker, param: ParamInfo, value: object, key: str) -> float | str | bool:
    """A value the plugin's discrete parameter takes (numbers compared within its rounding)."""
    for choice in param.values:
        same_kind = isinstance(value, str) == isinstance(choice, str)
        if same_kind and (
            value == choice
            or (
                not isinstance(choice, str)
                and isinstance(value, (int, float))
                and math.isclose(float(value), float(choice), abs_tol=1e-6)
            )
        ):
            return choice
    raise check.fail(key, f"one of {param.name}'s values {list(param.values)}", value)


def check_external_setting(check: Checker, info: PluginInfo, attribute: str, value: object, key: str) -> float | str:
    param = _known(info, attribute, check, key)
    if param.values:
        choice = _one_of(check, param, value, key)
        return float(choice) if isinstance(choice, bool) else choice
    number = check.finite(value, key)
    if param.min is not None and param.max is not None and not param.min <= number <= param.max:
        raise check.fail(key, f"a value within {param.name}'s own range [{param.min:g}, {param.max:g}]", number)
    return number


def choice_values(check: Checker, table: dict[str, Any], where: str) -> tuple[float | str | bool, ...]:
    values = table["values"]
    if not isinstance(values, list) or len(values) < 2:
        raise check.fail(f"{where}values", "an array of at least two values", values)
    if len({repr(v) for v in values}) != len(values):
        raise check.fail(f"{where}values", "values that differ from each other", values)
    for key in ("min", "max", "scale", "random_range"):
        if key in table:
            raise check.fail(f"{where}{key}", "no min/max/scale/random_range for a choice parameter (values = [...])")
    parsed: list[float | str | bool] = []
    for k, v in enumerate(values):
        parsed.append(v if isinstance(v, (str, bool)) else check.finite(v, f"{where}values[{k}]"))
    return tuple(parsed)


def choice_spec(
    check: Checker,
    table: dict[str, Any],
    where: str,
    name: str,
    plugin_id: str,
    attribute: str,
    values: tuple[float | str | bool, ...],
    fallback: float | str | bool,
) -> ParamSpec:
    default = table.get("default", fallback)

    def same(value: float | str | bool) -> bool:
        """TOML's 1 and 1.0 are the same number; a string or a boolean only equals one of its own kind."""
        if isinstance(value, (str, bool)) or isinstance(default, (str, bool)):
            return type(value) is type(default) and value == default
        return isinstance(default, (int, float)) and float(value) == float(default)

    index = next((k for k, v in enumerate(values) if same(v)), None)
    if index is None:
        raise check.fail(f"{where}default", f"one of values {list(values)}", default)
    pinned = table.get("pinned", False)
    if not isinstance(pinned, bool):
        raise check.fail(f"{where}pinned", "true or false", pinned)
    return ParamSpec(
        name=name,
        plugin=plugin_id,
        attribute=attribute,
        min=0.0,
        max=float(len(values) - 1),
        default=float(index),
        unit=check.string(table, "unit", where, default=""),
        pinned=pinned,
        label=check.string(table, "label", where, default=""),
        values=values,
    )


def external_param(
    check: Checker, info: PluginInfo, table: dict[str, Any], where: str, name: str, plugin_id: str, attribute: str
) -> ParamSpec:
    param = _known(info, attribute, check, f"{where}attribute")
    if "values" in table:
        if not param.values:
            raise check.fail(f"{where}values", f"no values: {param.describe()} is continuous (give min and max)")
        values = choice_values(check, table, where)
        chosen = tuple(_one_of(check, param, v, f"{where}values[{k}]") for k, v in enumerate(values))
        fallback = param.default if param.default in chosen else chosen[0]
        return choice_spec(check, table, where, name, plugin_id, attribute, chosen, fallback)
    if param.kind != "float" or param.min is None or param.max is None:
        raise check.fail(f"{where}values", f"values = [...]: {param.describe()} takes one of a list")
    low, high = check.number(table, "min", where), check.number(table, "max", where)
    for key, bound in (("min", low), ("max", high)):
        if not param.min - 1e-9 <= bound <= param.max + 1e-9:
            raise check.fail(
                f"{where}{key}",
                f"a value within {info.name}'s own range for {attribute} [{param.min:g}, {param.max:g}]",
                bound,
            )
    if not low < high:
        raise check.fail(f"{where}max", f"a number greater than min ({low:g})", high)
    default = check.number(
        table,
        "default",
        where,
        default=min(max(float(param.default), low), high) if isinstance(param.default, (int, float)) else low,
    )
    if not low <= default <= high:
        raise check.fail(f"{where}default", f"a number within [min, max] = [{low:g}, {high:g}]", default)
    scale = check.string(table, "scale", where, default="linear")
    if scale not in ("linear", "log"):
        raise check.fail(f"{where}scale", '"linear" or "log"', scale)
    if scale == "log" and low <= 0:
        raise check.fail(f"{where}min", "a number > 0 (log scale)", low)
    pinned, random_min, random_max = pinned_and_random_range(check, table, where, low, high)
    return ParamSpec(
        name=name,
        plugin=plugin_id,
        attribute=attribute,
        min=low,
        max=high,
        default=default,
        unit=check.string(table, "unit", where, default=param.units),
        scale="log" if scale == "log" else "linear",
        pinned=pinned,
        random_min=random_min,
        random_max=random_max,
        label=check.string(table, "label", where, default=""),
    )
