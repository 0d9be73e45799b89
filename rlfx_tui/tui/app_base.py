"""What every piece of the app stands on: the parts it drives (session, rehearsal, engine, MIDI input) and `act`,
which runs a rehearsal action and turns a failure into a notice. The app is assembled in app.py from pieces that
each subclass this one (player_actions.py, training_worker.py, quitting.py, pedals.py), so each piece can name
the parts without knowing the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import App

from rlfx_tui.core.errors import RlfxError

if TYPE_CHECKING:  # importing the session imports scikit-learn (most of the start-up time): not before the first frame
    from rlfx_tui.core.rehearsal import Rehearsal
    from rlfx_tui.core.session import Session
    from rlfx_tui.tui.engine_view import EngineView
    from rlfx_tui.tui.screens.main import MainScreen

log = logging.getLogger("rlfx_tui.tui.app")  # one logger for the whole app, as before the split


@dataclass
class Parts:
    """What the app drives: built before the app (make_app(session, ...)) or behind its first frame (build=)."""

    session: Session
    rehearsal: Rehearsal
    engine: EngineView | None = None
    midi: Any | None = None  # an open MIDI input (rlfx_tui.interop.midi.MidiIn), with its map


class AppBase(App[None]):
    parts: Parts | None = None
    main: MainScreen | None = None

    # the parts, once installed (actions are disabled until then: see RlfxApp.check_action)
    @property
    def session(self) -> Session:
        assert self.parts is not None
        return self.parts.session

    @property
    def rehearsal(self) -> Rehearsal:
        assert self.parts is not None
        return self.parts.rehearsal

    @property
    def engine(self) -> EngineView | None:
        return self.parts.engine if self.parts is not None else None

    @property
    def midi(self) -> Any | None:
        return self.parts.midi if self.parts is not None else None

    def act(self, action: Callable[..., Any], *args: Any) -> Any:
        """Run a rehearsal action; a failure becomes a notice on screen, never a traceback over the layout."""
        try:
            return action(*args)
        except RlfxError as exc:
            self.notify(str(exc), title="refused", severity="error", timeout=8)
        except KeyError as exc:
            self.notify(f"no such point: {exc}", severity="warning")
        except Exception as exc:  # noqa: BLE001 - the player must keep playing; the log keeps the details
            log.exception("action failed")
            self.notify(f"{type(exc).__name__}: {exc}", title="something went wrong", severity="error", timeout=8)
        return None
