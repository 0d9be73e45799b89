"""A private JACK dummy server: a real, clocked audio stream on a machine with no sound card.

`rlfx-tui bench` runs its stress run on one (`DummyJack`); the test suite's fixture (tests/jack_server.py) builds
on the same `JackServer`, so starting, waiting for and stopping jackd exists once, here.

There is no sound card in CI, an ALSA null PCM opens but isn't clocked (callbacks run as fast as the CPU allows),
and mocking sounddevice would test nothing. ``jackd -d dummy`` runs a real period clock, so a PortAudio stream on
it sees callbacks at exactly samplerate/period per second, timestamps and xrun flags included.

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
  jackd's exit status itself (ready within a moment). jackd exits on bad options like ``-C -1`` but *hangs* on
  ``-r 0`` or ``-p 0``, hence the startup timeout.
* libjack may auto-start a server (from ~/.jackdrc) for a client that doesn't pass JackNoStartServer. Precaution:
  ``JACK_NO_START_SERVER=1`` is set for us and the jack_* tools, so a dead server fails instead of being
  silently replaced. (PortAudio itself passes JackNoStartServer; nothing was auto-started in practice.)
* JACK only runs at its own rate: any other samplerate fails with ``Invalid sample rate [PaErrorCode -9997]``.
  Use ``server.samplerate``. A blocksize other than the period works, but PortAudio then buffers (1000 frames on
  a 256 period reports 1256 frames output latency) and callbacks come in uneven bursts: use ``server.period``.
* PortAudio's JACK client is called ``PortAudio`` (``PortAudio-01`` if the name is taken), one per process, with
  ports ``in_0..`` / ``out_0..``; it auto-connects them to ``system:capture_*`` / ``system:playback_*``. The dummy
  capture ports deliver silence: to get signal into the input, connect an output port back (the test fixture's
  ``loopback()``). Through that loop the input hears the output exactly two periods later (512 frames at 256),
  sample-exact and stable; that equals PortAudio's reported ``stream.latency`` (0 in + 2 periods out).
* A callback that overruns its period shows up as ``input_overflow`` and ``output_underflow`` together on the next
  callback, but once per stall, however long: a 1 s stall is one flagged callback and ~187 missing ones.
  Count callbacks against wall-clock time to measure dropouts. One of the first callbacks may also carry both
  flags (startup), and a busy machine can preempt the non-realtime jackd for the odd xrun.
* ``stream.active`` stays True through stalls; the dummy backend never zombifies the client.
* jackd logs every xrun to stderr; we send its output to a file (a pipe nobody reads would fill and block it)
  and include its tail in startup errors. Two kinds of line count for the bench (``xrun_tally``):
  ``JackEngine::XRun: client = NAME was not finished`` (a client's process callback had not run, or not ended,
  when the next period began) and ``JackTimedDriver::Process XRun = N usec`` (the dummy driver's own clock thread
  woke N µs late: the machine, not any client).
* A jackd killed with SIGKILL leaves ``/dev/shm/jack_<name>_*`` / ``jack_sem.*_<name>_*`` behind; with unique
  names that never clashes, and ``stop()`` removes its own leftovers.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self


@dataclass(frozen=True)
class JackPort:
    name: str  # "client:port"
    is_input: bool  # JACK's view: an input port receives audio (our capture ports are *inputs* of our client)
    is_physical: bool

    @property
    def client(self) -> str:
        return self.name.split(":", 1)[0]


@dataclass(frozen=True)
class XrunTally:
    """What jackd's log says went late, so far: per client, the periods it had not finished; and how often the
    dummy driver's own clock thread woke late (no client can prevent those)."""

    unfinished: dict[str, int]
    driver_late: int

    def since(self, earlier: XrunTally) -> XrunTally:
        clients = self.unfinished.keys() | earlier.unfinished.keys()
        return XrunTally(
            {c: self.unfinished.get(c, 0) - earlier.unfinished.get(c, 0) for c in clients},
            self.driver_late - earlier.driver_late,
        )

    def of(self, client_prefix: str) -> int:
        """Unfinished periods of the clients whose names start with ``client_prefix`` ("PortAudio" matches
        PortAudio-01 too)."""
        return sum(n for c, n in self.unfinished.items() if c.startswith(client_prefix))


_UNFINISHED = re.compile(r"JackEngine::XRun: client = (.+?) was not finished")
_DRIVER_LATE = "JackTimedDriver::Process XRun"


class JackError(RuntimeError):
    """A JACK server could not be started or used."""


class JackUnavailable(JackError):
    """jackd is not installed, or did not start."""


