"""OSC out (parameters, descriptors, labels) and OSC control in (good, bad, randomize, ...), with python-osc.

Out — `OscOut` polls the session at the control rate (20 Hz) and sends on change, so every way the parameters
move (keys, OSC control, follow mode, auto) is covered by one path; labels come from the Rehearsal's events:

    /rlfx/params       f × P   parameters in real units, preset order          on every change
    /rlfx/params/norm  f × P   the same, normalised to [0, 1]                  on every change
    /wek/outputs       f × P   normalised, like Wekinator's output (--wekinator) on every change
    /rlfx/features     f × D   input descriptors (DESCRIPTOR_NAMES order)       ~10 Hz
    /rlfx/label        i i f×P point id, 1 good / 0 bad, its parameters (units)  on each label (and undone delete)
    /rlfx/unlabel      i       point id                                         on each delete (and undone label)
    /rlfx/names        s × P   parameter names, preset order                    once, at start

In — `OscIn` listens on 127.0.0.1 (unless told otherwise) and calls the Rehearsal's methods, the same code path
as the keys:

    /rlfx/good, /rlfx/bad, /rlfx/randomize, /rlfx/undo   no argument, or one number: non-zero acts, 0 is ignored
                                                         (a foot switch through a MIDI→OSC bridge sends 1 on press
                                                         and 0 on release; only the press should count)
    /rlfx/strength f    0..1 (clipped)
    /rlfx/follow i      non-zero = on (ints, floats from Pd, or OSC true/false)

Anything else — undecodable packets, unknown addresses, wrong types or arity — is ignored and counted in
`OscIn.counters`, never raised. Actions run in the OSC thread; Rehearsal listeners are called from it.
"""

from __future__ import annotations

import argparse
import math
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pythonosc.osc_packet import OscPacket, ParseError
from pythonosc.udp_client import SimpleUDPClient

from rlfx_tui.core.errors import RlfxError
from rlfx_tui.core.rehearsal import PointDeleted, PointLabelled, PointRestored, Rehearsal
from rlfx_tui.core.session import Session

CONTROL_RATE_HZ = 20.0
FEATURES_RATE_HZ = 10.0
WEKINATOR_OUTPUT = ("127.0.0.1", 12000)  # where Wekinator sends /wek/outputs by default: patches listen there


