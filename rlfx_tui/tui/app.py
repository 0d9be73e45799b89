"""The Textual app, assembled. `make_app(session, rehearsal, engine)` is the one way to build it: the CLI (with
`build=`, so the first frame comes before scikit-learn), the Pilot tests, the snapshot tests and the benchmark all
call it. Its pieces: the parts and `act` (app_base.py), the keys that hand over to the rehearsal
(player_actions.py), retraining and follow mode (training_worker.py), the guarded quit (quitting.py), MIDI pedals
(pedals.py); here, the life cycle and the routing of rehearsal events and worker states.

Threads: rehearsal events may be emitted from any thread (keys here, the training worker, an OSC control thread);
the listener only does `post_message`, which is thread-safe. The engine is polled at ~10 Hz with `set_interval`,
never pushed from the audio thread. Retraining runs Rehearsal.train_now in a thread worker (from the command line
the rehearsal's trainer hands the fit to a child process: see core/training.py), which swaps the fitted model in
with one reference assignment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import SystemCommand
from textual.binding import BindingType
from textual.command import CommandPalette
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from rlfx_tui.core.errors import RlfxError
from rlfx_tui.tui.app_base import Parts, log
from rlfx_tui.tui.format import Clock
from rlfx_tui.tui.keys import PLAYER_KEYS, palette_rows
from rlfx_tui.tui.messages import RehearsalEvent
from rlfx_tui.tui.pedals import PedalKeys
from rlfx_tui.tui.player_actions import PlayerActions
from rlfx_tui.tui.quitting import QuitGuard
from rlfx_tui.tui.screens.help import HelpScreen
from rlfx_tui.tui.screens.loading import LoadingScreen
from rlfx_tui.tui.screens.midi_learn import MidiLearnScreen
from rlfx_tui.tui.screens.snapshot import SnapshotNameScreen
from rlfx_tui.tui.training_worker import TrainingWorker

if TYPE_CHECKING:  # importing the session imports scikit-learn (most of the start-up time): not before the first frame
    from rich.console import RenderableType

    from rlfx_tui.core.events import RehearsalEvent as RehearsalEventType
    from rlfx_tui.core.rehearsal import Rehearsal
    from rlfx_tui.core.session import Session
    from rlfx_tui.core.training import Trainer
    from rlfx_tui.tui.engine_view import EngineView

POLL_INTERVAL_S = 0.1


class RlfxApp(PlayerActions, TrainingWorker, QuitGuard, PedalKeys):
    CSS_PATH = "app.tcss"
    TITLE = "rlfx-tui"
    BINDINGS: ClassVar[list[BindingType]] = list(PLAYER_KEYS)
    COMMAND_PALETTE_DISPLAY = "ctrl+p"

    def __init__(
        self,
        parts: Parts | None = None,
        *,
        build: Callable[[], Parts] | None = None,
        loading: tuple[str, str] = ("", ""),
        clock: Clock | None = None,
        poll_interval: float | None = POLL_INTERVAL_S,
        trainer: Trainer | None = None,
    ) -> None:
        super().__init__()
        self.trainer = trainer  # the rehearsal fits through it; the app closes it when it quits
        if (parts is None) == (build is None):
            raise ValueError("give either the parts or a function that builds them")
        self.parts = None
        self._build = build
        self._loading = loading
        self.clock = clock or Clock()
        self.poll_interval = poll_interval
        self.main = None
        if parts is not None:
            self._install(parts)

    # -- life cycle ------------------------------------------------------------------------------------
    def get_default_screen(self) -> Screen[Any]:
        return self.main if self.main is not None else LoadingScreen(*self._loading)

    def on_mount(self) -> None:
        if self._build is not None:
            self._build_parts()
        else:
            self._start()

    @work(thread=True, exit_on_error=False, name="start")
    def _build_parts(self) -> None:
        assert self._build is not None
        parts = self._build()
        self.call_from_thread(self._installed, parts)

    def _installed(self, parts: Parts) -> None:
        self._install(parts)
        assert self.main is not None
        self.push_screen(self.main)
        self.refresh_bindings()
        self._start()

    def _install(self, parts: Parts) -> None:
        from rlfx_tui.tui.screens.main import MainScreen

        self.parts = parts
        self.main = MainScreen(parts.rehearsal, self.clock, parts.engine, self.poll_interval)
        parts.rehearsal.subscribe(self._forward)

    async def adopt(self, parts: Parts) -> None:
        """A patch declared its own preset over OSC (`/rlfx/declare`): play it from now on, on a new main screen
        (the command line built the parts, and stops the old engine once this returns)."""
        if self.parts is not None and self._forward in self.rehearsal.listeners:
            self.rehearsal.listeners.remove(self._forward)
        old = self.main
        while len(self.screen_stack) > 1 and self.screen is not old:
            await self.pop_screen()  # a help or name prompt over the old screen
        if old is not None and self.screen is old and len(self.screen_stack) > 1:
            await self.pop_screen()  # gone (and its id "main" with it) before the new one mounts
        self._install(parts)
        assert self.main is not None
        await self.push_screen(self.main)
        self.refresh_bindings()
        self._start()
        self.notify(f"playing preset {parts.session.preset.name!r}, declared by the patch", title="OSC")

    def _start(self) -> None:
        if self.rehearsal.needs_training and self.session.points:
            self.start_training()

    def exit(self, result: None = None, return_code: int = 0, message: RenderableType | None = None) -> None:
        if self.main is not None:  # before the panels unmount: a poll would look for them
            self.main.stop_polling()
        super().exit(result, return_code, message)

    def on_unmount(self) -> None:
        if self.trainer is not None:
            self.trainer.close()
        if self.parts is not None and self._forward in self.rehearsal.listeners:
            self.rehearsal.listeners.remove(self._forward)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.parts is None and action not in ("quit", "help"):
            return False
        if isinstance(self.screen, (SnapshotNameScreen, CommandPalette, MidiLearnScreen)):
            return False  # typing a name or a command, learning a pedal: the keys are that screen's
        return True

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette (ctrl+p): the player's actions first, from the key table, then Textual's own."""
        if self.parts is not None:
            for title, text, action in palette_rows():
                yield SystemCommand(title, text, partial(self.run_action, action))
        yield from super().get_system_commands(screen)

    def _forward(self, event: RehearsalEventType) -> None:
        """Rehearsal listener: runs in whichever thread acted, so it only posts (thread-safe)."""
        self.post_message(RehearsalEvent(event))

    # -- events from the rehearsal ---------------------------------------------------------------------
    def on_rehearsal_event(self, message: RehearsalEvent) -> None:
        from rlfx_tui.core import events as ev  # already imported by then

        event = message.event
        assert self.main is not None
        self.main.apply(event)
        match event:
            case ev.TrainingNeeded():
                # after the label is on screen: the fit competes for the GIL, so it must not delay this frame
                self.call_after_refresh(self.start_training)
            case ev.LabelFailed(message=text, pending=pending):
                self.notify(f"{text} ({pending} waiting)", title="label not saved yet", severity="error", timeout=8)
            case ev.Noticed(message=text, severity=severity):
                level = severity if severity in ("information", "warning", "error") else "information"
                self.notify(text, severity=level)  # type: ignore[arg-type]
            case ev.SnapshotSaved(name=name):
                self.notify(
                    f"saved as {name!r}: rlfx-tui export preset --snapshot {name!r} OUT.toml keeps it as a preset",
                    title="snapshot",
                )
            case _:
                pass

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name == "start" and event.state is WorkerState.ERROR:
            error = event.worker.error
            message = str(error) if isinstance(error, RlfxError) else f"{type(error).__name__}: {error}"
            log.error("start failed", exc_info=error)
            self.exit(return_code=2, message=f"rlfx-tui: error: {message}")
            return
        if event.worker.name == "restart audio" and event.state is WorkerState.ERROR:
            self.notify(f"could not restart the audio engine: {event.worker.error}", severity="error", timeout=10)
            return
        if event.worker is self._training_worker and event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self._training_ended(event.worker, event.state)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())