class JackServer:
    """``jackd -d dummy`` under a unique server name, stopped by PID. ``realtime``: run JACK's (and so our
    callback's) thread with real-time scheduling, as a studio setup would; needs the right to (root, or the
    `audio` group's rtprio limit)."""

    TOOLS: tuple[str, ...] = ("jackd", "jack_wait")

    def __init__(
        self,
        samplerate: int = 48000,
        period: int = 256,
        name: str | None = None,
        channels: int = 2,
        start_timeout: float = 15.0,
        realtime: bool = False,
        prefix: str = "rlfx",
    ) -> None:
        self.samplerate = samplerate
        self.period = period
        self.channels = channels
        self.realtime = realtime
        self.name = name or f"{prefix}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.start_timeout = start_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_path: Path | None = None

    @classmethod
    def available(cls) -> bool:
        return all(shutil.which(tool) is not None for tool in cls.TOOLS)

    @property
    def env(self) -> dict[str, str]:
        """Environment entries that point libjack (and so PortAudio and the jack_* tools) at this server."""
        return {"JACK_DEFAULT_SERVER": self.name, "JACK_NO_START_SERVER": "1"}

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self) -> Self:
        """Start jackd and return once it accepts clients (JackUnavailable, with jackd's output, if it won't)."""
        for tool in self.TOOLS:
            if shutil.which(tool) is None:
                raise JackUnavailable(f"{tool} not found: install Debian's jackd2 (sudo apt-get install jackd2)")
        fd, log = tempfile.mkstemp(prefix=f"{self.name}-", suffix=".log")
        self._log_path = Path(log)
        cmd = [
            "jackd", "-n", self.name, "--realtime" if self.realtime else "--no-realtime",
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
                raise JackUnavailable(f"jackd exited with {code} during startup:\n{tail}")
            # `jack_wait -c` answers at once (`-w` sleeps in 1 s steps); its exit code is 0 either way.
            if self._run("jack_wait", "-c", check=False).stdout.strip() == "running":
                return self
            if time.monotonic() > deadline:  # e.g. jackd hangs instead of exiting (it does with -r 0 or -p 0)
                tail = self.log_tail()
                self.stop()
                raise JackUnavailable(f"jackd '{self.name}' not ready after {self.start_timeout}s:\n{tail}")
            time.sleep(0.02)

    def stop(self) -> None:
        """Release PortAudio's client (see the module docstring), then terminate jackd, then kill it if it hangs."""
        sd: Any = sys.modules.get("sounddevice")  # its private _initialize/_terminate: no types to check
        released = sd is not None and os.environ.get("JACK_DEFAULT_SERVER") == self.name and sd._initialized
        if released:
            sd._terminate()
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if released:
            sd._initialize()  # server is gone, so no JACK host API; keeps sounddevice's exit handler balanced
        for leftover in Path("/dev/shm").glob(f"*_{self.name}_*"):  # only after SIGKILL; the name is ours alone
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
        if self._log_path is not None:
            self._log_path.unlink(missing_ok=True)
            self._log_path = None

    # --- ports (jack_lsp, jack_connect) ---------------------------------------------------------------------

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

    def loopback(self, client: str | None = None, timeout: float = 2.0) -> list[tuple[str, str]]:
        """Connect ``client``'s out_k to its in_k for every k (``None``: the one client with both, not the
        server's own); the input then hears the output two periods later. Call it while the stream is open (the
        ports exist only then). Returns the (source, destination) pairs."""
        for tool in ("jack_lsp", "jack_connect"):
            if shutil.which(tool) is None:
                raise JackUnavailable(f"{tool} not found: install Debian's jackd2 (sudo apt-get install jackd2)")
        deadline = time.monotonic() + timeout
        while True:
            ports = [p for p in self.ports() if not p.is_physical]
            name = client
            if name is None:
                both = sorted({p.client for p in ports if p.is_input} & {p.client for p in ports if not p.is_input})
                name = both[0] if len(both) == 1 else None
            outs = sorted(p.name for p in ports if p.client == name and not p.is_input)
            ins = sorted(p.name for p in ports if p.client == name and p.is_input)
            if outs and ins:
                break
            if time.monotonic() > deadline:
                raise JackError(f"no ports of JACK client {client!r}: {[p.name for p in self.ports()]}")
            time.sleep(0.05)
        pairs = list(zip(outs, ins))
        for source, destination in pairs:
            self.connect(source, destination)
        return pairs

    def log_tail(self, lines: int = 30) -> str:
        if self._log_path is None or not self._log_path.exists():
            return "(no jackd log)"
        return "\n".join(self._log_path.read_text(errors="replace").splitlines()[-lines:])

    def xrun_tally(self) -> XrunTally:
        """Count the late periods in jackd's log so far (take two and subtract: ``later.since(earlier)``)."""
        unfinished: dict[str, int] = {}
        driver_late = 0
        if self._log_path is not None and self._log_path.exists():
            for line in self._log_path.read_text(errors="replace").splitlines():
                if match := _UNFINISHED.search(line):
                    unfinished[match[1]] = unfinished.get(match[1], 0) + 1
                elif _DRIVER_LATE in line:
                    driver_late += 1
        return XrunTally(unfinished, driver_late)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _tool_env(self) -> dict[str, str]:
        return {**os.environ, **self.env}

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(args, capture_output=True, text=True, env=self._tool_env(), timeout=30)
        if check and result.returncode != 0:
            raise JackError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
        return result


class DummyJack(JackServer):
    """The bench's server: while inside ``with``, this process's environment and PortAudio point at it."""

    def __init__(self, samplerate: int = 48000, period: int = 256, realtime: bool = False) -> None:
        super().__init__(samplerate, period, realtime=realtime, prefix="rlfx-bench")
        self._saved_env: dict[str, str | None] = {}

    def __enter__(self) -> Self:
        self.start()
        for key, value in self.env.items():
            self._saved_env[key] = os.environ.get(key)
            os.environ[key] = value
        import sounddevice as sd

        sd._terminate()  # PortAudio only sees a server started after its import once re-initialised
        sd._initialize()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()  # PortAudio first, then jackd
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
