"""render round trip, `rlfx-tui render|devices|bench`, the engine's CLI options, and import hygiene."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from pedalboard.io import AudioFile

from rlfx_tui.audio.options import engine_config_from_args
from rlfx_tui.audio.render import render
from rlfx_tui.cli import build_parser, main
from rlfx_tui.core.errors import RlfxError
from rlfx_tui.core.session import Session
from tests.hygiene import loaded_after

CEILING = 10 ** (-0.3 / 20)


def _stereo_tone(path: Path, sr: int = 44100, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(sr * seconds)) / sr
    data = np.stack([0.9 * np.sign(np.sin(2 * np.pi * 110 * t)), 0.5 * np.sin(2 * np.pi * 660 * t)]).astype(np.float32)
    with AudioFile(str(path), "w", samplerate=sr, num_channels=2) as f:
        f.write(data)
    return data


@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_render_round_trip(tmp_path: Path, tmp_data_dir: Path, suffix: str) -> None:
    source = _stereo_tone(tmp_path / "in.wav")
    calls: list[tuple[float, float]] = []
    out = tmp_path / f"out{suffix}"
    result = render(
        tmp_path / "in.wav",
        out,
        Session(preset="grit", data_dir=tmp_data_dir),
        tail_s=0.5,
        progress=lambda done, total: calls.append((done, total)),
    )
    with AudioFile(str(out)) as f:
        assert (f.samplerate, f.num_channels) == (44100, 2)
        rendered = f.read(f.frames)
    assert rendered.shape == (2, source.shape[1] + 22050) == (2, result.frames)
    assert np.isfinite(rendered).all() and np.abs(rendered).max() <= CEILING + 1e-4  # FLAC quantises
    assert np.abs(rendered).max() > 0.05
    assert not np.allclose(rendered[:, : source.shape[1]], source.mean(axis=0), atol=0.05)  # the effect is there
    assert calls and calls[-1][0] == pytest.approx(calls[-1][1]) and result.realtime_factor > 1


def test_render_follow_needs_a_mapping_and_bad_files_are_one_line_errors(tmp_path: Path, tmp_data_dir: Path) -> None:
    _stereo_tone(tmp_path / "in.wav", seconds=0.1)
    session = Session(data_dir=tmp_data_dir)
    with pytest.raises(RlfxError, match="label at least one"):
        render(tmp_path / "in.wav", tmp_path / "out.wav", session, follow=True)
    with pytest.raises(RlfxError, match="missing.wav"):
        render(tmp_path / "missing.wav", tmp_path / "out.wav", session)


def test_render_command(tmp_path: Path, tmp_data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _stereo_tone(tmp_path / "in.wav", seconds=0.5)
    code = main(
        [
            "render",
            str(tmp_path / "in.wav"),
            str(tmp_path / "out.wav"),
            "--preset",
            "motion",
            "--data-dir",
            str(tmp_data_dir),
        ]
    )
    assert code == 0
    assert "wrote" in capsys.readouterr().out and (tmp_path / "out.wav").stat().st_size > 1000
    assert main(["render", str(tmp_path / "nope.wav"), str(tmp_path / "o.wav")]) == 2


def test_devices_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["devices"]) == 0
    out = capsys.readouterr().out
    assert "PortAudio" in out and ("No audio devices" in out or "default output" in out)


def test_bench_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "bench",
            "--blocksizes",
            "128,256",
            "--seconds",
            "0.2",
            "--render-seconds",
            "0.5",
            "--stress-seconds",
            "2",
            "--stress-device",
            "jack-dummy",
            "--stress-trainer",
            "process",
            "--stress-blocksize",
            "128",
            "--round-trip",
            "256",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    for preset in ("space", "grit", "motion"):
        assert re.search(rf"^{preset}\s+128\s", out, re.M) and re.search(rf"^{preset}\s+256\s", out, re.M)
    assert re.search(r"Render: .* at \d+x real time", out)
    match = re.search(
        r"Stress run on .*JACK.*\n\s+xruns (\d+), callbacks (\d+) of (\d+) expected, worst callback "
        r"gap ([\d.]+) ms",
        out,
    )
    assert match, out
    callbacks, expected = int(match[2]), int(match[3])
    assert expected > 300 and callbacks > 0.8 * expected  # it really ran on a clocked stream
    assert re.search(r"in a process \((\d+) fits\), (\d+) jumps", out)
    assert "at 128 frames" in out
    assert re.search(r"jackd's log: periods our client left unfinished \d+, late wake-ups of the server's own", out)
    # The floor: the same seconds with JACK's C example client alone, before the stress run at that size.
    floor = re.search(r"Floor at 128 frames .*jack_simple_client.*\n\s+jackd's log: periods the C client left", out)
    assert floor and floor.start() < out.index("Stress run on"), out
    assert re.search(r"256 frames .*: measured 512 frames = 10.67 ms .*PortAudio reports", out), out


def test_engine_options_reach_the_config() -> None:
    args = build_parser().parse_args(
        [
            "--source",
            "demo",
            "--input-device",
            "3",
            "--output-device",
            "Scarlett",
            "--hostapi",
            "JACK",
            "--samplerate",
            "44100",
            "--blocksize",
            "512",
            "--latency",
            "0.01",
            "--channels",
            "1",
        ]
    )
    config = engine_config_from_args(args)
    assert (config.source, config.input_device, config.output_device, config.hostapi) == ("demo", 3, "Scarlett", "JACK")
    assert (config.samplerate, config.blocksize, config.latency, config.channels) == (44100, 512, 0.01, 1)
    defaults = engine_config_from_args(build_parser().parse_args([]))
    assert (defaults.source, defaults.blocksize, defaults.latency, defaults.channels) == ("live", 128, None, 2)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--blocksize", "0"])


def test_audio_never_imports_textual_and_core_never_imports_sounddevice() -> None:
    code = (
        "import rlfx_tui.audio.engine, rlfx_tui.audio.render, rlfx_tui.audio.bench, rlfx_tui.audio.stress, "
        "rlfx_tui.audio.options, rlfx_tui.audio.devices; import rlfx_tui.cli"
    )
    assert loaded_after(code, ("textual", "sounddevice")) == []


def test_render_follow_lets_the_mapping_drive_the_parameters(tmp_path: Path, tmp_data_dir: Path) -> None:
    from rlfx_tui.core.descriptors import DescriptorTracker
    from rlfx_tui.sim.sounds import SAMPLERATE, synth_sounds

    sr = SAMPLERATE
    sounds = synth_sounds(seconds=1.0)
    session = Session(preset="grit", data_dir=tmp_data_dir)
    liked = {"bass": {"cutoff": 300.0, "drive": 2.0}, "noise_hats": {"cutoff": 9000.0, "drive": 35.0}}
    for name, params in liked.items():
        session.tracker = DescriptorTracker(sr)
        session.listen(sounds[name])
        session.set_current(session.space.default() | params)
        session.label(True)
    session.set_current(session.space.default())
    with AudioFile(str(tmp_path / "in.wav"), "w", samplerate=sr, num_channels=1) as f:
        f.write(np.concatenate([sounds["bass"], sounds["noise_hats"]])[None, :])
    followed = render(tmp_path / "in.wav", tmp_path / "follow.wav", session, follow=True)
    plain = render(tmp_path / "in.wav", tmp_path / "plain.wav", session)
    assert followed.jumps >= 5 and plain.jumps == 0
    with AudioFile(str(tmp_path / "follow.wav")) as a, AudioFile(str(tmp_path / "plain.wav")) as b:
        x, y = a.read(a.frames), b.read(b.frames)
    assert np.isfinite(x).all() and np.abs(x).max() <= CEILING
    assert not np.allclose(x, y, atol=0.05)


def test_render_at_a_point_or_a_snapshot(
    tmp_path: Path, tmp_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rlfx_tui.core.snapshots import SnapshotStore

    _stereo_tone(tmp_path / "in.wav", seconds=0.5)
    session = Session(preset="grit", data_dir=tmp_data_dir)
    session.set_current(session.space.default() | {"cutoff": 400.0, "drive": 30.0, "bit_depth": 4.0})
    session.label(True, train=False)
    SnapshotStore(session.directory, session.space.names).save("dark", session.current)
    base = ["--data-dir", str(tmp_data_dir), "--preset", "grit"]

    def rendered(name: str, *options: str, preset: list[str] = base) -> np.ndarray:
        assert main(["render", str(tmp_path / "in.wav"), str(tmp_path / name), *preset, *options]) == 0
        with AudioFile(str(tmp_path / name)) as f:
            return f.read(f.frames)

    default = rendered("default.wav")
    at_point = rendered("point.wav", "--point", "1")
    assert "preset grit at the setting of point 1 (good, labelled" in capsys.readouterr().out
    assert not np.allclose(at_point, default, atol=0.01)
    assert np.array_equal(rendered("snapshot.wav", "--snapshot", "dark"), at_point)
    # the same sound through a preset exported with that point: the setting is the preset's default there
    assert main([*base, "export", "preset", str(tmp_path / "dark.toml"), "--point", "1"]) == 0
    exported = rendered(
        "exported.wav", preset=["--data-dir", str(tmp_data_dir), "--preset", str(tmp_path / "dark.toml")]
    )
    assert np.allclose(exported, at_point, atol=1e-6)
    capsys.readouterr()
    for options, message in (
        (["--point", "7"], "no point 7 in preset 'grit'"),
        (["--snapshot", "light"], "no snapshot 'light'"),
        (["--point", "1", "--follow"], "give --follow or --point, not both"),
    ):
        assert main(["render", str(tmp_path / "in.wav"), str(tmp_path / "bad.wav"), *base, *options]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
    assert not (tmp_path / "bad.wav").exists()
