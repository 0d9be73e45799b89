"""The rehearsal screen: parameters, strength, meters, model state and the labelled points, at a glance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import ActiveBinding
from textual.containers import Horizontal, Vertical
from textual.css.scalar import Scalar
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

from rlfx_tui.core import events as ev
from rlfx_tui.core.rehearsal import Rehearsal
from rlfx_tui.tui.format import Clock
from rlfx_tui.tui.keys import PLAYER_KEYS
from rlfx_tui.tui.widgets.audio import AudioPanel
from rlfx_tui.tui.widgets.model import ModelPanel
from rlfx_tui.tui.widgets.params import ParamPanel
from rlfx_tui.tui.widgets.points import PointsTable
from rlfx_tui.tui.widgets.topbar import TopBar

if TYPE_CHECKING:
    import numpy as np

    from rlfx_tui.audio.config import EngineStatus
    from rlfx_tui.tui.engine_view import EngineView

COMPACT_CLASSES = ("-narrow", "-short")
RETRY_INTERVAL_S = 2.0


class MainScreen(Screen[None]):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (96, "-wide"), (140, "-very-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    def __init__(
        self, rehearsal: Rehearsal, clock: Clock, engine: EngineView | None = None, poll_interval: float | None = None
    ) -> None:
        """`poll_interval`: seconds between polls, from when the panels are mounted (None: one poll only; tests
        then call poll() themselves)."""
        super().__init__(id="main")
        self.rehearsal = rehearsal
        self.session = rehearsal.session
        self.engine = engine
        self.clock = clock
        self._engine_message = ""
        self.last_trained: str | None = None
        self.trained_points: int | None = None
        self.fit_error: float | None = None
        self.poll_interval = poll_interval
        self._polls: list[Timer] = []
        self.polling_stopped = False

    def compose(self) -> ComposeResult:
        preset = self.session.preset
        yield TopBar(preset.name, preset.chain_summary, id="topbar")
        with Horizontal(id="upper"):
            params = ParamPanel(self.session.space, self.session.current, self.session.locked, id="params")
            params.border_title = "parameters"
            yield params
            with Vertical(id="side"):
                audio = AudioPanel(id="audio")
                audio.border_title = "audio"
                yield audio
                model = ModelPanel(id="model")
                model.border_title = "model"
                yield model
        table = PointsTable(self.session.space, self.clock.local, id="points")
        table.border_title = "labelled points"
        yield table
        yield Footer(compact=True, show_command_palette=False)  # ctrl+p: said in the help, 80 columns

    def on_mount(self) -> None:
        self.query_one(TopBar).show_strength(self.rehearsal.strength)
        self.show_modes()
        self.query_one(PointsTable).load(self.session.points)
        self.show_points()
        learner = self.session.learner
        if getattr(learner, "n_points_", 0):
            self.trained_points = learner.n_points_
            self.last_trained = "at start"
            self.fit_error = getattr(learner, "mapping_error_", None)
        self.show_training(False)
        self.query_one(PointsTable).focus()
        self._start_polling()

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """In the keys table's order, whatever has focus and whatever a keymap moved (the footer reads this)."""
        order = {binding.action: i for i, binding in enumerate(PLAYER_KEYS)}
        keymap = self.app._keymap

        def place(item: tuple[str, ActiveBinding]) -> tuple[int, int]:
            key, active = item
            keys = [k.strip() for k in keymap.get(active.binding.id or "", active.binding.key).split(",")]
            return order.get(active.binding.action, len(order)), keys.index(key) if key in keys else len(keys)

        return dict(sorted(super().active_bindings.items(), key=place))

    def on_resize(self) -> None:
        self.call_after_refresh(self._level_frames)

    def _level_frames(self) -> None:
        """Framed, the parameters' frame ends level with the side panels' when those are taller (a short preset);
        CSS can't say "as tall as my sibling" in an auto-height row."""
        params, side = self.query_one(ParamPanel), self.query_one("#side")
        want = None if self.compact else side.outer_size.height
        if params.styles.min_height != (None if want is None else Scalar.from_number(want)):
            params.styles.min_height = want

    @property
    def compact(self) -> bool:
        return any(self.has_class(c) for c in COMPACT_CLASSES)

    # -- polled (never pushed from the audio thread) ----------------------------------------------------
    @property
    def polling(self) -> bool:
        """The poll timers are running."""
        return bool(self._polls)

    def _start_polling(self) -> None:
        """From this screen's own mount, when its panels are there: the app's mount can come first, and a poll
        started from it found a panel without its lines (NoMatches, once in a CI run)."""
        if self.polling_stopped:  # the app exited before this screen mounted
            return
        if self.poll_interval:
            self._polls = [
                self.set_interval(self.poll_interval, self.poll),
                self.set_interval(RETRY_INTERVAL_S, self.retry_pending),
            ]
        self.call_after_refresh(self.poll)

    def stop_polling(self) -> None:
        """When the app exits: its panels unmount before this screen does, and a poll in between would look for
        a line that is gone (NoMatches)."""
        for timer in self._polls:
            timer.stop()
        self._polls = []
        self.polling_stopped = True

    def poll(self) -> None:
        """~10 Hz: engine status and descriptors, auto-mode jumps, and what follow mode plays."""
        # A poll already queued (the first, after a refresh) can run after the exit; and when the app shuts down
        # without exit() (a test's end, a crash) its panels go while the timers still tick.
        if self.polling_stopped or not self.app.is_running:
            return
        status, descriptors = None, self.session.descriptors
        summary = getattr(self.engine, "summary", None)  # an engine with no sound of its own (engine = "osc")
        if summary is not None:
            audio = self.query_one(AudioPanel)
            audio.show_outside(summary())
            audio.show_descriptors(dict(zip(self.session.context_names, self.session.descriptors.tolist())))
        elif self.engine is not None:
            try:
                status, descriptors = self.engine.status, self.engine.descriptors
                self._engine_notice(status.message or "")
            except Exception as exc:  # noqa: BLE001 - a meter must never take the app down
                self._engine_notice(f"audio engine: {type(exc).__name__}: {exc}")
        if summary is None:
            self.show_engine(status, descriptors)
        sound = self.session.sound_here()
        panel = self.query_one(ModelPanel)
        panel.show_sound(sound.describe() if sound else "")
        panel.show_doubt(self.session.looks_inconsistent())
        self.app.act(self.rehearsal.tick)  # type: ignore[attr-defined]
        if self.rehearsal.follow:  # the engine's smoothed state, else the mapping's prediction
            current = self.engine.current_params if self.engine is not None else None
            self.show_following(current if current is not None else self.rehearsal.predict_or_none())

    def _engine_notice(self, message: str) -> None:
        """The engine's status message (no input device, stream stopped...) as a notice, once per change."""
        if message and message != self._engine_message:
            self.notify(message, title="audio", severity="warning", timeout=10)
        self._engine_message = message

    def retry_pending(self) -> None:
        if self.rehearsal.pending:
            self.app.act(self.rehearsal.retry_pending)  # type: ignore[attr-defined]
            self.show_points()

    # -- fed by the app --------------------------------------------------------------------------------
    def apply(self, event: ev.RehearsalEvent) -> None:
        """Show one rehearsal event (already on the UI thread)."""
        table = self.query_one(PointsTable)
        match event:
            case ev.ParamsJumped():
                self.query_one(ParamPanel).show(event.values, event.changed, event.matters)
                self.query_one(TopBar).show_origin(origin_text(event))
            case ev.PointLabelled(point=point):
                table.add_point(point)
                self.show_points()
            case ev.PointRelabelled(point=point):
                table.update_point(point)
                self.show_points()
            case ev.PointDeleted(point=point):
                table.remove_point(point.id)
                self.show_points()
            case ev.PointRestored(point=point):
                table.add_point(point, restored=True)
                self.show_points()
            case ev.LabelFailed():
                self.show_points()
            case ev.StrengthChanged(strength=strength):
                self.query_one(TopBar).show_strength(strength)
            case ev.ModeChanged():
                self.show_modes()
            case ev.LocksChanged(locked=locked):
                self.query_one(ParamPanel).show_locks(locked)
            case ev.ModelTrained(n_points=n_points, fit_error=fit_error):
                self.last_trained = self.clock.stamp()
                self.trained_points, self.fit_error = n_points, fit_error
            case ev.SnapshotSaved() | ev.TrainingNeeded() | ev.Noticed():
                pass  # the app's business (a notice, a retrain)

    def selected_point_id(self) -> int | None:
        return self.query_one(PointsTable).selected_point_id()

    def selected_param(self) -> str:
        return self.query_one(ParamPanel).selected_name

    def show_modes(self) -> None:
        r = self.rehearsal
        self.query_one(TopBar).show_modes(
            auto=r.auto, follow=r.follow, muted=r.muted, bypass=r.bypass, auto_paused=r.auto_paused
        )
        params = self.query_one(ParamPanel)
        params.set_class(r.follow, "-following")
        title = "parameters · following your input" if r.follow else "parameters"
        if params.border_title != title:
            params.border_title = title

    def show_points(self) -> None:
        self.query_one(ModelPanel).show_points([p.good for p in self.session.points], len(self.rehearsal.pending))

    def show_training(self, training: bool) -> None:
        self.query_one(ModelPanel).show_training(training, self.last_trained, self.trained_points, self.fit_error)

    def show_engine(self, status: EngineStatus | None, descriptors: np.ndarray) -> None:
        audio = self.query_one(AudioPanel)
        audio.show_status(status)
        audio.show_descriptors(descriptors)
        if status is not None:
            rate = f" · {status.samplerate / 1000:g} kHz/{status.blocksize}" if status.samplerate else ""
            audio.show_source(f"audio · {status.input_device or status.source or '?'}{rate}")
        self.query_one(TopBar).show_demo(status is not None and status.source == "demo")

    def show_following(self, values: dict[str, float] | None) -> None:
        if values is not None:
            self.query_one(ParamPanel).show(values, ())


def origin_text(jump: ev.ParamsJumped) -> str:
    """Where the setting in force came from, for the top bar ("" for a plain jump)."""
    match jump.origin:
        case "recall":
            return f"recalled #{jump.point_id}"
        case "jump" if jump.point_id is not None:
            return f"from #{jump.point_id}"  # breeding from a recalled point
        case "back" | "forward":
            return jump.origin
        case _:
            return ""
