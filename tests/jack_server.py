"""A real, clocked audio server for tests: JACK's dummy backend, reached through PortAudio's JACK host API.

Usage (the ``jack_server`` fixture in conftest.py does steps 1 and 4)::

    server = JackDummyServer().start()          # 1. unique name, waits until it accepts clients
    device = server.portaudio_device()           # 2. points PortAudio at it, returns the sounddevice index
    with sd.Stream(device=device, samplerate=server.samplerate, blocksize=server.period, ...):
        server.loopback()                        # 3. optional: our output ports -> our input ports
    server.stop()                                # 4. releases PortAudio, then ends jackd by PID

Starting, waiting for and stopping jackd (and every gotcha found on the way) live in the shipped
rlfx_tui/audio/jackd.py, which `rlfx-tui bench` uses too (its ports and the loopback from our output to our input
as well); this adds what only tests need: PortAudio pointed at the server and restored by the fixture.
"""

from __future__ import annotations

import os

from rlfx_tui.audio.jackd import JackError, JackPort, JackServer

__all__ = ["JackDummyServer", "JackError", "JackPort"]


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
