"""`rlfx-tui export preset OUT.toml --point N | --snapshot NAME`: a preset whose defaults are that setting."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rlfx_tui.cli import main
from rlfx_tui.core.presets import resolve_preset
from rlfx_tui.core.snapshots import SnapshotStore
from rlfx_tui.session import Session
from tests.core.test_preset_writer import assert_same


def labelled(data: Path, preset: str = "space", n: int = 3, seed: int = 0) -> Session:
    session = Session(preset=preset, data_dir=data, seed=seed)
    for i in range(n):
        session.randomize(1.0)
        session.label(i % 2 == 0, train=False)
    return session


def assert_setting(session: Session, expected: dict[str, float]) -> None:
    assert list(session.current) == list(expected)
    for name, value in expected.items():
        assert session.current[name] == pytest.approx(value, rel=1e-9, abs=1e-12), name


@pytest.mark.parametrize("preset", ["space", "grit", "motion"])
def test_a_point_round_trips_through_an_exported_preset(
    preset: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    session = labelled(data, preset)
    point = session.points[1]
    out = tmp_path / "liked.toml"
    assert main(["--data-dir", str(data), "--preset", preset, "export", "preset", str(out), "--point", "2"]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}: preset 'liked' = {preset!r} with the defaults of point 2 (bad, labelled " in printed
    assert out.read_text().startswith(f"# Exported by rlfx-tui from preset {preset!r}")
    source = resolve_preset(preset)
    exported = Session(preset=out, data_dir=data)  # through the normal preset reader, as `--preset OUT.toml`
    assert_setting(exported, point.params)
    moved_logs = [
        s.name
        for s in source.params
        if s.scale == "log" and not s.pinned and not np.isclose(point.params[s.name], s.default)
    ]
    assert moved_logs  # log-scale parameters are among those that moved and came back
    # everything but the name and the defaults is the source preset; its labels have their own folder
    assert_same(
        replace(
            exported.preset,
            name=source.name,
            params=tuple(replace(s, default=d.default) for s, d in zip(exported.preset.params, source.params)),
        ),
        source,
    )
    assert exported.directory == data / "liked" and exported.points == []


def test_a_snapshot_exports_and_the_name_can_be_chosen(tmp_path: Path) -> None:
    data = tmp_path / "data"
    session = labelled(data, "grit", n=0)
    session.randomize(1.0)
    SnapshotStore(session.directory, session.space.names).save("warm pad", session.current)
    out = tmp_path / "x.toml"
    assert (
        main(
            [
                "--data-dir",
                str(data),
                "--preset",
                "grit",
                "export",
                "preset",
                str(out),
                "--snapshot",
                "warm pad",
                "--name",
                "warm_pad",
            ]
        )
        == 0
    )
    exported = Session(preset=out, data_dir=data)
    assert exported.preset.name == "warm_pad"
    assert_setting(exported, session.current)


@pytest.mark.parametrize(
    "extra, message",
    [
        ([], "export preset: say which setting, with --point N (a labelled point) or --snapshot NAME"),
        (["--point", "1", "--snapshot", "a"], "export preset: give --point N or --snapshot NAME, not both"),
        (["--point", "9"], "no point 9 in preset 'space' (DATA/space/points.jsonl); its points are 1, 3"),
        (["--point", "2"], "point 2 of preset 'space' is deleted; restore it first"),
        (["--snapshot", "nope"], "no snapshot 'nope' in DATA/space/snapshots.json; the snapshots there: none yet"),
        (["--point", "1", "--name", "9lives"], "preset name '9lives': expected an identifier"),
    ],
)
def test_bad_choices_are_one_line_and_write_nothing(
    extra: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    session = labelled(data)
    session.delete(2, train=False)
    out = tmp_path / "out" / "new.toml"
    assert main(["--data-dir", str(data), "export", "preset", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"rlfx-tui: error: {message.replace('DATA', str(data))}") and err.count("\n") == 1, err
    assert not out.exists()


@pytest.mark.parametrize(
    "file_name, message",
    [
        ("space.toml", "would be named 'space' after the file, like the preset it comes from"),
        ("grit.toml", "would be named 'grit' after the file, like a shipped preset"),
        ("my-take.toml", "would be named 'my-take' after the file, which is not an identifier"),
        ("take.txt", "must end in .toml"),
    ],
)
def test_a_name_that_would_mix_labels_or_not_load_is_refused(
    file_name: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    labelled(data)
    out = tmp_path / file_name
    assert main(["--data-dir", str(data), "export", "preset", str(out), "--point", "1"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    assert not out.exists()


def test_an_existing_file_is_kept_unless_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    session = labelled(data)
    out = tmp_path / "take.toml"
    out.write_bytes(b"my own preset")
    args = ["--data-dir", str(data), "export", "preset", str(out), "--point", "3"]
    assert main(args) == 2
    assert "take.toml: already exists; pass --force to replace it" in capsys.readouterr().err
    assert out.read_bytes() == b"my own preset"
    assert main([*args, "--force"]) == 0
    assert_setting(Session(preset=out, data_dir=data), session.points[2].params)


def test_flucoma_and_preset_options_do_not_mix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "flucoma", str(tmp_path / "d"), "--point", "1"]) == 2
    assert "export flucoma: --point is for `rlfx-tui export preset OUT.toml`" in capsys.readouterr().err
    assert main(["export", "preset", str(tmp_path / "x.toml"), "--example"]) == 2
    assert "--example is for `rlfx-tui export flucoma`" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()
