"""What the app sees of an audio engine (rlfx_tui.audio.engine.Engine is one): its controls, as the rehearsal
drives them, plus what the screen polls and the restart key. A protocol, so the TUI imports nothing of the engine
and the Pilot tests can hand it any stand-in."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from rlfx_tui.audio.config import EngineStatus
from rlfx_tui.core.rehearsal import EngineControls


class EngineView(EngineControls, Protocol):
    @property
    def status(self) -> EngineStatus: ...
    @property
    def descriptors(self) -> np.ndarray: ...
    def restart(self) -> None: ...
