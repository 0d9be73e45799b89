"""The analysis thread gives the descriptors the in-callback analysis gave, on the same audio.

Tolerance: the same values to 1e-9 (relative) at the same frame. DescriptorTracker splits whatever it is fed at
its own hop boundaries (every 512 samples), so the frames it analyses, and every operation on them, are the same
whether it gets 256-frame blocks in the callback or the ~1,200-frame chunks the analysis thread reads at its
control rate; the ring stores the very float32 samples the callback would have fed. Only *when* the values are
there changes: they are behind by at most one analysis interval (25 ms) plus one block.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from rlfx_tui.audio.analysis import ANALYSIS_INTERVAL_S, AnalysisThread, HistoryAnalyser
from rlfx_tui.audio.block import METER_RELEASE_S, BlockState, process_block
from rlfx_tui.audio.sources import demo_signal
from rlfx_tui.core.descriptors import DescriptorTracker
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import resolve_preset

SR = 48000
BS = 256
RTOL, ATOL = 1e-9, 1e-9


def _state(analyse_inline: bool, blocksize: int = BS, channels: int = 1) -> BlockState:
    preset = resolve_preset("space")
    space = ParameterSpace(preset.params)
    real = space.as_array(space.default())
    return BlockState(preset, SR, real, blocksize=blocksize, analyse_inline=analyse_inline, channels=channels)


def _signal(seconds: float) -> np.ndarray:
    """The demo loop, then noise, then silence, then a tone: every descriptor moves."""
    n = int(seconds * SR) // 4
    t = np.arange(n) / SR
    rng = np.random.default_rng(1)
    parts = [
        demo_signal(SR, seconds / 4)[:n],
        rng.uniform(-0.5, 0.5, n),
        np.zeros(n),
        0.3 * np.sin(2 * np.pi * 330 * t),
    ]
    return np.concatenate(parts).astype(np.float32)


@pytest.mark.parametrize("channels", [1, 2])
def test_off_callback_analysis_matches_the_in_callback_analysis_at_every_step(channels: int) -> None:
    """Mono, and stereo (the ring holds left and right; the descriptors hear their mix in both places)."""
    inline, off = _state(True, channels=channels), _state(False, channels=channels)
    assert off.history.ndim == channels
    analyser = HistoryAnalyser(off)
    mono = _signal(4.0)
    # stereo: a different right side (delayed, quieter), so the mix is not either side
    signal = mono if channels == 1 else np.stack([mono, 0.5 * np.roll(mono, 100)], axis=1)
    out = np.zeros((BS, channels), dtype=np.float32)
    hop = int(ANALYSIS_INTERVAL_S * SR)  # 1,200 frames: not a multiple of the block or of the tracker's hop
    compared = 0
    for start in range(0, signal.shape[0] - BS + 1, BS):
        block = signal[start : start + BS]
        process_block(inline, block, out)
        process_block(off, block, out)
        if off.written - analyser.read >= hop:
            analyser.step()
            np.testing.assert_allclose(analyser.tracker.values, inline.tracker.values, rtol=RTOL, atol=ATOL)
            compared += 1
    assert compared > 100 and analyser.skipped == 0
    assert off.descriptors_s == 0.0  # the callback no longer analysed anything


def test_the_analysis_thread_reads_the_ring_while_the_callback_writes_it() -> None:
    """A real analysis thread against a real-time paced 'callback' thread (64-frame blocks, the smallest): the
    thread-read descriptors equal the inline ones at the end, and no frame was lost or torn."""
    state = _state(True, blocksize=64)
    reference = state.tracker  # fed inline by process_block
    analyser = HistoryAnalyser(state, DescriptorTracker(SR))
    thread = AnalysisThread(analyser).start()
    signal = _signal(1.0)
    out = np.zeros(64, dtype=np.float32)

    def callback() -> None:
        due = time.perf_counter()
        for start in range(0, signal.shape[0] - 63, 64):
            process_block(state, signal[start : start + 64], out)
            due += 64 / SR
            time.sleep(max(0.0, due - time.perf_counter()))

    audio = threading.Thread(target=callback)
    audio.start()
    lags = []
    while audio.is_alive():
        time.sleep(0.013)
        lags.append(state.written - analyser.read)
    audio.join()
    thread.stop()
    analyser.step()  # the last frames
    assert thread.errors == 0 and analyser.skipped == 0
    assert analyser.read == state.written
    np.testing.assert_allclose(analyser.tracker.values, reference.values, rtol=RTOL, atol=ATOL)
    assert max(lags) < SR // 2  # it kept up (a step every 25 ms; the bound is loose for a shared machine)


def test_a_reader_overtaken_by_the_writer_skips_what_was_overwritten() -> None:
    state = _state(False)
    analyser = HistoryAnalyser(state)
    out = np.zeros(BS, dtype=np.float32)
    signal = _signal(4.0)  # longer than the 2.5 s ring: the reader never stepped
    for start in range(0, signal.shape[0] - BS + 1, BS):
        process_block(state, signal[start : start + BS], out)
    analysed = analyser.step()
    size = state.history.shape[0]
    assert analyser.skipped > 0 and analysed <= size and analyser.read == state.written
    assert analyser.skipped + analysed == state.written
    assert np.isfinite(analyser.tracker.values).all() and analyser.tracker.values[0] > -60  # the tone at the end


def test_the_analysis_thread_survives_an_exception() -> None:
    state = _state(False)
    analyser = HistoryAnalyser(state)
    calls = []

    def flaky() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("bad block")
        return 0

    analyser.step = flaky  # type: ignore[method-assign]
    thread = AnalysisThread(analyser, interval_s=0.005).start()
    deadline = time.monotonic() + 2
    while len(calls) < 3 and time.monotonic() < deadline:
        time.sleep(0.005)
    thread.stop()
    assert thread.errors == 1 and len(calls) >= 3 and not thread.alive


@pytest.mark.parametrize("channels", [1, 2])
def test_the_analysis_thread_keeps_the_input_peak_meter_as_the_callback_did(channels: int) -> None:
    """With the analysis off the callback, the input's peak meter is the analysis thread's: the same peak-hold
    (both sides of a stereo input, 0.3 s release) as the callback's inline meter, read at the analysis thread's
    rate. Stepped after every fourth block, the analysis thread's reading is the callback's, or above it by at
    most the release over three blocks: the peak of a step is held from the step, not from its own block (so it
    reads up to 8 % high for a peak 25 ms old, and never low). The callback leaves the meter alone."""
    preset = resolve_preset("grit")
    space = ParameterSpace(preset.params)
    real = space.as_array(space.default())
    bs = 256
    t = np.arange(SR) / SR
    left = (0.6 * np.sin(2 * np.pi * 3 * t) * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    signal = np.stack([left, 0.5 * left[::-1]], axis=1) if channels == 2 else left
    inline = BlockState(preset, SR, real, blocksize=bs, channels=channels)
    offline = BlockState(preset, SR, real, blocksize=bs, channels=channels, analyse_inline=False)
    analyser = HistoryAnalyser(offline)
    out = np.zeros((bs, channels), dtype=np.float32)
    peaks = []
    for i, start in enumerate(range(0, SR - bs + 1, bs)):
        process_block(inline, signal[start : start + bs], out)
        process_block(offline, signal[start : start + bs], out)
        if i % 4 == 3:
            before = offline.in_peak
            analyser.step()
            peaks.append((inline.in_peak, offline.in_peak, before))
    assert all(b == 0.0 for _, _, b in peaks[:1])  # nothing before the first step: the callback left it alone
    got, want = np.array([p[1] for p in peaks]), np.array([p[0] for p in peaks])
    assert want.max() > 0.3
    release = np.exp(-3 * bs / (SR * METER_RELEASE_S))
    assert np.all(got >= want * (1 - 1e-6)), float((got / want).min())
    assert np.all(got <= want / release * (1 + 1e-6)), float((got / want).max())
    assert offline.in_ms == pytest.approx(inline.in_ms, rel=1e-6)  # the mean square stays the callback's