def host_port(text: str) -> tuple[str, int]:
    """argparse type for HOST:PORT (HOST may be empty for 127.0.0.1)."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, e.g. 127.0.0.1:57120 (got {text!r})")
    return host.strip("[]") or "127.0.0.1", int(port)  # [::1]:57120 for IPv6


def port_number(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) < 65536:
        raise argparse.ArgumentTypeError(f"expected a UDP port number (got {text!r})")
    return int(text)


def floats(values: Any) -> list[float]:
    """Plain Python floats: python-osc encodes them as OSC 'f'; numpy scalars would not be accepted."""
    return [float(v) for v in values]


class OscOut:
    """Sends the session's state to one OSC destination from its own thread."""

    def __init__(self, session: Session, host: str, port: int, *, wekinator: bool = False,
                 rate_hz: float = CONTROL_RATE_HZ, features_hz: float = FEATURES_RATE_HZ,
                 values: Callable[[], Mapping[str, float]] | None = None,
                 descriptors: Callable[[], np.ndarray] | None = None) -> None:
        self.session = session
        try:
            self.client = SimpleUDPClient(host, port)
        except OSError as exc:  # an unknown host name
            raise RlfxError(f"cannot send OSC to {host}:{port} ({exc.strerror or exc})") from None
        self.destination = (host, port)
        self.wekinator = wekinator
        self.period = 1.0 / rate_hz
        self.features_period = 1.0 / features_hz
        # What to report as "the parameters now" and "the input now": the session's by default. A running audio
        # engine plays (and analyses) on its own thread: pass its snapshots instead, e.g.
        # values=lambda: engine.current_params (covers follow mode), descriptors=lambda: engine.descriptors.
        self.values = values or (lambda: self.session.current)
        self.descriptors = descriptors or (lambda: self.session.descriptors)
        self.sent = 0
        self.send_errors = 0
        self.poll_errors = 0
        self._last: np.ndarray | None = None
        self._next_features = 0.0
        self._events: deque[tuple[str, list[Any]]] = deque(maxlen=1024)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rlfx-osc-out", daemon=True)

    def attach(self, rehearsal: Rehearsal) -> None:
        """Send /rlfx/label and /rlfx/unlabel for the rehearsal's label events."""
        rehearsal.subscribe(self.on_event)

    def on_event(self, event: object) -> None:
        # Called in the acting thread, under the rehearsal's lock: only queue, the sender thread does the I/O.
        if isinstance(event, (PointLabelled, PointRestored)):
            point = event.point
            real = self.session.space.as_array(point.params)
            self._events.append(("/rlfx/label", [int(point.id), int(point.good), *floats(real)]))
            self._wake.set()
        elif isinstance(event, PointDeleted):
            self._events.append(("/rlfx/unlabel", [int(event.point.id)]))
            self._wake.set()

    def start(self) -> OscOut:
        self._send("/rlfx/names", list(self.session.space.names))
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._poll_safely()
            self._wake.wait(self.period)
            self._wake.clear()
        self._poll_safely()  # flush labels queued just before stop

    def _poll_safely(self) -> None:
        try:
            self.poll(time.monotonic())
        except Exception:  # noqa: BLE001 -- whatever a snapshot does, the sender keeps running
            self.poll_errors += 1

    def poll(self, now: float) -> None:
        """One control-rate tick: parameters if they changed, then queued label events, descriptors if due.
        (Parameters first: a label's parameters are then already the patch's latest /rlfx/params.)"""
        space = self.session.space
        try:
            real = space.as_array(self.values())
        except (KeyError, ValueError):
            real = self._last  # a half-built snapshot: the next tick will see a whole one
        if real is not None and (self._last is None or not np.array_equal(real, self._last)):
            self._last = real
            norm = floats(space.normalize(real))
            self._send("/rlfx/params", floats(real))
            self._send("/rlfx/params/norm", norm)
            if self.wekinator:
                self._send("/wek/outputs", norm)
        while self._events:
            self._send(*self._events.popleft())
        if now >= self._next_features:
            self._next_features = now + self.features_period
            self._send("/rlfx/features", floats(self.descriptors()))

    def _send(self, address: str, args: list[Any]) -> None:
        try:
            self.client.send_message(address, args)
            self.sent += 1
        except OSError:
            self.send_errors += 1  # nobody listening (ICMP refused) or no route: keep playing, keep counting


@dataclass
class OscInCounters:
    handled: int = 0
    ignored: int = 0          # a trigger with 0 (a foot switch's release)
    unparseable: int = 0      # not an OSC packet
    unknown_address: int = 0
    bad_arguments: int = 0    # wrong type or arity
    failed: int = 0           # the action itself raised (e.g. the disk refused a label); see last_error

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)

    @property
    def malformed(self) -> int:
        return self.unparseable + self.unknown_address + self.bad_arguments


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    return None


