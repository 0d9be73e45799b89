"""A real, clocked audio server for tests: JACK's dummy backend, reached through PortAudio's JACK host API.

There is no sound card in CI, an ALSA null PCM opens but isn't clocked (callbacks run as fast as the CPU allows),
and mocking sounddevice would test nothing. ``jackd -d dummy`` runs a real period clock, so a PortAudio stream on
it sees callbacks at exactly samplerate/period per second, timestamps and xrun flags included.

Usage (the ``jack_server`` fixture in conftest.py does steps 1 and 4)::

    server = JackDummyServer().start()          # 1. unique name, waits until it accepts clients
    device = server.portaudio_device()           # 2. points PortAudio at it, returns the sounddevice index
    with sd.Stream(device=device, samplerate=server.samplerate, blocksize=server.period, ...):
        server.loopback()                        # 3. optional: our output ports -> our input ports
    server.stop()                                # 4. releases PortAudio, then ends jackd by PID

Gotchas found on the way (jackd2 1.9.21, Debian libportaudio2 19.6.0, sounddevice 0.5.6):

* PortAudio enumerates host APIs once, in ``Pa_Initialize`` (run by ``import sounddevice``). If no JACK server is
  reachable then, the JACK host API is silently absent, not empty. A server started later is only seen after
  ``sd._terminate(); sd._initialize()`` (private, but the only way; it also renumbers devices, so never cache an
  index across it, and never do it while a stream is open).
* The server name comes from ``JACK_DEFAULT_SERVER`` *in this process's environment*, read by libjack when
  PortAudio opens its client during ``Pa_Initialize``; setting it after import changes nothing until re-init.
  ``os.environ`` works (it calls putenv).
* ``Pa_Terminate`` after the server has died aborts the whole Python process
  (``pa_jack.c: Terminate: Assertion `err == 0' failed``), and sounddevice calls it at exit. So PortAudio must be
  terminated *before* jackd stops; ``stop()`` does that and re-initialises afterwards to keep sounddevice's
  init counter balanced.
* ``jack_wait -c`` exits 0 whether or not the server runs (it prints "running"/"not running"); ``jack_wait -w``
  polls in 1 s steps and, without ``-t``, waits forever if jackd died at startup. So ``start()`` polls ``-c`` and
  jackd's exit status itself (ready in ~50 ms). jackd exits on bad options like ``-C -1`` but *hangs* on
  ``-r 0`` or ``-p 0``, hence the startup timeout.
* libjack may auto-start a server (from ~/.jackdrc) for a client that doesn't pass JackNoStartServer. Precaution:
  ``JACK_NO_START_SERVER=1`` is set for us and the jack_* tools, so a dead test server fails instead of being
  silently replaced. (PortAudio itself passes JackNoStartServer; nothing was auto-started in practice.)
* JACK only runs at its own rate: any other samplerate fails with ``Invalid sample rate [PaErrorCode -9997]``.
  Use ``server.samplerate``. A blocksize other than the period works, but PortAudio then buffers (1000 frames on
  a 256 period reports 1256 frames output latency) and callbacks come in uneven bursts: use ``server.period``.
* PortAudio's JACK client is called ``PortAudio`` (``PortAudio-01`` if the name is taken), one per process, with
  ports ``in_0..`` / ``out_0..``; it auto-connects them to ``system:capture_*`` / ``system:playback_*``. The dummy
  capture ports deliver silence: to get signal into the input, connect an output port back (``loopback()``).
  Through that loop the input hears the output exactly two periods later (512 frames at 256), sample-exact and
  stable; that equals PortAudio's reported ``stream.latency`` (0 in + 2 periods out).
* A callback that overruns its period shows up as ``input_overflow`` and ``output_underflow`` together on the next
  callback, but once per stall, however long: a 1 s stall is one flagged callback and ~187 missing ones.
  Count callbacks against wall-clock time to measure dropouts. One of the first callbacks may also carry both
  flags (startup), and a busy machine can preempt the non-realtime jackd for the odd xrun.
* ``stream.active`` stays True through stalls; the dummy backend never zombifies the client in these tests.
* jackd logs every xrun to stderr; we send its output to a file (a pipe nobody reads would fill and block it)
  and include its tail in startup errors.
* A jackd killed with SIGKILL leaves ``/dev/shm/jack_<name>_*`` / ``jack_sem.*_<name>_*`` behind; with unique
  names that never clashes, and ``stop()`` removes its own leftovers.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path


class JackError(RuntimeError):
    """The JACK test server could not be started or used."""


@dataclass(frozen=True)
class JackPort:
    name: str  # "client:port"
    is_input: bool  # JACK's view: an input port receives audio (our capture ports are *inputs* of our client)
    is_physical: bool

    @property
    def client(self) -> str:
        return self.name.split(":", 1)[0]


class JackDummyServer:
    """``jackd --no-realtime -d dummy`` under a unique server name, stopped by PID."""

    def __init__(
        self,
        samplerate: int = 48000,
        period: int = 256,
        name: str | None = None,
        channels: int = 2,
        start_timeout: float = 15.0,
    ) -> None:
        self.samplerate = samplerate
        self.period = period
        self.channels = channels
        self.name = name or f"rlfx-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.start_timeout = start_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_path: Path | None = None
        self._released_portaudio = False

    @property
    def env(self) -> dict[str, str]:
        """Environment entries that point libjack (and so PortAudio and the jack_* tools) at this server."""
        return {"JACK_DEFAULT_SERVER": self.name, "JACK_NO_START_SERVER": "1"}

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self) -> JackDummyServer:
        for tool in ("jackd", "jack_wait", "jack_lsp", "jack_connect"):
            if shutil.which(tool) is None:
                raise JackError(f"{tool} not found: install Debian's jackd2 (apt-get install jackd2)")
        fd, log = tempfile.mkstemp(prefix=f"{self.name}-", suffix=".log")
        self._log_path = Path(log)
        cmd = [
            "jackd", "-n", self.name, "--no-realtime",
            "-d", "dummy", "-r", str(self.samplerate), "-p", str(self.period),
            "-C", str(self.channels), "-P", str(self.channels),
        ]  # fmt: skip
        with os.fdopen(fd, "wb") as log_file:
            self._proc = subprocess.Popen(
                cmd, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self._tool_env()
            )
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self._proc.poll() is not None:
                tail, code = self.log_tail(), self._proc.returncode
                self.stop()
                raise JackError(f"jackd exited with {code} during startup:\n{tail}")
            # `jack_wait -c` answers at once (`-w` sleeps in 1 s steps); its exit code is 0 either way.
            if self._run("jack_wait", "-c", check=False).stdout.strip() == "running":
                return self
            if time.monotonic() > deadline:  # e.g. jackd hangs instead of exiting (it does with -r 0 or -p 0)
                tail = self.log_tail()
                self.stop()
                raise JackError(f"jackd '{self.name}' not ready after {self.start_timeout}s:\n{tail}")
            time.sleep(0.02)

    def stop(self) -> None:
        """Release PortAudio's client (see module docstring), then terminate jackd, then kill it if it hangs."""
        sd = sys.modules.get("sounddevice")
        if sd is not None and os.environ.get("JACK_DEFAULT_SERVER") == self.name and sd._initialized:
            sd._terminate()
            self._released_portaudio = True
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if self._released_portaudio:
            sd._initialize()  # server is gone, so no JACK host API; keeps sounddevice's exit handler balanced
            self._released_portaudio = False
        for leftover in Path("/dev/shm").glob(f"*_{self.name}_*"):  # only after SIGKILL; the name is ours alone
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
        if self._log_path is not None:
            self._log_path.unlink(missing_ok=True)
            self._log_path = None

    def log_tail(self, lines: int = 30) -> str:
        if self._log_path is None or not self._log_path.exists():
            return "(no jackd log)"
        return "\n".join(self._log_path.read_text(errors="replace").splitlines()[-lines:])

    def __enter__(self) -> JackDummyServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- PortAudio ------------------------------------------------------------------------------------------

    def portaudio_device(self) -> int:
        """Point this process's PortAudio at the server and return the JACK device index for sounddevice.

        Re-initialises PortAudio: call it with no stream open. Also sets os.environ (see module docstring); the
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

    # --- helpers --------------------------------------------------------------------------------------------

    def _tool_env(self) -> dict[str, str]:
        return {**os.environ, **self.env}

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(args, capture_output=True, text=True, env=self._tool_env(), timeout=30)
        if check and result.returncode != 0:
            raise JackError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
        return result