def make_app(
    session: Session | None = None,
    rehearsal: Rehearsal | None = None,
    engine: EngineView | None = None,
    *,
    build: Callable[[], Parts] | None = None,
    loading: tuple[str, str] = ("", ""),
    clock: Clock | None = None,
    keymap: Mapping[str, str] | None = None,
    poll_interval: float | None = POLL_INTERVAL_S,
    trainer: Trainer | None = None,
    midi: Any | None = None,
) -> RlfxApp:
    """The one way to build the app (command line, Pilot tests, snapshots, benchmark).

    Either on a session (rehearsal defaults to one that retrains in the background, through `trainer` if given;
    engine=None runs silent), or with `build`, a function returning the Parts, run in a worker behind a first frame
    that names the preset and chain (`loading`): the command line does this, because building a session imports
    scikit-learn and may fit the model, and the first frame must not wait for that. `trainer` (the command line
    passes a ProcessTrainer, which its build() also gives the rehearsal) is closed when the app quits; without
    one, fits run in the training worker's thread.
    """
    if (session is None) == (build is None):
        raise ValueError("make_app takes a session or a build function, not both")
    if session is not None:
        if rehearsal is None:
            from rlfx_tui.core.rehearsal import Rehearsal

            rehearsal = Rehearsal(session, engine, train_in_background=True, trainer=trainer)
        app = RlfxApp(
            Parts(session, rehearsal, engine, midi), clock=clock, poll_interval=poll_interval, trainer=trainer
        )
    else:
        app = RlfxApp(build=build, loading=loading, clock=clock, poll_interval=poll_interval, trainer=trainer)
    if keymap:
        app.set_keymap(dict(keymap))
    return app
