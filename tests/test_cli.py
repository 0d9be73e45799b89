import subprocess
import sys

import pytest

from rlfx_tui import __version__
from rlfx_tui.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rlfx_tui", *args], capture_output=True, text=True, timeout=60)


def test_version_and_help_list_subcommands(capsys):
    with pytest.raises(SystemExit):
        main(["--version"])
    assert __version__ in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "presets" in capsys.readouterr().out


def test_presets_lists_shipped_with_parameters(capsys):
    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    assert "space (default)" in out and "grit" in out and "motion" in out
    assert "delay_time" in out and "log" in out


def test_bad_preset_file_is_one_line_exit_2_no_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[[plugins]]\nid = "a"\ntype = "Nope"\n')
    result = run_cli("presets", str(bad))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "Traceback" not in result.stderr
    assert f"{bad}: plugins[0].type: expected a pedalboard plugin" in result.stderr


def test_data_options_before_or_after_the_subcommand(tmp_path):
    from rlfx_tui.cli import build_parser

    parser = build_parser()
    before = parser.parse_args(["--data-dir", str(tmp_path), "--preset", "grit", "presets"])
    after = parser.parse_args(["presets", "--data-dir", str(tmp_path), "--preset", "grit"])
    assert (before.data_dir, before.preset) == (after.data_dir, after.preset) == (str(tmp_path), "grit")
