"""Fitting a learner: points → training arrays → fit, one path (`fit_session`); the pure fit (arrays in, Learner
out); and `ProcessTrainer`, which runs that fit in a child process.

A fit is mostly small numpy calls driven by Python, so in a thread it holds the GIL most of the time: the UI
thread (and the audio callback) then wait for it in 5 ms slices, and a key that lands during a fit reaches the
screen late (`python -m rlfx_tui.tui.bench` measures how late, the engine's stress run, `rlfx-tui bench --stress`,
the dropouts; the latest figures are in docs/figures/). `ProcessTrainer` fits in one long-lived, niced child
process instead (a Pipe: the arrays go over, the fitted learner comes back). The app and the stress run both use
it; fitting in the calling thread (`Session.train`) stays the default for tests, where a child process per test
would cost more than it saves.

This module imports neither scikit-learn nor the session at import time: the app imports it before its first
frame, which must not wait for scikit-learn's slow import.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from rlfx_tui.core.descriptors import DESCRIPTOR_NAMES

if TYPE_CHECKING:
    from rlfx_tui.core.dataset import LabelledPoint
    from rlfx_tui.core.learner import Learner
    from rlfx_tui.core.params import ParameterSpace
    from rlfx_tui.core.session import Session

log = logging.getLogger(__name__)


def training_arrays(
    points: Sequence[LabelledPoint], space: ParameterSpace, n_context: int = len(DESCRIPTOR_NAMES)
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(descriptors, normalised params, good) for a snapshot of labelled points, in the learner's shapes."""
    X = np.array([p.descriptors for p in points]).reshape(-1, n_context)
    U = np.array([space.normalize(p.params) for p in points]).reshape(-1, len(space))
    good = np.array([p.good for p in points], dtype=bool)
    return X, U, good


def fit_learner(
    space: ParameterSpace,
    descriptors: np.ndarray,
    params: np.ndarray,
    good: np.ndarray,
    *,
    seed: int = 0,
    options: Mapping[str, object] | None = None,
    point_ids: list[int] | None = None,
) -> Learner:
    """A new Learner fitted on the arrays (touches no session state). point_ids, if given, say which points the
    model reflects (Rehearsal.needs_training compares them with the dataset's)."""
    from rlfx_tui.core.learner import Learner

    learner = Learner(space, seed=seed, **dict(options or {})).fit(descriptors, params, good)  # type: ignore[arg-type]
    if point_ids is not None:
        learner.point_ids_ = point_ids
    return learner


def fit_session(session: Session, fit: Callable[..., Learner] = fit_learner) -> Learner:
    """A new Learner fitted on a snapshot of the session's points (touches no session state): their arrays go to
    `fit`, fit_learner's signature (fit_learner itself, or ProcessTrainer.fit to fit in the child process)."""
    points = session.points
    arrays = training_arrays(points, session.space, len(session.context_names))
    return fit(
        session.space,
        *arrays,
        seed=session.seed,
        options=dict(session.learner_options),
        point_ids=[p.id for p in points],
    )


class Trainer(Protocol):
    """Fits a learner on a snapshot of a session's points (Rehearsal.train_now calls it) and can be closed."""

    def __call__(self, session: Session) -> Learner: ...
    def close(self) -> None: ...


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
    import rlfx_tui.core.learner  # noqa: F401 - scikit-learn now, not in the first fit

    while True:
        try:
            args, kwargs = connection.recv()
        except (EOFError, OSError):
            return
        try:
            connection.send((True, fit_learner(*args, **kwargs)))
        except Exception as exc:  # noqa: BLE001 - reported to the caller, which keeps its previous model
            connection.send((False, f"{type(exc).__name__}: {exc}"))


class ProcessTrainer:
    """Fits like fit_learner (same arrays, same Learner, same seed), in one long-lived child process.

    If the child dies or cannot start, fits happen in the calling process from then on (`broken`), and
    `on_fallback` (if set) is told why, once. `close()` stops the child at once, mid-fit or not: the fit in
    progress raises RuntimeError (the dataset holds the truth, nothing is lost), and so does any fit after it.
    """

    def __init__(self, on_fallback: Callable[[str], None] | None = None) -> None:
        self.on_fallback = on_fallback
        self._child: multiprocessing.process.BaseProcess | None = None
        self._connection: Connection | None = None
        self._lock = threading.Lock()
        self.broken = False
        self.closing = False

    def warm_up(self) -> None:
        """Start the child (it loads scikit-learn at once). Call before the app takes over the terminal:
        multiprocessing hands the child sys.stderr's descriptor, which Textual's capture does not have."""
        with self._lock:
            self._start()

    def _start(self) -> Connection:
        if self.broken or self.closing:
            raise EOFError("the training process is gone")
        if self._connection is None:
            context = multiprocessing.get_context("spawn")  # never fork a process with audio threads running
            ours, theirs = context.Pipe()
            self._child = context.Process(target=_serve, args=(theirs,), name="rlfx-trainer", daemon=True)
            self._child.start()
            theirs.close()
            self._connection = ours
        return self._connection

    def __call__(self, session: Session) -> Learner:
        """Fit on a snapshot of the session's points (the child never opens the dataset)."""
        return fit_session(session, self.fit)

    def fit(
        self,
        space: ParameterSpace,
        descriptors: np.ndarray,
        params: np.ndarray,
        good: np.ndarray,
        *,
        seed: int = 0,
        options: Mapping[str, object] | None = None,
        point_ids: list[int] | None = None,
    ) -> Learner:
        """fit_learner(...) in the child; the learner comes back pickled, with `space` the caller's own."""
        args = (space, descriptors, params, good)
        kwargs: dict[str, Any] = {"seed": seed, "options": dict(options or {}), "point_ids": point_ids}
        with self._lock:
            try:
                connection = self._start()
                connection.send((args, kwargs))
                ok, result = connection.recv()
            except (EOFError, OSError, ValueError) as exc:  # the child died or cannot start: fit here
                if self.closing:
                    raise RuntimeError("the trainer was closed") from None
                log.warning("training process unavailable (%s); fitting in this process", exc)
                self._stop()
                first, self.broken = not self.broken, True
                if first and self.on_fallback is not None:
                    self.on_fallback(
                        f"the training process stopped ({type(exc).__name__}); fitting here from "
                        f"now on, so keys and audio may lag during a fit"
                    )
                return fit_learner(*args, **kwargs)
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
        with self._lock:  # a fit in progress now ends with EOFError and raises; nothing to wait for
            if connection is self._connection:
                self._stop()
