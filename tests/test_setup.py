"""Setup for a newcomer: `make run` / `make test` say in one line what to install (no python3-venv, Python < 3.11),
rebuild a half-made .venv, and a non-root `make test` without the optional Debian packages runs the rest and says
what it skipped and why. The scripts run for real; only what the machine has (dpkg, uid, Python) is stood in for,
by commands earlier on PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def fake(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)


@pytest.fixture
def machine(tmp_path: Path) -> Path:
    """A bin dir put first on PATH: a non-root user whose dpkg has only libportaudio2."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake(bin_dir, "id", "echo 1000")
    fake(
        bin_dir,
        "dpkg-query",
        'for a; do p=$a; done; [ "$p" = libportaudio2 ] && printf "install ok installed" || exit 1',
    )
    return bin_dir


def run(args: list[str], bin_dir: Path, cwd: Path = ROOT, **extra: str) -> subprocess.CompletedProcess[str]:
    """On a newcomer's machine, not CI's (.ci/run sets CI=true, under which nothing may be skipped)."""
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"PATH": f"{bin_dir}:{os.environ['PATH']}"} | extra
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_system_deps_deselects_what_the_missing_optional_packages_would_run(machine: Path) -> None:
    out = run([str(ROOT / ".ci/system-deps"), "--tests"], machine)
    assert out.returncode == 0, out
    assert out.stdout.strip() == "not jack and not tmux and not sclang and not plugin"
    lines = out.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "make test: skipped, for want of Debian packages: jackd2 (tests "
        "marked jack: real audio on JACK's dummy server, MIDI ports); "
    )
    assert "tmux (tests marked tmux:" in lines[0]
    assert "dpf-source (tests marked plugin: the test VST3 plugin)" in lines[0]
    assert lines[0].endswith(
        "To run them too: sudo apt-get install jackd2 tmux supercollider-language "
        "supercollider-server dpf-source g++ make"
    )


def test_in_ci_a_missing_optional_package_fails_instead_of_skipping(machine: Path) -> None:
    out = run([str(ROOT / ".ci/system-deps"), "--tests"], machine, CI="true")
    assert out.returncode == 1 and out.stdout == ""
    assert "every test must run here" in out.stderr and "jackd2" in out.stderr


def test_system_deps_stops_when_portaudio_is_missing(machine: Path) -> None:
    fake(machine, "dpkg-query", "exit 1")
    out = run([str(ROOT / ".ci/system-deps"), "--tests"], machine)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.splitlines() == [
        "missing Debian packages the tests need: libportaudio2; run: sudo apt-get "
        "install libportaudio2 jackd2 tmux supercollider-language supercollider-server "
        "dpf-source g++ make"
    ]


def test_make_test_runs_the_rest_and_lists_what_it_skipped(machine: Path, tmp_path: Path) -> None:
    """`make test` in a copy of the Makefile and .ci, on a stand-in .venv (this test run's Python)."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / ".ci", project / ".ci")
    shutil.copy(ROOT / "Makefile", project / "Makefile")
    (project / "pyproject.toml").write_text("")
    venv_bin = project / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    fake(venv_bin, "python", f'exec {sys.executable} "$@"')
    fake(venv_bin, "rlfx-tui", "true")  # installed, and newer than pyproject.toml: no pip install
    (project / "test_two.py").write_text(
        "import pytest\n\n\ndef test_plain():\n    pass\n\n\n@pytest.mark.jack\ndef test_on_jack():\n    pass\n"
    )
    out = run(["make", "test", "ARGS=-p no:cacheprovider test_two.py"], machine, cwd=project)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 passed, 1 deselected" in out.stdout
    skipped = [line for line in out.stderr.splitlines() if line.startswith("make test: skipped")]
    assert len(skipped) == 2 and "jackd2 (tests marked jack" in skipped[-1]  # said before the run and after it


def test_a_python_older_than_3_11_is_one_line(machine: Path, tmp_path: Path) -> None:
    fake(machine, "python3.9", 'case "$2" in *print*) echo 3.9;; *) exit 1;; esac')
    out = run([str(ROOT / ".ci/venv"), "python3.9", str(tmp_path / ".venv")], machine)
    assert out.returncode == 1 and not (tmp_path / ".venv").exists()
    assert out.stderr.splitlines() == [
        "rlfx-tui setup: python3.9 is Python 3.9; rlfx-tui needs 3.11 or newer: install it (Debian 12 and Ubuntu "
        "24.04 ship it: sudo apt-get install python3 python3-venv) or name one with make PYTHON=python3.11 ..."
    ]


def test_a_python_without_venv_is_one_line(machine: Path, tmp_path: Path) -> None:
    shadow = tmp_path / "shadow" / "ensurepip"  # as on Debian without python3-venv: no ensurepip
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('ensurepip is not available')\n")
    fake(machine, "python3", f'PYTHONPATH={shadow.parent} exec {sys.executable} "$@"')
    out = run([str(ROOT / ".ci/venv"), "python3", str(tmp_path / ".venv")], machine)
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert out.returncode == 1 and not (tmp_path / ".venv").exists()
    assert out.stderr.splitlines() == [
        f"rlfx-tui setup: python3 (Python {version}) cannot make a virtual "
        f"environment: sudo apt-get install python{version}-venv (or python3-venv)"
    ]


def test_a_half_made_venv_is_rebuilt(machine: Path, tmp_path: Path) -> None:
    venv = tmp_path / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    assert subprocess.run([venv / "bin/python", "-m", "pip", "--version"], capture_output=True).returncode != 0
    out = run([str(ROOT / ".ci/venv"), sys.executable, str(venv)], machine)
    assert out.returncode == 0, out.stderr
    assert out.stderr.splitlines() == [
        f"rlfx-tui setup: {venv} is half-made (no working python or pip in it): rebuilding it"
    ]
    assert subprocess.run([venv / "bin/python", "-m", "pip", "--version"], capture_output=True).returncode == 0
    again = run([str(ROOT / ".ci/venv"), sys.executable, str(venv)], machine)
    assert again.returncode == 0 and again.stderr == ""  # a working one is left alone
