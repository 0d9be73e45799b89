"""Loud surprises: random jumps at 100 % strength on every shipped preset, fed full-scale square, white noise,
bursts and silence through EffectChain.process. Never above the ceiling (−0.3 dBFS), never NaN/Inf, no denormal
slow-down in the silence after loud input; and a chain poisoned with NaN/Inf comes back to finite, audible output.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from rlfx_tui.core.chain import EffectChain, db_to_linear
from rlfx_tui.core.presets import resolve_preset, shipped_presets
from rlfx_tui.core.session import Session

SR = 48000
BLOCK = 256
PRESETS = sorted(shipped_presets())
HEAD, TAIL = 400, 1200  # silent blocks before and after the loud middle, for timing


class Signals:
    """Phase-continuous test input, block by block."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.phase = 0.0

    def square(self, freq: float, amplitude: float = 1.0) -> np.ndarray:
        t = self.phase + np.arange(BLOCK) * freq / SR
        self.phase = float(t[-1] + freq / SR) % 1.0
        return np.where(t % 1.0 < 0.5, amplitude, -amplitude).astype(np.float32)

    def noise(self) -> np.ndarray:
        return self.rng.uniform(-1.0, 1.0, BLOCK).astype(np.float32)

    def segments(self, n_blocks: int):  # type: ignore[no-untyped-def]
        """(kind, block) for HEAD silent blocks, a loud middle of random segments, then TAIL silent blocks."""
        for _ in range(HEAD):
            yield "head", np.zeros(BLOCK, np.float32)
        left = n_blocks - HEAD - TAIL
        while left > 0:
            kind = str(self.rng.choice(["square", "noise", "bursts", "silence"]))
            length = min(left, int(self.rng.integers(50, 400)))
            freq = float(self.rng.uniform(30.0, 3000.0))
            for i in range(length):
                if kind == "square":
                    yield kind, self.square(freq)
                elif kind == "noise":
                    yield kind, self.noise()
                elif kind == "bursts":
                    on = (i // int(self.rng.integers(1, 12))) % 2 == 0
                    yield kind, self.noise() if on else np.zeros(BLOCK, np.float32)
                else:
                    yield kind, np.zeros(BLOCK, np.float32)
            left -= length
        for _ in range(TAIL):
            yield "tail", np.zeros(BLOCK, np.float32)


def storm(preset_name: str, n_blocks: int, seed: int) -> dict[str, float]:
    preset = resolve_preset(preset_name)
    chain = EffectChain(preset, SR)
    ceiling = db_to_linear(preset.safety.ceiling_db)
    rng = np.random.default_rng(seed)
    signals = Signals(rng)
    current = chain.space.default()
    next_jump, jumps, peak, at_ceiling = 0, 0, 0.0, 0
    times: dict[str, list[float]] = {"head": [], "tail": []}
    for index, (kind, block) in enumerate(signals.segments(n_blocks)):
        if index == next_jump:
            current = chain.space.randomize(current, 1.0, rng)
            chain.apply(current)
            jumps += 1
            next_jump += int(rng.integers(1, 32))
        started = time.perf_counter()
        out = chain.process(block)
        elapsed = time.perf_counter() - started
        if kind in times:
            times[kind].append(elapsed)
        assert np.isfinite(out).all(), f"{preset_name}: NaN/Inf out at block {index} ({kind})"
        block_peak = float(np.abs(out).max())
        assert block_peak <= ceiling * (1 + 1e-6), f"{preset_name}: {block_peak} over the ceiling at block {index}"
        peak = max(peak, block_peak)
        at_ceiling += block_peak >= ceiling * (1 - 1e-6)
    head = float(np.median(times["head"][50:]))  # after warm-up
    tail = float(np.median(times["tail"][200:]))  # once the tails have decayed towards denormal range
    figures = {
        "blocks": index + 1,
        "jumps": jumps,
        "peak_dbfs": 20 * np.log10(max(peak, 1e-12)),
        "blocks_at_ceiling": at_ceiling,
        "faults": chain.faults,
        "head_us": head * 1e6,
        "tail_us": tail * 1e6,
        "ratio": tail / head,
    }
    print(
        f"\n{preset_name}: {figures['blocks']} blocks of {BLOCK}, {jumps} jumps at 100 %; peak "
        f"{figures['peak_dbfs']:.2f} dBFS ({at_ceiling} blocks touched the ceiling), NaN guard faults "
        f"{chain.faults}; median block time silence before {head * 1e6:.0f} µs, after loud input "
        f"{tail * 1e6:.0f} µs (×{tail / head:.2f})"
    )
    return figures


@pytest.mark.parametrize("preset_name", PRESETS)
def test_jumps_never_go_over_the_ceiling(preset_name: str) -> None:
    figures = storm(preset_name, 3000, seed=1)
    assert figures["ratio"] < 3.0, "block time in silence after loud input grew (denormals?)"


@pytest.mark.slow
@pytest.mark.parametrize("preset_name", PRESETS)
def test_jumps_never_go_over_the_ceiling_long(preset_name: str) -> None:
    figures = storm(preset_name, 20000, seed=2)
    assert figures["blocks"] >= 10000
    assert figures["ratio"] < 3.0, "block time in silence after loud input grew (denormals?)"


POISON = {
    "all NaN": np.full(BLOCK, np.nan, np.float32),
    "+inf": np.full(BLOCK, np.inf, np.float32),
    "-inf": np.full(BLOCK, -np.inf, np.float32),
    "one NaN sample": np.where(np.arange(BLOCK) == 17, np.nan, 0.5).astype(np.float32),
    "1e38": np.full(BLOCK, 1e38, np.float32),
    "hot +24 dB square": np.where(np.arange(BLOCK) % 64 < 32, 16.0, -16.0).astype(np.float32),
    "denormals": np.full(BLOCK, 1e-41, np.float32),
}


def rms(blocks: list[np.ndarray]) -> float:
    return float(np.sqrt(np.mean(np.square(np.concatenate(blocks)))))


@pytest.mark.parametrize("preset_name", PRESETS)
@pytest.mark.parametrize("poison", sorted(POISON))
def test_a_poisoned_chain_recovers(preset_name: str, poison: str) -> None:
    preset = resolve_preset(preset_name)
    chain = EffectChain(preset, SR)
    ceiling = db_to_linear(preset.safety.ceiling_db)
    signals = Signals(np.random.default_rng(0))
    before = [chain.process(signals.square(220.0, 0.5)) for _ in range(100)][50:]
    for _ in range(3):
        out = chain.process(POISON[poison].copy())
        assert np.isfinite(out).all() and np.abs(out).max() <= ceiling * (1 + 1e-6)
    after = [chain.process(signals.square(220.0, 0.5)) for _ in range(100)]
    assert all(np.isfinite(b).all() and np.abs(b).max() <= ceiling * (1 + 1e-6) for b in after)
    assert rms(after[50:]) > 0.3 * rms(before), f"{preset_name} stayed (nearly) silent after {poison}"


@pytest.mark.parametrize("preset_name", PRESETS)
def test_non_finite_parameters_are_refused(preset_name: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """pedalboard takes NaN silently (a NaN ladder-filter cutoff makes every block NaN): the core refuses it."""
    session = Session(preset=preset_name, data_dir=tmp_path, seed=0)
    signals = Signals(np.random.default_rng(0))
    before = dict(session.current)
    for bad in (np.nan, np.inf, -np.inf):
        values = dict(before) | {session.space.names[0]: bad}
        with pytest.raises(ValueError, match=session.space.names[0]):
            session.set_current(values)
        assert session.current == before
        faults = session.chain.faults
        session.chain.apply_array(np.full(len(session.space), bad))  # the engine's direct path
        assert session.chain.faults == faults + 1
    outs = [session.process(signals.square(220.0, 0.5)) for _ in range(100)]
    assert all(np.isfinite(o).all() for o in outs) and rms(outs[50:]) > 1e-3
    with pytest.raises(ValueError):
        session.randomize(float("nan"))
    assert session.current == before
