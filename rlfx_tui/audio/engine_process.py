"""The audio engine in a process of its own, so the app's screen never competes with the callback for one GIL.

In one process the callback re-takes the GIL after every pedalboard call (one per side, two chains during a
crossfade), and while Textual renders, each re-take can wait for the UI thread: at 128 frames the app dropped out
about four times as often as a C client on the same machine (docs/figures/engine.md). ``EngineProcess`` keeps
the app's side of the engine (the same controls and polled properties as ``Engine``) and runs a real ``Engine``
in a spawned child: there the GIL is shared only by the callback, the analysis thread and two small pipe threads.

    parent (app)                                   child (spawned: no inherited threads or locks)
    set_params / set_muted / set_bypass  --cmd-->  command thread: Engine._hand_off / set_muted / ...
    status / descriptors (latest copy)   <--snap-- reporter thread: (EngineStatus, descriptors), every 25 ms
    follow mode: FollowThread here (the learner lives here), its states go over as parameter states

Nothing blocks the app on the child: commands are small pickles written to a pipe; the newest report replaces
the one before. If the child dies, ``running`` turns False and ``status.message`` says so; ``restart`` starts a
new one. The child writes nothing to the terminal (the app owns it): its stderr goes to ``log_path``.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rlfx_tui.audio.config import DescriptorView, EngineConfig, EngineStatus
from rlfx_tui.audio.follow import FollowThread, start_following
from rlfx_tui.core.descriptors import DESCRIPTOR_NAMES
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.preset_spec import Preset

if TYPE_CHECKING:
    from rlfx_tui.core.session import Session  # not at run time: the child needs no scikit-learn

REPORT_INTERVAL_S = 0.025  # the child's status and descriptors, 40 Hz (the analysis thread's own rate)
START_TIMEOUT_S = 20.0  # spawning imports numpy, pedalboard and sounddevice; opening JACK can take seconds
STOP_TIMEOUT_S = 5.0


class EngineProcess:
    """``Engine``'s controls and polled properties, with the stream, chain and analysis in a child process."""

    def __init__(self, session: Session, config: EngineConfig | None = None, log_path: Path | None = None) -> None:
        self.session = session
        self.config = config or EngineConfig()
        self.samplerate = int(self.config.samplerate or 48000)
        self.blocksize = int(self.config.blocksize)
        # the app's own log of C-level stderr (commands/app.py), appended to by both processes
        self.log_path = log_path if log_path is not None else Path(session.data_dir) / "stderr.log"
        space = session.space
        self._real = space.as_array(session.current)
        self._descriptors = np.zeros(len(DESCRIPTOR_NAMES))
        self._status: EngineStatus | None = None
        self.played: dict[str, float] = {}  # what the child's engine last reported handing to its audio thread
        self._muted = self._bypass = self._follow_on = False
        self._process: Any = None
        self._commands: Connection | None = None
        self._reports: Connection | None = None
        self._reader: threading.Thread | None = None
        self._follow: FollowThread | None = None
        self._run: ExitStack | None = None
        self._child_note = ""

    # -- lifecycle -------------------------------------------------------------------------------------------
    def start(self) -> None:
        if self.running:
            return
        self.stop()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        ctx = multiprocessing.get_context("spawn")  # fork would copy the app's threads' locks mid-use
        commands_child, commands = ctx.Pipe(duplex=False)
        reports, reports_child = ctx.Pipe(duplex=False)
        self._real = self.session.space.as_array(self.session.current)
        self._process = ctx.Process(
            target=child_main,
            args=(
                self.session.preset,
                self.config,
                self._real,
                self._muted,
                self._bypass,
                commands_child,
                reports_child,
                str(self.log_path),
            ),
            name="rlfx-audio",
            daemon=True,
        )
        self._process.start()
        commands_child.close()
        reports_child.close()
        self._commands, self._reports = commands, reports
        self._child_note = ""
        ready = threading.Event()
        self._reader = threading.Thread(
            target=self._read_reports, args=(reports, ready), name="rlfx-audio-reports", daemon=True
        )
        self._reader.start()
        ready.wait(START_TIMEOUT_S)  # the first report: the stream is open (or why not)
        self._run = ExitStack()
        self._run.enter_context(self.session.attach(self.set_params, DescriptorView(self)))
        if self._follow_on:
            self._start_follow()

    def stop(self) -> None:
        self._stop_follow()
        run, self._run = self._run, None
        if run is not None:
            run.close()
        process, commands = self._process, self._commands
        self._process = self._commands = None
        if commands is not None:
            try:
                commands.send(("stop",))
            except (OSError, ValueError):
                pass
        if process is not None:
            process.join(STOP_TIMEOUT_S)
            if process.is_alive():
                process.kill()
                process.join(STOP_TIMEOUT_S)
        if commands is not None:
            commands.close()
        if self._reader is not None:
            self._reader.join(STOP_TIMEOUT_S)
            self._reader = None

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def running(self) -> bool:
        process, status = self._process, self._status
        return process is not None and process.is_alive() and status is not None and status.running

    # -- controls (any thread of the app) ---------------------------------------------------------------------
    def set_params(self, values: Mapping[str, float]) -> None:
        space = self.session.space
        self._hand_off(space.real_array(space.normalize(values)))

    def _hand_off(self, real: np.ndarray) -> None:
        self._real = np.asarray(real, dtype=float)
        self._send("params", self._real)

    @property
    def current_params(self) -> dict[str, float]:
        return dict(zip(self.session.space.names, self._real.tolist()))

    def set_muted(self, muted: bool) -> None:
        self._muted = bool(muted)
        self._send("muted", self._muted)

    def set_bypass(self, on: bool) -> None:
        self._bypass = bool(on)
        self._send("bypass", self._bypass)

    def set_follow(self, on: bool) -> None:
        if on == self._follow_on:
            return
        self._follow_on = on
        if on and self._process is not None:
            self._start_follow()
        elif not on:
            self._stop_follow()
            self.set_params(self.session.current)

    def reset_stats(self) -> None:
        self._send("reset_stats")

    # -- what the app polls ------------------------------------------------------------------------------------
    @property
    def descriptors(self) -> np.ndarray:
        return self._descriptors

    @property
    def status(self) -> EngineStatus:
        status = self._status or _not_started(self.config)
        notes = [n for n in (status.message, self._child_note) if n]
        if self._process is not None and not self._process.is_alive():
            notes.append(f"the audio process ended (exit code {self._process.exitcode}): restart the engine")
        if self._follow is not None and self._follow.follower.note:
            notes.append(self._follow.follower.note)
        return replace(
            status,
            running=self.running,
            muted=self._muted,
            follow=self._follow_on,
            message="; ".join(notes),
        )

    @property
    def latency_ms(self) -> tuple[float | None, float | None]:
        return self.status.latency_ms

    # -- internals ---------------------------------------------------------------------------------------------
    def _send(self, *command: Any) -> None:
        commands = self._commands
        if commands is None:
            return
        try:
            commands.send(command)
        except (OSError, ValueError, BrokenPipeError):
            self._child_note = "the audio process is gone: restart the engine"

    def _read_reports(self, reports: Connection, ready: threading.Event) -> None:
        try:
            while True:
                kind, *payload = reports.recv()
                if kind == "report":
                    self._status, self._descriptors, self.played = payload[0], payload[1], payload[2]
                    self.samplerate = self._status.samplerate
                elif kind == "error":
                    self._child_note = payload[0]
                ready.set()
        except (EOFError, OSError):
            ready.set()
        finally:
            reports.close()

    def _start_follow(self) -> None:
        self._follow = start_following(self.session, self._real, self.config, self._hand_off)

    def _stop_follow(self) -> None:
        if self._follow is not None:
            self._follow.stop()
            self._follow = None


