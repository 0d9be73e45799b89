"""The preset writer: every shipped preset written out reads back as itself, and new defaults land as given."""

from __future__ import annotations

import math
import os
from dataclasses import replace
from pathlib import Path

import pytest

from rlfx_tui.core.errors import RlfxError
from rlfx_tui.core.preset_toml import read_preset
from rlfx_tui.core.preset_writer import preset_toml, with_defaults, write_preset
from rlfx_tui.core.presets import ParamSpec, Preset, resolve_preset, shipped_presets


def spec_fields(spec: ParamSpec) -> tuple[object, ...]:
    return (
        spec.name,
        spec.plugin,
        spec.attribute,
        spec.min,
        spec.max,
        spec.default,
        spec.unit,
        spec.scale,
        spec.pinned,
        spec.label,
        *(None if math.isnan(v) else v for v in (spec.random_min, spec.random_max)),
    )


def assert_same(a: Preset, b: Preset) -> None:
    assert (a.name, a.description, a.plugins, a.safety) == (b.name, b.description, b.plugins, b.safety)
    assert [spec_fields(s) for s in a.params] == [spec_fields(s) for s in b.params]


@pytest.mark.parametrize("name", sorted(shipped_presets()))
def test_every_shipped_preset_round_trips(name: str, tmp_path: Path) -> None:
    preset = resolve_preset(name)
    out = tmp_path / f"{name}.toml"
    written = write_preset(preset, out)
    assert written.path == out
    assert_same(read_preset(out), preset)
    assert any(s.scale == "log" for s in preset.params)  # the log scale is written and read back too


def test_new_defaults_and_name_land_exactly_and_the_rest_is_unchanged(tmp_path: Path) -> None:
    preset = resolve_preset("grit")
    defaults = {s.name: s.min + (s.max - s.min) / 3 for s in preset.params}
    changed = with_defaults(preset, defaults, name="my_grit")
    loaded = write_preset(changed, tmp_path / "out.toml")
    assert loaded.name == "my_grit" and {s.name: s.default for s in loaded.params} == defaults
    assert_same(replace(loaded, name="grit", params=preset.params), preset)


def test_odd_text_is_escaped_and_the_header_stays_comments(tmp_path: Path) -> None:
    preset = replace(resolve_preset("space"), description='say "hi" \\ back\nslash\ttab\x7f é')
    text = preset_toml(preset, header=["from point 7", "a name with a\nline break = 1"])
    assert text.startswith("# from point 7\n# a name with a\\nline break = 1\nname = ")
    out = tmp_path / "odd.toml"
    out.write_text(text, encoding="utf-8")
    assert read_preset(out).description == preset.description


@pytest.mark.parametrize(
    "change, message",
    [
        ({"low_cut": 1e6}, "low_cut = 1000000.0 is outside its range"),
        ({"low_cut": math.nan}, "outside its range"),
        ("missing", "lack parameter low_cut"),
    ],
)
def test_bad_defaults_are_refused(change: object, message: str) -> None:
    preset = resolve_preset("space")
    defaults = {s.name: s.default for s in preset.params}
    if change == "missing":
        del defaults["low_cut"]
    else:
        defaults.update(change)  # type: ignore[call-overload]
    with pytest.raises(RlfxError, match=message):
        with_defaults(preset, defaults)


def test_bad_names_and_paths_are_refused_and_an_existing_file_is_kept(tmp_path: Path) -> None:
    preset = resolve_preset("space")
    with pytest.raises(RlfxError, match="'my-preset': expected an identifier"):
        with_defaults(preset, {s.name: s.default for s in preset.params}, name="my-preset")
    with pytest.raises(RlfxError, match="must end in .toml"):
        write_preset(preset, tmp_path / "out.txt")
    folder = tmp_path / "mine"
    folder.mkdir()
    existing = folder / "mine.toml"
    existing.write_bytes(b"precious")
    with pytest.raises(RlfxError, match="mine.toml: already exists; pass --force"):
        write_preset(preset, existing)
    assert existing.read_bytes() == b"precious"
    write_preset(preset, existing, force=True)
    assert_same(read_preset(existing), preset)
    assert os.listdir(folder) == ["mine.toml"]  # no temporary file left behind


def test_a_preset_that_would_not_load_is_never_written(tmp_path: Path) -> None:
    preset = resolve_preset("space")
    broken = replace(preset, params=(replace(preset.params[0], plugin="nowhere"), *preset.params[1:]))
    with pytest.raises(RlfxError, match="broken.toml: the written preset would not load .*params\\[0\\].plugin"):
        write_preset(broken, tmp_path / "out" / "broken.toml")
    assert os.listdir(tmp_path / "out") == []
