"""Bad preset files, generated: always a PresetError naming the file and the key, never another exception.

Targeted mutations of the shipped presets (each certainly invalid) must blame exactly the key that was broken;
untargeted mutations (random values anywhere, random bytes) must either load or raise PresetError; the CLI turns
the error into one line on stderr and exit status 2.
"""

from __future__ import annotations

import copy
import datetime as dt
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rlfx_tui.core.errors import PresetError
from rlfx_tui.core.presets import IDENTIFIER, PLUGIN_TYPES, Preset, load_preset, shipped_presets

from . import toml_writer

SHIPPED = {name: tomllib.loads(path.read_text()) for name, path in shipped_presets().items()}
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIGURES: dict[str, int] = {}

huge_numbers = st.one_of(
    st.sampled_from([float("nan"), float("inf"), float("-inf"), 10**400, -(10**30)]),
    st.floats(min_value=1.0000001e7, max_value=1e300),
    st.integers(min_value=10**7 + 1),
)
not_numbers = st.one_of(
    st.text(max_size=8),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.just(dt.date(1979, 5, 27)),
)
not_strings = st.one_of(
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
printable = st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "S"]), min_size=1, max_size=12)


def dotted(path: tuple[Any, ...]) -> str:
    key = ""
    for part in path:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else part)
    return key


