"""OscIn: control messages on a UDP port → the Rehearsal's methods (addresses and arguments: see
rlfx_tui/interop/osc.py). Malformed input is counted, never raised.
"""

from __future__ import annotations

import math
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.osc_packet import OscPacket, ParseError

from rlfx_tui.core.errors import RlfxError
from rlfx_tui.core.rehearsal import Rehearsal
from rlfx_tui.interop.osc_outside import WEKINATOR_CONTROL, Outside

ERROR_ADDRESS = "/rlfx/error"
MAX_ERROR = 480  # characters: an answer fits one small datagram whatever the input was


@dataclass
class OscInCounters:
    handled: int = 0
    ignored: int = 0  # a trigger with 0 (a foot switch's release)
    unparseable: int = 0  # not an OSC packet
    unknown_address: int = 0
    bad_arguments: int = 0  # wrong type or arity (a bad declaration, a feature vector of the wrong length, NaN)
    failed: int = 0  # the action itself raised (e.g. the disk refused a label); see last_error
    refused: int = 0  # understood, and refused (a label for a stale context, deleteAllExamples)
    answered: int = 0  # /rlfx/error replies sent to the sender

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)

    @property
    def malformed(self) -> int:
        return self.unparseable + self.unknown_address + self.bad_arguments


OUTSIDE = {"/rlfx/declare": "declare", "/rlfx/declare_features": "declare_features", "/rlfx/features": "feature_vector"}


def _shown(args: list[Any]) -> str:
    text = repr(args)
    return text if len(text) <= 80 else text[:80] + "…"


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
    # declarations, features and Wekinator control (osc_outside.py); serve passes one that can adopt a preset
    outside: Outside | None = None
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
        if self.outside is None:
            self.outside = Outside(lambda: self.rehearsal)
        self.use(self.rehearsal)
        self._thread = threading.Thread(target=self._run, name="rlfx-osc-in", daemon=True)

    def use(self, rehearsal: Rehearsal) -> None:
        """Act on this rehearsal from now on (serve swaps in a new one when a patch declares its preset)."""
        r = self.rehearsal = rehearsal
        self.triggers: dict[str, Callable[[], object]] = {
            "/rlfx/good": r.good,
            "/rlfx/bad": r.bad,
            "/rlfx/randomize": r.randomize,
            "/rlfx/undo": r.undo,
        }
        self.settings: dict[str, Callable[[float], object]] = {
            "/rlfx/strength": r.set_strength,
            "/rlfx/follow": lambda v: r.set_follow(v != 0),
        }

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
                data, sender = self.socket.recvfrom(65536)
            except TimeoutError:
                continue
            except OSError:
                if self._stop.is_set():
                    return
                continue
            self.handle_packet(data, sender)

    def handle_packet(self, data: bytes, sender: Any = None) -> None:
        try:
            messages = [timed.message for timed in OscPacket(data).messages]
        except (ParseError, ValueError, IndexError, TypeError, struct.error):  # truncated or odd input
            self.counters.unparseable += 1
            return
        for message in messages:  # bundle time tags are ignored: control acts at once
            self.handle(message.address, list(message.params), sender)

    def handle(self, address: str, args: list[Any], sender: Any = None) -> None:
        if address in self.triggers:
            if len(args) > 1 or (args and _number(args[0]) is None):
                self._answer(f"{address}: expected no argument or one number, got {_shown(args)}", sender, bad=True)
                return
            if args and _number(args[0]) == 0:
                self.counters.ignored += 1
                return
            stale = self.rehearsal.session.context_stale() if address in ("/rlfx/good", "/rlfx/bad") else None
            if stale is not None:  # the rehearsal refuses it too (a notice); the patch hears why
                self._refuse(f"{address} not recorded: {stale}", sender)
                return
            self._act(self.triggers[address])
        elif address in self.settings:
            value = _number(args[0]) if len(args) == 1 else None
            if value is None:
                self._answer(f"{address}: expected one finite number, got {_shown(args)}", sender, bad=True)
                return
            setter = self.settings[address]
            self._act(lambda: setter(value))
        elif self.outside is not None and (address in OUTSIDE or address == "/wek/inputs"):
            outside = self.outside
            handler = getattr(outside, OUTSIDE.get(address, "feature_vector"))
            ran, answer = self._outside(
                lambda: handler(args) if address != "/wek/inputs" else outside.feature_vector(args, address)
            )
            if ran:
                self._answer(answer, sender, bad=True)
        elif self.outside is not None and address.startswith(WEKINATOR_CONTROL):
            outside = self.outside
            ran, answer = self._outside(lambda: outside.wekinator_control(address, args))
            if not ran:
                return
            if answer == "":
                self.counters.unknown_address += 1
            else:
                self._answer(answer, sender, bad=False)
        else:
            self.counters.unknown_address += 1

    def _outside(self, action: Callable[[], str | None]) -> tuple[bool, str | None]:
        """Run a declaration, feature or Wekinator handler: (ran, its answer); (False, None) if it raised (counted
        as failed, never fatal: e.g. a retrain, or a declared preset whose session could not be opened)."""
        try:
            return True, action()
        except Exception as exc:  # noqa: BLE001 -- whatever a message does, the receiver keeps running
            self.counters.failed += 1
            self.last_error = f"{type(exc).__name__}: {exc}"
            return False, None

    def _answer(self, error: str | None, sender: Any, *, bad: bool) -> None:
        """None: handled. A text: counted (as bad arguments, or as refused) and sent back as /rlfx/error."""
        if error is None:
            self.counters.handled += 1
        elif bad:
            self.counters.bad_arguments += 1
            self._reply(error, sender)
        else:
            self._refuse(error, sender)

    def _refuse(self, error: str, sender: Any) -> None:
        self.counters.refused += 1
        self._reply(error, sender)

    def _reply(self, error: str, sender: Any) -> None:
        self.last_error = error[:MAX_ERROR]
        if sender is None:
            return
        builder = OscMessageBuilder(ERROR_ADDRESS)
        builder.add_arg(self.last_error)
        try:
            self.socket.sendto(builder.build().dgram, sender)
            self.counters.answered += 1
        except OSError:
            pass  # the sender went away: the counter above still says what happened

    def _act(self, action: Callable[[], object]) -> None:
        try:
            action()
            self.counters.handled += 1
        except Exception as exc:  # noqa: BLE001 -- a control message must never take the app down
            self.counters.failed += 1
            self.last_error = f"{type(exc).__name__}: {exc}"
