"""Optional: real plugins from Debian's zam-plugins (not a CI dependency: 164 MB with GL libraries). Skips with a
reason when they are not installed. ZamComp is a mono-only compressor with a program list and a sidechain switch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rlfx_tui.audio.block import BlockState, process_block
from rlfx_tui.cli import main
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import load_preset

ZAMCOMP = Path("/usr/lib/vst3/ZamComp.vst3")
pytestmark = pytest.mark.skipif(
    not ZAMCOMP.exists(),
    reason="zam-plugins is not installed (apt-get install zam-plugins): optional, real third-party VST3 plugins",
)


def test_zamcomp_scans_into_a_mono_preset_that_plays(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "zamcomp.toml"
    assert main(["presets", "scan", str(ZAMCOMP), "--out", str(out)]) == 0
    text = out.read_text()
    assert "current_program (program)" in text and "sidechain (sidechain)" in text
    assert "buffer_size_frames (not automatable)" in text
    preset = load_preset(out)
    assert preset.plugins[0].channels == 1 and preset.channels == 1
    params = {p.attribute: p for p in preset.params}
    assert {"attack_ms", "release_ms", "threshold_db", "ratio"} <= set(params)
    assert params["ratio"].unit == "" and params["knee_db"].scale == "linear"
    assert params["release_ms"].scale == params["attack_ms"].scale == "log"  # 1 .. 500 ms: over two decades
    space, rng = ParameterSpace(preset.params), np.random.default_rng(0)
    state = BlockState(preset, 48000, space.real_array(space.default_normalized), blocksize=256)
    noise = (0.5 * rng.uniform(-1, 1, 256 * 200)).astype(np.float32)
    out_block = np.zeros(256, dtype=np.float32)
    peak = 0.0
    for i in range(200):
        if i % 20 == 10:
            state.prepare(space.real_array(space.randomize_normalized(space.default_normalized, 1.0, rng)))
        process_block(state, noise[i * 256 : (i + 1) * 256], out_block)
        peak = max(peak, float(np.abs(out_block).max()))
    assert state.faults == 0 and 0.01 < peak <= 10 ** (-0.3 / 20)


def test_a_mono_only_and_a_stereo_only_plugin_cannot_share_a_chain(test_plugin: Path, tmp_path: Path) -> None:
    from rlfx_tui.core.errors import PresetError

    path = tmp_path / "both.toml"
    path.write_text(f'''name = "both"
[[plugins]]
id = "comp"
type = "vst3"
path = "{ZAMCOMP}"
[[plugins]]
id = "filter"
type = "vst3"
path = "{test_plugin}"
[[params]]
name = "ratio"
plugin = "comp"
attribute = "ratio"
min = 1.0
max = 8.0
[safety]
''')
    with pytest.raises(
        PresetError,
        match=r"plugins: expected plugins that run at one channel count.*comp \(1 ch\), "
        r"filter \(2 ch\)",
    ):
        load_preset(path)
