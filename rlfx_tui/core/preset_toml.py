"""Reading a preset file: TOML in, a checked Preset out (data, never executed). rlfx_tui.core.presets.load_preset
calls this; the data model lives in preset_spec.py.

A preset file looks like this (every key is checked; unknown keys are errors, so typos don't pass silently)::

    name = "space"                       # identifier; also names the preset's folder in the data dir
    description = "Chorus into delay into reverb"

    [[plugins]]                          # the chain, in order
    id = "delay"                         # identifier used by params below
    type = "Delay"                       # a pedalboard plugin class from PLUGIN_TYPES
    settings = { mix = 0.3 }             # fixed attributes (numbers, or enum member names as strings)

    [[params]]                           # one per exposed parameter, in display order
    name = "delay_time"
    plugin = "delay"
    attribute = "delay_seconds"
    min = 0.05
    max = 1.2
    default = 0.35
    unit = "s"
    scale = "log"                        # "linear" (default) or "log" (needs min > 0)
    pinned = false                       # optional: true = never randomised, stays at default
    random_range = [0.1, 0.8]            # optional: randomise within this narrower range (real units)

    [safety]                             # the final stage: never randomised
    limiter_threshold_db = -3.0          # pedalboard Limiter threshold
    limiter_release_ms = 80.0
    ceiling_db = -0.3                    # hard ceiling after the limiter, at most -0.3 dBFS

Values that could run away (feedback, gain) are bounded by SAFE_RANGES whatever the preset says. Plugin files
(`type = "vst3"`, `path = ...`) and choice parameters (`values = [...]`) are checked by preset_external.py.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from rlfx_tui.core.errors import PresetError
from rlfx_tui.core.finite import is_finite
from rlfx_tui.core.plugin_probe import PluginInfo
from rlfx_tui.core.preset_external import (
    check_external_setting,
    choice_spec,
    choice_values,
    external_param,
    load_external_info,
    pinned_and_random_range,
)
from rlfx_tui.core.preset_spec import (
    CONTEXT_SOURCES,
    ENGINES,
    EXTERNAL_TYPES,
    HUGE,
    IDENTIFIER,
    PLUGIN_TYPES,
    SAFE_RANGES,
    ParamSpec,
    PluginSpec,
    Preset,
    SafetySpec,
)


def _one_line(text: str) -> str:
    """Keys and file names come from the user: escape control characters so an error stays one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _shortened(got: object, limit: int = 120) -> object:
    """What was found, cut to a readable length (a 10 MB string or array is a typo, not a message)."""
    if got is None:
        return None
    text = repr(got)
    return got if len(text) <= limit else _Shown(text[:limit] + "…")


class _Shown(str):
    """An already-formatted value: repr() gives it back unquoted."""

    def __repr__(self) -> str:
        return str(self)


class _Checker:
    """Reads typed values out of the parsed TOML, raising PresetError with the file and the dotted key."""

    def __init__(self, file: Path) -> None:
        self.file = str(file)

    def fail(self, key: str, expected: str, got: object = None) -> PresetError:
        return PresetError(_one_line(self.file), _one_line(key), expected, _shortened(got))

    def table(self, data: dict[str, Any], key: str, where: str, *, required: bool = True) -> dict[str, Any]:
        value = data.get(key, None if required else {})
        if not isinstance(value, dict):
            raise self.fail(f"{where}{key}", "a table", value)
        return value

    def string(
        self, data: dict[str, Any], key: str, where: str, default: str | None = None, identifier: bool = False
    ) -> str:
        if key not in data and default is not None:
            return default
        if key not in data:
            raise self.fail(f"{where}{key}", "a string (missing)")
        value = data[key]
        if not isinstance(value, str):
            raise self.fail(f"{where}{key}", "a string", value)
        if identifier and not IDENTIFIER.match(value):
            raise self.fail(f"{where}{key}", "an identifier (ASCII letters, digits, _; at most 40)", value)
        return value

    def number(self, data: dict[str, Any], key: str, where: str, default: float | None = None) -> float:
        if key not in data and default is not None:
            return default
        if key not in data:
            raise self.fail(f"{where}{key}", "a number (missing)")
        return self.finite(data[key], f"{where}{key}")

    def finite(self, value: object, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, "a number", value)
        if not is_finite(value) or abs(value) > HUGE:
            raise self.fail(key, f"a finite number of magnitude at most {HUGE:g}", value)
        return float(value)

    def only_keys(self, data: dict[str, Any], allowed: set[str], where: str) -> None:
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise self.fail(f"{where}{unknown[0]}", f"one of the known keys {sorted(allowed)}")