def _not_started(config: EngineConfig) -> EngineStatus:
    return EngineStatus(
        running=False,
        source="",
        input_device="",
        output_device="",
        samplerate=int(config.samplerate or 48000),
        blocksize=int(config.blocksize),
        input_peak_db=-120.0,
        input_rms_db=-120.0,
        output_peak_db=-120.0,
        output_rms_db=-120.0,
        xruns=0,
        cpu_load=0.0,
        chain_faults=0,
        callback_errors=0,
        muted=False,
        follow=False,
        message="starting the audio process",
    )


class ChildSession:
    """What ``Engine`` reads of a session, in the engine's own process: the preset, its space and the state in
    force. No dataset, no learner: labels and follow mode stay in the app."""

    def __init__(self, preset: Preset, real: np.ndarray) -> None:
        self.preset = preset
        self.space = ParameterSpace(preset.params)
        self.current = dict(zip(self.space.names, np.asarray(real, dtype=float).tolist()))
        self.tracker = _Silence()

    @contextmanager
    def attach(self, sink: Any, context: Any) -> Iterator[None]:
        yield


class _Silence:
    values = np.zeros(len(DESCRIPTOR_NAMES))


def child_main(
    preset: Preset,
    config: EngineConfig,
    real: np.ndarray,
    muted: bool,
    bypass: bool,
    commands: Connection,
    reports: Connection,
    log_path: str,
) -> None:
    """The child process: a real Engine, a thread reporting its status, and this thread obeying the app."""
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)  # the app owns the terminal: PortAudio's and JACK's chatter goes to the log
    os.dup2(log, 2)
    from rlfx_tui.audio.engine import Engine

    engine = Engine(ChildSession(preset, real), config)  # type: ignore[arg-type]
    engine.set_muted(muted)
    engine.set_bypass(bypass)
    stopped = threading.Event()
    try:
        engine.start()
    except Exception as exc:  # noqa: BLE001 - say why in the app, never on its terminal
        reports.send(("error", f"the audio process could not start: {type(exc).__name__}: {exc}"))
        return
    reporter = threading.Thread(target=_report, args=(engine, reports, stopped), name="rlfx-report", daemon=True)
    reporter.start()
    try:
        while True:
            try:
                kind, *payload = commands.recv()
            except (EOFError, OSError):
                break  # the app is gone
            if kind == "stop":
                break
            try:
                if kind == "params":
                    engine._hand_off(payload[0])
                elif kind == "muted":
                    engine.set_muted(payload[0])
                elif kind == "bypass":
                    engine.set_bypass(payload[0])
                elif kind == "reset_stats":
                    engine.reset_stats()
            except Exception as exc:  # noqa: BLE001 - one bad command must not end the sound
                reports.send(("error", f"audio process: {type(exc).__name__}: {exc}"))
    finally:
        stopped.set()
        reporter.join(1.0)
        engine.stop()
        reports.close()


def _report(engine: Any, reports: Connection, stopped: threading.Event) -> None:
    while not stopped.is_set():
        try:
            reports.send(("report", engine.status, np.array(engine.descriptors, dtype=float), engine.current_params))
        except (OSError, ValueError, BrokenPipeError):
            return
        time.sleep(REPORT_INTERVAL_S)
