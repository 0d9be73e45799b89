"""`rlfx-tui bench`: what the callback costs on this machine, how fast render is (a stress run is in stress.py).

Per-block cost, for every shipped preset at each block size, mono and stereo output (``ch`` 1 and 2: the stereo chain
plays per side where the preset has width, core/stereo.py), on the demo loop with a parameter jump every 100 ms:

* bare chain   one pedalboard.Pedalboard call (the preset's plugins + limiter) per block at the same parameter
               states, nothing else: the floor
* chain        the engine's chain work inside process_block (each chain's finite check, a second chain and the
               crossfade mix during crossfades, catching a new chain up to the present)
* analysis     the descriptors and the input's peak meter, computed off the callback by the analysis thread
               (audio/analysis.py) from the history ring, per block of audio (so its % of the period is its share
               of one core); not in total
* overhead     the rest of process_block (input into the history ring, meters, ceiling, output copy)
* total        process_block in full, as % of the block period and as a ratio to the bare chain
* prepare      setting and priming an idle chain of the pool per jump: runs on the caller's thread, not in the
               callback

`--preset FILE` adds presets of your own (a plugin preset from `rlfx-tui presets scan`) next to the shipped ones.

Each figure comes from the least disturbed of a few repeats.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rlfx_tui.audio.analysis import ANALYSIS_INTERVAL_S, HistoryAnalyser
from rlfx_tui.audio.block import BlockState, process_block
from rlfx_tui.audio.sources import demo_signal
from rlfx_tui.core.chain import EffectChain
from rlfx_tui.core.denormals import flushing_thread
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import Preset, load_preset, shipped_presets

SAMPLERATE = 48000
JUMP_EVERY_S = 0.1


@dataclass(frozen=True)
class BlockCost:
    preset: str
    blocksize: int
    channels: int  # the output's: 1 = the mono chain, 2 = stereo
    bare_us: float
    chain_us: float
    descriptors_us: float  # the analysis thread's work per block of audio: not in the callback, not in total
    total_us: float
    prepare_ms: float  # per jump, on the control thread (not in the callback)

    @property
    def period_us(self) -> float:
        return 1e6 * self.blocksize / SAMPLERATE

    @property
    def overhead_us(self) -> float:
        return max(0.0, self.total_us - self.chain_us)

    def pct(self, us: float) -> float:
        return 100.0 * us / self.period_us


def _bare_us(
    preset: Preset, blocks: list[np.ndarray], jumps: list[np.ndarray], jump_every: int, repeats: int, channels: int
) -> float:
    """One pedalboard call per block, at the parameter states the engine plays (set in place at each jump, untimed)."""
    chain = EffectChain(preset, SAMPLERATE, channels)
    if chain.stereo:  # what the chain itself hands its stereo board
        blocks = [np.stack([b, b]) for b in blocks]
    best = float("inf")
    for _ in range(repeats):
        chain.apply_array(jumps[0])
        spent = 0.0
        for i, b in enumerate(blocks):
            if i and i % jump_every == 0:
                chain.apply_array(jumps[(i // jump_every) % len(jumps)])
            began = time.perf_counter()
            chain.board(b, float(SAMPLERATE), reset=False)
            spent += time.perf_counter() - began
        best = min(best, spent / len(blocks))
    return best * 1e6


def _engine_cost(
    preset: Preset, blocks: list[np.ndarray], jumps: list[np.ndarray], jump_every: int, repeats: int, channels: int
) -> tuple[float, float, float, float]:
    """(total, chain, analysis) µs per block from the least disturbed repeat, and prepare ms per jump. The
    analysis steps at the analysis thread's rate, between blocks, timed apart from them (as prepare is)."""
    best = (float("inf"), 0.0, 0.0, 0.0)
    n = len(blocks)
    for _ in range(repeats):
        bs = blocks[0].shape[0]
        state = BlockState(preset, SAMPLERATE, jumps[0], blocksize=bs, channels=channels, analyse_inline=False)
        analyser, analyse_every = HistoryAnalyser(state), max(1, int(ANALYSIS_INTERVAL_S * SAMPLERATE / bs))
        out = np.zeros((blocks[0].shape[0], channels), dtype=np.float32)
        prepare_s, spent, count = 0.0, 0.0, 0
        with flushing_thread():  # as on the audio thread: flush-to-zero set once, not per chain call
            for i, b in enumerate(blocks):
                if i and i % jump_every == 0:
                    t = time.perf_counter()
                    state.prepare(jumps[(i // jump_every) % len(jumps)])
                    prepare_s += time.perf_counter() - t
                    count += 1
                if i % analyse_every == 0:
                    analyser.step()
                began = time.perf_counter()
                process_block(state, b, out)
                spent += time.perf_counter() - began  # each call timed: the loop's own work is not the callback's
            total_us = 1e6 * spent / n
        if total_us < best[0]:
            best = (total_us, 1e6 * state.chain_s / n, 1e6 * analyser.busy_s / n, 1e3 * prepare_s / max(count, 1))
    return best


def benched_presets(extra: Sequence[Path] = ()) -> list[Preset]:
    """The shipped presets, then the given files (a PresetError names a bad one)."""
    return [load_preset(p) for p in [*shipped_presets().values(), *extra]]


def block_costs(
    seconds: float = 2.0,
    blocksizes: tuple[int, ...] = (64, 128, 256),
    repeats: int = 3,
    seed: int = 0,
    extra: Sequence[Path] = (),
    channels: tuple[int, ...] = (1, 2),
) -> list[BlockCost]:
    signal = demo_signal(SAMPLERATE, max(seconds, 0.05))
    results = []
    for preset in benched_presets(extra):
        name = preset.name
        space = ParameterSpace(preset.params)
        rng = np.random.default_rng(seed)
        jumps = [space.real_array(space.randomize_normalized(space.default_normalized, 1.0, rng)) for _ in range(64)]
        for bs in blocksizes:
            blocks = [signal[i : i + bs] for i in range(0, signal.shape[0] - bs + 1, bs)]
            jump_every = max(1, int(JUMP_EVERY_S * SAMPLERATE / bs))
            for ch in channels:
                total, chain, desc, prep = _engine_cost(preset, blocks, jumps, jump_every, repeats, ch)
                bare = _bare_us(preset, blocks, jumps, jump_every, repeats, ch)
                results.append(BlockCost(name, bs, ch, bare, chain, desc, total, prep))
    return results


def _max_step(y: np.ndarray) -> float:
    return float(np.abs(np.diff(y)).max())


def jump_steps(
    preset: Preset, a: np.ndarray, b: np.ndarray, ramp_ms: float, blocksize: int = 256
) -> tuple[float, float]:
    """The click measure: (largest sample-to-sample step from 100 ms before a jump a → b to 500 ms after it, the
    largest such step while holding a or b steadily), on a 0.5-amplitude 440 Hz sine. A click shows as a
    first number well above the second; the effect's own character (distortion steps) raises both."""
    t = np.arange(int(1.5 * SAMPLERATE)) / SAMPLERATE
    sine = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    jump_block = SAMPLERATE // blocksize
    window = slice(jump_block * blocksize - SAMPLERATE // 10, jump_block * blocksize + SAMPLERATE // 2)

    def run(first: np.ndarray, then: np.ndarray | None) -> np.ndarray:
        state = BlockState(preset, SAMPLERATE, first, blocksize=blocksize, ramp_ms=ramp_ms)
        out = np.zeros(sine.shape[0], dtype=np.float32)
        for i, start in enumerate(range(0, sine.shape[0], blocksize)):
            if then is not None and i == jump_block:
                state.prepare(then)
            process_block(state, sine[start : start + blocksize], out[start : start + blocksize])
        return out[window]

    return _max_step(run(a, b)), max(_max_step(run(a, None)), _max_step(run(b, None)))


def click_report(pairs: int = 4, ramp_ms: float = 30.0, seed: int = 7, extra: Sequence[Path] = ()) -> str:
    lines = [
        f"Jump clicks: largest sample-to-sample step around a 100 %-strength jump on a 440 Hz sine, divided by "
        f"the largest step holding either setting ({pairs} jumps per preset; worst case)"
    ]
    presets = benched_presets(extra)
    width = max([8, *(len(p.name) for p in presets)])
    for preset in presets:
        name = preset.name
        space = ParameterSpace(preset.params)
        rng = np.random.default_rng(seed)
        u, states = space.default_normalized, []
        for _ in range(2 * pairs):  # a walk, so switches flip both ways (at strength 1 a choice always changes)
            u = space.randomize_normalized(u, 1.0, rng)
            states.append(space.real_array(u))
        faded = in_place = 0.0
        for a, b in zip(states[::2], states[1::2]):
            jump, steady = jump_steps(preset, a, b, ramp_ms)
            faded = max(faded, jump / steady)
            jump, steady = jump_steps(preset, a, b, 0.0)
            in_place = max(in_place, jump / steady)
        lines.append(
            f"  {name:<{width}} primed chain + {ramp_ms:g} ms crossfade: {faded:4.2f}x   "
            f"parameters set in place: {in_place:5.2f}x"
        )
    return "\n".join(lines)


def format_costs(costs: list[BlockCost]) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    width = max([8, *(len(c.preset) for c in costs)]) + 1
    lines = [
        f"Per-block cost in µs (% of the block period at {SAMPLERATE} Hz), a jump every 100 ms; "
        f"{os.cpu_count()} CPUs, load average {load:.2f}",
        f"{'preset':<{width}}{'frames':>7}{'ch':>3}{'period':>8}{'bare chain':>17}{'chain':>17}{'analysis*':>17}"
        f"{'overhead':>17}{'total':>17}{'total/bare':>11}{'prepare/jump':>14}",
    ]
    for c in costs:
        cells = "".join(
            f"{us:>9.1f} ({c.pct(us):4.2f}%)"
            for us in (c.bare_us, c.chain_us, c.descriptors_us, c.overhead_us, c.total_us)
        )
        lines.append(
            f"{c.preset:<{width}}{c.blocksize:>7}{c.channels:>3}{c.period_us:>8.0f}{cells}"
            f"{c.total_us / c.bare_us:>10.1f}x"
            f"{c.prepare_ms:>11.1f} ms"
        )
    mono = {(c.preset, c.blocksize): c for c in costs if c.channels == 1}
    ratios = [
        f"{c.preset} {c.blocksize}: {c.total_us / mono[c.preset, c.blocksize].total_us:.2f}x "
        f"(bare chain {c.bare_us / mono[c.preset, c.blocksize].bare_us:.2f}x)"
        for c in costs
        if c.channels == 2 and (c.preset, c.blocksize) in mono
    ]
    if ratios:
        lines.append("Stereo / mono total per block: " + ", ".join(ratios))
    lines.append("* analysis: the descriptors, on the analysis thread (not in the callback, not in total)")
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
