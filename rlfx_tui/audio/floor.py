"""The machine's floor: how many periods a trivial C client misses on the same kind of server, in the same minute.

A stress run's xruns mix two causes: our process (the GIL, the callback's cost) and the machine (a virtual CPU
descheduled for a few ms, which no client can prevent). To tell them apart, the bench runs JACK's own example
client ``jack_simple_client`` (shipped with jackd2: C, a sine from a table, no Python, nothing else to do) alone on
a fresh dummy server with the same period, rate and scheduling, for as long as the stress run, and reads jackd's
log for the periods it had not finished. What a C client misses at 64 frames, the engine cannot be blamed for.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass

from rlfx_tui.audio.jackd import JackServer, JackUnavailable

FLOOR_CLIENT = "jack_simple_client"


@dataclass(frozen=True)
class FloorResult:
    blocksize: int
    samplerate: int
    seconds: float
    realtime: bool
    unfinished: int  # periods the C client had not finished, by jackd's log
    driver_late: int  # the server's own clock thread woke late

    def format(self) -> str:
        period_ms = 1000 * self.blocksize / self.samplerate
        return (
            f"Floor at {self.blocksize} frames (period {period_ms:.2f} ms): a C client ({FLOOR_CLIENT}, no Python) "
            f"alone on a fresh dummy server, {'real-time' if self.realtime else 'normal'} scheduling, "
            f"{self.seconds:.0f} s\n"
            f"  jackd's log: periods the C client left unfinished {self.unfinished}, late wake-ups of the "
            f"server's own clock {self.driver_late}"
        )


def floor_available() -> bool:
    return JackServer.available() and shutil.which(FLOOR_CLIENT) is not None


def floor_run(seconds: float, blocksize: int, samplerate: int = 48000, realtime: bool | None = None) -> FloorResult:
    """Run the C client for ``seconds`` on a private dummy server (real-time scheduling when allowed, if
    ``realtime`` is None) and count what jackd logs as late. Raises JackUnavailable without jackd or the client."""
    if shutil.which(FLOOR_CLIENT) is None:
        raise JackUnavailable(f"{FLOOR_CLIENT} not found: it ships with Debian's jackd2")
    for rt in (True, False) if realtime is None else (realtime,):
        try:
            server = JackServer(samplerate, blocksize, realtime=rt, prefix="rlfx-floor").start()
        except JackUnavailable:
            if rt is (False if realtime is None else realtime):
                raise
            continue
        try:
            return _measure(server, seconds, blocksize, samplerate, rt)
        finally:
            server.stop()
    raise AssertionError("unreachable: the last scheduling either starts or raises")


def _measure(server: JackServer, seconds: float, blocksize: int, samplerate: int, realtime: bool) -> FloorResult:
    client = subprocess.Popen(
        [FLOOR_CLIENT],
        env={**os.environ, **server.env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not any(p.client == FLOOR_CLIENT for p in server.ports()):
            if client.poll() is not None or time.monotonic() > deadline:
                raise JackUnavailable(f"{FLOOR_CLIENT} did not join the server:\n{server.log_tail()}")
            time.sleep(0.05)
        time.sleep(0.5)  # its first periods (connecting the ports) are not what we measure
        before = server.xrun_tally()
        began = time.monotonic()
        time.sleep(seconds)
        elapsed = time.monotonic() - began
        tally = server.xrun_tally().since(before)
    finally:
        client.terminate()
        try:
            client.wait(timeout=5)
        except subprocess.TimeoutExpired:
            client.kill()
            client.wait(timeout=5)
    return FloorResult(blocksize, samplerate, elapsed, realtime, tally.of(FLOOR_CLIENT), tally.driver_late)
