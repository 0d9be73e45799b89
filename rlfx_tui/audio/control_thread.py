"""A thread that does one step of work at the control rate, off the audio thread: analysis and follow mode."""

from __future__ import annotations

import threading
from typing import Self


class ControlThread:
    """Calls ``step()`` every ``interval_s`` on a daemon thread until stopped. A step that raises is counted
    (``errors``), handed to ``failed`` and the next one goes on: a bad block or a broken model must not end the
    work for good."""

    def __init__(self, name: str, interval_s: float) -> None:
        self.interval_s = float(interval_s)
        self.errors = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)

    def step(self) -> None:
        raise NotImplementedError

    def failed(self, exc: Exception) -> None:
        """What a failed step leaves behind, besides the count (nothing by default)."""

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.step()
            except Exception as exc:  # noqa: BLE001 - see the class docstring
                self.errors += 1
                self.failed(exc)
