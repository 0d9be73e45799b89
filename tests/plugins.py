"""The test plugin: a real VST3 bundle built from tests/plugin_src with Debian's dpf-source (about 2 s with g++)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SOURCE = Path(__file__).with_name("plugin_src")
DPF_PATH = Path("/usr/share/dpf")
BUNDLE = "RlfxTestFilter.vst3"


class PluginBuildError(RuntimeError):
    pass


def build_test_plugin(folder: Path) -> Path:
    """Build the plugin into `folder` (a fresh one per build: a rebuilt bundle at a path an instance still holds
    loads the old code) and return the bundle's path."""
    if not (DPF_PATH / "Makefile.plugins.mk").exists():
        raise PluginBuildError("dpf-source is not installed (apt-get install dpf-source g++ make)")
    if shutil.which("g++") is None or shutil.which("make") is None:
        raise PluginBuildError("g++ and make are needed to build the test plugin")
    work = folder / "src"
    shutil.copytree(SOURCE, work)
    done = subprocess.run(
        ["make", "-s", f"DPF_PATH={DPF_PATH}", f"DPF_TARGET_DIR={folder / 'bin'}", f"DPF_BUILD_DIR={folder / 'build'}"],
        cwd=work,
        capture_output=True,
        text=True,
    )
    bundle = folder / "bin" / BUNDLE
    if done.returncode != 0 or not bundle.exists():
        raise PluginBuildError(f"building the test plugin failed: {done.stderr.strip()[-500:]}")
    return bundle


def preset_text(bundle: Path, name: str = "testfilter") -> str:
    """A hand-written preset over the test plugin: cutoff (log), gain, mix, the mode and the switch as choices."""
    return f'''name = "{name}"
description = "the test plugin"

[[plugins]]
id = "filter"
type = "vst3"
path = "{bundle}"

[[params]]
name = "cutoff"
plugin = "filter"
attribute = "cutoff_hz"
min = 200.0
max = 8000.0
default = 1000.0
scale = "log"

[[params]]
name = "gain"
plugin = "filter"
attribute = "gain_db"
min = -12.0
max = 6.0
default = 0.0

[[params]]
name = "mix"
plugin = "filter"
attribute = "mix"
min = 0.0
max = 100.0
default = 100.0

[[params]]
name = "mode"
plugin = "filter"
attribute = "mode"
values = ["Low", "High", "Band"]

[[params]]
name = "enabled"
plugin = "filter"
attribute = "enabled"
values = [0.0, 1.0]
default = 1.0

[safety]
'''
