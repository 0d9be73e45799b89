"""`rlfx-tui presets scan PLUGIN`: a ready preset from the test plugin that loads, renders and benches; plugins that
are missing, not plugins, crash or hang are one line each; `rlfx-tui presets FILE` shows the plugin."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import numpy as np
import pytest
from pedalboard.io import AudioFile

from rlfx_tui.cli import main
from rlfx_tui.core.declared import DeclarationError, adopt_declared, declared_preset
from rlfx_tui.core.presets import load_preset

CEILING = 10 ** (-0.3 / 20)


def _scan(test_plugin: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert main(["presets", "scan", str(test_plugin), "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    return out


def test_scan_writes_a_preset_with_ranges_scales_and_choices(
    test_plugin: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _scan(test_plugin, tmp_path / "filter.toml", capsys)
    preset = load_preset(out)
    params = {p.attribute: p for p in preset.params}
    assert list(params) == ["gain_db", "cutoff_hz", "mix", "enabled", "mode"]  # no bypass, no latency
    assert (params["cutoff_hz"].scale, params["cutoff_hz"].min, params["cutoff_hz"].max) == ("log", 20, 20000)
    assert params["gain_db"].scale == "linear" and params["gain_db"].default == 0.0  # not pedalboard's 1e-06
    assert params["mode"].values == ("Low", "High", "Band") and params["enabled"].values == (0.0, 1.0)
    assert params["enabled"].default == 1  # the index of the plugin's default, on
    text = out.read_text()
    assert "# Left out: latency_frames (not automatable), bypass (bypass)" in text
    assert text.count("\n# ") >= len(params) and "# Cutoff: 20 .. 20000 Hz, log (its unit is Hz)" in text
    assert tomllib.loads(text)["plugins"][0]["path"] == str(test_plugin.resolve())


def test_scan_to_stdout(test_plugin: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["presets", "scan", str(test_plugin), "--out", "-"]) == 0
    assert tomllib.loads(capsys.readouterr().out)["name"] == "rlfxtestfilter"


def test_scan_into_your_presets_then_play_and_list_them_by_name(
    test_plugin: Path, tmp_path: Path, tmp_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "mine" / test_plugin.name
    shutil.copytree(test_plugin, copy)
    assert main(["presets", "scan", str(copy)]) == 0  # no --out: into <data dir>/presets/
    assert "play it with `rlfx-tui --preset rlfxtestfilter`" in capsys.readouterr().out
    assert (tmp_data_dir / "presets" / "rlfxtestfilter.toml").exists()
    assert main(["presets", "scan", str(copy)]) == 2 and "already exists" in capsys.readouterr().err
    # a patch's declared preset lives in the same folder: both listed, neither replaces the other
    adopt_declared(declared_preset(["mysynth", "freq", 20, 2000, "exp", 440.0]), tmp_data_dir)
    with pytest.raises(DeclarationError, match="not one a patch declared"):
        adopt_declared(declared_preset(["rlfxtestfilter", "freq", 20, 2000, "exp", 440.0]), tmp_data_dir)
    assert main(["presets"]) == 0
    listed = capsys.readouterr().out
    assert "Yours (" in listed and "rlfxtestfilter: RlfxTestFilter (scanned)" in listed and "space (default)" in listed
    assert "mysynth: declared by a patch" in listed and "chain: OSC (the patch makes the sound)" in listed
    sr = 48000
    with AudioFile(str(tmp_path / "in.wav"), "w", samplerate=sr, num_channels=1) as f:
        f.write((0.3 * np.sin(np.arange(sr // 4) / 9))[None, :].astype(np.float32))
    assert main(["render", str(tmp_path / "in.wav"), str(tmp_path / "out.wav"), "--preset", "rlfxtestfilter"]) == 0
    capsys.readouterr()
    shutil.rmtree(copy)  # the plugin is uninstalled: the listing says so and goes on
    assert main(["presets"]) == 2
    listed = capsys.readouterr().out
    assert "rlfxtestfilter: cannot be played:" in listed and "plugins[0].path" in listed and "that exists" in listed
    assert "motion" in listed


def test_presets_shows_the_plugin_and_says_when_it_is_missing(
    test_plugin: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "mine" / test_plugin.name
    shutil.copytree(test_plugin, copy)
    out = _scan(copy, tmp_path / "filter.toml", capsys)
    assert main(["presets", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "RlfxTestFilter (vst3, 2 ch, reports 64 samples of latency)" in shown
    assert "chain: RlfxTestFilter (latency 64 smp) → Limiter" in shown and "Low | High | Band" in shown
    shutil.rmtree(copy)
    assert main(["presets", str(out), str(Path(__file__).parents[1] / "presets" / "grit.toml")]) == 2
    captured = capsys.readouterr()
    error = captured.err.strip()
    assert error.count("\n") == 0 and "plugins[0].path: expected a VST3 plugin (.vst3) that exists" in error
    assert "grit.toml: ok" in captured.out  # the other presets are still shown


def _one_line_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and captured.err.startswith("rlfx-tui: error: ")
    return captured.err


def test_bad_plugins_are_one_line_each(
    test_plugin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "no such file" in _one_line_error(["presets", "scan", str(tmp_path / "Gone.vst3")], capsys)
    (tmp_path / "Fake.vst3").mkdir()
    assert "Unable to scan" in _one_line_error(["presets", "scan", str(tmp_path / "Fake.vst3")], capsys)
    assert "ending in .vst3" in _one_line_error(["presets", "scan", str(tmp_path)], capsys)
    crashing = tmp_path / "crash" / test_plugin.name
    shutil.copytree(test_plugin, crashing)
    monkeypatch.setenv("RLFX_TEST_PLUGIN_CRASH", "1")
    assert "crashed while loading (SIGBUS)" in _one_line_error(["presets", "scan", str(crashing)], capsys)
    monkeypatch.delenv("RLFX_TEST_PLUGIN_CRASH")
    hanging = tmp_path / "hang" / test_plugin.name
    shutil.copytree(test_plugin, hanging)
    monkeypatch.setenv("RLFX_TEST_PLUGIN_HANG", "1")
    error = _one_line_error(["presets", "scan", str(hanging), "--timeout", "2"], capsys)
    assert "did not finish loading within 2 s" in error


def test_a_scanned_preset_renders_and_benches(
    test_plugin: Path, tmp_path: Path, tmp_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _scan(test_plugin, tmp_path / "filter.toml", capsys)
    sr = 48000
    tone = (0.5 * np.sign(np.sin(2 * np.pi * 110 * np.arange(sr) / sr)))[None, :].astype(np.float32)
    with AudioFile(str(tmp_path / "in.wav"), "w", samplerate=sr, num_channels=1) as f:
        f.write(tone)
    assert (
        main(
            [
                "render",
                str(tmp_path / "in.wav"),
                str(tmp_path / "out.wav"),
                "--preset",
                str(out),
                "--data-dir",
                str(tmp_data_dir),
            ]
        )
        == 0
    )
    with AudioFile(str(tmp_path / "out.wav")) as f:
        rendered = f.read(f.frames)
    assert np.isfinite(rendered).all() and 0.01 < np.abs(rendered).max() <= CEILING + 1e-6
    capsys.readouterr()
    assert (
        main(
            [
                "bench",
                "--blocksizes",
                "256",
                "--seconds",
                "0.2",
                "--render-seconds",
                "0.2",
                "--stress-seconds",
                "0",
                "--preset",
                str(out),
            ]
        )
        == 0
    )
    shown = capsys.readouterr().out
    assert any(line.startswith("rlfxtestfilter") and "ms" in line for line in shown.splitlines())
    assert "  rlfxtestfilter primed chain" in shown
