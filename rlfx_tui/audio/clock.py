"""A stand-in for the sound card: runs process_block at the real-time block rate on a thread.

Used when there is no output device (or no PortAudio at all): the source still plays into the chain, silently, so
the meters, the descriptors and therefore labelling and follow mode keep working.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from rlfx_tui.audio.block import BlockState, process_block
from rlfx_tui.core.denormals import flush_denormals_for_this_thread


class ClockThread:
    def __init__(self, state: BlockState, blocksize: int, channels: int = 1) -> None:
        self.state = state
        self.blocksize = int(blocksize) if blocksize > 0 else 256  # 0 = "host decides": there is no host here
        self.period = self.blocksize / state.samplerate
        self._out = np.zeros((self.blocksize, channels), dtype=np.float32)
        self._stop = threading.Event()
        self.load = 0.0  # smoothed fraction of the block period spent in process_block (like PortAudio's cpu_load)
        self.errors = 0
        self._thread = threading.Thread(target=self._run, name="rlfx-clock", daemon=True)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> ClockThread:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)

    def _run(self) -> None:
        flush_denormals_for_this_thread()  # a thread of audio blocks only: once, not per chain call
        deadline = time.perf_counter()
        while not self._stop.is_set():
            began = time.perf_counter()
            try:
                process_block(self.state, None, self._out)
            except Exception:  # noqa: BLE001 - same contract as the stream callback: count, never die
                self.errors += 1
            self.load += 0.05 * ((time.perf_counter() - began) / self.period - self.load)
            deadline += self.period
            wait = deadline - time.perf_counter()
            if wait > 0:
                self._stop.wait(wait)
            elif wait < -0.5:  # far behind (machine suspended, debugger): resynchronise instead of bursting
                deadline = time.perf_counter()
