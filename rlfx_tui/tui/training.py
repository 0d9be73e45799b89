"""Retraining off the UI thread — and, for the real app, off the UI *process*.

A fit is mostly small numpy calls driven by Python, so in a thread it holds the GIL most of the time: the UI
thread (and the audio callback) then wait for it in 5 ms slices, and a key that lands during a fit took 65–330 ms
to reach the screen (measured: `python -m rlfx_tui.tui.bench`). `ProcessTrainer` fits in one long-lived child
process instead (a Pipe: the points go over, the fitted learner comes back). `ThreadTrainer` (session.train in the
calling thread) stays for tests, where starting a child process per test would cost more than it saves.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Protocol

import numpy as np

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from rlfx_tui.core.learner import Learner
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


def _serve(connection: Connection) -> None:
    """The child: quiet (it shares the terminal: never print over the app, never take the player's Ctrl+C),
    niced (the audio and the UI come first; a fit may take a moment longer, a key press never waits for it);
    then loads scikit-learn and fits whatever arrives until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        os.nice(19)  # as the engine's stress run measured: the audio thread first
    except OSError:
        pass
    from rlfx_tui.core.learner import Learner

    while True:
        try:
            space, descriptors, params, good, ids, seed, options = connection.recv()
        except (EOFError, OSError):
            return
        try:
            learner = Learner(space, seed=seed, **options).fit(descriptors, params, good)
            learner.point_ids_ = ids
            connection.send((True, learner))
        except Exception as exc:  # noqa: BLE001 - reported to the app, which keeps the previous model
            connection.send((False, f"{type(exc).__name__}: {exc}"))


class ProcessTrainer:
    """Fits like Session.train (same arrays, same Learner, same seed), in one long-lived child process."""

    def __init__(self) -> None:
        self._child: multiprocessing.process.BaseProcess | None = None
        self._connection: Connection | None = None
        self._lock = threading.Lock()
        self.broken = False  # the child could not run: fits happen in the calling thread from then on
        self.closing = False

    def warm_up(self) -> None:
        """Start the child (it loads scikit-learn at once). Call before the app takes over the terminal:
        multiprocessing hands the child sys.stderr's descriptor, which Textual's capture does not have."""
        with self._lock:
            self._start()

    def _start(self) -> Connection:
        if self.broken:
            raise EOFError("the training process is gone")
        if self._connection is None:
            context = multiprocessing.get_context("spawn")
            ours, theirs = context.Pipe()
            self._child = context.Process(target=_serve, args=(theirs,), name="rlfx-trainer", daemon=True)
            self._child.start()
            theirs.close()
            self._connection = ours
        return self._connection

    def fit(self, session: Session) -> Learner:
        from rlfx_tui.core.descriptors import DESCRIPTOR_NAMES

        points = session.points
        space = session.space
        descriptors = np.array([p.descriptors for p in points]).reshape(-1, len(DESCRIPTOR_NAMES))
        params = np.array([space.normalize(p.params) for p in points]).reshape(-1, len(space))
        good = np.array([p.good for p in points], dtype=bool)
        request = (space, descriptors, params, good, [p.id for p in points], session.seed,
                   dict(session.learner_options))
        with self._lock:
            try:
                connection = self._start()
                connection.send(request)
                ok, result = connection.recv()
            except (EOFError, OSError, ValueError) as exc:  # the child died or cannot start: fit here
                if self.closing:
                    raise RuntimeError("the app is closing") from None
                log.warning("training process unavailable (%s); fitting in this process", exc)
                self._stop()
                self.broken = True
                return session.train()
        if not ok:
            raise RuntimeError(result)
        result.space = space
        return result

    def _stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._child is not None:
            self._child.terminate()  # mid-fit, perhaps: the dataset holds the truth, nothing is lost
            self._child.join(timeout=2)
            self._child = None

    def close(self) -> None:
        """Stop the child at once (quitting never waits for a fit)."""
        self.closing = True
        child, connection = self._child, self._connection
        if child is not None:
            child.terminate()
        with self._lock:  # a fit in progress now ends with EOFError and falls back; nothing to wait for
            if connection is self._connection:
                self._stop()
