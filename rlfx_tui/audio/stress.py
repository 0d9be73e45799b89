"""The stress run: the real engine on a real, clocked stream while the app's heaviest background work runs.

A trainer thread refits the learner on 2,000 synthetic points over and over (as the TUI's retrain worker would,
with BLAS limited to one thread: Learner.fit does that), and every 100 ms a jump is proposed by that learner and
handed to the engine (session.randomize → engine.set_params). We count xruns (PortAudio's over/underflow flags),
callbacks against wall-clock time (a long stall is flagged once but drops many callbacks), and the worst gap
between two callbacks.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from multiprocessing.connection import Connection

import numpy as np

from rlfx_tui.audio.config import EngineConfig
from rlfx_tui.audio.engine import Engine
from rlfx_tui.core.descriptors import DESCRIPTOR_NAMES
from rlfx_tui.core.learner import Learner
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import resolve_preset
from rlfx_tui.core.session import Session

TRAIN_POINTS = 2000


@dataclass(frozen=True)
class StressResult:
    stream: str
    trainer: str
    seconds: float
    blocksize: int
    samplerate: int
    callbacks: int
    expected_callbacks: float
    xruns: int
    worst_gap_ms: float
    worst_callback_ms: float
    cpu_load: float
    fits: int
    jumps: int
    message: str

    def format(self) -> str:
        period_ms = 1000 * self.blocksize / self.samplerate
        return (f"Stress run on {self.stream}: {self.seconds:.0f} s at {self.blocksize} frames / {self.samplerate} Hz "
                f"(period {period_ms:.2f} ms), learner refitting on {TRAIN_POINTS} points in a {self.trainer} "
                f"({self.fits} fits), "
                f"{self.jumps} jumps (every 100 ms)\n"
                f"  xruns {self.xruns}, callbacks {self.callbacks} of {self.expected_callbacks:.0f} expected, "
                f"worst callback gap {self.worst_gap_ms:.2f} ms, longest callback {self.worst_callback_ms:.2f} ms, "
                f"stream cpu load {100 * self.cpu_load:.1f} %"
                + (f"\n  note: {self.message}" if self.message else ""))


def synthetic_points(space_size: int, n: int = TRAIN_POINTS, seed: int = 0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.uniform(-60, 0, n)] + [rng.uniform(0, 8000, n) for _ in range(len(DESCRIPTOR_NAMES) - 1)])
    U = rng.uniform(0, 1, (n, space_size))
    good = rng.uniform(size=n) < 0.5
    return X, U, good


def _fit_forever(conn: Connection, preset: str, X: np.ndarray, U: np.ndarray, good: np.ndarray) -> None:
    """The trainer subprocess: refit until terminated, sending each fitted learner back (at nice 19: audio first)."""
    os.nice(19)
    space = ParameterSpace(resolve_preset(preset).params)
    seed = 0
    while True:
        conn.send(Learner(space, seed=seed).fit(X, U, good))
        seed += 1


def stress_run(seconds: float = 60.0, blocksize: int = 256, use_jack: bool | None = None,
               warmup_s: float = 1.0, train: bool = True, jump: bool = True, trainer: str = "process",
               realtime: bool | None = None) -> StressResult:
    """``use_jack``: True = a private JACK dummy server; False = the default output device; None = JACK dummy if
    jackd is installed, else the default device. ``trainer``: "thread" (fit in a thread of this process) or
    "process" (fit in a niced subprocess; learners come back pickled). ``realtime``: JACK's thread with real-time
    scheduling (True), without (False), or real-time when allowed, else not (None)."""
    from rlfx_tui.audio.jackd import DummyJack, JackUnavailable

    if use_jack is None:
        use_jack = DummyJack.available()
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        scheduling = ""
        if use_jack:
            for rt in ((True, False) if realtime is None else (realtime,)):
                try:
                    stack.enter_context(DummyJack(period=blocksize, realtime=rt))
                except JackUnavailable:
                    if rt is (False if realtime is None else realtime):
                        raise
                    continue
                scheduling = " dummy, real-time scheduling" if rt else " dummy, normal scheduling"
                break
        session = Session(data_dir=tmp, seed=0)
        engine = Engine(session, EngineConfig(source="demo", hostapi="JACK" if use_jack else None,
                                              blocksize=blocksize))
        engine.start()
        stack.callback(engine.stop)
        status = engine.status
        stream = (f"{status.output_device}{scheduling}" if engine._stream is not None
                  else "no stream (silent clock thread)")
        X, U, good = synthetic_points(len(session.space))
        stop = threading.Event()
        counts = {"fits": 0, "jumps": 0}

        def train_here() -> None:
            while not stop.is_set():
                session.learner = Learner(session.space, seed=counts["fits"]).fit(X, U, good)
                counts["fits"] += 1

        def train_elsewhere() -> None:
            ctx = multiprocessing.get_context("spawn")  # never fork a process with audio threads running
            conn, child_end = ctx.Pipe()
            child = ctx.Process(target=_fit_forever, args=(child_end, session.preset.name, X, U, good), daemon=True)
            child.start()
            while not stop.is_set():
                if conn.poll(0.05):
                    learner = conn.recv()
                    learner.space = session.space
                    session.learner = learner
                    counts["fits"] += 1
            child.terminate()  # mid-fit most likely, and it owns nothing worth finishing
            child.join(timeout=10)

        def jumper() -> None:
            due = time.perf_counter()
            while not stop.wait(max(0.0, (due := due + 0.1) - time.perf_counter())):
                session.randomize(1.0)  # learner.propose, then engine.set_params (builds and primes a chain)
                counts["jumps"] += 1

        threads = [threading.Thread(target=work, daemon=True) for work, on in
                   ((train_here if trainer == "thread" else train_elsewhere, train), (jumper, jump)) if on]
        for t in threads:
            t.start()
        time.sleep(warmup_s)
        engine.reset_stats()
        counts["fits"] = counts["jumps"] = 0
        began = time.perf_counter()
        loads = []
        while (elapsed := time.perf_counter() - began) < seconds:
            time.sleep(min(0.25, max(0.0, seconds - elapsed)))
            loads.append(engine.cpu_load)
        elapsed = time.perf_counter() - began
        callbacks, xruns, gap, inside = engine.callbacks, engine.xruns, engine.worst_gap_s, engine.worst_callback_s
        stop.set()
        for t in threads:
            t.join(timeout=30)
        sr = engine.samplerate
        return StressResult(stream, trainer, elapsed, blocksize, sr, callbacks, elapsed * sr / blocksize, xruns, 1000 * gap, 1000 * inside,
                            float(np.mean(loads)) if loads else 0.0, counts["fits"], counts["jumps"],
                            engine.status.message if engine._stream is None else "")