def read_preset(path: str | Path) -> Preset:
    """Parse and validate one preset file; raises PresetError naming the file, the key and what was expected."""
    path = Path(path)
    check = _Checker(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise check.fail("(file)", "a readable file", exc.strerror) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise check.fail("(file)", "UTF-8 text", f"undecodable byte at offset {exc.start}") from None
    except tomllib.TOMLDecodeError as exc:
        raise check.fail("(file)", "valid TOML", str(exc)) from None
    except (ValueError, RecursionError) as exc:  # a 5000-digit integer; arrays nested thousands deep
        raise check.fail("(file)", "valid TOML within Python's limits", str(exc)[:80]) from None

    return preset_from_data(data, path)


def preset_from_data(data: dict[str, Any], path: Path) -> Preset:
    """A checked Preset from parsed TOML (or from a /rlfx/declare message built into the same shape): the same
    rules and the same errors whichever way it came."""
    check = _Checker(path)
    check.only_keys(data, {"name", "description", "engine", "plugins", "params", "safety", "context"}, "")
    name = check.string(data, "name", "", identifier=True)
    description = check.string(data, "description", "", default="")
    engine = check.string(data, "engine", "", default="pedalboard")
    if engine not in ENGINES:
        raise check.fail("engine", f"one of {list(ENGINES)}", engine)
    context = _parse_context(check, check.table(data, "context", "", required=False))
    if engine == "osc":  # the patch makes the sound: no plugins, and no safety stage of ours to set
        if "plugins" in data or "safety" in data:
            raise check.fail(
                "plugins" if "plugins" in data else "safety",
                'nothing here with engine = "osc" (the patch makes the sound; [[params]] name no plugin)',
            )
        params = _parse_params(check, data.get("params"), (), {})
        return Preset(name, description, path, (), params, SafetySpec(), "osc", context)
    plugins, infos = _parse_plugins(check, data.get("plugins"), path.parent)
    params = _parse_params(check, data.get("params"), plugins, infos)
    safety = _parse_safety(check, check.table(data, "safety", ""))
    return Preset(name, description, path, plugins, params, safety, "pedalboard", context)


MAX_CONTEXT = 64  # named features; a controller or an analysis sends a handful


def _parse_context(check: _Checker, table: dict[str, Any]) -> tuple[str, ...]:
    """[context]: source = "audio" (the default: the input descriptors) or "osc" with the feature names."""
    check.only_keys(table, {"source", "names"}, "context.")
    source = check.string(table, "source", "context.", default="audio")
    if source not in CONTEXT_SOURCES:
        raise check.fail("context.source", f"one of {list(CONTEXT_SOURCES)}", source)
    if source == "audio":
        if "names" in table:
            raise check.fail("context.names", 'nothing with source = "audio" (the descriptors name themselves)')
        return ()
    names = table.get("names")
    if not isinstance(names, list) or not 1 <= len(names) <= MAX_CONTEXT:
        raise check.fail("context.names", f"an array of 1 to {MAX_CONTEXT} feature names", names)
    for i, feature in enumerate(names):
        if not isinstance(feature, str) or not IDENTIFIER.match(feature):
            raise check.fail(f"context.names[{i}]", "an identifier (ASCII letters, digits, _; at most 40)", feature)
        if feature in names[:i]:
            raise check.fail(f"context.names[{i}]", "a feature name not used before", feature)
    return tuple(names)


def _array_of_tables(check: _Checker, value: object, key: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        raise check.fail(key, f"a non-empty array of tables ([[{key}]])", None if value is None else value)
    return value


def _instantiate(check: _Checker, type_name: str, key: str) -> Any:
    if type_name not in PLUGIN_TYPES:
        raise check.fail(key, f"a pedalboard plugin, one of {sorted(PLUGIN_TYPES)}", type_name)
    return PLUGIN_TYPES[type_name]()


def _check_attribute(check: _Checker, plugin: Any, type_name: str, attribute: str, key: str) -> Any:
    """The attribute's current value on a scratch instance, if it is a public, non-boolean property."""
    if attribute.startswith("_") or not isinstance(getattr(type(plugin), attribute, None), property):
        raise check.fail(key, f"an attribute of pedalboard.{type_name}", attribute)
    current = getattr(plugin, attribute)
    if isinstance(current, bool):
        raise check.fail(key, f"a numeric attribute of pedalboard.{type_name}", attribute)
    return current


def _set_checked(check: _Checker, plugin: Any, type_name: str, attribute: str, value: float | str, key: str) -> None:
    """Set an attribute on a scratch plugin instance: proves the attribute exists and accepts the value."""
    current = _check_attribute(check, plugin, type_name, attribute, key)
    enum_type = type(current) if hasattr(type(current), "__members__") else None
    if enum_type is not None:
        if not isinstance(value, str) or value not in enum_type.__members__:
            raise check.fail(key, f"one of {sorted(enum_type.__members__)}", value)
        value = enum_type.__members__[value]
    elif isinstance(value, str):
        raise check.fail(key, "a number", value)
    else:
        low, high = SAFE_RANGES.get((type_name, attribute), (-HUGE, HUGE))
        if not low <= value <= high:
            raise check.fail(key, f"a value within the safe range [{low:g}, {high:g}]", value)
    try:
        setattr(plugin, attribute, value)
    except Exception as exc:  # noqa: BLE001 - pedalboard raises ValueError/RuntimeError for values it refuses
        raise check.fail(key, f"a value pedalboard.{type_name}.{attribute} accepts", f"{value}: {exc}") from None


def _parse_plugins(check: _Checker, value: object, base: Path) -> tuple[tuple[PluginSpec, ...], dict[str, PluginInfo]]:
    specs: list[PluginSpec] = []
    infos: dict[str, PluginInfo] = {}
    for i, table in enumerate(_array_of_tables(check, value, "plugins")):
        where = f"plugins[{i}]."
        type_name = check.string(table, "type", where)
        external = type_name in EXTERNAL_TYPES
        check.only_keys(table, {"id", "type", "settings"} | ({"path", "plugin_name"} if external else set()), where)
        plugin_id = check.string(table, "id", where, identifier=True)
        if any(s.id == plugin_id for s in specs):
            raise check.fail(f"{where}id", "a plugin id not used before", plugin_id)
        if external:
            info = load_external_info(check, table, where, type_name, base)
            settings = check.table(table, "settings", where, required=False)
            fixed = {a: check_external_setting(check, info, a, v, f"{where}settings.{a}") for a, v in settings.items()}
            infos[plugin_id] = info
            specs.append(
                PluginSpec(
                    plugin_id,
                    type_name,
                    fixed,
                    path=info.path,
                    plugin_name=info.plugin_name,
                    name=info.name,
                    channels=info.channels,
                    latency_samples=info.latency_samples,
                )
            )
            continue
        scratch = _instantiate(check, type_name, f"{where}type")
        settings = check.table(table, "settings", where, required=False)
        parsed: dict[str, float | str] = {}
        for attribute, setting in settings.items():
            key = f"{where}settings.{attribute}"
            if not isinstance(setting, str):
                setting = check.finite(setting, key)
            _set_checked(check, scratch, type_name, attribute, setting, key)
            parsed[attribute] = setting
        specs.append(PluginSpec(plugin_id, type_name, parsed))
    if len({p.channels for p in specs if p.channels}) > 1:
        names = ", ".join(f"{p.id} ({p.channels} ch)" for p in specs if p.channels)
        raise check.fail(
            "plugins",
            "plugins that run at one channel count (mono-only and stereo-only plugins cannot share a chain)",
            _Shown(names),
        )
    return tuple(specs), infos


def _parse_params(
    check: _Checker, value: object, plugins: tuple[PluginSpec, ...], infos: dict[str, PluginInfo]
) -> tuple[ParamSpec, ...]:
    """The [[params]]; with no plugins (engine = "osc") they bind nothing here: a name, a range, a scale (no
    choices: the patch is sent numbers)."""
    by_id = {p.id: p for p in plugins}
    params: list[ParamSpec] = []
    allowed = {"name", "min", "max", "default", "unit", "scale", "pinned", "random_range", "label"}
    if plugins:
        allowed |= {"plugin", "attribute", "values"}
    for i, table in enumerate(_array_of_tables(check, value, "params")):
        where = f"params[{i}]."
        check.only_keys(table, allowed, where)
        name = check.string(table, "name", where, identifier=True)
        if any(p.name == name for p in params):
            raise check.fail(f"{where}name", "a parameter name not used before", name)
        plugin_id = attribute = type_name = ""
        scratch = None
        if plugins:
            plugin_id = check.string(table, "plugin", where)
            if plugin_id not in by_id:
                raise check.fail(
                    f"{where}plugin", f"the id of a plugin in this preset, one of {sorted(by_id)}", plugin_id
                )
            attribute = check.string(table, "attribute", where)
            if any(p.plugin == plugin_id and p.attribute == attribute for p in params):
                raise check.fail(f"{where}attribute", "an attribute not exposed by another parameter", attribute)
            if attribute in by_id[plugin_id].settings:
                raise check.fail(f"{where}attribute", "an attribute not also fixed in the plugin's settings", attribute)
            if plugin_id in infos:
                params.append(external_param(check, infos[plugin_id], table, where, name, plugin_id, attribute))
                continue
            type_name = by_id[plugin_id].type
            scratch = PLUGIN_TYPES[type_name]()
            if "values" in table:
                params.append(_builtin_choice(check, scratch, type_name, table, where, name, plugin_id, attribute))
                continue
            _check_attribute(check, scratch, type_name, attribute, f"{where}attribute")  # blame it, not min
        low, high = check.number(table, "min", where), check.number(table, "max", where)
        if not low < high:
            raise check.fail(f"{where}max", f"a number greater than min ({low:g})", high)
        default = check.number(table, "default", where)
        if not low <= default <= high:
            raise check.fail(f"{where}default", f"a number within [min, max] = [{low:g}, {high:g}]", default)
        scale_name = check.string(table, "scale", where, default="linear")
        if scale_name not in ("linear", "log"):
            raise check.fail(f"{where}scale", '"linear" or "log"', scale_name)
        scale: Literal["linear", "log"] = "log" if scale_name == "log" else "linear"
        if scale == "log" and low <= 0:
            raise check.fail(f"{where}min", "a number > 0 (log scale)", low)
        pinned, random_min, random_max = pinned_and_random_range(check, table, where, low, high)
        for bound_key, bound in (("min", low), ("max", high), ("default", default)):
            if scratch is not None:
                _set_checked(check, scratch, type_name, attribute, bound, f"{where}{bound_key}")
        params.append(
            ParamSpec(
                name=name,
                plugin=plugin_id,
                attribute=attribute,
                min=low,
                max=high,
                default=default,
                unit=check.string(table, "unit", where, default=""),
                scale=scale,
                pinned=pinned,
                random_min=random_min,
                random_max=random_max,
                label=check.string(table, "label", where, default=""),
            )
        )
    return tuple(params)


def _builtin_choice(
    check: _Checker,
    scratch: Any,
    type_name: str,
    table: dict[str, Any],
    where: str,
    name: str,
    plugin_id: str,
    attribute: str,
) -> ParamSpec:
    """A built-in plugin's discrete attribute (an enum such as LadderFilter.mode, or a number) as a choice."""
    if attribute.startswith("_") or not isinstance(getattr(type(scratch), attribute, None), property):
        raise check.fail(f"{where}attribute", f"an attribute of pedalboard.{type_name}", attribute)
    values = choice_values(check, table, where)
    for k, choice in enumerate(values):
        if isinstance(choice, bool):
            raise check.fail(
                f"{where}values[{k}]", f"a number or an enum member name of pedalboard.{type_name}", choice
            )
        _set_checked(check, scratch, type_name, attribute, choice, f"{where}values[{k}]")
    return choice_spec(check, table, where, name, plugin_id, attribute, values, values[0])


def _parse_safety(check: _Checker, table: dict[str, Any]) -> SafetySpec:
    check.only_keys(table, {"limiter_threshold_db", "limiter_release_ms", "ceiling_db"}, "safety.")
    threshold = check.number(table, "limiter_threshold_db", "safety.", default=-3.0)
    release = check.number(table, "limiter_release_ms", "safety.", default=80.0)
    ceiling = check.number(table, "ceiling_db", "safety.", default=-0.3)
    if not -40.0 <= threshold <= -0.3:
        raise check.fail("safety.limiter_threshold_db", "a level in [-40, -0.3] dBFS", threshold)
    if not 1.0 <= release <= 2000.0:
        raise check.fail("safety.limiter_release_ms", "a time in [1, 2000] ms", release)
    if not -40.0 <= ceiling <= -0.3:
        raise check.fail("safety.ceiling_db", "a level in [-40, -0.3] dBFS", ceiling)
    return SafetySpec(threshold, release, ceiling)
