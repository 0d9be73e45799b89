"""A private JACK dummy server for `rlfx-tui bench`: a real, clocked audio stream on a machine with no sound card.

``jackd --no-realtime -d dummy`` keeps a real period clock, so callbacks arrive at exactly samplerate/period per
second and overruns show up as xrun flags. (The test suite has a fuller fixture in tests/jack_server.py; this is
the shipped minimum.) PortAudio only discovers JACK when it initialises, and aborts the process if it is
terminated after its server died, so: start jackd, re-initialise PortAudio, ...; terminate PortAudio, stop jackd.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from types import ModuleType


class JackUnavailable(RuntimeError):
    pass


class DummyJack:
    def __init__(self, samplerate: int = 48000, period: int = 256, realtime: bool = False) -> None:
        """``realtime``: run JACK's (and so our callback's) thread with real-time scheduling, as a studio setup
        would; needs the right to (root, or the `audio` group's rtprio limit)."""
        self.samplerate, self.period, self.realtime = samplerate, period, realtime
        self.name = f"rlfx-bench-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._proc: subprocess.Popen[bytes] | None = None
        self._saved_env: dict[str, str | None] = {}
        self._sd: ModuleType | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("jackd") is not None and shutil.which("jack_wait") is not None

    def __enter__(self) -> DummyJack:
        if not self.available():
            raise JackUnavailable("jackd not found (Debian: sudo apt-get install jackd2)")
        env = {"JACK_DEFAULT_SERVER": self.name, "JACK_NO_START_SERVER": "1"}
        self._log = tempfile.TemporaryFile()  # jackd logs every xrun; a pipe nobody reads would block it
        self._proc = subprocess.Popen(
            ["jackd", "-n", self.name, "--realtime" if self.realtime else "--no-realtime", "-d", "dummy", "-r", str(self.samplerate),
             "-p", str(self.period)], stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, **env})
        deadline = time.monotonic() + 15
        while subprocess.run(["jack_wait", "-w", "-t", "1"], env={**os.environ, **env},
                             capture_output=True).returncode != 0:
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self._kill()
                raise JackUnavailable(f"jackd did not start (exit code {self._proc.returncode})")
        for key, value in env.items():
            self._saved_env[key] = os.environ.get(key)
            os.environ[key] = value
        import sounddevice as sd

        self._sd = sd
        sd._terminate()  # private, but the only way to make PortAudio see a server started after import
        sd._initialize()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._sd is not None:
            self._sd._terminate()  # before jackd goes: Pa_Terminate with a dead server aborts the process
        self._kill()
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if self._sd is not None:
            self._sd._initialize()  # keeps sounddevice's init count balanced for its exit handler

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        self._proc = proc  # keep returncode readable
        self._log.close()
