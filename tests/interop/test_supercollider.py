"""End to end against a real SuperCollider: scsynth booted by sclang on a privately named JACK dummy server, the
shipped helper (rlfx_tui/interop/rlfx.scd) declaring its example synth's space and sending its analysis of the
dry input, and `rlfx-tui serve` learning. The synth's controls are read back *on the server* with /s_get.

Traps handled here: sclang is started in its own session and its whole process group is killed (killing sclang
alone orphans scsynth); `sclang -u P` moves to P+1 when P is busy, so sclang reports its real port; waitForBoot
never fails when scsynth dies, so the script has a boot watchdog and a server watchdog; the JACK server is named
(JACK_DEFAULT_SERVER, s.options.device), so no other PortAudio or JACK process joins it. Boot takes seconds: one
sclang and one scsynth for the module.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.osc_packet import OscPacket

from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import load_preset
from tests.jack_server import JackDummyServer, JackError

HELPER = Path(__file__).resolve().parents[2] / "rlfx_tui" / "interop" / "rlfx.scd"
SCLANG, SCSYNTH = shutil.which("sclang"), shutil.which("scsynth")
NAMES = ["cutoff", "resonance", "drive", "mix"]
pytestmark = [pytest.mark.sclang, pytest.mark.timeout(600)]

SCRIPT = r"""
(
var port = "RLFX_SCSYNTH_PORT".getenv.asInteger, booted = false;
~rlfx = "RLFX_HELPER".getenv.load;
s = Server(\rlfxTest, NetAddr("127.0.0.1", port));
Server.default = s;
s.options.device = "RLFX_JACK".getenv ++ ":scsynth";
s.options.numInputBusChannels = 0;
s.options.numOutputBusChannels = 2;
s.options.bindAddress = "127.0.0.1";
AppClock.sched(40, { if (booted.not) { "RLFX BOOT FAILED".postln; 1.exit }; nil });
s.waitForBoot {
	~rlfx.addExample;
	SynthDef(\rlfxTestSource, { |out = 0, which = 0|
		Out.ar(out, Select.ar(which, [SinOsc.ar(220, 0, 0.3), WhiteNoise.ar(0.3)]));
	}).add;
	s.sync;
	~bus = Bus.audio(s, 1);
	~source = Synth(\rlfxTestSource, [\out, ~bus]);
	~fx = Synth.after(~source, \rlfxExample, [\in, ~bus, \out, 0]);
	s.sync;
	booted = true;
	// waitForBoot never notices a dead scsynth: watch it
	SkipJack({ if (s.serverRunning.not) { "RLFX SERVER DIED".postln; 1.exit } }, 1, name: \rlfxWatchdog);
	("RLFX READY" + NetAddr.langPort + ~source.nodeID + ~fx.nodeID).postln;
};
OSCdef(\testCompile, { |msg|
	var code = File.readAllString(msg[1].asString);
	("RLFX COMPILED" + thisProcess.interpreter.compile(code).notNil).postln;
}, '/test/compile');
OSCdef(\testStart, { |msg|
	~rlfx.addr = NetAddr("127.0.0.1", msg[1].asInteger);
	~rlfx.declare(\rlfxExample).postln;
	~rlfx.features(~bus);
	~rlfx.follow(~fx);
	"RLFX STARTED".postln;
}, '/test/start');
)
"""


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dgram(address: str, *args: object) -> bytes:
    builder = OscMessageBuilder(address)
    for arg in args:
        builder.add_arg(arg)
    return builder.build().dgram


class Lines:
    """A process's output lines, pumped into a queue (and kept, for the failure message)."""

    def __init__(self, stream) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream) -> None:
        for line in stream:
            self.seen.append(line.rstrip())
            self.queue.put(line.rstrip())

    def wait_for(self, text: str, timeout: float = 60.0, fail_on: tuple[str, ...] = ()) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.queue.get(timeout=0.1)
            except queue.Empty:
                continue
            if any(bad in line for bad in fail_on):
                raise AssertionError(f"{line!r}; output so far:\n" + "\n".join(self.seen[-40:]))
            if text in line:
                return line
        raise AssertionError(f"{text!r} never came; output so far:\n" + "\n".join(self.seen[-40:]))


