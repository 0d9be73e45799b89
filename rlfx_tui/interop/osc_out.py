"""OscOut: the session's state to one OSC destination (addresses and arguments: see rlfx_tui/interop/osc.py).

Polls at the control rate and sends on change, so every way the parameters move is covered by one path; labels
come from the Rehearsal's events, queued by the listener and sent by the sender thread (no I/O under the
rehearsal's lock).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from pythonosc.udp_client import SimpleUDPClient

from rlfx_tui.core.errors import RlfxError
from rlfx_tui.core.rehearsal import PointDeleted, PointLabelled, PointRestored, Rehearsal
from rlfx_tui.core.session import Session

CONTROL_RATE_HZ = 20.0
FEATURES_RATE_HZ = 10.0


def floats(values: Any) -> list[float]:
    """Plain Python floats: python-osc encodes them as OSC 'f'; numpy scalars would not be accepted."""
    return [float(v) for v in values]


class OscOut:
    """Sends the session's state to one OSC destination from its own thread."""

    def __init__(
        self,
        session: Session,
        host: str,
        port: int,
        *,
        wekinator: bool = False,
        rate_hz: float = CONTROL_RATE_HZ,
        features_hz: float = FEATURES_RATE_HZ,
        values: Callable[[], Mapping[str, float]] | None = None,
        descriptors: Callable[[], np.ndarray] | None = None,
    ) -> None:
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

    def use(
        self,
        session: Session,
        rehearsal: Rehearsal,
        *,
        values: Callable[[], Mapping[str, float]] | None = None,
        descriptors: Callable[[], np.ndarray] | None = None,
    ) -> None:
        """Report this session from now on (a patch declared its own preset): names again, then its parameters
        (`values`/`descriptors` as in __init__: the new engine's, if it has one)."""
        self.session = session
        self.values = values or (lambda: self.session.current)
        self.descriptors = descriptors or (lambda: self.session.descriptors)
        self._last = None
        self.attach(rehearsal)
        self._send("/rlfx/names", list(session.space.names))
        self._wake.set()

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
        real: np.ndarray | None
        try:
            real = space.as_array(self.values())
        except (KeyError, ValueError):
            real = self._last  # a half-built snapshot: the next tick will see a whole one
        if real is not None and (self._last is None or not np.array_equal(real, self._last)):
            self._last = real
            norm = floats(space.normalize(real))
            self._send("/rlfx/params", floats(real))
            self._send("/rlfx/params/norm", norm)
            # by name, so SuperCollider's synth.set(*msg[1..]) and Max's [route] need no positions
            self._send("/rlfx/set", [x for pair in zip(space.names, floats(real)) for x in pair])
            if self.wekinator:
                self._send("/wek/outputs", norm)
        while self._events:
            self._send(*self._events.popleft())
        if now >= self._next_features and self.session.features is None:  # features from outside: not echoed
            self._next_features = now + self.features_period
            self._send("/rlfx/features", floats(self.descriptors()))

    def _send(self, address: str, args: list[Any]) -> None:
        try:
            self.client.send_message(address, args)
            self.sent += 1
        except OSError:
            self.send_errors += 1  # nobody listening (ICMP refused) or no route: keep playing, keep counting
