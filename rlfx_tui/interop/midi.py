"""MIDI in (mido + python-rtmidi): a controller's port → the Rehearsal's actions, as the keys call them, through
the map in midi.toml (rlfx_tui/interop/midi_map.py).

    port = find_midi_input("FCB")                 # part of a port name; none: an RlfxError listing the ports
    midi = MidiIn(rehearsal, port, MidiMap.load(data_dir / MIDI_MAP_FILE))
    midi.learn(callback)                           # MIDI learn: the next messages go to callback, not to actions
    midi.stop()

Every rtmidi API compiled in is searched: ALSA's sequencer on a Linux desktop, JACK's MIDI ports where a JACK
server runs (the tests: the ALSA sequencer does not exist in containers). The port is opened by its full name and
without a client name (mido would otherwise create a new virtual port instead). Messages arrive on rtmidi's thread;
the Rehearsal takes actions from any thread (its events reach the app through post_message).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from rlfx_tui.core.errors import RlfxError
from rlfx_tui.core.rehearsal import Rehearsal
from rlfx_tui.interop.midi_map import MidiEvent, MidiMap

API_NAMES = {"LINUX_ALSA": "ALSA", "UNIX_JACK": "JACK", "MACOSX_CORE": "CoreMIDI", "WINDOWS_MM": "Windows MM"}
INSTALL_HINT = "pip install mido python-rtmidi"


class MidiPort(NamedTuple):
    api: str  # rtmidi's name: "UNIX_JACK"
    name: str  # the port's full name: "RtMidiOut Client:pedal"

    @property
    def label(self) -> str:
        return f"{self.name} ({API_NAMES.get(self.api, self.api)})"


@contextmanager
def _quiet_c_stderr() -> Iterator[None]:
    """ALSA and libjack print to descriptor 2 when their server is absent ("Cannot connect to server socket"):
    probing for ports must not leave that under the one line the player reads."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _backend(api: str) -> Any:
    import mido

    return mido.Backend(f"mido.backends.rtmidi/{api}")


def _apis() -> list[str]:
    try:
        import rtmidi
    except ImportError as exc:
        raise RlfxError(f"MIDI needs mido and python-rtmidi ({exc}): {INSTALL_HINT}") from None
    names = {getattr(rtmidi, f"API_{name}", None): name for name in API_NAMES}
    return [names[api] for api in rtmidi.get_compiled_api() if api in names]


def midi_inputs() -> tuple[list[MidiPort], list[str]]:
    """(the MIDI input ports of every API that answers, why the others did not: "ALSA: no sequencer")."""
    os.environ.setdefault("JACK_NO_START_SERVER", "1")  # probing must never start a JACK server
    ports: list[MidiPort] = []
    unavailable: list[str] = []
    with _quiet_c_stderr():
        for api in _apis():
            try:
                names = _backend(api).get_input_names()
            except Exception as exc:  # noqa: BLE001 - rtmidi's SystemError: no ALSA sequencer, no JACK server
                reason = str(exc).split("::")[-1].removeprefix("initialize:").strip().rstrip(".")
                unavailable.append(f"{API_NAMES[api]}: {reason}")
                continue
            ports += [MidiPort(api, str(name)) for name in names]
    return ports, unavailable


def find_midi_input(part: str) -> MidiPort:
    """The first MIDI input port whose name contains `part` (case-insensitive); else an RlfxError in one line
    naming what was asked and listing the ports there are."""
    ports, _ = midi_inputs()
    for port in ports:
        if part.lower() in port.name.lower():
            return port
    listed = ", ".join(port.label for port in ports) or "none"
    raise RlfxError(
        f"--midi-in {part}: no MIDI input port matching {part!r}; MIDI inputs: {listed} (`rlfx-tui devices` lists them)"
    )


