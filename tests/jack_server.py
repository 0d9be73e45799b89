"""A real, clocked audio server for tests: JACK's dummy backend, reached through PortAudio's JACK host API.

Usage (the ``jack_server`` fixture in conftest.py does steps 1 and 4)::

    server = JackDummyServer().start()          # 1. unique name, waits until it accepts clients
    device = server.portaudio_device()           # 2. points PortAudio at it, returns the sounddevice index
    with sd.Stream(device=device, samplerate=server.samplerate, blocksize=server.period, ...):
        server.loopback()                        # 3. optional: our output ports -> our input ports
    server.stop()                                # 4. releases PortAudio, then ends jackd by PID

Starting, waiting for and stopping jackd (and every gotcha found on the way) live in the shipped
rlfx_tui/audio/jackd.py, which `rlfx-tui bench` uses too; this adds what only tests need: PortAudio pointed at the
server, its ports, and a loopback from our output to our input.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from rlfx_tui.audio.jackd import JackError, JackServer

__all__ = ["JackDummyServer", "JackError", "JackPort"]


@dataclass(frozen=True)
class JackPort:
    name: str  # "client:port"
    is_input: bool  # JACK's view: an input port receives audio (our capture ports are *inputs* of our client)
    is_physical: bool

    @property
    def client(self) -> str:
        return self.name.split(":", 1)[0]


class JackDummyServer(JackServer):
    """``jackd --no-realtime -d dummy`` under a unique server name, stopped by PID (see rlfx_tui.audio.jackd)."""

    TOOLS = ("jackd", "jack_wait", "jack_lsp", "jack_connect")

    def __init__(
        self,
        samplerate: int = 48000,
        period: int = 256,
        name: str | None = None,
        channels: int = 2,
        start_timeout: float = 15.0,
    ) -> None:
        super().__init__(samplerate, period, name, channels, start_timeout, prefix="rlfx-test")

    # --- PortAudio ------------------------------------------------------------------------------------------

    def portaudio_device(self) -> int:
        """Point this process's PortAudio at the server and return the JACK device index for sounddevice.

        Re-initialises PortAudio: call it with no stream open. Also sets os.environ (see rlfx_tui.audio.jackd); the
        fixture restores it afterwards.
        """
        import sounddevice as sd

        os.environ.update(self.env)
        sd._terminate()
        sd._initialize()
        for api in sd.query_hostapis():
            if api["name"] == "JACK Audio Connection Kit" and api["default_output_device"] >= 0:
                return int(api["default_output_device"])
        names = [api["name"] for api in sd.query_hostapis()]
        raise JackError(f"PortAudio sees no JACK host API for server '{self.name}' (host APIs: {names})")

    # --- ports ----------------------------------------------------------------------------------------------

    def ports(self) -> list[JackPort]:
        out = self._run("jack_lsp", "-p").stdout
        ports: list[JackPort] = []
        lines = out.splitlines()
        for name, props in zip(lines[::2], lines[1::2]):
            flags = [f.strip() for f in props.split(":", 1)[-1].split(",")]
            ports.append(JackPort(name.strip(), "input" in flags, "physical" in flags))
        return ports

    def connect(self, source: str, destination: str) -> None:
        self._run("jack_connect", source, destination)

    def disconnect(self, source: str, destination: str) -> None:
        self._run("jack_disconnect", source, destination)

    def loopback(self, client: str = "PortAudio", timeout: float = 2.0) -> list[tuple[str, str]]:
        """Connect ``client``'s out_k to its in_k for every k; the input then hears the output two periods later.

        Call it while the stream is open (the ports exist only then). Returns the (source, destination) pairs.
        """
        deadline = time.monotonic() + timeout
        while True:
            mine = [p for p in self.ports() if p.client == client]
            outs = sorted(p.name for p in mine if not p.is_input)
            ins = sorted(p.name for p in mine if p.is_input)
            if outs and ins:
                break
            if time.monotonic() > deadline:
                raise JackError(f"no ports of JACK client {client!r}: {[p.name for p in self.ports()]}")
            time.sleep(0.05)
        pairs = list(zip(outs, ins))
        for source, destination in pairs:
            self.connect(source, destination)
        return pairs
