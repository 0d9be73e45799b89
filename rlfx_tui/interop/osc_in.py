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

from pythonosc.osc_packet import OscPacket, ParseError

from rlfx_tui.core.errors import RlfxError
from rlfx_tui.core.rehearsal import Rehearsal


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
