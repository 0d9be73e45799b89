"""A ready preset from a plugin file: `rlfx-tui presets scan PLUGIN [--out FILE]`.

The plugin is probed in a child process (core/plugin_probe.py). Every automatable parameter becomes a `[[params]]`
entry with the plugin's own range, unit and default, and a comment saying what it is: a discrete one with a few
values (a switch, a mode) as a choice, a number on a log scale when its unit is Hz or its range spans more than two
decades. What nobody wants randomised is left out, and listed at the top: bypass, program, buffer size, sample
rate, latency, oversampling, sidechain, and anything the plugin marks non-automatable.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from rlfx_tui.core.errors import RlfxError
from rlfx_tui.core.plugin_probe import ParamInfo, PluginInfo
from rlfx_tui.core.preset_writer import _comment, _number, _string, _value

LEFT_OUT = re.compile(r"bypass|program|preset|buffer|sample_?rate|latency|oversampl|sidechain", re.IGNORECASE)


def left_out(param: ParamInfo) -> str:
    """Why a parameter is not in the scanned preset ("" = it is)."""
    if not param.automatable:
        return "not automatable"
    found = LEFT_OUT.search(param.name) or LEFT_OUT.search(param.label)
    if found:
        return found.group(0).lower()
    if not param.values and (param.kind != "float" or param.min is None or param.max is None):
        return "neither a number nor a short list of values"
    if not param.values and param.min == param.max:
        return "a fixed value"
    return ""


def identifier(text: str, taken: set[str]) -> str:
    """A preset identifier from a plugin's or a parameter's name: lower case, ASCII letters, digits and _."""
    name = re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_") or "param"
    if not name[0].isalpha():
        name = "p_" + name
    name = name[:36]
    unique, k = name, 2
    while unique in taken:
        unique, k = f"{name}_{k}", k + 1
    taken.add(unique)
    return unique


def _rounded(value: float, low: float, high: float) -> float:
    """A default as the plugin means it: pedalboard hands back values rounded to about range/1000 (1e-06 for 0)."""
    decimals = max(0, 1 - math.floor(math.log10((high - low) / 1000.0))) if high > low else 6
    return min(max(round(value, decimals), low), high)


def _param_lines(param: ParamInfo, name: str) -> list[str]:
    lines = ["", "[[params]]"]
    if param.values:
        kind = "a switch" if len(param.values) == 2 and param.kind != "str" else f"a choice of {len(param.values)}"
        lines.insert(1, _comment(f"{param.label}: {kind}"))
        default = param.default if param.default in param.values else param.values[0]
        return [
            *lines,
            f"name = {_string(name)}",
            'plugin = "plugin"',
            f"attribute = {_string(param.name)}",
            f"values = [{', '.join(_value(v) for v in param.values)}]",
            f"default = {_value(default)}",
        ]
    assert param.min is not None and param.max is not None
    low, high = param.min, param.max
    log = low > 0 and (param.units.lower() == "hz" or high / low > 100.0)
    why = " (its unit is Hz)" if log and param.units.lower() == "hz" else " (it spans over two decades)" if log else ""
    unit = f" {param.units}" if param.units else ""
    lines.insert(1, _comment(f"{param.label}: {low:g} .. {high:g}{unit}, {'log' if log else 'linear'}{why}"))
    default = _rounded(float(param.default), low, high) if isinstance(param.default, (int, float)) else low
    lines += [
        f"name = {_string(name)}",
        'plugin = "plugin"',
        f"attribute = {_string(param.name)}",
        f"min = {_number(low)}",
        f"max = {_number(high)}",
        f"default = {_number(default)}",
    ]
    if param.units:
        lines.append(f"unit = {_string(param.units)}")
    if log:
        lines.append('scale = "log"')
    return lines


def scan_text(info: PluginInfo, type_name: str = "vst3") -> str:
    """The preset, as TOML text with a comment per parameter."""
    kept = [p for p in info.params if not left_out(p)]
    if not kept:
        raise RlfxError(
            f"{info.path}: {info.name} has no parameter worth randomising (all are left out: "
            + ", ".join(f"{p.name} ({left_out(p)})" for p in info.params)
            + ")"
        )
    name = identifier(info.name, set())
    lines = [
        _comment(f"Scanned from {info.name} by `rlfx-tui presets scan`: edit freely (narrow ranges, pin or"),
        _comment("delete parameters). Every parameter below is randomised unless pinned."),
        _comment(
            f"{info.channels} channel{'s' if info.channels > 1 else ''}"
            + (" (the mono input is duplicated to both)" if info.channels == 2 else "")
            + (f"; reports {info.latency_samples} samples of latency" if info.latency_samples else "")
        ),
    ]
    skipped = [f"{p.name} ({left_out(p)})" for p in info.params if left_out(p)]
    if skipped:
        lines.append(_comment(f"Left out: {', '.join(skipped)}"))
    lines += [
        f"name = {_string(name)}",
        f"description = {_string(info.name + ' (scanned)')}",
        "",
        "[[plugins]]",
        'id = "plugin"',
        f"type = {_string(type_name)}",
        f"path = {_string(str(Path(info.path).resolve()))}",
    ]
    if info.plugin_name:
        lines.append(f"plugin_name = {_string(info.plugin_name)}")
    taken: set[str] = set()
    for param in kept:
        lines += _param_lines(param, identifier(param.name, taken))
    lines += ["", "[safety]", "limiter_threshold_db = -3.0", "limiter_release_ms = 80.0", "ceiling_db = -0.3"]
    return "\n".join(lines) + "\n"
