"""process_block driven with numpy blocks: safety, clicks on jumps, mute, faults."""

from __future__ import annotations

import numpy as np
import pytest

from rlfx_tui.audio.block import BlockState, process_block
from rlfx_tui.audio.block_io import play
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import Preset, resolve_preset, shipped_presets

SR = 48000
BS = 256
PRESETS = sorted(shipped_presets())


def _space(preset: Preset) -> ParameterSpace:
    return ParameterSpace(preset.params)


def _random_states(preset: Preset, count: int, seed: int) -> list[np.ndarray]:
    space, rng = _space(preset), np.random.default_rng(seed)
    return [space.real_array(space.randomize_normalized(space.default_normalized, 1.0, rng)) for _ in range(count)]


def _run(
    state: BlockState, signal: np.ndarray, jumps: dict[int, np.ndarray] | None = None, channels: int = 2
) -> np.ndarray:
    """Feed ``signal`` block by block (jumps: block index → parameters, prepared before that block)."""
    out = np.zeros((signal.shape[0], channels), dtype=np.float32)
    for i, start in enumerate(range(0, signal.shape[0], BS)):
        if jumps and i in jumps:
            state.prepare(jumps[i])
        process_block(state, signal[start : start + BS], out[start : start + BS])
    return out


def _signals(seconds: float = 1.0) -> dict[str, np.ndarray]:
    n = int(seconds * SR)
    t = np.arange(n) / SR
    rng = np.random.default_rng(0)
    bursts = rng.uniform(-1, 1, n) * ((np.arange(n) // 2400) % 4 == 0)  # 50 ms of full-scale noise every 200 ms
    return {
        "square": np.sign(np.sin(2 * np.pi * 110 * t)),
        "noise": rng.uniform(-1.0, 1.0, n),
        "bursts": bursts,
        "silence": np.zeros(n),
        "hot square": 4.0 * np.sign(np.sin(2 * np.pi * 55 * t)),  # a broken interface sending +12 dBFS
    }


@pytest.mark.parametrize("name", PRESETS)
def test_output_never_exceeds_the_ceiling_or_goes_non_finite(name: str) -> None:
    preset = resolve_preset(name)
    ceiling = 10 ** (preset.safety.ceiling_db / 20)
    assert ceiling <= 10 ** (-0.3 / 20) + 1e-9
    for kind, signal in _signals().items():
        states = _random_states(preset, 12, seed=hash(kind) % 1000)
        state = BlockState(preset, SR, states[0], blocksize=BS)
        # A 100 %-strength jump every ~80 ms, so crossfades overlap the loudest parts too.
        out = _run(state, signal.astype(np.float32), {i: states[i // 15 % 12] for i in range(15, 188, 15)})
        assert np.isfinite(out).all(), (name, kind)
        assert np.abs(out).max() <= ceiling, (name, kind, float(np.abs(out).max()))
        assert np.array_equal(out[:, 0], out[:, 1])
        if kind == "silence":
            assert np.abs(out).max() < 1e-3  # no effect invents sound out of nothing


def test_non_finite_input_is_zeroed_and_counted() -> None:
    preset = resolve_preset("space")
    state = BlockState(preset, SR, _space(preset).as_array(_space(preset).default()))
    block = np.full(BS, np.nan, dtype=np.float32)
    block[::2] = np.inf
    out = np.zeros(BS, dtype=np.float32)
    process_block(state, block, out)
    assert state.input_faults == 1
    assert np.isfinite(out).all() and np.isfinite(state.tracker.values).all()
    assert np.isfinite([state.in_peak, state.in_ms, state.out_peak, state.out_ms]).all()


def _max_step(y: np.ndarray) -> float:
    return float(np.abs(np.diff(y)).max())


def _sine_run(preset: Preset, a: np.ndarray, b: np.ndarray | None, ramp_ms: float) -> np.ndarray:
    t = np.arange(int(1.5 * SR)) / SR
    sine = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    state = BlockState(preset, SR, a, blocksize=BS, ramp_ms=ramp_ms)
    return _run(state, sine, None if b is None else {SR // BS: b}, channels=1)[:, 0]


@pytest.mark.parametrize("name", PRESETS)
def test_jumps_do_not_click(name: str) -> None:
    """The largest sample-to-sample step around a jump (on a sine) stays within the steady-state steps of the
    settings on either side; switching parameters in place (ramp_ms=0) exceeds that bound for some jumps."""
    preset = resolve_preset(name)
    states = _random_states(preset, 8, seed=7)
    window = slice(SR - 4800, SR + SR // 2)  # 100 ms before the jump to 500 ms after
    in_place_clicks = 0
    for a, b in zip(states[::2], states[1::2]):
        steady = max(
            _max_step(_sine_run(preset, a, None, 30)[window]), _max_step(_sine_run(preset, b, None, 30)[window])
        )
        bound = 1.05 * steady + 0.002
        faded = _max_step(_sine_run(preset, a, b, 30.0)[window])
        assert faded <= bound, (name, faded, steady)
        in_place_clicks += _max_step(_sine_run(preset, a, b, 0.0)[window]) > bound
    if name != "grit":  # grit's steps are dominated by its own distortion; space and motion show the clicks
        assert in_place_clicks >= 1, "the measure must be able to see a click"


def test_mute_acts_within_one_block_and_unmutes_without_a_click() -> None:
    preset = resolve_preset("space")
    space = _space(preset)
    state = BlockState(preset, SR, space.as_array(space.default()), blocksize=BS)
    sine = (0.8 * np.sin(2 * np.pi * 220 * np.arange(SR) / SR)).astype(np.float32)
    _run(state, sine[: SR // 2], channels=1)
    out = np.zeros(BS, dtype=np.float32)
    state.mute_requested = True
    process_block(state, sine[:BS], out)
    assert out[-1] == 0.0 and np.abs(out[:16]).max() > 0.01  # faded out across this very block
    assert _max_step(out) < 0.1  # a fade, not a cut
    process_block(state, sine[BS : 2 * BS], out)
    assert not out.any()
    state.mute_requested = False
    process_block(state, sine[:BS], out)
    assert abs(out[0]) < 0.05 and np.abs(out[-32:]).max() > 0.05  # back, faded in within one block
    assert _max_step(out) < 0.1


def test_a_chain_exception_becomes_silence_and_is_counted() -> None:
    preset = resolve_preset("grit")
    space = _space(preset)
    state = BlockState(preset, SR, space.as_array(space.default()), blocksize=BS)
    block = (0.5 * np.sin(np.arange(BS) / 5)).astype(np.float32)
    out = np.ones((BS, 2), dtype=np.float32)

    def broken(*args: object, **kwargs: object) -> np.ndarray:
        raise RuntimeError("plugin exploded")

    real_board = state.heard.board
    state.heard.board = broken  # type: ignore[assignment]
    process_block(state, block, out)
    assert state.chain_faults == 1 and state.faults >= 1
    assert not out.any()
    state.heard.board = real_board  # the stream lives on: the next block plays again
    for _ in range(4):
        process_block(state, block, out)
    assert np.abs(out).max() > 0.01


def test_a_jump_is_heard_after_the_fade() -> None:
    preset = resolve_preset("grit")
    space = _space(preset)
    quiet = space.as_array(space.default() | {"drive": 0.0, "trim": -18.0})
    loud = space.as_array(space.default() | {"drive": 40.0, "trim": 0.0})
    state = BlockState(preset, SR, quiet, blocksize=BS, ramp_ms=30)
    sine = (0.3 * np.sin(2 * np.pi * 220 * np.arange(SR) / SR)).astype(np.float32)
    before = _run(state, sine[: SR // 4], channels=1)
    state.prepare(loud)
    after = _run(state, sine[: SR // 4], channels=1)
    rms = lambda x: float(np.sqrt(np.mean(x[-4800:] ** 2)))  # noqa: E731
    assert rms(after) > 4 * rms(before)
    assert np.array_equal(state.target.real, loud) and state.incoming is None


@pytest.mark.parametrize("name", PRESETS)
def test_bypass_crossfades_to_the_dry_input_and_back_without_a_click(name: str) -> None:
    """z: after ramp_ms the output is the dry input (under the same ceiling); the switch either way is no bigger a
    step than the wet or the dry signal makes on its own (the jump-click measure), and the chains keep running."""
    preset = resolve_preset(name)
    for a in _random_states(preset, 3, seed=11):
        t = np.arange(2 * SR) / SR
        sine = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        wet = _run(BlockState(preset, SR, a, blocksize=BS), sine, channels=1)[:, 0]
        state = BlockState(preset, SR, a, blocksize=BS)
        out = np.zeros(len(sine), dtype=np.float32)
        on, off = SR // 2 // BS, 3 * SR // 2 // BS  # bypass at 0.5 s, back at 1.5 s
        for i, start in enumerate(range(0, len(sine), BS)):
            state.bypass_requested = on <= i < off
            process_block(state, sine[start : start + BS], out[start : start + BS])
        fade = int(0.03 * SR)
        dry_from, dry_to = on * BS + fade, off * BS
        np.testing.assert_allclose(out[dry_from:dry_to], sine[dry_from:dry_to], atol=1e-6)  # the dry input
        steady = max(_max_step(wet[SR // 4 :]), _max_step(sine))
        for edge in (on * BS, off * BS):
            assert _max_step(out[edge - 2400 : edge + 2 * fade]) <= 1.05 * steady + 0.002, (name, edge)
        # back on: the effect as if it had never stopped (the chain ran on under the bypass)
        np.testing.assert_allclose(out[off * BS + fade :], wet[off * BS + fade :], atol=1e-5)
        assert state.wet == 1.0


class _Spoils:
    """A chain's board whose output is spoilt on chosen calls (counted from 0): one sample or all set to ``value``."""

    def __init__(self, board: object, calls: set[int], value: float, everywhere: bool) -> None:
        self.board, self.calls, self.value, self.everywhere, self.count = board, calls, value, everywhere, 0

    def __call__(self, *args: object, **kwargs: object) -> np.ndarray:
        out = self.board(*args, **kwargs)  # type: ignore[operator]
        if self.count in self.calls:
            if self.everywhere:
                out[...] = self.value
            else:
                out[..., 17] = self.value
        self.count += 1
        return out

    def reset(self) -> None:
        self.board.reset()  # type: ignore[attr-defined]


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize(
    ("value", "everywhere", "fault"),
    [(np.inf, False, True), (-np.inf, True, True), (np.nan, False, True), (1e30, True, False), (-3e38, False, False)],
)
def test_one_spoilt_chain_block_never_plays_over_the_ceiling(
    channels: int, value: float, everywhere: bool, fault: bool
) -> None:
    """The chains' output is checked by one sum of squares each (EffectChain.run) and the ceiling applied once to
    what is played: a chain whose output is non-finite, or finite but far too large to square (1e30, -3e38), on
    one block only, alone or while it or the other chain of a crossfade plays, never makes a block go over the
    ceiling or non-finite. A non-finite one plays that chain as silence, counted; a huge finite one is clipped.
    Either way the next blocks play the effect again."""
    preset = resolve_preset("space")
    states = _random_states(preset, 2, seed=3)
    ceiling = 10 ** (preset.safety.ceiling_db / 20)
    sine = (0.5 * np.sin(2 * np.pi * 220 * np.arange(SR) / SR)).astype(np.float32)
    for spoilt in ("heard", "incoming", "heard in a fade"):
        state = BlockState(preset, SR, states[0], blocksize=BS, channels=channels)
        out = np.zeros((sine.shape[0], channels), dtype=np.float32)
        for i, start in enumerate(range(0, sine.shape[0] - BS + 1, BS)):
            if i == 40:
                state.prepare(states[1])  # fades in over blocks 40-45
                if spoilt == "incoming":
                    incoming = state.pool.pending
                    assert incoming is not None
                    incoming.chain.board = _Spoils(incoming.chain.board, {1}, value, everywhere)  # type: ignore[assignment]
            if i == (20 if spoilt == "heard" else 41) and spoilt != "incoming":
                state.heard.board = _Spoils(state.heard.board, {0}, value, everywhere)  # type: ignore[assignment]
            process_block(state, sine[start : start + BS], out[start : start + BS])
        assert np.isfinite(out).all() and np.abs(out).max() <= ceiling, (spoilt, float(np.abs(out).max()))
        assert (state.faults >= 1) == fault, (spoilt, state.faults)
        assert np.abs(out[-BS:]).max() > 0.01, spoilt  # playing again
        assert np.isfinite(state.out_peak) and np.isfinite(state.out_ms) and state.out_peak <= ceiling


def test_a_non_finite_mix_plays_as_silence_and_is_counted() -> None:
    """The last guard (block_io.play): after the clip only a NaN can be left (a mix of huge chain outputs, which the
    per-chain checks let through as finite); a block with one is played as silence and counted."""
    preset = resolve_preset("grit")
    space = _space(preset)
    state = BlockState(preset, SR, space.as_array(space.default()), blocksize=BS, channels=2)
    y = np.full((2, BS), 0.25, dtype=np.float32)
    y[1, 100] = np.nan
    out = np.ones((BS, 2), dtype=np.float32)
    play(state, y, out)
    assert not out.any() and state.mix_faults == 1 and state.faults >= 1
    assert state.out_peak == 0.0 and state.out_ms == 0.0