def list_midi() -> str:
    """What `rlfx-tui devices` adds: the MIDI inputs, for --midi-in."""
    try:
        ports, unavailable = midi_inputs()
    except RlfxError as exc:
        return f"MIDI: {exc}"
    lines = ["MIDI inputs (choose with --midi-in, part of the name):"]
    lines += [f"  {port.label}" for port in ports] or ["  none"]
    if unavailable:
        lines.append(f"  (not available: {'; '.join(unavailable)})")
    return "\n".join(lines)


def midi_event(message: Any) -> MidiEvent | None:
    """A mido message as the map sees it; None for what no pedal means (clock, sysex, pitch bend...)."""
    kind = message.type
    if kind == "note_on":
        return MidiEvent("note", message.channel + 1, message.note, message.velocity)
    if kind == "note_off":
        return MidiEvent("note", message.channel + 1, message.note, 0)
    if kind == "control_change":
        return MidiEvent("cc", message.channel + 1, message.control, message.value)
    if kind == "program_change":
        return MidiEvent("program", message.channel + 1, message.program, 127)
    return None


@dataclass
class MidiCounters:
    received: int = 0  # dealt with (acted on, ignored, failed, or handed to MIDI learn)
    handled: int = 0
    ignored: int = 0  # releases, unbound messages, what no pedal means
    failed: int = 0


@dataclass
class MidiIn:
    """An open MIDI input port calling the Rehearsal's actions as the map says."""

    rehearsal: Rehearsal
    port: MidiPort
    map: MidiMap
    counters: MidiCounters = field(default_factory=MidiCounters)

    def __post_init__(self) -> None:
        self._learner: Callable[[MidiEvent], None] | None = None
        self.use(self.rehearsal)
        try:
            with _quiet_c_stderr():
                self._port = _backend(self.port.api).open_input(self.port.name, callback=self.received)
        except Exception as exc:  # noqa: BLE001 - rtmidi's SystemError, mido's IOError alike
            raise RlfxError(f"--midi-in: cannot open {self.port.label} ({exc})") from None

    def use(self, rehearsal: Rehearsal) -> None:
        """Act on another rehearsal from the next message on (the app adopted a preset a patch declared)."""
        r = self.rehearsal = rehearsal
        self.actions: dict[str, Callable[[float | None], object]] = {
            "good": lambda _: r.good(),
            "bad": lambda _: r.bad(),
            "jump": lambda _: r.randomize(),
            "back": lambda _: r.back(),
            "undo": lambda _: r.undo(),
            "auto": lambda _: r.set_auto(not r.auto),
            "follow": lambda _: r.set_follow(not r.follow),
            "mute": lambda _: r.set_muted(not r.muted),
            "strength": lambda value: r.set_strength(value or 0.0),
        }

    @property
    def port_name(self) -> str:
        return self.port.label

    def learn(self, callback: Callable[[MidiEvent], None] | None) -> None:
        """MIDI learn: while a callback is set, every message goes to it (from rtmidi's thread) and none acts."""
        self._learner = callback

    def received(self, message: Any) -> None:
        """rtmidi's thread, one message at a time; counted in `received` once dealt with."""
        try:
            self._receive(message)
        finally:
            self.counters.received += 1

    def _receive(self, message: Any) -> None:
        event = midi_event(message)
        learner = self._learner
        if event is not None and learner is not None:
            learner(event)
            return
        decision = self.map.decide(event) if event is not None else None
        if decision is None:
            self.counters.ignored += 1
            return
        action, value = decision
        try:
            self.actions[action](value)
            self.counters.handled += 1
        except RlfxError as exc:
            self.counters.failed += 1
            self.rehearsal.notice(str(exc), "error")
        except Exception as exc:  # noqa: BLE001 - a pedal must never take the app down
            self.counters.failed += 1
            self.rehearsal.notice(f"MIDI {action}: {type(exc).__name__}: {exc}", "error")

    def stop(self) -> None:
        self._learner = None
        with _quiet_c_stderr():
            self._port.close()
