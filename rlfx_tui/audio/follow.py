"""Follow mode: the trained mapping drives the effect from the input, at a control rate, smoothed.

``Follower.step`` is the whole control law (predict → one-pole smoothing in normalised space → real units); the
live engine calls it from a control thread every ``interval_s``, render calls it every ``interval_s`` of audio,
so both follow the same way. Prediction never runs on the audio thread.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from rlfx_tui.audio.config import EngineConfig
from rlfx_tui.audio.control_thread import ControlThread
from rlfx_tui.core.errors import ModelNotReadyError
from rlfx_tui.core.learner import Learner
from rlfx_tui.core.params import ParameterSpace


class Follower:
    def __init__(
        self,
        space: ParameterSpace,
        start: np.ndarray,
        interval_s: float = 0.05,
        smoothing_s: float = 0.3,
        min_change: float = 0.005,
    ) -> None:
        """``start``: the normalised state to smooth from (the parameters in force when following begins).
        ``min_change``: a new state is handed on only once some parameter has moved this much (normalised),
        because each hand-off primes a new chain (see block.py): a steady sound costs nothing."""
        self.space = space
        self.interval_s = float(interval_s)
        # One-pole smoothing with time constant smoothing_s, whatever the control rate.
        self.alpha = 1.0 if smoothing_s <= 0 else 1.0 - math.exp(-self.interval_s / smoothing_s)
        self.u = np.array(start, dtype=float)
        self.sent = self.u.copy()
        self.min_change = float(min_change)
        self.note = ""  # why following is idle, for the status line ("" while it follows)

    def step(self, learner: Learner, descriptors: np.ndarray) -> np.ndarray | None:
        """Real-unit parameters to hand to the chain, or None (no mapping yet, or nothing moved enough)."""
        try:
            target = learner.predict(descriptors)
        except ModelNotReadyError as exc:
            self.note = f"follow: {exc}"
            return None
        self.note = ""
        self.u += self.alpha * (target - self.u)
        if float(np.max(np.abs(self.u - self.sent), initial=0.0)) < self.min_change:
            return None
        self.sent = self.u.copy()
        return self.space.real_array(self.u)


class FollowThread(ControlThread):
    """Runs ``Follower.step`` every interval on a daemon thread until stopped; hands results to ``sink``."""

    def __init__(
        self,
        follower: Follower,
        learner: Callable[[], Learner],
        descriptors: Callable[[], np.ndarray],
        sink: Callable[[np.ndarray], None],
    ) -> None:
        super().__init__("rlfx-follow", follower.interval_s)
        self.follower = follower
        self._learner, self._descriptors, self._sink = learner, descriptors, sink

    def step(self) -> None:
        real = self.follower.step(self._learner(), self._descriptors())
        if real is not None:
            self._sink(real)

    def failed(self, exc: Exception) -> None:
        self.follower.note = f"follow: prediction failed ({exc})"  # a broken model must not stop following silently


def start_following(
    session: Any, real: np.ndarray, config: EngineConfig, sink: Callable[[np.ndarray], None]
) -> FollowThread:
    """Follow mode for an engine: smoothed from ``real`` (the state in force), the session's learner predicting
    from its descriptors at the config's control rate, each state handed to ``sink``."""
    space = session.space
    follower = Follower(space, space.normalize(real), config.follow_interval_s, config.follow_smoothing_s)
    return FollowThread(follower, lambda: session.learner, lambda: session.descriptors, sink).start()
