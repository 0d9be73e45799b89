"""`rlfx-tui bench`: what the callback costs on this machine, how fast render is, and a stress run on a real stream.

Per-block cost, for every shipped preset at each block size, on the demo loop with a parameter jump every 100 ms:

* bare chain   one pedalboard.Pedalboard call (the preset's plugins + limiter), nothing else: the floor
* chains       the engine's chain work: two EffectChain.process calls (heard + silent chain, see block.py)
* descriptors  DescriptorTracker.update
* overhead     process_block in full, minus chains and descriptors (input copy, meters, crossfade, safety)
* total        process_block in full, as % of the block period and as a ratio to the bare chain

Each figure is the best of a few repeats (the least disturbed by the OS), per block.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rlfx_tui.audio.block import BlockState, ParamTarget, process_block
from rlfx_tui.audio.sources import demo_signal
from rlfx_tui.core.chain import EffectChain
from rlfx_tui.core.descriptors import DescriptorTracker
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import load_preset, shipped_presets

SAMPLERATE = 48000
JUMP_EVERY_S = 0.1


@dataclass(frozen=True)
class BlockCost:
    preset: str
    blocksize: int
    bare_us: float
    chains_us: float
    descriptors_us: float
    total_us: float

    @property
    def period_us(self) -> float:
        return 1e6 * self.blocksize / SAMPLERATE

    @property
    def overhead_us(self) -> float:
        return max(0.0, self.total_us - self.chains_us - self.descriptors_us)

    def pct(self, us: float) -> float:
        return 100.0 * us / self.period_us


def _best_per_block(run: Callable[[], int], repeats: int) -> float:
    """Best-of-`repeats` time per block (µs); `run` processes the whole signal and returns its block count."""
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        blocks = run()
        best = min(best, (time.perf_counter() - began) / blocks)
    return best * 1e6


def block_costs(seconds: float = 2.0, blocksizes: tuple[int, ...] = (128, 256, 512), repeats: int = 3,
                seed: int = 0) -> list[BlockCost]:
    signal = demo_signal(SAMPLERATE, max(seconds, 0.05))
    results = []
    for name, path in shipped_presets().items():
        preset = load_preset(path)
        space = ParameterSpace(preset.params)
        rng = np.random.default_rng(seed)
        jumps = [space.real_array(space.randomize_normalized(space.default_normalized, 1.0, rng)) for _ in range(64)]
        for bs in blocksizes:
            blocks = [signal[i : i + bs] for i in range(0, signal.shape[0] - bs + 1, bs)]
            jump_every = max(1, int(JUMP_EVERY_S * SAMPLERATE / bs))
            bare_chain = EffectChain(preset, SAMPLERATE)
            chains = [EffectChain(preset, SAMPLERATE), EffectChain(preset, SAMPLERATE)]
            tracker = DescriptorTracker(SAMPLERATE)
            state = BlockState(preset, SAMPLERATE, space.as_array(space.default()), blocksize=bs)
            out = np.zeros((bs, 2), dtype=np.float32)

            def bare() -> int:
                for b in blocks:
                    bare_chain.board(b, float(SAMPLERATE), reset=False)
                return len(blocks)

            def two_chains() -> int:
                for b in blocks:
                    chains[0].process(b)
                    chains[1].process(b)
                return len(blocks)

            def descriptors() -> int:
                for b in blocks:
                    tracker.update(b)
                return len(blocks)

            def total() -> int:
                for i, b in enumerate(blocks):
                    if i % jump_every == 0:
                        state.pending = ParamTarget.of(jumps[(i // jump_every) % len(jumps)])
                    process_block(state, b, out)
                return len(blocks)

            results.append(BlockCost(name, bs, _best_per_block(bare, repeats), _best_per_block(two_chains, repeats),
                                     _best_per_block(descriptors, repeats), _best_per_block(total, repeats)))
    return results


def format_costs(costs: list[BlockCost]) -> str:
    lines = ["Per-block cost (µs, and % of the block period at 48 kHz); total/bare = cost vs the bare pedalboard chain",
             f"{'preset':<8}{'frames':>7}{'period':>9}{'bare chain':>17}{'chains':>17}{'descriptors':>17}"
             f"{'overhead':>17}{'total':>17}{'total/bare':>11}"]
    for c in costs:
        cells = "".join(f"{us:>9.1f} ({c.pct(us):4.2f}%)" for us in
                        (c.bare_us, c.chains_us, c.descriptors_us, c.overhead_us, c.total_us))
        lines.append(f"{c.preset:<8}{c.blocksize:>7}{c.period_us:>9.0f}{cells}{c.total_us / c.bare_us:>10.1f}x")
    return "\n".join(lines)


def render_speed(seconds: float = 20.0) -> tuple[float, float]:
    """Render the demo loop (``seconds`` long) through the default preset; returns (seconds, real-time factor)."""
    from pedalboard.io import AudioFile

    from rlfx_tui.audio.render import render
    from rlfx_tui.core.session import Session

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.wav", Path(tmp) / "out.wav"
        with AudioFile(str(src), "w", samplerate=SAMPLERATE, num_channels=1) as f:
            f.write(demo_signal(SAMPLERATE, seconds)[None, :])
        session = Session(data_dir=Path(tmp) / "data")
        result = render(src, dst, session)
    return result.seconds, result.realtime_factor
