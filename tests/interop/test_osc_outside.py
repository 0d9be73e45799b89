"""A patch that brings its own parameter space and its own context, over real UDP on 127.0.0.1: python-osc on
the patch's side, one socket that both sends and receives (as sclang's does), and `rlfx-tui serve` for real."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.osc_packet import OscPacket

from rlfx_tui.core.rehearsal import Rehearsal
from rlfx_tui.interop.osc import OscIn
from rlfx_tui.interop.osc_outside import Outside
from rlfx_tui.session import Session

DECLARATION = ["mysynth", "freq", 20.0, 2000.0, "exp", 440.0, "amp", 0.0, 1.0, "lin", 0.2]


def message(address: str, args: list, types: str | None = None) -> bytes:
    builder = OscMessageBuilder(address)
    for i, arg in enumerate(args):
        builder.add_arg(arg, types[i] if types else None)
    return builder.build().dgram


class Patch:
    """One UDP socket: sends to rlfx-tui and collects everything that comes back (replies and --osc-out)."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.settimeout(0.05)
        self.port = self.socket.getsockname()[1]
        self.messages: list[tuple[str, list]] = []
        self.target: tuple[str, int] | None = None
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                data, _ = self.socket.recvfrom(65536)
            except (TimeoutError, OSError):
                continue
            for timed in OscPacket(data).messages:
                self.messages.append((timed.message.address, list(timed.message.params)))

    def send(self, address: str, *args: object, types: str | None = None) -> None:
        assert self.target is not None
        self.socket.sendto(message(address, list(args), types), self.target)

    def of(self, address: str) -> list[list]:
        return [args for a, args in list(self.messages) if a == address]

    def wait_for(self, predicate, timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            time.sleep(0.01)
        raise AssertionError(f"timed out; received {self.messages[-20:]}")

    def close(self) -> None:
        self._stop = True
        self._thread.join(timeout=2)
        self.socket.close()


@pytest.fixture
def patch():
    p = Patch()
    yield p
    p.close()


class Stage:
    """serve's adoption, in miniature: a declared preset becomes a new session and rehearsal."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.session = Session(data_dir=data_dir)
        self.rehearsal = Rehearsal(self.session)
        self.inp: OscIn | None = None

    def adopt(self, preset) -> None:
        self.session = Session(preset, data_dir=self.data_dir)
        self.rehearsal = Rehearsal(self.session)
        assert self.inp is not None
        self.inp.use(self.rehearsal)


@pytest.fixture
def stage(tmp_path, patch):
    stage = Stage(tmp_path / "data")
    inp = stage.inp = OscIn(
        stage.rehearsal, 0, outside=Outside(lambda: stage.rehearsal, stage.data_dir, adopt=stage.adopt)
    ).start()
    patch.target = ("127.0.0.1", inp.port)
    yield stage
    inp.stop()


def files(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_declare_adopt_features_and_labels_for_the_patchs_own_context(stage, patch):
    inp = stage.inp
    patch.send("/rlfx/declare", *DECLARATION)
    patch.wait_for(lambda: stage.session.preset.name == "mysynth")
    assert (stage.data_dir / "presets" / "mysynth.toml").is_file()
    patch.send("/rlfx/declare_features", "amp", "centroid")
    patch.wait_for(lambda: stage.session.context_names == ("amp", "centroid"))
    patch.send("/rlfx/good")  # no features yet: refused, and the patch is told why
    error = patch.wait_for(lambda: patch.of("/rlfx/error"))[-1][0]
    assert "not recorded: no features received yet" in error and stage.session.points == []
    for _ in range(3):
        patch.send("/rlfx/features", 0.3, 1200.0)
        time.sleep(0.05)
    patch.send("/rlfx/good")
    patch.wait_for(lambda: len(stage.session.points) == 1)
    assert stage.session.points[0].descriptors.tolist() == pytest.approx([0.3, 1200.0])
    assert Session("mysynth", data_dir=stage.data_dir).points[0].good  # on disk, reopened by name
    assert inp.counters.refused == 1 and inp.counters.bad_arguments == 0 and inp.counters.failed == 0


def test_malformed_declarations_and_features_are_counted_answered_and_write_nothing(stage, patch):
    inp = stage.inp
    patch.send("/rlfx/declare", *DECLARATION)
    patch.send("/rlfx/declare_features", "amp", "centroid")
    patch.wait_for(lambda: stage.session.context_names == ("amp", "centroid"))
    before = files(stage.data_dir)
    bad = [
        ("/rlfx/declare", ["other", "freq", 20.0, 2000.0, "exp"], None),  # wrong arity
        ("/rlfx/declare", ["other", "freq", float("nan"), 2000.0, "exp", 440.0], None),  # NaN
        ("/rlfx/declare", ["other", "freq", "low", 2000.0, "exp", 440.0], None),  # a string for a number
        ("/rlfx/declare", ["other", "freq", 20.0, 1e308 * 10, "exp", 440.0], "ssddsd"),  # 10^400 → inf (a double)
        ("/rlfx/declare", [], None),
        ("/rlfx/declare_features", ["amp", "amp"], None),
        ("/rlfx/declare_features", ["amp", 3], None),
        ("/rlfx/features", [0.3], None),  # wrong arity
        ("/rlfx/features", [0.3, float("nan")], None),
        ("/rlfx/features", [0.3, "loud"], None),
        ("/rlfx/features", [0.3, 1e308 * 10], "dd"),
        ("/rlfx/features", [0.5] * 13000, None),  # a 65 kB packet
        ("/wek/inputs", [1.0, 2.0, 3.0], None),
    ]
    for address, args, types in bad:
        patch.send(address, *args, types=types)
    patch.wait_for(lambda: inp.counters.bad_arguments == len(bad))
    errors = patch.wait_for(lambda: len(patch.of("/rlfx/error")) == len(bad) and patch.of("/rlfx/error"))
    texts = [e[0] for e in errors]
    assert "groups of 5" in texts[0] and "params[0].min: expected a finite number" in texts[1]
    assert "params[0].min: expected a number" in texts[2] and "params[0].max: expected a finite" in texts[3]
    assert "expected 2 features (amp, centroid), got 1" in texts[7] and "got 13000" in texts[11]
    assert all(len(t) <= 480 for t in texts)
    assert inp.counters.failed == 0 and inp.counters.unparseable == 0
    assert files(stage.data_dir) == before and stage.session.features.received == 0
    patch.send("/rlfx/features", 0.1, 100.0)  # still listening, still the same context
    patch.wait_for(lambda: stage.session.features.received == 1)


def test_redeclaring_with_labels_is_refused_and_the_patch_hears_why(stage, patch):
    patch.send("/rlfx/declare", *DECLARATION)
    patch.wait_for(lambda: stage.session.preset.name == "mysynth")
    stage.session.label(True)
    before = files(stage.data_dir)
    patch.send("/rlfx/declare", "mysynth", "freq", 20.0, 9000.0, "exp", 440.0)
    error = patch.wait_for(lambda: patch.of("/rlfx/error"))[-1][0]
    assert "already exists with another space and 1 label" in error and "--redeclare" in error
    assert files(stage.data_dir) == before and stage.session.space.spec("freq").max == 2000.0


def test_wekinator_inputs_and_control(stage, patch):
    inp = stage.inp
    patch.send("/wek/inputs", 1.0, 2.0)  # a shipped preset: nowhere to keep unnamed inputs
    assert "not one a patch declared" in patch.wait_for(lambda: patch.of("/rlfx/error"))[-1][0]
    patch.send("/rlfx/declare", *DECLARATION)
    patch.wait_for(lambda: stage.session.preset.name == "mysynth")
    patch.send("/wek/inputs", 1.0, 2.0, 3.0)  # names them wek_1..wek_3
    patch.wait_for(lambda: stage.session.features is not None and stage.session.features.received == 1)
    assert stage.session.context_names == ("wek_1", "wek_2", "wek_3")
    patch.send("/wekinator/control/startRunning")  # follow mode: needs a like first, so it stays off (a notice)
    patch.send("/rlfx/good")
    patch.wait_for(lambda: len(stage.session.points) == 1)
    patch.send("/wekinator/control/train")
    patch.send("/wekinator/control/startRunning")
    patch.wait_for(lambda: stage.rehearsal.follow)
    patch.send("/wekinator/control/stopRunning")
    patch.wait_for(lambda: not stage.rehearsal.follow)
    patch.send("/wekinator/control/deleteAllExamples")
    assert (
        "refused"
        in patch.wait_for(lambda: "deleteAllExamples" in patch.of("/rlfx/error")[-1][0] and patch.of("/rlfx/error"))[
            -1
        ][0]
    )
    patch.send("/wekinator/control/setInputNames", "a")
    patch.wait_for(lambda: inp.counters.unknown_address == 1)
    assert len(stage.session.points) == 1 and inp.counters.refused == 1 and inp.counters.failed == 0


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_adopts_a_declared_synth_and_sends_it_named_parameters(tmp_path, patch):
    port = free_udp_port()
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rlfx_tui",
            "--data-dir",
            str(data),
            "serve",
            "--osc-in",
            str(port),
            "--osc-out",
            f"127.0.0.1:{patch.port}",
            "--seconds",
            "30",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True).start()
    patch.target = ("127.0.0.1", port)
    try:
        patch.wait_for(lambda: any("serving preset 'space'" in line for line in lines), timeout=30)
        patch.send("/rlfx/good")  # serve has no audio in: a like for silence is refused
        assert "nothing is playing" in patch.wait_for(lambda: patch.of("/rlfx/error"))[-1][0]
        patch.send("/rlfx/declare", *DECLARATION)
        patch.wait_for(lambda: any("adopted preset 'mysynth'" in line for line in lines), timeout=30)
        assert any(f"engine: OSC → 127.0.0.1:{patch.port}" in line for line in lines)
        assert patch.wait_for(lambda: patch.of("/rlfx/names"))[-1] == ["freq", "amp"]
        named = patch.wait_for(lambda: [m for m in patch.of("/rlfx/set") if m[0] == "freq"])[-1]
        assert named == ["freq", pytest.approx(440.0), "amp", pytest.approx(0.2)]
        patch.send("/rlfx/declare_features", "amp", "centroid")
        patch.wait_for(lambda: any("features: 2, none received yet" in line for line in lines), timeout=30)
        patch.send("/rlfx/randomize")
        jumped = patch.wait_for(
            lambda: [m for m in patch.of("/rlfx/set") if m[0] == "freq" and m[1] != pytest.approx(440.0)]
        )[-1]
        for _ in range(30):
            patch.send("/rlfx/features", 0.4, 900.0)
            time.sleep(0.1)
        assert any(re.search(r"features: 2 @ (8|9|10|11) Hz", line) for line in lines), lines  # shown
        patch.send("/rlfx/good")
        label = patch.wait_for(lambda: patch.of("/rlfx/label"))[-1]
        assert label[:2] == [1, 1] and label[2:] == pytest.approx([jumped[1], jumped[3]], rel=1e-6)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    point = Session("mysynth", data_dir=data).points[0]
    assert point.descriptors.tolist() == pytest.approx([0.4, 900.0])
    assert not (data / "space" / "points.jsonl").exists()


def test_an_adoption_that_raises_is_counted_and_the_receiver_keeps_listening(tmp_path, patch):
    session = Session(data_dir=tmp_path / "data")
    rehearsal = Rehearsal(session)

    def broken(preset) -> None:
        raise OSError(28, "No space left on device")

    inp = OscIn(rehearsal, 0, outside=Outside(lambda: rehearsal, tmp_path / "data", adopt=broken)).start()
    patch.target = ("127.0.0.1", inp.port)
    try:
        patch.send("/rlfx/declare", *DECLARATION)
        patch.wait_for(lambda: inp.counters.failed == 1)
        assert "No space left" in inp.last_error
        patch.send("/rlfx/strength", 0.2)  # the receiver thread is still alive
        patch.wait_for(lambda: rehearsal.strength == 0.2)
    finally:
        inp.stop()
