"""Retraining off the UI thread — and, for the real app, off the UI *process*.

A fit is mostly small numpy calls driven by Python, so in a thread it holds the GIL most of the time: the UI
thread (and the audio callback) then wait for it in 5 ms slices, and a key that lands during a fit took 65–330 ms
to reach the screen (measured: `python -m rlfx_tui.tui.bench`). `ProcessTrainer` fits in one long-lived child
process instead; only the points go over and the fitted learner comes back. `ThreadTrainer` (session.train in the
calling thread) stays for tests, where starting a child process per test would cost more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import logging
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from rlfx_tui.core.learner import Learner
    from rlfx_tui.core.params import ParameterSpace
    from rlfx_tui.core.session import Session


class Trainer(Protocol):
    def fit(self, session: Session) -> Learner: ...
    def close(self) -> None: ...


class ThreadTrainer:
    def fit(self, session: Session) -> Learner:
        return session.train()

    def warm_up(self) -> None:
        pass

    def close(self) -> None:
        pass


def _quiet_child() -> None:
    """The child shares the terminal: it must never print over the app, nor take the player's Ctrl+C; and it
    yields the CPU to the audio and the UI (a fit may take a moment longer, a key press never waits for it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        os.nice(10)
    except OSError:
        pass
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


def _warm_up() -> bool:
    import rlfx_tui.core.learner  # noqa: F401 - scikit-learn loads once, before the first label

    return True


def _fit(space: ParameterSpace, descriptors: np.ndarray, params: np.ndarray, good: np.ndarray, ids: list[int],
         seed: int, options: dict[str, Any]) -> Learner:
    from rlfx_tui.core.learner import Learner

    learner = Learner(space, seed=seed, **options).fit(descriptors, params, good)
    learner.point_ids_ = ids
    return learner


class ProcessTrainer:
    """Fits like Session.train (same arrays, same Learner, same seed), in a child process."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self.broken = False  # the child could not run: fits happen in the calling thread from then on

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self.broken:
                raise BrokenProcessPool("the training process is gone")
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_quiet_child)
            return self._pool

    def warm_up(self) -> None:
        """Start the child (and let it import scikit-learn) now. Call before the app takes over the terminal:
        multiprocessing hands the child sys.stderr's descriptor, which Textual's capture does not have."""
        self._executor().submit(_warm_up)

    def fit(self, session: Session) -> Learner:
        from rlfx_tui.core.descriptors import DESCRIPTOR_NAMES

        points = session.points
        space = session.space
        descriptors = np.array([p.descriptors for p in points]).reshape(-1, len(DESCRIPTOR_NAMES))
        params = np.array([space.normalize(p.params) for p in points]).reshape(-1, len(space))
        good = np.array([p.good for p in points], dtype=bool)
        try:
            future = self._executor().submit(_fit, space, descriptors, params, good, [p.id for p in points],
                                             session.seed, dict(session.learner_options))
            learner = future.result()
        except (BrokenProcessPool, OSError, ValueError) as exc:  # the child died or cannot start: fit here
            log.warning("training process unavailable (%s); fitting in this process", exc)
            self.close()
            self.broken = True
            return session.train()
        learner.space = space
        return learner

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
