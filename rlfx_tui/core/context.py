"""Context from outside: named floats a patch, a controller or Wekinator sends (`/rlfx/features`, `/wek/inputs`),
as the "sound you play" the learner keys on instead of the audio descriptors.

`FeatureContext` is a ContextSource (core/attachment.py): `values` is the newest vector (one reference swapped by
the receiving thread, so a reader never sees half of one), `update(block)` does nothing (no audio feeds it). It
knows how old the newest vector is and how often they arrive, so a label for a context that stopped coming can be
refused (STALE_AFTER_S) and the app can show `features: 3 @ 10 Hz`.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Sequence

import numpy as np

STALE_AFTER_S = 1.0  # no features for longer than this: the context is stale, labels are refused
MAX_FEATURE = 1e9  # the dataset's own bound (dataset.MAX_MAGNITUDE): a larger value is a typo or corruption


class FeatureContext:
    """The newest named feature vector received, its age and its rate."""

    def __init__(
        self, names: Sequence[str], *, samplerate: float = 48000.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.names: tuple[str, ...] = tuple(names)
        self._values = np.zeros(len(self.names))
        self._samplerate = float(samplerate)
        self.clock = clock
        self._arrivals: deque[float] = deque(maxlen=32)
        self.received = 0

    @property
    def values(self) -> np.ndarray:
        return self._values

    @property
    def samplerate(self) -> float:
        return self._samplerate

    def update(self, block: np.ndarray) -> None:
        """No audio feeds this context: what plays is the patch's business."""

    def check(self, values: Sequence[object]) -> str | None:
        """Why `values` is not a feature vector for this context (None if it is one)."""
        if len(values) != len(self.names):
            return f"expected {len(self.names)} features ({', '.join(self.names)}), got {len(values)}"
        for name, value in zip(self.names, values):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return f"feature {name}: expected a number, got {type(value).__name__}"
            if not math.isfinite(value) or abs(value) > MAX_FEATURE:
                return f"feature {name}: expected a finite number of magnitude at most {MAX_FEATURE:g}, got {value!r}"
        return None

    def receive(self, values: Sequence[float]) -> None:
        """A checked vector (see check) arrives: it becomes the context, now."""
        self._values = np.array([float(v) for v in values])
        self._arrivals.append(self.clock())
        self.received += 1

    @property
    def age(self) -> float:
        """Seconds since the newest vector arrived (inf before the first)."""
        return self.clock() - self._arrivals[-1] if self._arrivals else math.inf

    @property
    def rate(self) -> float:
        """Vectors per second over the recent arrivals (0 with fewer than two)."""
        if len(self._arrivals) < 2 or self._arrivals[-1] <= self._arrivals[0]:
            return 0.0
        return (len(self._arrivals) - 1) / (self._arrivals[-1] - self._arrivals[0])

    def stale(self) -> str | None:
        """Why a label now would be for nothing (None while features arrive)."""
        if not self._arrivals:
            return f"no features received yet (expected {len(self.names)}: {', '.join(self.names)})"
        if self.age > STALE_AFTER_S:
            return f"no features for {self.age:.1f} s (the patch stopped sending /rlfx/features?)"
        return None

    def describe(self) -> str:
        """`features: 3 @ 10 Hz` (and how old, once they stop)."""
        text = f"features: {len(self.names)} @ {self.rate:.0f} Hz"
        if not self._arrivals:
            return f"features: {len(self.names)}, none received yet"
        return text if self.age <= STALE_AFTER_S else f"{text}, stale ({self.age:.1f} s old)"
