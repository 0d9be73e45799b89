"""The Textual app. `make_app(session, rehearsal, engine)` is the one way to build it: the CLI (with `build=`, so
the first frame comes before scikit-learn), the Pilot tests, the snapshot tests and the benchmark all call it.

Threads: rehearsal events may be emitted from any thread (keys here, the training worker, an OSC control thread);
the listener only does `post_message`, which is thread-safe. The engine is polled at ~10 Hz with `set_interval`,
never pushed from the audio thread. Retraining runs Rehearsal.train_now in a thread worker (from the command line
the rehearsal's trainer hands the fit to a child process: see core/training.py), which swaps the fitted model in
with one reference assignment.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from rlfx_tui.core.errors import RlfxError
from rlfx_tui.interop.midi_map import BINDING_IDS
from rlfx_tui.tui.format import Clock
from rlfx_tui.tui.keys import PLAYER_KEYS, palette_rows
from rlfx_tui.tui.messages import RehearsalEvent
from rlfx_tui.tui.screens.help import HelpScreen
from rlfx_tui.tui.screens.loading import LoadingScreen
from rlfx_tui.tui.screens.midi_learn import MidiLearnScreen
from rlfx_tui.tui.screens.snapshot import SnapshotNameScreen

if TYPE_CHECKING:  # importing the session imports scikit-learn (most of the start-up time): not before the first frame
    from rlfx_tui.core.events import RehearsalEvent as RehearsalEventType
    from rlfx_tui.core.rehearsal import Rehearsal
    from rlfx_tui.core.session import Session
    from rlfx_tui.core.training import Trainer
    from rlfx_tui.tui.engine_view import EngineView
    from rlfx_tui.tui.screens.main import MainScreen

log = logging.getLogger(__name__)

POLL_INTERVAL_S = 0.1
MIDI_ACTIONS = {binding_id: action for action, binding_id in BINDING_IDS.items()}  # rlfx.good -> good
QUIT_CONFIRM_S = 5.0  # with labels still waiting for the disk, a second q within this time quits anyway


@dataclass
class Parts:
    """What the app drives: built before the app (make_app(session, ...)) or behind its first frame (build=)."""

    session: Session
    rehearsal: Rehearsal
    engine: EngineView | None = None
    midi: Any | None = None  # an open MIDI input (rlfx_tui.interop.midi.MidiIn), with its map


class RlfxApp(App[None]):
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
        self.parts: Parts | None = None
        self._build = build
        self._loading = loading
        self.clock = clock or Clock()
        self.poll_interval = poll_interval
        self.main: MainScreen | None = None
        self._training_worker: Worker[None] | None = None
        self._follow_when_trained = False
        self._quit_asked = self._live_quit_asked = float("-inf")
        if parts is not None:
            self._install(parts)

    # the parts, once installed (actions are disabled until then: see check_action)
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
        self.main = MainScreen(parts.rehearsal, self.clock, parts.engine)
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
        assert self.main is not None
        self.main.start_polling(self.poll_interval)
        if self.rehearsal.needs_training and self.session.points:
            self.start_training()

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

    # -- training --------------------------------------------------------------------------------------
    @property
    def training(self) -> bool:
        worker = self._training_worker
        return worker is not None and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)

    def start_training(self) -> None:
        """Retrain off the UI thread; a running worker picks up newer points itself before it finishes."""
        assert self.main is not None
        if self.training:
            return
        self.main.show_training(True)
        self._training_worker = self._train()

    @work(thread=True, exclusive=True, exit_on_error=False, group="train", name="retrain")
    def _train(self) -> None:
        while self.rehearsal.needs_training:
            self.rehearsal.train_now()  # its ModelTrained reaches the screen through _forward

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
        if event.worker is not self._training_worker or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        self._training_worker = None
        assert self.main is not None
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            log.error("retraining failed", exc_info=error)
            self.notify(
                f"{type(error).__name__}: {error} — keeping the previous model",
                title="retraining failed",
                severity="error",
                timeout=8,
            )
            self.main.show_training(False)
        elif self.rehearsal.needs_training:  # points changed just as the worker finished
            self.start_training()
        else:
            self.main.show_training(False)
        if self._follow_when_trained and not self.training:
            self._follow_when_trained = False
            self.act(self.rehearsal.set_follow, True)

    # -- actions (the keys) ----------------------------------------------------------------------------
    def action_randomize(self) -> None:
        self.act(self.rehearsal.randomize)

    def action_good(self) -> None:
        self.act(self.rehearsal.good)

    def action_bad(self) -> None:
        self.act(self.rehearsal.bad)

    def action_nudge_strength(self, steps: int) -> None:
        self.act(self.rehearsal.nudge_strength, steps)

    def action_set_strength(self, strength: float) -> None:
        self.act(self.rehearsal.set_strength, strength)

    def action_toggle_auto(self) -> None:
        self.act(self.rehearsal.set_auto, not self.rehearsal.auto)

    def action_toggle_follow(self) -> None:
        if (
            self.training
            and not self.rehearsal.follow
            and any(p.good for p in self.session.points)
            and not self.session.learner.has_mapping
        ):
            self._follow_when_trained = not self._follow_when_trained  # the first like is still being learned
            if self._follow_when_trained:
                self.notify("follow starts as soon as the model has learned your first like")
            return
        self._follow_when_trained = False
        self.act(self.rehearsal.set_follow, not self.rehearsal.follow)

    def action_toggle_mute(self) -> None:
        self.act(self.rehearsal.set_muted, not self.rehearsal.muted)

    def action_toggle_bypass(self) -> None:
        self.act(self.rehearsal.set_bypass, not self.rehearsal.bypass)

    def action_undo(self) -> None:
        self.act(self.rehearsal.undo)

    def action_redo(self) -> None:
        self.act(self.rehearsal.redo)

    def action_previous_setting(self) -> None:  # not action_back: App has one (screen navigation)
        self.act(self.rehearsal.back)

    def action_next_setting(self) -> None:
        self.act(self.rehearsal.forward)

    def _selected_point(self) -> int | None:
        assert self.main is not None
        point_id = self.main.selected_point_id()
        if point_id is None:
            self.notify("no point selected: label one first (→ or ←)", severity="warning")
        return point_id

    def action_recall(self) -> None:
        point_id = self._selected_point()
        if point_id is not None:
            self.act(self.rehearsal.recall, point_id)

    def action_flip_point(self) -> None:
        point_id = self._selected_point()
        if point_id is not None:
            self.act(self.rehearsal.flip, point_id)

    def action_delete_point(self) -> None:
        point_id = self._selected_point()
        if point_id is not None:
            self.act(self.rehearsal.delete, point_id)

    def action_toggle_lock(self) -> None:
        assert self.main is not None
        self.act(self.rehearsal.toggle_lock, self.main.selected_param())

    def action_lock_mattering(self) -> None:
        self.act(self.rehearsal.lock_mattering)

    def action_save_snapshot(self) -> None:
        self.push_screen(SnapshotNameScreen(self.act(self.rehearsal.snapshot_name) or ""), self._save_snapshot)

    def _save_snapshot(self, name: str | None) -> None:
        if name:
            self.act(self.rehearsal.save_snapshot, name)

    def action_restart_audio(self) -> None:
        if self.engine is None:
            self.notify("no audio engine in this session", severity="warning")
            return
        self.notify("restarting the audio engine…")
        self._restart_audio()

    @work(thread=True, exclusive=True, exit_on_error=False, group="audio", name="restart audio")
    def _restart_audio(self) -> None:
        """Opening devices may block: off the UI thread. The engine says how it went in its status message."""
        if self.engine is not None:
            self.engine.restart()

    async def action_quit(self) -> None:
        """Quit at once, unless sound is live (the first q asks, a second within QUIT_CONFIRM_S quits) or labels
        still wait for the disk (full, read-only): quitting would lose them, so the first q says so and a second
        q within QUIT_CONFIRM_S quits, naming what was lost."""
        pending = self.rehearsal.pending if self.parts is not None else []
        if pending:
            self.act(self.rehearsal.retry_pending)
        now = time.monotonic()
        if not pending:
            if self._sound_live() and now - self._live_quit_asked > QUIT_CONFIRM_S:  # a stray q mustn't end the show
                self._live_quit_asked = now
                self.notify(
                    "sound is live: q again to quit (your labels are on disk)", title="quit?", timeout=QUIT_CONFIRM_S
                )
                return
            self.exit()
            return
        labels = f"{len(pending)} label{'s' if len(pending) > 1 else ''}"
        if now - self._quit_asked > QUIT_CONFIRM_S:
            self._quit_asked = now
            self.notify(
                f"{labels} not saved yet: {pending[0].error}. They save by themselves once the data dir "
                "takes writes again; press q again to quit and lose them",
                title="unsaved labels",
                severity="error",
                timeout=QUIT_CONFIRM_S,
            )
            return
        were = "were" if len(pending) > 1 else "was"
        self.exit(return_code=1, message=f"rlfx-tui: {labels} {were} not saved: {pending[0].error}")

    def _sound_live(self) -> bool:
        """The engine plays to an output device, unmuted (silent, muted or stopped: q quits at once)."""
        try:
            status = self.engine.status if self.engine is not None else None
        except Exception:  # noqa: BLE001 - a broken engine must not keep the player from quitting
            return False
        return bool(
            status is not None
            and status.running
            and not status.muted
            and not str(status.output_device).startswith("none")
        )

    @property
    def midi(self) -> Any | None:
        return self.parts.midi if self.parts is not None else None

    def get_key_display(self, binding: Binding) -> str:
        """A key as the footer shows it, with its MIDI pedal beside it once one is learned: "→·n60"."""
        shown = super().get_key_display(binding)
        midi = self.midi
        if midi is not None and binding.id:
            trigger = midi.map.get(MIDI_ACTIONS.get(binding.id, ""))
            if trigger is not None:
                return f"{shown}·{trigger.short}"
        return shown

    def action_midi_learn(self) -> None:
        if self.midi is None:
            self.notify(
                "no MIDI input: start with --midi-in PORT (`rlfx-tui devices` lists the MIDI ports)", severity="warning"
            )
            return
        self.push_screen(MidiLearnScreen(self.midi), lambda _: self.refresh_bindings())

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