@dataclass
class OscIn:
    """Receives control messages on a UDP port and calls the Rehearsal's methods."""

    rehearsal: Rehearsal
    port: int
    host: str = "127.0.0.1"
    counters: OscInCounters = field(default_factory=OscInCounters)
    last_error: str = ""
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        # Our own receive loop over python-osc's parser (rather than its server) so undecodable packets can be
        # counted: the server drops them silently. A short timeout lets stop() end the loop.
        self.socket = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self.socket.bind((self.host, self.port))
        except OSError as exc:
            self.socket.close()
            raise RlfxError(f"cannot listen for OSC on {self.host}:{self.port} ({exc.strerror})") from None
        self.socket.settimeout(0.1)
        self.port = self.socket.getsockname()[1]  # the real one when 0 was asked for
        r = self.rehearsal
        self.triggers: dict[str, Callable[[], object]] = {
            "/rlfx/good": r.good, "/rlfx/bad": r.bad, "/rlfx/randomize": r.randomize, "/rlfx/undo": r.undo}
        self.settings: dict[str, Callable[[float], object]] = {
            "/rlfx/strength": r.set_strength, "/rlfx/follow": lambda v: r.set_follow(v != 0)}
        self._thread = threading.Thread(target=self._run, name="rlfx-osc-in", daemon=True)

    def start(self) -> OscIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)
        self.socket.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data, _ = self.socket.recvfrom(65536)
            except TimeoutError:
                continue
            except OSError:
                if self._stop.is_set():
                    return
                continue
            self.handle_packet(data)

    def handle_packet(self, data: bytes) -> None:
        try:
            messages = [timed.message for timed in OscPacket(data).messages]
        except (ParseError, ValueError, IndexError, TypeError, struct.error):  # truncated or odd input
            self.counters.unparseable += 1
            return
        for message in messages:  # bundle time tags are ignored: control acts at once
            self.handle(message.address, list(message.params))

    def handle(self, address: str, args: list[Any]) -> None:
        if address in self.triggers:
            if len(args) > 1 or (args and _number(args[0]) is None):
                self.counters.bad_arguments += 1
                return
            if args and _number(args[0]) == 0:
                self.counters.ignored += 1
                return
            self._act(self.triggers[address])
        elif address in self.settings:
            value = _number(args[0]) if len(args) == 1 else None
            if value is None:
                self.counters.bad_arguments += 1
                return
            setter = self.settings[address]
            self._act(lambda: setter(value))
        else:
            self.counters.unknown_address += 1

    def _act(self, action: Callable[[], object]) -> None:
        try:
            action()
            self.counters.handled += 1
        except Exception as exc:  # noqa: BLE001 -- a control message must never take the app down
            self.counters.failed += 1
            self.last_error = f"{type(exc).__name__}: {exc}"


# -- wiring for the launchers (app, serve) ------------------------------------------------------------------------
@dataclass
class OscHandle:
    out: OscOut | None = None
    inp: OscIn | None = None

    @property
    def counters(self) -> dict[str, int]:
        counts = self.inp.counters.as_dict() if self.inp else {}
        if self.out:
            counts |= {"sent": self.out.sent, "send_errors": self.out.send_errors, "poll_errors": self.out.poll_errors}
        return counts

    def stop(self) -> None:
        if self.inp:
            self.inp.stop()
        if self.out:
            self.out.stop()


def add_osc_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("OSC (SuperCollider, Max, Pd, Wekinator)")
    group.add_argument("--osc-out", type=host_port, metavar="HOST:PORT",
                       help="send parameters, descriptors and labels there (sclang listens on 127.0.0.1:57120)")
    group.add_argument("--wekinator", action="store_true",
                       help="also send /wek/outputs (normalised); without --osc-out, to 127.0.0.1:12000")
    group.add_argument("--osc-in", type=port_number, metavar="PORT",
                       help="accept /rlfx/good, /rlfx/bad, /rlfx/randomize, /rlfx/strength, /rlfx/follow, "
                            "/rlfx/undo on this UDP port")
    group.add_argument("--osc-host", default="127.0.0.1", metavar="HOST",
                       help="address --osc-in binds to (default 127.0.0.1; 0.0.0.0 accepts other machines)")


def start_osc(args: argparse.Namespace, session: Session, rehearsal: Rehearsal, *,
              values: Callable[[], Mapping[str, float]] | None = None,
              descriptors: Callable[[], np.ndarray] | None = None) -> OscHandle:
    """Start what the options ask for (nothing, and no socket, by default). Stop it with `.stop()`.

    With an audio engine running, pass `values=lambda: engine.current_params` and
    `descriptors=lambda: engine.descriptors` so OSC reports what is played, follow mode included."""
    handle = OscHandle()
    destination = getattr(args, "osc_out", None) or (WEKINATOR_OUTPUT if getattr(args, "wekinator", False) else None)
    if destination is not None:
        handle.out = OscOut(session, *destination, wekinator=bool(getattr(args, "wekinator", False)), values=values,
                            descriptors=descriptors)
        handle.out.attach(rehearsal)
        handle.out.start()
    if getattr(args, "osc_in", None) is not None:
        try:
            handle.inp = OscIn(rehearsal, args.osc_in, getattr(args, "osc_host", "127.0.0.1")).start()
        except RlfxError:
            handle.stop()
            raise
    return handle
