import math
from pathlib import Path

import pytest

from rlfx_tui.core.errors import PresetError
from rlfx_tui.core.presets import DEFAULT_PRESET, load_preset, resolve_preset, shipped_presets

SHIPPED = shipped_presets()
SPACE = SHIPPED["space"].read_text()


def test_at_least_three_shipped_presets_with_6_to_12_params_and_a_safety_stage():
    assert DEFAULT_PRESET in SHIPPED and len(SHIPPED) >= 3
    for path in SHIPPED.values():
        preset = load_preset(path)
        assert 6 <= len(preset.params) <= 12, path
        assert preset.safety.ceiling_db <= -0.3
        assert preset.chain_summary.endswith("Limiter")


def test_resolve_by_none_name_and_path(tmp_path):
    assert resolve_preset(None).name == DEFAULT_PRESET
    assert resolve_preset("grit").name == "grit"
    copy = tmp_path / "mine.toml"
    copy.write_text(SPACE.replace('name = "space"', 'name = "mine"'))
    assert resolve_preset(str(copy)).name == "mine"
    with pytest.raises(PresetError, match="shipped preset name"):
        resolve_preset("nonexistent")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("mutation", "key", "expected"),
    [
        (lambda s: s + "\n[[[", "(file)", "valid TOML"),
        (lambda s: s.replace('name = "space"\n', ""), "name", "a string (missing)"),
        (lambda s: s.replace('type = "Delay"', 'type = "Flanger"'), "plugins[2].type", "a pedalboard plugin"),
        (
            lambda s: s.replace('attribute = "feedback"', 'attribute = "feedbak"'),
            "params[5].attribute",
            "an attribute of pedalboard.Delay",
        ),
        (lambda s: s.replace("max = 800.0", "max = 20.0"), "params[0].max", "greater than min"),
        (lambda s: s.replace("default = 40.0", "default = 900.0"), "params[0].default", "within [min, max]"),
        (lambda s: s.replace("default = 40.0", "default = nan"), "params[0].default", "a finite number"),
        (lambda s: s.replace("default = 40.0", 'default = "40"'), "params[0].default", "a number"),
        (lambda s: s.replace("max = 0.75", "max = 1.5"), "params[5].max", "safe range"),
        (lambda s: s.replace("max = 800.0", "max = 1e300"), "params[0].max", "magnitude"),
        (lambda s: s.replace('name = "low_cut"', 'name = "bås"'), "params[0].name", "an identifier"),
        (lambda s: s.replace("ceiling_db = -0.3", "ceiling_db = 0.0"), "safety.ceiling_db", "[-40, -0.3]"),
        (lambda s: "extra = 1\n" + s, "extra", "known keys"),
    ],
)
def test_malformed_preset_names_file_key_and_expectation(tmp_path, mutation, key, expected):
    path = write(tmp_path, mutation(SPACE))
    with pytest.raises(PresetError) as info:
        load_preset(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {key}: expected"), message
    assert expected in message


def test_log_scale_needs_positive_min(tmp_path):
    path = write(tmp_path, SPACE.replace("min = 20.0", "min = 0.0"))
    with pytest.raises(PresetError, match=r"params\[0\]\.min: expected a number > 0"):
        load_preset(path)


def test_random_range_and_pinned_are_parsed():
    preset = load_preset(SHIPPED["space"])
    feedback = next(p for p in preset.params if p.name == "delay_feedback")
    assert (feedback.random_min, feedback.random_max) == (0.0, 0.65)
    motion = load_preset(SHIPPED["motion"])
    assert next(p for p in motion.params if p.name == "level").pinned
    assert all(math.isnan(p.random_min) for p in motion.params)
