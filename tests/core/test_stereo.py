"""The chain in stereo: width where the preset has it, a mono input widened by each of chorus, delay, phaser and
reverb, the safety stage on both channels, and the mono chain as it was."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pedalboard
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlfx_tui.core.chain import EffectChain, chain_channels
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import Preset, load_preset, resolve_preset
from rlfx_tui.core.stereo import StereoBoard

SR = 48000
BS = 256

ONE_PLUGIN = """
name = "one"
description = "one plugin"

[[plugins]]
id = "fx"
type = "{type}"

[[params]]
name = "mix"
plugin = "fx"
attribute = "{mix}"
min = 0.0
max = 1.0
default = 0.5

[safety]
limiter_threshold_db = -1.0
limiter_release_ms = 80.0
ceiling_db = -0.3
"""


def _noise(seconds: float = 1.0, seed: int = 0, level: float = 0.3) -> np.ndarray:
    return (level * np.random.default_rng(seed).uniform(-1, 1, int(seconds * SR))).astype(np.float32)


def _stream(chain: EffectChain, signal: np.ndarray) -> np.ndarray:
    """``signal`` ((frames,) or (2, frames)) through the chain block by block; the output as one array."""
    n = signal.shape[-1]
    return np.concatenate([chain.process(signal[..., i : i + BS]).copy() for i in range(0, n, BS)], axis=-1)


def _width(out: np.ndarray) -> float:
    """RMS of left − right over RMS of the mid: 0 for a mono image."""
    return float(np.std(out[0] - out[1]) / max(np.std(out[0] + out[1]), 1e-12))


@pytest.mark.parametrize(
    ("kind", "mix"), [("Chorus", "mix"), ("Delay", "mix"), ("Phaser", "mix"), ("Reverb", "wet_level")]
)
def test_each_stereo_effect_widens_a_mono_input(tmp_path: Path, kind: str, mix: str) -> None:
    path = tmp_path / "one.toml"
    path.write_text(ONE_PLUGIN.format(type=kind, mix=mix))
    preset = load_preset(path)
    chain = EffectChain(preset, SR, channels=2)
    assert chain.channels == 2
    out = _stream(chain, _noise())
    assert out.shape == (2, SR)
    assert _width(out[:, SR // 2 :]) > 0.05, kind  # left ≠ right from a mono input
    mono = _stream(EffectChain(preset, SR), _noise())
    assert mono.shape == (SR,)


@pytest.mark.parametrize(("name", "wide"), [("space", True), ("motion", True), ("grit", False)])
def test_presets_with_chorus_delay_phaser_or_reverb_are_wide(name: str, wide: bool) -> None:
    chain = EffectChain(resolve_preset(name), SR, channels=2)
    out = _stream(chain, _noise())
    if wide:
        assert _width(out[:, SR // 2 :]) > 0.05
    else:  # distortion, bitcrush, filter, compressor: no width to give, the same on both sides
        np.testing.assert_array_equal(out[0], out[1])


def test_a_stereo_input_keeps_its_sides_where_nothing_mixes_them() -> None:
    chain = EffectChain(resolve_preset("grit"), SR, channels=2)
    left_only = np.stack([_noise(0.25), np.zeros(SR // 4, dtype=np.float32)])
    out = _stream(chain, left_only)
    assert np.abs(out[0]).max() > 0.05 and not out[1].any()


def test_the_mono_chain_is_unchanged() -> None:
    for name in ("space", "motion", "grit"):
        preset = resolve_preset(name)
        chain = EffectChain(preset, SR)
        assert chain.channels == 1 and not chain.stereo and isinstance(chain.board, pedalboard.Pedalboard)
        assert not chain.right and chain_channels(preset, 1) == 1
        x = _noise(0.2)
        # the same as one plain Pedalboard of the preset's plugins and the safety stage, block by block
        board = EffectChain(preset, SR).board
        expected = np.concatenate([board(x[i : i + BS], float(SR), reset=False) for i in range(0, len(x), BS)])
        got = _stream(chain, x)
        assert got.shape == x.shape
        np.testing.assert_allclose(got, np.clip(expected, -chain.ceiling, chain.ceiling), atol=1e-7)


def test_both_sides_get_every_parameter_the_right_with_its_offset() -> None:
    chain = EffectChain(resolve_preset("space"), SR, channels=2)
    assert isinstance(chain.board, StereoBoard)
    assert [s.right is not None for s in chain.board.stages] == [True, False]  # per side, then reverb in stereo
    space = chain.space
    values = space.default() | {"delay_time": 0.5, "chorus_rate": 2.0, "low_cut": 120.0}
    chain.apply(values)
    left, right = chain.plugins, chain.right
    assert left["delay"].delay_seconds == pytest.approx(0.5) and right["delay"].delay_seconds == pytest.approx(0.512)
    assert right["chorus"].rate_hz == pytest.approx(2.2) and left["chorus"].rate_hz == pytest.approx(2.0)
    assert right["chorus"].centre_delay_ms > left["chorus"].centre_delay_ms == pytest.approx(7.0)  # a setting too
    assert left["tone"].cutoff_frequency_hz == right["tone"].cutoff_frequency_hz == pytest.approx(120.0)


@cache
def _stereo_chain(name: str) -> tuple[Preset, EffectChain]:
    preset = resolve_preset(name)
    return preset, EffectChain(preset, SR, channels=2)


@settings(max_examples=30, deadline=None)
@given(
    name=st.sampled_from(["space", "motion", "grit"]),
    u=st.lists(st.floats(0.0, 1.0), min_size=16, max_size=16),
    gain=st.floats(0.01, 8.0),
    seed=st.integers(0, 2**16),
)
def test_the_ceiling_holds_on_both_channels_under_random_parameters(
    name: str, u: list[float], gain: float, seed: int
) -> None:
    preset, chain = _stereo_chain(name)
    space = ParameterSpace(preset.params)
    chain.reset()
    chain.apply_array(space.real_array(np.array(u[: len(space)])))
    rng = np.random.default_rng(seed)
    signal = (gain * rng.uniform(-1, 1, (2, 8 * BS))).astype(np.float32)  # different on each side, up to +18 dBFS
    signal[1, ::7] = -gain
    out = _stream(chain, signal)
    assert out.shape == (2, 8 * BS) and np.isfinite(out).all()
    assert np.abs(out).max() <= chain.ceiling


def test_a_mono_only_plugin_keeps_the_chain_mono_for_a_stereo_output() -> None:
    """As a mono-only plugin's preset would (ZamComp is one; built here from a built-in marked mono-only)."""
    from dataclasses import replace

    from rlfx_tui.audio.block import BlockState, process_block
    from rlfx_tui.core.chain import channel_note

    space_preset = resolve_preset("space")
    preset = replace(space_preset, plugins=(replace(space_preset.plugins[0], channels=1), *space_preset.plugins[1:]))
    assert chain_channels(preset, 2) == 1 and "runs in mono only" in channel_note(preset, 2)
    space = ParameterSpace(preset.params)
    state = BlockState(preset, SR, space.as_array(space.default()), blocksize=BS, channels=2)
    assert state.channels == 1 and not state.heard.stereo
    out = np.zeros((BS, 2), dtype=np.float32)
    for i in range(8):
        process_block(state, _noise(BS / SR, seed=i), out)
    assert np.abs(out).max() > 0.01 and np.array_equal(out[:, 0], out[:, 1])
