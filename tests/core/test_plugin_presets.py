"""Presets over a real VST3 plugin (the test plugin, built from source): loading, errors that name file and key,
and a plugin that crashes or hangs while loading, each one clear line."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from rlfx_tui.core.chain import EffectChain, channel_note
from rlfx_tui.core.errors import PresetError
from rlfx_tui.core.plugin_probe import PluginLoadError, probe
from rlfx_tui.core.presets import load_preset
from tests.plugins import preset_text


def _write(tmp_path: Path, text: str, name: str = "p.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _error(path: Path) -> PresetError:
    with pytest.raises(PresetError) as caught:
        load_preset(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path))
    return caught.value


def test_a_plugin_preset_loads_and_plays(plugin_preset: Path) -> None:
    preset = load_preset(plugin_preset)
    spec = preset.plugins[0]
    assert (spec.name, spec.channels, spec.latency_samples) == ("RlfxTestFilter", 2, 64)
    assert preset.chain_summary == "RlfxTestFilter (latency 64 smp) → Limiter"  # the app's top bar
    assert "stereo only" in channel_note(preset)
    mode = next(p for p in preset.params if p.name == "mode")
    assert mode.values == ("Low", "High", "Band") and (mode.min, mode.max, mode.default) == (0, 2, 0)
    chain = EffectChain(preset)
    assert chain.latency_samples == 64
    chain.apply({"cutoff": 500.0, "gain": 0.0, "mix": 100.0, "mode": 1, "enabled": 1})
    assert chain.plugins["filter"].mode == "High" and chain.plugins["filter"].cutoff_hz == pytest.approx(500, abs=20)
    tone = (0.3 * np.sin(2 * np.pi * 100 * np.arange(4800) / 48000)).astype(np.float32)
    high = chain.process(tone.copy())
    chain.apply({"cutoff": 500.0, "gain": 0.0, "mix": 100.0, "mode": 1, "enabled": 0})  # the switch: off = dry
    dry = chain.process(tone.copy())
    assert high.shape == tone.shape and np.abs(high[2400:]).max() < 0.5 * np.abs(dry[2400:]).max()
    assert np.abs(dry[2400:] - tone[2400:]).max() < 0.02
    chain.reset()  # pedalboard then drops the plugin's 64 latency samples from the next block: the chain pads them
    after = chain.process(tone[:256].copy())
    assert after.shape == (256,) and not after[:64].any()


def test_loading_a_fast_math_plugin_keeps_this_threads_subnormals(plugin_preset: Path, tmp_path: Path) -> None:
    """DPF builds with -ffast-math: loading its library sets flush-to-zero for the loading thread (hypothesis then
    refuses to run, and numpy flushes subnormals for good). The chain puts the environment back."""
    tiny = np.array([1e-310])
    assert (tiny * 1.0)[0] != 0.0
    copy = tmp_path / "fresh" / "RlfxTestFilter.vst3"  # a library not loaded yet in this process
    shutil.copytree(load_preset(plugin_preset).plugins[0].path, copy)
    EffectChain(load_preset(_write(tmp_path, preset_text(copy))))
    assert (tiny * 1.0)[0] != 0.0


def test_paths_resolve_from_the_preset_folder_and_home(
    test_plugin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(test_plugin, tmp_path / "plugins" / test_plugin.name)
    relative = _write(tmp_path, preset_text(Path("plugins") / test_plugin.name))
    assert load_preset(relative).plugins[0].path == tmp_path / "plugins" / test_plugin.name
    monkeypatch.setenv("HOME", str(tmp_path))
    home = _write(tmp_path, preset_text(Path("~/plugins") / test_plugin.name), "home.toml")
    assert load_preset(home).plugins[0].path == tmp_path / "plugins" / test_plugin.name


def test_a_missing_plugin_names_file_key_and_path(tmp_path: Path) -> None:
    error = _error(_write(tmp_path, preset_text(tmp_path / "Gone.vst3")))
    assert error.key == "plugins[0].path" and "that exists" in error.expected and "Gone.vst3" in str(error)


def test_a_bundle_that_is_not_a_plugin(tmp_path: Path) -> None:
    (tmp_path / "Fake.vst3" / "Contents").mkdir(parents=True)
    error = _error(_write(tmp_path, preset_text(tmp_path / "Fake.vst3")))
    assert error.key == "plugins[0].path" and "that loads" in error.expected


def test_an_unknown_parameter_lists_the_plugins(test_plugin: Path, tmp_path: Path) -> None:
    error = _error(_write(tmp_path, preset_text(test_plugin).replace('"cutoff_hz"', '"cutof_hz"')))
    assert error.key == "params[0].attribute" and error.got == "cutof_hz"
    assert "cutoff_hz" in error.expected and "gain_db" in error.expected and "mode" in error.expected


def test_a_range_outside_the_plugins_own(test_plugin: Path, tmp_path: Path) -> None:
    error = _error(_write(tmp_path, preset_text(test_plugin).replace("max = 8000.0", "max = 30000.0")))
    assert error.key == "params[0].max" and "[20, 20000]" in error.expected


def test_a_choice_the_plugin_does_not_take(test_plugin: Path, tmp_path: Path) -> None:
    error = _error(_write(tmp_path, preset_text(test_plugin).replace('"Band"]', '"Notch"]')))
    assert error.key == "params[3].values[2]" and "Band" in error.expected


def test_a_continuous_parameter_needs_no_values_and_a_choice_needs_them(test_plugin: Path, tmp_path: Path) -> None:
    text = preset_text(test_plugin).replace('values = ["Low", "High", "Band"]', "min = 0.0\nmax = 2.0")
    assert _error(_write(tmp_path, text)).key == "params[3].values"


def _copy(test_plugin: Path, tmp_path: Path) -> Path:
    """A private copy: probe() caches per file version, and these tests want a fresh load."""
    copy = tmp_path / "copy" / test_plugin.name
    shutil.copytree(test_plugin, copy)
    return copy


def test_a_crashing_plugin_is_one_line(test_plugin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RLFX_TEST_PLUGIN_CRASH", "1")
    with pytest.raises(PluginLoadError, match=r"crashed while loading \(SIGBUS\)") as caught:
        probe(_copy(test_plugin, tmp_path))
    assert "\n" not in str(caught.value)


def test_a_hanging_plugin_times_out_in_one_line(
    test_plugin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RLFX_TEST_PLUGIN_HANG", "1")
    monkeypatch.setenv("RLFX_TUI_PLUGIN_TIMEOUT", "2")  # what a preset check waits (scan also takes --timeout)
    with pytest.raises(PluginLoadError, match="did not finish loading within 2 s") as caught:
        probe(_copy(test_plugin, tmp_path))
    assert "\n" not in str(caught.value)


def test_a_truncated_binary_is_one_line(test_plugin: Path, tmp_path: Path) -> None:
    copy = _copy(test_plugin, tmp_path)
    binary = next(copy.rglob("*.so"))
    binary.write_bytes(binary.read_bytes()[: binary.stat().st_size // 2])
    with pytest.raises(PluginLoadError) as caught:
        probe(copy)
    assert "\n" not in str(caught.value) and str(copy) in str(caught.value)


def test_a_plugin_preset_with_choices_writes_back_as_itself(plugin_preset: Path, tmp_path: Path) -> None:
    from rlfx_tui.core.preset_writer import with_defaults, write_preset

    preset = load_preset(plugin_preset)
    changed = with_defaults(preset, {**{p.name: p.default for p in preset.params}, "mode": 2.0}, name="mine")
    written = write_preset(changed, tmp_path / "mine.toml")
    assert 'values = ["Low", "High", "Band"]\ndefault = "Band"' in (tmp_path / "mine.toml").read_text()
    assert written.params == changed.params and written.plugins == preset.plugins


BUILT_IN_CHOICE = """name = "modes"
[[plugins]]
id = "filter"
type = "LadderFilter"
[[params]]
name = "mode"
plugin = "filter"
attribute = "mode"
values = ["LPF24", "BPF12", "HPF12"]
default = "BPF12"
[safety]
"""


def test_a_built_in_enum_as_a_choice(tmp_path: Path) -> None:
    preset = load_preset(_write(tmp_path, BUILT_IN_CHOICE))
    assert preset.params[0].values == ("LPF24", "BPF12", "HPF12") and preset.params[0].default == 1
    chain = EffectChain(preset)
    chain.apply({"mode": 2})
    assert chain.plugins["filter"].mode.name == "HPF12"
    error = _error(_write(tmp_path, BUILT_IN_CHOICE.replace('"HPF12"]', '"NOTCH"]'), "bad.toml"))
    assert error.key == "params[0].values[2]" and "HPF12" in error.expected