def set_at(data: dict[str, Any], path: tuple[Any, ...], new: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    if new is _DELETE:
        del data[path[-1]]
    else:
        data[path[-1]] = new


_DELETE = object()


@st.composite
def targeted(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """A shipped preset with one certain fault; returns (data, the key the error must name)."""
    name = draw(st.sampled_from(sorted(SHIPPED)))
    data = copy.deepcopy(SHIPPED[name])
    i = draw(st.integers(0, len(data["plugins"]) - 1))
    j = draw(st.integers(0, len(data["params"]) - 1))
    param = data["params"][j]
    numeric = [
        ("params", j, "min"),
        ("params", j, "max"),
        ("params", j, "default"),
        ("safety", "limiter_threshold_db"),
        ("safety", "ceiling_db"),
    ]
    numeric += [
        ("plugins", k, "settings", a)
        for k, p in enumerate(data["plugins"])
        for a, v in p.get("settings", {}).items()
        if not isinstance(v, str)
    ]
    strings = [
        ("name",),
        ("description",),
        ("plugins", i, "id"),
        ("plugins", i, "type"),
        ("params", j, "name"),
        ("params", j, "plugin"),
        ("params", j, "attribute"),
        ("params", j, "unit"),
        ("params", j, "scale"),
    ]
    kind = draw(
        st.sampled_from(
            [
                "missing",
                "not_string",
                "not_number",
                "huge",
                "min_ge_max",
                "plugin",
                "attribute",
                "identifier",
                "unknown_key",
                "table",
                "pinned",
                "random_range",
            ]
        )
    )
    if kind == "missing":
        path = draw(
            st.sampled_from(
                [("name",), ("plugins",), ("params",), ("safety",), ("plugins", i, "id"), ("plugins", i, "type")]
                + [("params", j, k) for k in ("name", "plugin", "attribute", "min", "max", "default")]
            )
        )
        set_at(data, path, _DELETE)
    elif kind == "not_string":
        path = draw(st.sampled_from(strings))
        set_at(data, path, draw(not_strings))
    elif kind in ("not_number", "huge"):
        path = draw(st.sampled_from(numeric))
        set_at(data, path, draw(not_numbers if kind == "not_number" else huge_numbers))
    elif kind == "min_ge_max":
        path = ("params", j, "max")
        param["max"] = param["min"] - draw(st.floats(0.0, 1e6))
    elif kind == "plugin":
        path = ("plugins", i, "type")
        data["plugins"][i]["type"] = draw(printable.filter(lambda t: t not in PLUGIN_TYPES))
    elif kind == "attribute":
        path = ("params", j, "attribute")
        plugin_type = next(p["type"] for p in data["plugins"] if p["id"] == param["plugin"])
        cls = PLUGIN_TYPES[plugin_type]
        attribute = draw(printable)
        assume(attribute.startswith("_") or not isinstance(getattr(cls, attribute, None), property))
        param["attribute"] = attribute
    elif kind == "identifier":
        path = draw(st.sampled_from([("name",), ("plugins", i, "id"), ("params", j, "name")]))
        set_at(data, path, draw(st.text(min_size=0, max_size=50).filter(lambda t: not IDENTIFIER.match(t))))
    elif kind == "unknown_key":
        where = draw(st.sampled_from([(), ("plugins", i), ("params", j), ("safety",)]))
        table = data
        for part in where:
            table = table[part]
        key = draw(
            printable.filter(
                lambda k: (
                    k not in table
                    and k not in Preset.__dataclass_fields__
                    and k
                    not in {
                        "plugins",
                        "params",
                        "safety",
                        "settings",
                        "pinned",
                        "unit",
                        "scale",
                        "random_range",
                        "label",
                        "id",
                        "type",
                        "plugin",
                        "attribute",
                        "min",
                        "max",
                        "default",
                        "limiter_release_ms",
                        "limiter_threshold_db",
                        "ceiling_db",
                    }
                )
            )
        )
        table[key] = 1
        path = (*where, key)
    elif kind == "table":
        path = draw(st.sampled_from([("plugins",), ("params",), ("safety",), ("plugins", i, "settings")]))
        set_at(data, path, draw(st.one_of(st.integers(), st.text(max_size=5), st.just([]))))
    elif kind == "pinned":
        path = ("params", j, "pinned")
        param["pinned"] = draw(st.one_of(st.integers(), st.text(max_size=5), st.floats()))
    else:
        path = ("params", j, "random_range")
        param["random_range"] = draw(
            st.one_of(
                st.integers(),
                st.lists(st.floats(0, 1), max_size=5).filter(lambda r: len(r) != 2),
                st.just([param["max"], param["min"]]),
            )
        )
    return data, dotted(path)


def check_error(path: Path, exc: PresetError, key: str | None = None) -> None:
    message = str(exc)
    assert "\n" not in message, f"not one line: {message!r}"
    assert message.startswith(f"{path}: "), message
    assert ": expected " in message, message
    if key is not None:
        assert exc.key == key, f"blamed {exc.key!r}, the fault was at {key!r}: {message}"


@FAST
@given(case=targeted())
def test_each_certain_fault_names_its_key(case: tuple[dict[str, Any], str]) -> None:
    data, key = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mine.toml"
        path.write_text(toml_writer.dumps(data), encoding="utf-8")
        with pytest.raises(PresetError) as caught:
            load_preset(path)
        check_error(path, caught.value, key)
    FIGURES["targeted"] = FIGURES.get("targeted", 0) + 1


toml_values = st.recursive(
    st.one_of(
        st.integers(min_value=-(10**500), max_value=10**500),
        st.floats(allow_nan=True),
        st.booleans(),
        st.text(max_size=20),
        st.just(dt.date(2026, 11, 25)),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


@FAST
@given(
    name=st.sampled_from(sorted(SHIPPED)),
    edits=st.lists(st.tuples(st.integers(0, 10**6), toml_values, st.booleans()), min_size=1, max_size=3),
)
def test_random_mutations_load_or_raise_preset_error(name: str, edits: list[tuple[int, Any, bool]]) -> None:
    data = copy.deepcopy(SHIPPED[name])
    for index, new, delete in edits:
        paths = _paths(data)
        if not paths:
            break
        set_at(data, paths[index % len(paths)], _DELETE if delete else new)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mine.toml"
        path.write_text(toml_writer.dumps(data), encoding="utf-8")
        try:
            load_preset(path)
            FIGURES["random_loaded"] = FIGURES.get("random_loaded", 0) + 1
        except PresetError as exc:
            check_error(path, exc)
            FIGURES["random_refused"] = FIGURES.get("random_refused", 0) + 1


@FAST
@given(
    name=st.sampled_from(sorted(SHIPPED)),
    cuts=st.lists(st.tuples(st.integers(0, 10**6), st.binary(max_size=4)), min_size=1, max_size=4),
)
def test_random_bytes_in_shipped_files_load_or_raise_preset_error(name: str, cuts: list[tuple[int, bytes]]) -> None:
    raw = bytearray(shipped_presets()[name].read_bytes())
    for at, insert in cuts:
        at %= len(raw)
        raw[at : at + 1] = insert
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mine.toml"
        path.write_bytes(bytes(raw))
        try:
            load_preset(path)
        except PresetError as exc:
            check_error(path, exc)
    FIGURES["bytes"] = FIGURES.get("bytes", 0) + 1


@settings(max_examples=60, deadline=None)
@given(
    raw=st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(str.encode),
        st.sampled_from(
            [
                b"[" * 5000,
                b"a = " + b"[" * 5000 + b"]" * 5000,
                b"x = " + b"9" * 5000,
                b"name = 1e400",
                b"\xef\xbb\xbfname = 'x'",
                b"\x00",
            ]
        ),
    )
)
def test_not_toml_is_a_preset_error(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mine.toml"
        path.write_bytes(raw)
        with pytest.raises(PresetError) as caught:
            load_preset(path)
        check_error(path, caught.value)


def test_control_characters_in_a_key_still_give_one_line(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(shipped_presets()["space"].read_text() + '"evil\\nkey\\r\\u001b[31m" = 1\n')
    with pytest.raises(PresetError) as caught:
        load_preset(path)
    check_error(path, caught.value)
    assert "evil\\nkey" in str(caught.value)


CLI_CASES = {
    "not_toml.toml": b"this is = = not toml\n",
    "deep.toml": b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n",
    "huge.toml": shipped_presets()["grit"].read_bytes().replace(b"max = 40.0", b"max = " + b"9" * 400),
    "newline_key.toml": shipped_presets()["space"].read_bytes() + b'"a\\nb" = 1\n',
    "attribute.toml": shipped_presets()["motion"].read_bytes().replace(b'attribute = "depth"', b'attribute = "dpeth"'),
}


@pytest.mark.parametrize("name", sorted(CLI_CASES))
def test_cli_prints_one_line_and_exits_2(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(CLI_CASES[name])
    result = subprocess.run(
        [sys.executable, "-m", "rlfx_tui", "presets", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2, result
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"rlfx-tui: error: {path}: "), result.stderr


def test_print_figures() -> None:
    print(
        f"\npresets: {FIGURES.get('targeted', 0)} targeted faults each blamed on its key; "
        f"{FIGURES.get('random_loaded', 0) + FIGURES.get('random_refused', 0)} random value mutations "
        f"({FIGURES.get('random_refused', 0)} refused, {FIGURES.get('random_loaded', 0)} still valid); "
        f"{FIGURES.get('bytes', 0)} byte-level mutations; no other exception type"
    )