@dataclass
class SuperCollider:
    lang_port: int
    scsynth_port: int
    source: int
    fx: int
    lines: Lines
    socket: socket.socket

    def send_lang(self, address: str, *args: object) -> None:
        self.socket.sendto(dgram(address, *args), ("127.0.0.1", self.lang_port))

    def send_server(self, address: str, *args: object) -> None:
        self.socket.sendto(dgram(address, *args), ("127.0.0.1", self.scsynth_port))

    def controls(self) -> dict[str, float]:
        """The example synth's controls as the server has them now (/s_get → /n_set)."""
        self.socket.settimeout(2.0)
        self.send_server("/s_get", self.fx, *NAMES)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            data, _ = self.socket.recvfrom(65536)
            for timed in OscPacket(data).messages:
                m = timed.message
                if m.address == "/n_set" and m.params[0] == self.fx:
                    values = list(m.params[1:])
                    return {str(values[i]): float(values[i + 1]) for i in range(0, len(values), 2)}
        raise AssertionError("no /n_set reply from scsynth")


@pytest.fixture(scope="module")
def supercollider(tmp_path_factory) -> Iterator[SuperCollider]:
    missing = [name for name, path in (("sclang", SCLANG), ("scsynth", SCSYNTH)) if path is None]
    if missing:
        packages = "supercollider-language supercollider-server"
        if os.geteuid() == 0:  # `make test` as root installs them (.ci/system-deps): missing is a broken setup
            pytest.fail(f"{', '.join(missing)} not found: apt-get install {packages}", pytrace=False)
        pytest.skip(
            f"{', '.join(missing)} not installed (sudo apt-get install {packages}); the SuperCollider "
            "end-to-end test did not run"
        )
    directory = tmp_path_factory.mktemp("sc")
    jack = JackDummyServer(samplerate=48000, period=256)
    try:
        jack.start()
    except JackError as exc:
        pytest.fail(f"JACK test server unavailable: {exc}", pytrace=False)
    script = directory / "e2e.scd"
    script.write_text(SCRIPT)
    env = (
        os.environ
        | jack.env
        | {
            "QT_QPA_PLATFORM": "offscreen",
            "QTWEBENGINE_DISABLE_SANDBOX": "1",
            "RLFX_HELPER": str(HELPER),
            "RLFX_JACK": jack.name,
            "RLFX_SCSYNTH_PORT": str(free_udp_port()),
        }
    )
    proc = subprocess.Popen(
        [SCLANG, "-u", str(free_udp_port()), str(script)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=directory,
        start_new_session=True,
    )  # its own process group: scsynth goes down with it
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    try:
        lines = Lines(proc.stdout)
        ready = lines.wait_for("RLFX READY", timeout=90, fail_on=("RLFX BOOT FAILED", "RLFX SERVER DIED"))
        lang_port, source, fx = (int(v) for v in ready.split()[-3:])  # the real port, wherever sclang went
        yield SuperCollider(lang_port, int(env["RLFX_SCSYNTH_PORT"]), source, fx, lines, sock)
    finally:
        sock.close()
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        jack.stop()


def wait_until(predicate, timeout: float = 20.0, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out: {what}")


def labels(data: Path) -> list[dict]:
    path = data / "rlfxExample" / "points.jsonl"
    if not path.exists():
        return []
    return [r for r in (json.loads(line) for line in path.read_text().splitlines() if line) if r["op"] == "label"]


def stop_serve(serve: subprocess.Popen, out: Lines, timeout: float = 10.0) -> None:
    """serve's Ctrl-C, then its exit code checked; a hang at shutdown dumps every thread's stack (SIGABRT)."""
    serve.send_signal(signal.SIGINT)  # it stops its OSC and prints its counters
    asked = time.monotonic()
    try:
        code = serve.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        serve.send_signal(signal.SIGABRT)
        serve.wait(timeout=10)
        time.sleep(0.5)  # the pump reads the last lines
        raise AssertionError(
            f"serve still running {timeout:.0f} s after Ctrl-C; its threads and output:\n" + "\n".join(out.seen[-80:])
        ) from None
    took = time.monotonic() - asked
    assert code == 0, f"serve exited with {code} {took:.1f} s after Ctrl-C:\n" + "\n".join(out.seen[-40:])


def test_serve_learns_for_a_real_supercollider_synth(supercollider, tmp_path):
    sc = supercollider
    data = tmp_path / "data"
    control = free_udp_port()
    serve = subprocess.Popen(
        [
            sys.executable,
            "-X",
            "faulthandler",  # a hang at shutdown dumps its threads on SIGABRT (stop_serve)
            "-m",
            "rlfx_tui",
            "--data-dir",
            str(data),
            "serve",
            "--osc-in",
            str(control),
            "--osc-out",
            f"127.0.0.1:{sc.lang_port}",
            "--seconds",
            "300",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    out = Lines(serve.stdout)

    def tell(address: str, *args: object) -> None:
        sc.socket.sendto(dgram(address, *args), ("127.0.0.1", control))

    try:
        out.wait_for("serving preset 'space'")
        sc.send_lang("/test/start", control)
        sc.lines.wait_for("RLFX STARTED")
        out.wait_for("adopted preset 'rlfxExample'")
        out.wait_for(f"engine: OSC → 127.0.0.1:{sc.lang_port}")
        out.wait_for("features: 3 @", fail_on=("Traceback",))
        space = ParameterSpace(load_preset(data / "presets" / "rlfxExample.toml").params)
        assert list(space.names) == NAMES

        def norm(values: dict[str, float]) -> np.ndarray:
            return space.normalize({n: values[n] for n in NAMES})

        liked: dict[int, np.ndarray] = {}
        for which in (0, 1):  # a sine, then noise: two different input sounds, told apart by SC's own analysis
            sc.send_server("/n_set", sc.source, "which", which)
            time.sleep(1.0)  # the features follow the new sound
            for verdict in ("/rlfx/bad", "/rlfx/good"):
                before = sc.controls()
                tell("/rlfx/randomize")
                # every jump reaches the synth on the server
                jumped = wait_until(
                    lambda: (lambda c: c if c != before else None)(sc.controls()),
                    what="the server's controls to change after a jump",
                )
                time.sleep(0.3)
                on_server = sc.controls()
                n = len(labels(data))
                tell(verdict)
                record = wait_until(lambda: labels(data)[n:] and labels(data)[n], what="the label on disk")
                assert record["good"] == (verdict == "/rlfx/good")
                np.testing.assert_allclose(
                    [record["params"][k] for k in NAMES], [on_server[k] for k in NAMES], rtol=1e-5
                )
                assert set(record["descriptors"]) == {"amp", "centroid", "flatness"}
                assert jumped != before
            liked[which] = norm(on_server)
        points = labels(data)
        centroid = [p["descriptors"]["centroid"] for p in points]
        assert max(centroid[2:]) > 2 * max(centroid[:2])  # noise is brighter than the sine, as SC measured it

        tell("/rlfx/follow", 1)
        out.wait_for("ModeChanged follow=True")
        for which in (1, 0):  # follow mode: SC's features of the sound played pick that sound's liked setting
            sc.send_server("/n_set", sc.source, "which", which)
            wait_until(
                lambda: np.abs(norm(sc.controls()) - liked[which]).max() < 0.1,
                timeout=20,
                what=f"the controls to follow sound {which} to its liked setting",
            )
        assert not [line for line in sc.lines.seen if line.startswith("rlfx-tui:")]  # no /rlfx/error came back
    finally:
        stop_serve(serve, out)
    counters = out.wait_for("stopped; OSC counters")
    assert "'bad_arguments': 0" in counters and "'failed': 0" in counters, counters


def test_the_shipped_example_compiles_in_sclang(supercollider, tmp_path):
    """`rlfx-tui export sc --example` needs a sound card to run (SoundIn); here sclang at least compiles it."""
    example = tmp_path / "example.scd"
    out = subprocess.run(
        [sys.executable, "-m", "rlfx_tui", "export", "sc", "--example"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    example.write_text(out)
    supercollider.send_lang("/test/compile", str(example))
    assert supercollider.lines.wait_for("RLFX COMPILED", timeout=30).endswith("true")
    readme = (HELPER.parents[2] / "README.md").read_text()
    snippet = readme.split("```supercollider\n", 1)[1].split("```", 1)[0]
    assert len(snippet.splitlines()) < 20  # the README's promise: the workflow in under 20 lines of SC
    block, rest = snippet.split("\n)\n", 1)  # evaluated as two chunks in the IDE: the ( … ) block, then the swipes
    for i, chunk in enumerate((block + "\n)\n", rest)):
        (tmp_path / f"readme{i}.scd").write_text(chunk)
        supercollider.send_lang("/test/compile", str(tmp_path / f"readme{i}.scd"))
        assert supercollider.lines.wait_for("RLFX COMPILED", timeout=30).endswith("true"), chunk
    broken = tmp_path / "broken.scd"
    broken.write_text(out.replace("s.sync;", "s.sync(;", 1))
    supercollider.send_lang("/test/compile", str(broken))
    assert supercollider.lines.wait_for("RLFX COMPILED", timeout=30).endswith("false")  # the check can fail


@pytest.mark.tmux
def test_the_app_in_tmux_adopts_the_synth_and_its_keys_move_the_server(supercollider, tmp_path):
    """The real console script, started on the shipped preset; the synth declares itself and the app switches to
    it while running: then space moves the controls on scsynth and → records what the server has."""
    from tests.tui.test_tmux import SCRIPT, Tmux

    assert shutil.which("tmux"), "tmux is required for this test (apt-get install tmux)"
    sc = supercollider
    data = tmp_path / "data"
    control = free_udp_port()
    tmux = Tmux(tmp_path.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JACK_")} | {
        "TERM": "xterm-256color",
        "COLUMNS": "110",
        "LINES": "34",
    }  # the demo on the silent clock, not our JACK
    command = (
        f"{SCRIPT} --source demo --data-dir {data} --osc-in {control} --osc-out 127.0.0.1:{sc.lang_port}; "
        "echo EXITED=$?; sleep 30"
    )
    subprocess.run(
        ["tmux", "-L", tmux.socket, "new-session", "-d", "-s", "app", "-x", "110", "-y", "34", command],
        check=True,
        env=env,
        timeout=10,
    )
    try:
        tmux.wait_for("labelled points")
        tmux.wait_for("audio · demo")
        sc.send_server("/n_set", sc.source, "which", 0)
        sc.send_lang("/test/start", control)
        screen = tmux.wait_for(f"engine: OSC → 127.0.0.1:{sc.lang_port}")
        assert "rlfxExample" in screen and "cutoff" in screen
        tmux.wait_for("features: 3 @")
        before = sc.controls()
        tmux.press("Space")
        wait_until(lambda: sc.controls() != before, what="the server's controls to follow the jump")
        time.sleep(0.3)
        on_server = sc.controls()
        tmux.press("Right")
        tmux.wait_for("✓ good")
        tmux.press("q")
        screen = tmux.wait_for("EXITED=")
        assert "EXITED=0" in screen and "Traceback" not in screen
    finally:
        tmux("kill-server")
    record = labels(data)[-1]
    assert record["good"] and set(record["descriptors"]) == {"amp", "centroid", "flatness"}
    np.testing.assert_allclose([record["params"][k] for k in NAMES], [on_server[k] for k in NAMES], rtol=1e-5)
