"""The real-time engine: a sounddevice stream (or a clocked stand-in) around process_block, plus follow mode.

    engine = Engine(session, EngineConfig(source="demo"))
    engine.start()                 # never raises for missing PortAudio/devices: see engine.status.message
    session.randomize(0.5)         # while the engine runs, the session is attached to it (Session.attach)
    engine.status, engine.descriptors
    engine.stop()

Threads: the audio thread (PortAudio's callback, or ClockThread) runs process_block; the analysis thread computes
the descriptors from the input it keeps (audio/analysis.py); the UI thread calls
set_params/set_muted (one reference or bool assignment each, read by the audio thread at the next block) and polls
``status``/``descriptors`` (snapshots; the audio and analysis threads only ever swap references); the follow
thread predicts at the control rate. No lock is shared with the audio thread.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from typing import Any

import numpy as np

from rlfx_tui.audio import closing
from rlfx_tui.audio.analysis import AnalysisThread, HistoryAnalyser
from rlfx_tui.audio.block import BlockState, ParamTarget, fault_note, process_block
from rlfx_tui.audio.clock import ClockThread
from rlfx_tui.audio.config import DEFAULT_SAMPLERATE, DescriptorView, EngineConfig, EngineStatus, db
from rlfx_tui.audio.devices import Device, choose_devices, list_devices
from rlfx_tui.audio.follow import FollowThread, start_following
from rlfx_tui.audio.input_mix import InputMix
from rlfx_tui.audio.realtime import realtime
from rlfx_tui.audio.sources import LoopSource, SourceError, demo_source, file_source
from rlfx_tui.core.chain import chain_notes
from rlfx_tui.core.denormals import flush_denormals_for_this_thread, forget_flushing_threads
from rlfx_tui.core.session import Session

__all__ = ["Engine", "EngineConfig", "EngineStatus", "list_devices", "process_block"]

STARTUP_S = 1.0  # xruns within the stream's first second are start-up glitches (EngineStatus.startup_xruns)


class Engine:
    def __init__(self, session: Session, config: EngineConfig | None = None) -> None:
        self.session = session
        self.config = config or EngineConfig()
        self.samplerate = int(self.config.samplerate or DEFAULT_SAMPLERATE)
        self.blocksize = int(self.config.blocksize)
        self._state: BlockState | None = None
        self._stream: Any = None
        self._clock: ClockThread | None = None
        self._follow: FollowThread | None = None
        self._analysis: AnalysisThread | None = None
        # Sees (and may rewrite) each input block before process_block: the bench's round-trip impulse
        # (audio/roundtrip.py). None in the app.
        self.probe: Callable[[np.ndarray], None] | None = None
        self._follow_on = False
        self._muted = False
        self._bypass = False
        self._target = ParamTarget.of(session.space.as_array(session.current))
        self._notes: list[str] = []
        self._run: ExitStack | None = None  # what start() put in place (real-time settings, the session attached)
        self._instrument = InputMix(self.config.input_channels, self.blocksize)
        self.output_channels = 1  # what the chain plays: the output's channels, set by start()
        self._stopping = False
        self._stream_died = False
        self.source_name = self.input_name = self.output_name = ""
        self.reset_stats()

    # -- lifecycle ---------------------------------------------------------------------------------------------
    def start(self) -> None:
        if self._state is not None and self.running:
            return
        if self._stream is not None or self._clock is not None or self._run is not None:
            self.stop()  # what is left of a run whose stream died
        self._run = ExitStack()
        self._run.enter_context(realtime())  # before the stream starts: the heap is frozen then
        cfg = self.config
        notes: list[str] = []
        self._notes, self._stream_died, self._stopping = notes, False, False
        sd, in_dev, out_dev = choose_devices(cfg, notes)
        device = out_dev or in_dev  # JACK only runs at its own rate, which is its devices' default rate
        self.samplerate = int(cfg.samplerate or (device.default_samplerate if device else DEFAULT_SAMPLERATE))
        live = cfg.source == "live" and in_dev is not None
        source = None if live else self._make_source(notes)
        self._target = ParamTarget.of(self.session.space.as_array(self.session.current))
        # The chain plays as many channels as the output opens (stereo for two); with no output, mono is enough.
        self.output_channels = min(max(1, cfg.channels), out_dev.max_output_channels) if out_dev else 1
        self._state = BlockState(
            self.session.preset,
            self.samplerate,
            self._target.real,
            blocksize=self.blocksize,
            ramp_ms=cfg.ramp_ms,
            source=source,
            channels=self.output_channels,
            analyse_inline=False,  # the analysis thread reads the history ring instead (audio/analysis.py)
        )
        self._state.clocked = True  # the stream or the clock thread runs it in real time
        notes += chain_notes(self.session.preset, self.samplerate, self.output_channels)  # channels, latency
        self._state.mute_requested = self._muted
        self._state.mute_gain = 0.0 if self._muted else 1.0
        self._state.bypass_requested = self._bypass
        self._state.wet = 0.0 if self._bypass else 1.0
        self.input_name = in_dev.label if live and in_dev else (source.name if source else "")
        if live and tuple(cfg.input_channels) != (1,):
            self.input_name += f" in {'+'.join(map(str, cfg.input_channels))}"
        self.output_name = out_dev.label if out_dev else "none (silent)"
        self.reset_stats()
        if sd is not None and (live or out_dev is not None):
            self._open_stream(sd, in_dev if live else None, out_dev, notes)
        if self._stream is None:
            channels = max(1, cfg.channels)
            self._clock = ClockThread(self._state, self.blocksize, channels).start()
        self._analysis = AnalysisThread(HistoryAnalyser(self._state)).start()
        self._run.enter_context(self.session.attach(self.set_params, DescriptorView(self)))
        if self._follow_on:
            self._start_follow()

    def stop(self) -> None:
        self._stopping = True
        self._stop_follow()
        self._close_stream()
        if self._clock is not None:
            self._clock.stop()
            self._clock = None
        if self._analysis is not None:
            self._analysis.stop()
            self._analysis = None
        forget_flushing_threads()
        run, self._run = self._run, None
        if run is not None:
            run.close()  # the session's own sink and tracker are back (its chain catches up); settings restored

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def running(self) -> bool:
        if self._stream is not None:
            return not self.stream_lost
        return self._clock is not None and self._clock.alive

    @property
    def stream_lost(self) -> bool:
        """The stream stopped without being asked: its device was unplugged, it errored, or its server (JACK) is
        gone. PortAudio's JACK host API never calls the finished callback when the server shuts down, it only
        marks the stream inactive, so both are checked."""
        stream = self._stream
        if stream is None or self._stopping:
            return False
        return self._stream_died or not closing.is_active(stream)

    # -- control (any thread) ------------------------------------------------------------------------------------
    def set_params(self, values: Mapping[str, float]) -> None:
        """Hand a parameter state (real units) to the audio thread; faded in over ramp_ms at the next block."""
        space = self.session.space
        self._hand_off(space.real_array(space.normalize(values)))

    def _hand_off(self, real: np.ndarray) -> None:
        self._target = ParamTarget.of(real)
        state = self._state
        if state is not None:
            state.prepare(self._target.real)  # builds and primes a new chain here; one reference swap hands it over

    @property
    def current_params(self) -> dict[str, float]:
        """The last parameter state handed to the audio thread (what follow mode is playing, for example)."""
        return dict(zip(self.session.space.names, self._target.real.tolist()))

    def set_muted(self, muted: bool) -> None:
        self._muted = bool(muted)
        if self._state is not None:
            self._state.mute_requested = self._muted

    def set_bypass(self, on: bool) -> None:
        """Bypass: the dry input, through the same safety stage, crossfaded over ramp_ms (one bool for the audio
        thread to read)."""
        self._bypass = bool(on)
        if self._state is not None:
            self._state.bypass_requested = self._bypass

    def set_follow(self, on: bool) -> None:
        """Follow mode: the learner's mapping drives the parameters from the input. Off → back to
        session.current (call session.set_current(engine.current_params) first to keep the followed state)."""
        if on == self._follow_on:
            return
        self._follow_on = on
        if on and self._state is not None:
            self._start_follow()
        elif not on:
            self._stop_follow()
            self.set_params(self.session.current)

    # -- what the UI polls ---------------------------------------------------------------------------------------
    @property
    def descriptors(self) -> np.ndarray:
        if self._state is not None:
            return self._state.tracker.values
        return self.session.tracker.values

    @property
    def status(self) -> EngineStatus:
        st = self._state
        notes = list(self._notes)
        if self.stream_lost:
            notes.append("the audio stream stopped (device unplugged or server gone): restart the engine")
        if st is not None and fault_note(st):
            notes.append(fault_note(st))
        if self._follow is not None and self._follow.follower.note:
            notes.append(self._follow.follower.note)
        return EngineStatus(
            running=self.running,
            source=self.source_name,
            input_device=self.input_name,
            output_device=self.output_name,
            samplerate=self.samplerate,
            blocksize=self.blocksize,
            input_peak_db=db(st.in_peak) if st else -120.0,
            input_rms_db=db(math.sqrt(st.in_ms)) if st else -120.0,
            output_peak_db=db(st.out_peak) if st else -120.0,
            output_rms_db=db(math.sqrt(st.out_ms)) if st else -120.0,
            xruns=self.xruns,
            cpu_load=self.cpu_load,
            chain_faults=st.faults if st else 0,
            callback_errors=self.callback_errors + (self._clock.errors if self._clock else 0),
            muted=self._muted,
            follow=self._follow_on,
            message="; ".join(notes),
            startup_xruns=self.startup_xruns,
            latency_ms=self.latency_ms,
        )

    @property
    def latency_ms(self) -> tuple[float | None, float | None]:
        """(input, output) latency of the open stream in ms, as PortAudio reports it; None where there is none."""
        stream = self._stream
        if stream is None:
            return (None, None)
        try:
            latency = stream.latency
        except Exception:  # noqa: BLE001 - a closed stream has none
            return (None, None)
        if isinstance(latency, tuple):
            return (1000.0 * latency[0], 1000.0 * latency[1])
        kind = type(stream).__name__
        return (1000.0 * latency, None) if kind == "InputStream" else (None, 1000.0 * latency)

    @property
    def cpu_load(self) -> float:
        try:
            if self._stream is not None:
                return float(self._stream.cpu_load)
        except Exception:  # noqa: BLE001 - a closed stream has no load
            return 0.0
        return self._clock.load if self._clock is not None else 0.0

    def reset_stats(self) -> None:
        """Zero the callback counters (xruns, count, worst gap), e.g. after a warm-up."""
        self.xruns = self.callback_errors = self.callbacks = 0
        self.worst_gap_s = 0.0  # longest time between two callbacks (a stall drops many, but is flagged once)
        self.worst_callback_s = 0.0  # longest time spent inside one callback (waiting for the GIL included)
        self._last_callback = 0.0
        self.startup_xruns = 0  # flagged within the stream's first second (priming, the server settling)
        self._first_callback = 0.0

    # -- internals -----------------------------------------------------------------------------------------------
    def _make_source(self, notes: list[str]) -> LoopSource:
        source = self.config.source
        if source not in ("live", "demo"):
            try:
                loop = file_source(source, self.samplerate)
                self.source_name = loop.name
                return loop
            except SourceError as exc:
                notes.append(f"{exc}; no input until it can be read (press r to restart the audio engine)")
        return self._stand_in()

    def _stand_in(self) -> LoopSource:
        """What plays without the input: the demo loop when nothing was asked for, else silence (a typo in
        --input-device must never send a drum loop to the PA)."""
        cfg = self.config
        if cfg.source == "demo" or (cfg.source == "live" and cfg.input_device is None):
            self.source_name = "demo"
            return demo_source(self.samplerate)
        self.source_name = "no input"
        return LoopSource(np.zeros(self.blocksize, dtype=np.float32), self.samplerate, "no input")

    def _open_stream(self, sd: Any, in_dev: Device | None, out_dev: Device | None, notes: list[str]) -> None:
        """Open and start the stream; if that fails, say why and go on silently (the clock then runs)."""
        try:
            self._stream = self._open(sd, in_dev, out_dev)
            self._stream.start()
        except Exception as exc:  # noqa: BLE001 - PortAudioError, ValueError (bad rate/channels) alike
            self._close_stream()
            self.output_name = "none (silent)"
            state = self._state
            if state is not None and state.source is None:  # live input is gone with the stream
                state.source = self._stand_in()
                self.source_name = self.input_name = state.source.name
            notes.append(f"cannot open the audio stream ({exc}); running silently on the {self.source_name} source")
            if closing.abandoned_streams:
                notes.append(
                    "the audio server went away earlier and PortAudio cannot reconnect to it in this "
                    "process: quit and start rlfx-tui again to hear it (your labels are saved)"
                )

    def _open(self, sd: Any, in_dev: Device | None, out_dev: Device | None) -> Any:
        cfg = self.config
        common = dict(
            samplerate=self.samplerate,
            blocksize=self.blocksize,
            dtype="float32",
            latency=cfg.latency if cfg.latency is not None else "low",
            finished_callback=self._finished,
        )
        out_ch = self.output_channels if out_dev else 0
        if in_dev is not None:
            self.source_name = "live"
            self._scratch = np.zeros((self.blocksize, 1), dtype=np.float32)
            stereo = self._state is not None and self._state.channels == 2
            self._instrument = InputMix(cfg.input_channels, self.blocksize, stereo=stereo)
            in_ch = self._instrument.opened
            if out_dev is None:
                return sd.InputStream(device=in_dev.index, channels=in_ch, callback=self._input_callback, **common)
            return sd.Stream(
                device=(in_dev.index, out_dev.index), channels=(in_ch, out_ch), callback=self._duplex_callback, **common
            )
        if out_dev is None:
            raise ValueError("neither an input nor an output device to open")
        return sd.OutputStream(device=out_dev.index, channels=out_ch, callback=self._output_callback, **common)

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            closing.close_stream(stream)  # bounded, even when the stream died with its server

    def _finished(self) -> None:  # PortAudio's thread, when the stream ends: on stop(), or an error/unplug
        if not self._stopping:
            self._stream_died = True

    # The callbacks: bookkeeping, then process_block; nothing else. No I/O, no locks, no logging.
    def _duplex_callback(self, indata: np.ndarray, outdata: np.ndarray, frames: int, t: Any, status: Any) -> None:
        self._block(self._instrument(indata), outdata, status)

    def _output_callback(self, outdata: np.ndarray, frames: int, t: Any, status: Any) -> None:
        self._block(None, outdata, status)

    def _input_callback(self, indata: np.ndarray, frames: int, t: Any, status: Any) -> None:
        if frames > self._scratch.shape[0]:
            self._scratch = np.zeros((frames, 1), dtype=np.float32)
        self._block(self._instrument(indata), self._scratch[:frames], status)

    def _block(self, indata: np.ndarray | None, outdata: np.ndarray, status: Any) -> None:
        now = time.perf_counter()
        if self.callbacks:
            self.worst_gap_s = max(self.worst_gap_s, now - self._last_callback)
            # Over/underflow flags mean audio was dropped or padded. While the stream primes and the server
            # settles (its first second) they are start-up glitches, counted apart: not dropouts while playing.
            if status.input_overflow or status.output_underflow or status.input_underflow or status.output_overflow:
                if now - self._first_callback < STARTUP_S:
                    self.startup_xruns += 1
                else:
                    self.xruns += 1
        else:
            self._first_callback = now
        self._last_callback = now
        if not self.callbacks and threading.current_thread() is not threading.main_thread():
            flush_denormals_for_this_thread()  # the stream's thread only ever runs blocks: for good, not per call
        self.callbacks += 1
        try:
            if self.probe is not None and indata is not None:
                self.probe(indata)
            process_block(self._state, indata, outdata)  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001 - the stream must never die from our bug: count it, play silence
            self.callback_errors += 1
            outdata.fill(0.0)
        self.worst_callback_s = max(self.worst_callback_s, time.perf_counter() - now)

    def _start_follow(self) -> None:
        self._follow = start_following(self.session, self._target.real, self.config, self._hand_off)

    def _stop_follow(self) -> None:
        if self._follow is not None:
            self._follow.stop()
            self._follow = None
