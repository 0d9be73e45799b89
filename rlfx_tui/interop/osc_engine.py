"""The engine of an `engine = "osc"` preset: no sound of its own. The patch makes the sound; this only decides what
"the setting played" is (the one in force, or in follow mode the mapping's prediction for the context now, at the
control rate) so OscOut sends it, and says where it goes (`engine: OSC → host:port`) for the app's audio panel.

It has the EngineControls the Rehearsal needs (core/rehearsal.py), and the app polls `summary()` instead of meters.
"""

from __future__ import annotations

import threading

from rlfx_tui.core.errors import ModelNotReadyError
from rlfx_tui.core.session import Session

CONTROL_INTERVAL_S = 0.05  # follow mode: the mapping's prediction at 20 Hz, as the audio engine's follow does


class OscEngine:
    def __init__(
        self, session: Session, destination: tuple[str, int] | None, interval_s: float = CONTROL_INTERVAL_S
    ) -> None:
        self.session = session
        self.destination = destination
        self.interval_s = interval_s
        self.follow = False
        self.muted = False
        self.bypass = False
        self.errors = 0
        self._followed: dict[str, float] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rlfx-osc-engine", daemon=True)

    # -- EngineControls --------------------------------------------------------------------------------
    def set_follow(self, on: bool) -> None:
        self.follow = on
        if not on:
            self._followed = None

    def set_muted(self, muted: bool) -> None:
        self.muted = muted  # the patch owns its volume; shown, not acted on

    def set_bypass(self, on: bool) -> None:
        self.bypass = on

    @property
    def current_params(self) -> dict[str, float]:
        followed = self._followed
        return dict(followed) if self.follow and followed is not None else dict(self.session.current)

    # -- what the app polls ----------------------------------------------------------------------------
    status = None  # no meters: summary() stands in for them

    @property
    def descriptors(self) -> object:
        return self.session.descriptors

    def summary(self) -> list[str]:
        where = "{}:{}".format(*self.destination) if self.destination else "nowhere (give --osc-out)"
        features = self.session.features
        context = features.describe() if features is not None else "context: audio descriptors (no input here)"
        return [f"engine: OSC → {where}", context]

    # -- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> OscEngine:
        self._thread.start()
        return self

    def restart(self) -> None:
        """Nothing to reopen: the patch holds the sound."""

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            if not self.follow:
                continue
            try:
                self._followed = self.session.predict()
            except ModelNotReadyError:
                self._followed = None
            except Exception:  # noqa: BLE001 -- a control tick must never stop the loop
                self.errors += 1
