"""What a running audio engine plugs into a session (Session.attach): where parameter states go and where the
sound heard now is read from. Protocols, so core names no engine: the audio layer builds both."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np


class ParamSink(Protocol):
    """Takes each parameter state put in force (real units). The session's own chain by default
    (EffectChain.apply); a running engine's hand-off to its audio thread, so plugins are only touched there."""

    def __call__(self, values: Mapping[str, float], /) -> None: ...


class ContextSource(Protocol):
    """The input descriptors of the sound heard now (DESCRIPTOR_NAMES order). The session's own DescriptorTracker,
    fed by Session.listen; while an engine runs, a view of its audio thread's tracker (update() then does nothing:
    the engine feeds it from the audio it plays)."""

    @property
    def values(self) -> np.ndarray: ...

    @property
    def samplerate(self) -> float: ...

    def update(self, block: np.ndarray) -> None: ...
