"""A MIDI foot controller for tests: a virtual JACK MIDI output port (the pedal) on a private, real-time JACK dummy
server, opened by the app as it would open hardware.

ALSA's sequencer does not exist in these containers; python-rtmidi's JACK backend does. rtmidi has no server
argument, so JACK_DEFAULT_SERVER (set by the `midi_jack` fixture) selects the server. jackd runs with real-time
scheduling when the tests run as root: without it about one message in 450 was lost under load. Even so a test
never counts on one message: `send` waits for it to arrive and sends again only if it never did (a lost message
never arrives; a late one arrives within milliseconds).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from rlfx_tui.audio.jackd import JackError, JackServer

BACKEND = "mido.backends.rtmidi/UNIX_JACK"


class Pedal:
    """A virtual MIDI output port: `press(note=60)`, `cc(81, 127)`, `program(3)`."""

    def __init__(self, server: JackServer, name: str) -> None:
        import mido

        self.server = server
        self.client = f"rlfxpedal{os.getpid()}"
        self.port = mido.Backend(BACKEND).open_output(name, virtual=True, client_name=self.client)
        self.name = f"{self.client}:{name}"

    def connected(self) -> bool:
        """Someone (the app's MIDI input) is connected to this port, as JACK sees it."""
        out = subprocess.run(
            ["jack_lsp", "-c", self.name],
            capture_output=True,
            text=True,
            timeout=10,
            env={**os.environ, **self.server.env},
        ).stdout
        return len([line for line in out.splitlines() if line.startswith((" ", "\t"))]) > 0

    def send(
        self, message: Any, arrived: Callable[[], bool] | None = None, timeout: float = 3.0, tries: int = 3
    ) -> None:
        """Send; with `arrived`, wait until it says the message got there, sending again only if it never did."""
        for _ in range(tries):
            self.port.send(message)
            if arrived is None:
                return
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if arrived():
                    return
                time.sleep(0.01)
        raise AssertionError(f"{message} never arrived (sent {tries} times)")

    def close(self) -> None:
        self.port.close()


@contextmanager
def midi_jack_server() -> Iterator[JackServer]:
    server = JackServer(realtime=os.geteuid() == 0, prefix="rlfx-midi")
    try:
        server.start()
    except JackError as exc:
        pytest.fail(f"JACK MIDI test server unavailable: {exc}", pytrace=False)
    try:
        with pytest.MonkeyPatch.context() as mp:
            for key, value in server.env.items():
                mp.setenv(key, value)  # rtmidi has no server argument: libjack reads this when a client opens
            yield server
    finally:
        server.stop()  # after the environment is restored: PortAudio (pointed elsewhere) is left alone
