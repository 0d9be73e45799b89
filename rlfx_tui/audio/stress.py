"""The stress run: the real engine on a real, clocked stream while the app's heaviest background work runs.

A trainer thread refits the learner on 2,000 synthetic points over and over (as the TUI's retrain worker would,
with BLAS limited to one thread: Learner.fit does that), in this process or through the app's own ProcessTrainer
(core/training.py), and every 100 ms a jump is proposed by that learner and handed to the engine
(session.randomize → engine.set_params). The output has two channels, so the chain runs in stereo. We count xruns
(PortAudio's over/underflow flags), callbacks against wall-clock time (a long stall is flagged once but drops many
callbacks), and the worst gap between two callbacks.
"""

from __future__ import annotations

import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass

import numpy as np

from rlfx_tui.audio.config import EngineConfig
from rlfx_tui.audio.engine import Engine
from rlfx_tui.core.descriptors import DESCRIPTOR_NAMES
from rlfx_tui.core.session import Session
from rlfx_tui.core.training import ProcessTrainer, fit_learner

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
    channels: int = 2  # the chain's: stereo on a two-channel output
    server_unfinished: int | None = None  # jackd's count of periods our client had not finished (None: not JACK)
    driver_late: int | None = None  # jackd's count of its own clock thread waking late

    def _server_line(self) -> str:
        if self.server_unfinished is None:
            return ""
        return (
            f"\n  jackd's log: periods our client left unfinished {self.server_unfinished}, "
            f"late wake-ups of the server's own clock {self.driver_late}"
        )

    def format(self) -> str:
        period_ms = 1000 * self.blocksize / self.samplerate
        return (
            f"Stress run on {self.stream}: {self.seconds:.0f} s at {self.blocksize} frames / {self.samplerate} Hz, "
            f"{'stereo' if self.channels == 2 else 'mono'} "
            f"(period {period_ms:.2f} ms), learner refitting on {TRAIN_POINTS} points in a {self.trainer} "
            f"({self.fits} fits), "
            f"{self.jumps} jumps (every 100 ms)\n"
            f"  xruns {self.xruns}, callbacks {self.callbacks} of {self.expected_callbacks:.0f} expected, "
            f"worst callback gap {self.worst_gap_ms:.2f} ms, longest callback {self.worst_callback_ms:.2f} ms, "
            f"stream cpu load {100 * self.cpu_load:.1f} %"
            + self._server_line()
            + (f"\n  note: {self.message}" if self.message else "")
        )


def synthetic_points(space_size: int, n: int = TRAIN_POINTS, seed: int = 0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.uniform(-60, 0, n)] + [rng.uniform(0, 8000, n) for _ in range(len(DESCRIPTOR_NAMES) - 1)])
    U = rng.uniform(0, 1, (n, space_size))
    good = rng.uniform(size=n) < 0.5
    return X, U, good


def stress_run(
    seconds: float = 60.0,
    blocksize: int = 256,
    use_jack: bool | None = None,
    warmup_s: float = 1.0,
    train: bool = True,
    jump: bool = True,
    trainer: str = "process",
    realtime: bool | None = None,
) -> StressResult:
    """``use_jack``: True = a private JACK dummy server; False = the default output device; None = JACK dummy if
    jackd is installed, else the default device. ``trainer``: "thread" (fit in a thread of this process) or
    "process" (fit in the app's niced child process, a ProcessTrainer; learners come back pickled; if the child
    dies, fits continue here and the result's note says so). ``realtime``: JACK's thread with real-time scheduling
    (True), without (False), or real-time when allowed, else not (None)."""
    from rlfx_tui.audio.jackd import DummyJack, JackUnavailable

    if use_jack is None:
        use_jack = DummyJack.available()
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        scheduling = ""
        server: DummyJack | None = None
        if use_jack:
            for rt in (True, False) if realtime is None else (realtime,):
                try:
                    server = stack.enter_context(DummyJack(period=blocksize, realtime=rt))
                except JackUnavailable:
                    if rt is (False if realtime is None else realtime):
                        raise
                    continue
                scheduling = " dummy, real-time scheduling" if rt else " dummy, normal scheduling"
                break
        session = Session(data_dir=tmp, seed=0)
        engine = Engine(session, EngineConfig(source="demo", hostapi="JACK" if use_jack else None, blocksize=blocksize))
        engine.start()
        stack.callback(engine.stop)
        status = engine.status
        stream = (
            f"{status.output_device}{scheduling}" if engine._stream is not None else "no stream (silent clock thread)"
        )
        X, U, good = synthetic_points(len(session.space))
        stop = threading.Event()
        counts = {"fits": 0, "jumps": 0}
        notes: list[str] = []
        child = ProcessTrainer(on_fallback=notes.append) if trainer == "process" else None
        fit = fit_learner if child is None else child.fit
        if child is not None:
            stack.callback(child.close)

        def refit() -> None:
            seed = 0
            while not stop.is_set():
                try:
                    session.learner = fit(session.space, X, U, good, seed=seed)
                except RuntimeError:
                    if child is not None and child.closing:
                        return  # stopped mid-fit, and the fit owns nothing worth finishing
                    raise
                counts["fits"] += 1
                seed += 1

        def jumper() -> None:
            due = time.perf_counter()
            while not stop.wait(max(0.0, (due := due + 0.1) - time.perf_counter())):
                session.randomize(1.0)  # learner.propose, then engine.set_params (builds and primes a chain)
                counts["jumps"] += 1

        threads = [threading.Thread(target=work, daemon=True) for work, on in ((refit, train), (jumper, jump)) if on]
        for t in threads:
            t.start()
        time.sleep(warmup_s)
        engine.reset_stats()
        tally_before = server.xrun_tally() if server is not None else None
        counts["fits"] = counts["jumps"] = 0
        began = time.perf_counter()
        loads = []
        while (elapsed := time.perf_counter() - began) < seconds:
            time.sleep(min(0.25, max(0.0, seconds - elapsed)))
            loads.append(engine.cpu_load)
        elapsed = time.perf_counter() - began
        callbacks, xruns, gap, inside = engine.callbacks, engine.xruns, engine.worst_gap_s, engine.worst_callback_s
        tally = server.xrun_tally().since(tally_before) if server is not None and tally_before is not None else None
        stop.set()
        if child is not None:
            child.close()  # at once, mid-fit most likely
        for t in threads:
            t.join(timeout=30)
        sr = engine.samplerate
        return StressResult(
            stream,
            trainer,
            elapsed,
            blocksize,
            sr,
            callbacks,
            elapsed * sr / blocksize,
            xruns,
            1000 * gap,
            1000 * inside,
            float(np.mean(loads)) if loads else 0.0,
            counts["fits"],
            counts["jumps"],
            "; ".join([engine.status.message] * (engine._stream is None) + notes),
            engine._state.channels if engine._state is not None else 1,
            tally.of("PortAudio") if tally is not None else None,
            tally.driver_late if tally is not None else None,
        )
