"""Just enough TOML writing to turn a (mutated) parsed preset back into a file: tomllib only reads."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any


def _string(text: str) -> str:
    out = []
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        return ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, (dt.date, dt.datetime, dt.time)):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_string(str(k))} = {value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"no TOML for {type(v).__name__}")


def dumps(data: dict[str, Any]) -> str:
    """Top-level scalars first, then [tables] and [[arrays of tables]]; anything deeper is written inline."""
    lines, tables = [], []
    for k, v in data.items():
        if isinstance(v, dict) or (isinstance(v, list) and v and all(isinstance(x, dict) for x in v)):
            tables.append((k, v))
        else:
            lines.append(f"{_string(k)} = {value(v)}")
    for k, v in tables:
        for table in [v] if isinstance(v, dict) else v:
            lines.append(f"[{_string(k)}]" if isinstance(v, dict) else f"[[{_string(k)}]]")
            lines += [f"{_string(kk)} = {value(vv)}" for kk, vv in table.items()]
    return "\n".join(lines) + "\n"
