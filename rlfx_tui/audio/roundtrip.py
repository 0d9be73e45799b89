"""Round-trip latency, measured: an impulse through the engine's own stream and back, on a JACK loop.

A private JACK dummy server runs at the block size; the engine opens its duplex stream on it, live input, in
bypass (the dry input through the safety stage, so an impulse passes unchanged), and its output ports are patched
into its input ports (JackServer.loopback). An ``ImpulseProbe`` in the engine's callback (``Engine.probe``) writes
one impulse into an input block; process_block plays it out in the same block; it comes back into the input
after the server's buffering. The delay from sending to hearing it, in frames, is the round trip a player's
sound takes through the app, input buffer to output buffer. The probe silences every other input block, so the
impulse goes round once.

PortAudio reports its own figure (``stream.latency``: input + output); both are printed side by side.
"""

from __future__ import annotations

import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass

import numpy as np

from rlfx_tui.audio.config import EngineConfig
from rlfx_tui.audio.engine import Engine
from rlfx_tui.audio.jackd import DummyJack, JackServer, JackUnavailable
from rlfx_tui.core.session import Session

IMPULSE = 0.5  # under the ceiling, far above anything else on the loop (silence)
HEARD = 0.25  # an input sample above this is the impulse back
TIMEOUT_S = 0.5  # an impulse not back by then is lost (counted as -1)


class ImpulseProbe:
    """In the audio callback, before process_block: after ``warmup`` frames, an impulse at the start of an input
    block, then silence until it comes back; ``count`` times, ``every`` frames apart. Delays in ``delays``
    (frames; -1 for one lost). Preallocated: the callback allocates nothing here but numpy's scalars."""

    def __init__(self, samplerate: int, count: int = 8, every_s: float = 0.1, warmup_s: float = 0.5) -> None:
        self.delays = np.full(count, -1, dtype=np.int64)
        self.done = 0  # impulses sent and either heard or given up on
        self.every = int(every_s * samplerate)
        self.timeout = int(TIMEOUT_S * samplerate)
        self._next = int(warmup_s * samplerate)
        self._frame = 0  # input frames seen so far
        self._sent = -1  # the frame the impulse was sent at, while waiting for it

    @property
    def finished(self) -> bool:
        return self.done >= self.delays.shape[0]

    def __call__(self, indata: np.ndarray) -> None:
        n = indata.shape[0]
        if self._sent >= 0:
            mono = indata if indata.ndim == 1 else indata[:, 0]
            i = int(np.argmax(mono > HEARD))
            if mono[i] > HEARD:
                self.delays[self.done] = self._frame + i - self._sent
                self._sent, self.done = -1, self.done + 1
            elif self._frame + n - self._sent > self.timeout:
                self._sent, self.done = -1, self.done + 1
            indata.fill(0.0)
        elif not self.finished and self._frame >= self._next:
            indata.fill(0.0)
            indata[0] = IMPULSE
            self._sent, self._next = self._frame, self._frame + self.every
        else:
            indata.fill(0.0)
        self._frame += n


@dataclass(frozen=True)
class RoundTrip:
    blocksize: int
    samplerate: int
    delays: tuple[int, ...]  # frames, one per impulse (-1: lost)
    reported_ms: tuple[float | None, float | None]  # PortAudio's (input, output) latency
    scheduling: str = ""

    @property
    def heard(self) -> list[int]:
        return [d for d in self.delays if d >= 0]

    @property
    def frames(self) -> int | None:
        """The round trip in frames (the median of the impulses heard), None if none came back."""
        heard = self.heard
        return int(np.median(heard)) if heard else None

    @property
    def ms(self) -> float | None:
        return None if self.frames is None else 1000.0 * self.frames / self.samplerate

    @property
    def reported_total_ms(self) -> float | None:
        parts = [v for v in self.reported_ms if v is not None]
        return sum(parts) if parts else None

    def format(self) -> str:
        period_ms = 1000.0 * self.blocksize / self.samplerate
        head = f"  {self.blocksize:>4} frames ({period_ms:.2f} ms period): "
        if self.frames is None:
            return head + f"no impulse came back ({len(self.delays)} sent){self.scheduling}"
        spread = f"{min(self.heard)}-{max(self.heard)}" if len(set(self.heard)) > 1 else "every one"
        rin, rout = (f"{v:.2f}" if v is not None else "-" for v in self.reported_ms)
        total = self.reported_total_ms
        return (
            head + f"measured {self.frames} frames = {self.ms:.2f} ms ({len(self.heard)} of {len(self.delays)} "
            f"impulses, {spread}); PortAudio reports {rin} ms in + {rout} ms out"
            + (f" = {total:.2f} ms" if total is not None else "")
            + self.scheduling
        )


def round_trip(server: JackServer, blocksize: int, impulses: int = 8, scheduling: str = "") -> RoundTrip:
    """The engine on ``server`` (PortAudio must already point at it), looped back, ``impulses`` impulses."""
    with tempfile.TemporaryDirectory() as tmp:
        session = Session(data_dir=tmp, seed=0)
        engine = Engine(session, EngineConfig(source="live", hostapi="JACK", blocksize=blocksize))
        engine.set_bypass(True)  # the dry input, through the safety stage: the impulse passes as it is
        probe = ImpulseProbe(server.samplerate, impulses)
        engine.probe = probe
        engine.start()
        try:
            if engine.status.source != "live":
                raise JackUnavailable(f"no live JACK stream for the round trip: {engine.status.message}")
            server.loopback()
            deadline = time.monotonic() + 2.0 + impulses * (0.1 + TIMEOUT_S)
            while not probe.finished and time.monotonic() < deadline:
                time.sleep(0.02)
            reported = engine.latency_ms
        finally:
            engine.stop()
    return RoundTrip(blocksize, server.samplerate, tuple(int(d) for d in probe.delays), reported, scheduling)


def measure_round_trips(blocksizes: tuple[int, ...] = (64, 128, 256), impulses: int = 8) -> list[RoundTrip]:
    """One private JACK dummy server per block size (its period), real-time scheduling when allowed."""
    results = []
    for bs in blocksizes:
        with ExitStack() as stack:
            for rt in (True, False):
                try:
                    server = stack.enter_context(DummyJack(period=bs, realtime=rt))
                except JackUnavailable:
                    if not rt:
                        raise
                    continue
                break
            scheduling = "" if rt else " (normal scheduling: no real-time rights)"
            results.append(round_trip(server, bs, impulses, scheduling))
    return results


def format_round_trips(trips: list[RoundTrip]) -> str:
    lines = ["Round trip: an impulse out of the engine's stream and back into its input (JACK dummy server, 48 kHz)"]
    return "\n".join(lines + [t.format() for t in trips])
