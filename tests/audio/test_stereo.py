"""process_block and render in stereo: a mono input on both sides before the chain, a stereo input kept, the
crossfade, bypass and mute click-free on both channels, meters over both, and files rendered stereo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pedalboard.io import AudioFile

from rlfx_tui.audio.block import BlockState, process_block
from rlfx_tui.audio.render import render
from rlfx_tui.cli import main
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import Preset, resolve_preset
from rlfx_tui.core.session import Session

SR = 48000
BS = 256
CEILING = 10 ** (-0.3 / 20)


def _states(preset: Preset, count: int, seed: int) -> list[np.ndarray]:
    space, rng = ParameterSpace(preset.params), np.random.default_rng(seed)
    return [space.real_array(space.randomize_normalized(space.default_normalized, 1.0, rng)) for _ in range(count)]


def _run(state: BlockState, signal: np.ndarray, jump: tuple[int, np.ndarray] | None = None) -> np.ndarray:
    """``signal`` ((frames,) or (frames, 2)) block by block into a (frames, 2) output; ``jump``: (block, params)."""
    out = np.zeros((signal.shape[0], 2), dtype=np.float32)
    for i, start in enumerate(range(0, signal.shape[0], BS)):
        if jump is not None and i == jump[0]:
            state.prepare(jump[1])
        process_block(state, signal[start : start + BS], out[start : start + BS])
    return out


def _max_step(y: np.ndarray) -> float:
    return float(np.abs(np.diff(y, axis=0)).max())


def test_a_mono_input_is_fed_to_both_sides_and_widened() -> None:
    preset = resolve_preset("space")
    state = BlockState(preset, SR, _states(preset, 1, 0)[0], blocksize=BS, channels=2)
    assert state.channels == 2 and state.history.shape[0] == 2
    noise = (0.3 * np.random.default_rng(0).uniform(-1, 1, SR)).astype(np.float32)
    out = _run(state, noise)
    assert np.abs(out[:, 0] - out[:, 1]).max() > 0.05  # the preset's width
    np.testing.assert_array_equal(state.history[0, : SR // 2], state.history[1, : SR // 2])  # fed, not copied after
    assert np.abs(out).max() <= CEILING


def test_a_stereo_input_keeps_its_sides_and_the_meters_read_both() -> None:
    preset = resolve_preset("grit")  # nothing in it mixes the sides
    space = ParameterSpace(preset.params)
    state = BlockState(preset, SR, space.as_array(space.default()), blocksize=BS, channels=2)
    right_only = np.zeros((SR // 4, 2), dtype=np.float32)
    right_only[:, 1] = 0.5 * np.sin(2 * np.pi * 220 * np.arange(SR // 4) / SR)
    out = _run(state, right_only)
    assert not out[:, 0].any() and np.abs(out[:, 1]).max() > 0.05
    assert state.in_peak == pytest.approx(0.5, abs=0.01) and state.out_peak > 0.05
    assert np.abs(state.mono[:BS]).max() == pytest.approx(0.25, abs=0.01)  # the descriptors hear the mix
    np.testing.assert_array_equal(state.history[1, : SR // 4], right_only[:, 1])  # the ring holds what was fed


@pytest.mark.parametrize("name", ["space", "motion", "grit"])
def test_the_crossfade_is_click_free_on_both_channels(name: str) -> None:
    """The jump-click measure of tests/audio/test_block.py per channel: the largest step around a jump stays within
    the steady steps of the settings on either side."""
    preset = resolve_preset(name)
    t = np.arange(int(1.5 * SR)) / SR
    sine = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    window = slice(SR - 4800, SR + SR // 2)
    states = _states(preset, 4, seed=7)
    in_place_clicks = 0
    for a, b in zip(states[::2], states[1::2]):

        def run(first: np.ndarray, then: np.ndarray | None, ramp_ms: float = 30.0) -> np.ndarray:
            state = BlockState(preset, SR, first, blocksize=BS, ramp_ms=ramp_ms, channels=2)
            return _run(state, sine, None if then is None else (SR // BS, then))[window]

        faded, held_a, held_b, in_place = run(a, b), run(a, None), run(b, None), run(a, b, 0.0)
        for ch in (0, 1):
            steady = max(_max_step(held_a[:, ch]), _max_step(held_b[:, ch]))
            assert _max_step(faded[:, ch]) <= 1.05 * steady + 0.002, (name, ch)
            in_place_clicks += _max_step(in_place[:, ch]) > 1.05 * steady + 0.002
        assert np.abs(faded).max() <= CEILING
    if name != "grit":  # the measure sees the clicks of parameters set in place
        assert in_place_clicks >= 1


def test_bypass_and_mute_in_stereo() -> None:
    preset = resolve_preset("space")
    state = BlockState(preset, SR, _states(preset, 1, 3)[0], blocksize=BS, channels=2)
    stereo = np.stack(
        [0.4 * np.sin(2 * np.pi * 330 * np.arange(SR) / SR), 0.2 * np.sin(2 * np.pi * 550 * np.arange(SR) / SR)], axis=1
    ).astype(np.float32)
    _run(state, stereo[: SR // 4])
    state.bypass_requested = True
    out = _run(state, stereo[SR // 4 : SR // 2])
    np.testing.assert_allclose(out[2048:], stereo[SR // 4 + 2048 : SR // 2], atol=1e-6)  # the dry input, both sides
    state.bypass_requested = False
    _run(state, stereo[: SR // 4])
    state.mute_requested = True
    block = np.zeros((BS, 2), dtype=np.float32)
    process_block(state, stereo[:BS], block)
    assert not block[-1].any() and _max_step(block) < 0.1  # a fade on both sides, within the block
    process_block(state, stereo[:BS], block)
    assert not block.any()


def test_a_mono_output_keeps_the_mono_chain() -> None:
    preset = resolve_preset("space")
    a = _states(preset, 1, 0)[0]
    mono = BlockState(preset, SR, a, blocksize=BS)
    assert mono.channels == 1 and mono.history.ndim == 1 and mono.x is mono.mono
    sine = (0.5 * np.sin(2 * np.pi * 440 * np.arange(SR // 2) / SR)).astype(np.float32)
    out = _run(mono, sine)
    np.testing.assert_array_equal(out[:, 0], out[:, 1])
    one = np.zeros(SR // 2, dtype=np.float32)  # a one-channel stream
    state = BlockState(preset, SR, a, blocksize=BS)
    for start in range(0, SR // 2, BS):
        process_block(state, sine[start : start + BS], one[start : start + BS])
    np.testing.assert_array_equal(one, out[:, 0])


def _write(path: Path, data: np.ndarray, sr: int = SR) -> None:
    with AudioFile(str(path), "w", samplerate=sr, num_channels=data.shape[0]) as f:
        f.write(data)


def _read(path: Path) -> np.ndarray:
    with AudioFile(str(path)) as f:
        return f.read(f.frames)


def test_render_keeps_a_stereo_file_stereo(tmp_path: Path, tmp_data_dir: Path) -> None:
    t = np.arange(SR // 2) / SR
    left, right = 0.5 * np.sin(2 * np.pi * 220 * t), 0.3 * np.sign(np.sin(2 * np.pi * 90 * t))
    _write(tmp_path / "in.wav", np.stack([left, right]).astype(np.float32))
    result = render(tmp_path / "in.wav", tmp_path / "out.wav", Session(preset="grit", data_dir=tmp_data_dir))
    out = _read(tmp_path / "out.wav")
    assert result.channels == 2 and out.shape == (2, SR // 2)
    assert np.abs(out[0] - out[1]).max() > 0.1 and np.abs(out).max() <= CEILING + 1e-4
    # grit mixes nothing between the sides: each output side follows its own input
    assert abs(np.corrcoef(out[0], left)[0, 1]) > abs(np.corrcoef(out[0], right)[0, 1])
    assert abs(np.corrcoef(out[1], right)[0, 1]) > abs(np.corrcoef(out[1], left)[0, 1])


def test_a_mono_file_renders_to_stereo_with_the_reverbs_width_or_to_mono(tmp_path: Path, tmp_data_dir: Path) -> None:
    rng = np.random.default_rng(1)
    burst = np.zeros(SR // 2, dtype=np.float32)
    burst[: SR // 20] = 0.5 * rng.uniform(-1, 1, SR // 20)
    _write(tmp_path / "in.wav", burst[None, :])
    session = Session(preset="space", data_dir=tmp_data_dir)
    render(tmp_path / "in.wav", tmp_path / "wide.wav", session, tail_s=0.5)
    wide = _read(tmp_path / "wide.wav")
    assert wide.shape == (2, SR)
    tail = wide[:, SR // 2 :]  # only the reverb (and delay) is left here
    assert np.std(tail[0] - tail[1]) > 0.1 * np.std(tail[0] + tail[1])  # left ≠ right: wider
    assert main(["render", str(tmp_path / "in.wav"), str(tmp_path / "mono.wav"), "--output-channels", "1",
                 "--data-dir", str(tmp_data_dir)]) == 0  # fmt: skip
    assert _read(tmp_path / "mono.wav").shape == (1, SR // 2)
