"""OSC on real UDP sockets on 127.0.0.1: python-osc on the other end, as a patch would be."""

import argparse
import socket
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from pythonosc.dispatcher import Dispatcher
from pythonosc.osc_server import BlockingOSCUDPServer
from pythonosc.udp_client import SimpleUDPClient

from rlfx_tui.core.descriptors import DESCRIPTOR_NAMES
from rlfx_tui.core.errors import RlfxError
from rlfx_tui.core.rehearsal import Rehearsal
from rlfx_tui.interop.osc import OscIn, OscOut, add_osc_options, preflight_osc, start_osc
from rlfx_tui.session import Session
from tests.core.sounds import feed, noise, tone


class Receiver:
    """A python-osc server collecting (address, args) in order."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list]] = []
        dispatcher = Dispatcher()
        dispatcher.set_default_handler(lambda address, *args: self.messages.append((address, list(args))))
        self.server = BlockingOSCUDPServer(("127.0.0.1", 0), dispatcher)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def of(self, address: str) -> list[list]:
        return [args for a, args in list(self.messages) if a == address]

    def last(self, address: str) -> list | None:
        found = self.of(address)
        return found[-1] if found else None

    def wait_for(self, predicate, timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            time.sleep(0.01)
        raise AssertionError(f"timed out; received {[a for a, _ in self.messages]}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def wait_until(predicate, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    raise AssertionError("timed out")


def as_float32(values) -> list[float]:
    return np.asarray(values, dtype=np.float32).astype(float).tolist()  # OSC 'f' is 32-bit


def test_osc_out_sends_every_change_features_and_labels(tmp_path, receiver):
    session = Session(data_dir=tmp_path, seed=2)
    rehearsal = Rehearsal(session)
    out = OscOut(session, "127.0.0.1", receiver.port, wekinator=True)
    out.attach(rehearsal)
    out.start()
    try:
        assert receiver.wait_for(lambda: receiver.of("/rlfx/names"))[0] == list(session.space.names)
        for sound in (tone(110, square=True, amp=0.5), noise(amp=0.3)):
            feed(session, sound)
            values = rehearsal.randomize()
            real = session.space.as_array(values)
            # the latest /rlfx/params is the new state, in real units, preset order, as 32-bit floats
            receiver.wait_for(lambda: receiver.last("/rlfx/params") == as_float32(real))
            norm = as_float32(session.space.normalize(real))
            receiver.wait_for(lambda: receiver.last("/rlfx/params/norm") == norm)
            receiver.wait_for(lambda: receiver.last("/wek/outputs") == norm)
            receiver.wait_for(lambda: receiver.last("/rlfx/features") == as_float32(session.descriptors))
        point = rehearsal.good()
        label = receiver.wait_for(lambda: receiver.of("/rlfx/label"))[-1]
        assert label[:2] == [point.id, 1] and label[2:] == as_float32(session.space.as_array(point.params))
        # follow mode (or anything else) that only sets session.current is seen by the poll
        session.set_current(session.predict())
        receiver.wait_for(lambda: receiver.last("/rlfx/params") == as_float32(session.space.as_array(session.current)))
        rehearsal.undo()
        assert receiver.wait_for(lambda: receiver.of("/rlfx/unlabel")) == [[point.id]]
        n_params = len(receiver.of("/rlfx/params"))
        time.sleep(0.3)  # nothing changed: no more /rlfx/params, but features keep coming at ~10 Hz
        assert len(receiver.of("/rlfx/params")) == n_params
        assert all(len(f) == len(DESCRIPTOR_NAMES) for f in receiver.of("/rlfx/features"))
    finally:
        out.stop()
    assert out.send_errors == 0


def test_no_socket_unless_asked(tmp_path):
    parser = argparse.ArgumentParser()
    add_osc_options(parser)
    session = Session(data_dir=tmp_path)
    handle = start_osc(parser.parse_args([]), session, Rehearsal(session))
    assert handle.out is None and handle.inp is None
    with pytest.raises(SystemExit):
        parser.parse_args(["--osc-out", "57120"])  # HOST:PORT required


@pytest.fixture
def osc_in(tmp_path):
    session = Session(data_dir=tmp_path / "data", seed=4)
    rehearsal = Rehearsal(session)
    inp = OscIn(rehearsal, 0).start()
    yield session, rehearsal, inp, SimpleUDPClient("127.0.0.1", inp.port)
    inp.stop()


def test_osc_in_drives_the_rehearsal_and_labels_land_on_disk(tmp_path, osc_in):
    session, rehearsal, inp, client = osc_in
    feed(session, tone(220))
    before = dict(session.current)
    client.send_message("/rlfx/strength", 0.25)
    wait_until(lambda: rehearsal.strength == 0.25)
    client.send_message("/rlfx/randomize", [])
    wait_until(lambda: session.current != before)
    liked = dict(session.current)
    client.send_message("/rlfx/good", [])
    wait_until(lambda: len(session.points) == 1)
    client.send_message("/rlfx/bad", 1)  # a foot switch press...
    client.send_message("/rlfx/bad", 0)  # ...and its release, which must not label again
    wait_until(lambda: inp.counters.handled == 4 and inp.counters.ignored == 1)
    client.send_message("/rlfx/follow", 1.0)  # Pd sends floats
    wait_until(lambda: rehearsal.follow)
    client.send_message("/rlfx/follow", False)  # OSC F
    wait_until(lambda: not rehearsal.follow)
    client.send_message("/rlfx/undo", [])  # removes the bad label
    wait_until(lambda: inp.counters.handled == 7)
    reopened = Session(data_dir=tmp_path / "data")  # what is on disk
    assert [(p.good, p.params) for p in reopened.points] == [(True, pytest.approx(liked))]
    assert inp.counters.malformed == 0 and inp.counters.failed == 0


def test_malformed_messages_are_counted_never_fatal(osc_in):
    session, rehearsal, inp, client = osc_in
    raw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    raw.sendto(b"hello, not OSC", ("127.0.0.1", inp.port))
    raw.sendto(b"/rlfx/good\x00\x00,i\x00\x00\x00\x01", ("127.0.0.1", inp.port))  # truncated int32
    raw.close()
    client.send_message("/rlfx/nope", [])  # unknown address
    client.send_message("/rlfx/strength", "loud")  # wrong type
    client.send_message("/rlfx/strength", [])  # wrong arity
    client.send_message("/rlfx/strength", [0.1, 0.2])
    client.send_message("/rlfx/good", ["yes"])
    client.send_message("/rlfx/good", [1, 1])
    client.send_message("/rlfx/follow", float("nan"))
    wait_until(lambda: inp.counters.malformed == 9)
    assert inp.counters.as_dict() | {"handled": 0} == {
        "handled": 0,
        "ignored": 0,
        "unparseable": 2,
        "unknown_address": 1,
        "bad_arguments": 6,
        "failed": 0,
        "refused": 0,
        "answered": 6,
    }
    assert session.points == [] and rehearsal.strength == 0.5
    client.send_message("/rlfx/good", [])  # still listening
    wait_until(lambda: len(session.points) == 1)


def test_a_failing_action_is_counted(osc_in, monkeypatch):
    session, rehearsal, inp, client = osc_in
    monkeypatch.setattr(rehearsal, "randomize", lambda: 1 / 0)
    inp.triggers["/rlfx/randomize"] = rehearsal.randomize
    client.send_message("/rlfx/randomize", [])
    wait_until(lambda: inp.counters.failed == 1)
    assert "ZeroDivisionError" in inp.last_error


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_command_end_to_end(tmp_path, receiver):
    """The console entry point: a client says good over OSC, the label comes back out and is on disk."""
    port = free_udp_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rlfx_tui",
            "--data-dir",
            str(tmp_path),
            "serve",
            "--osc-in",
            str(port),
            "--osc-out",
            f"127.0.0.1:{receiver.port}",
            "--demo-input",
            "--seconds",
            "20",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert "serving preset 'space'" in proc.stdout.readline()
        client = SimpleUDPClient("127.0.0.1", port)
        client.send_message("/rlfx/randomize", [])
        client.send_message("/rlfx/good", [])
        label = receiver.wait_for(lambda: receiver.of("/rlfx/label"), timeout=15)[0]
        assert label[:2] == [1, 1]
        client.send_message("/rlfx/follow", 1)
        receiver.wait_for(lambda: len({tuple(f) for f in receiver.of("/rlfx/features")}) > 3)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert [p.good for p in Session(data_dir=tmp_path).points] == [True]


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_osc_options(parser)
    return parser.parse_args(argv)


def test_wekinator_alone_goes_to_wekinators_port_and_ipv6_brackets(tmp_path):
    session = Session(data_dir=tmp_path)
    handle = start_osc(parse("--wekinator", "--wekinator-port", "0"), session, Rehearsal(session))
    try:
        assert handle.out.destination == ("127.0.0.1", 12000) and handle.out.wekinator
    finally:
        handle.stop()
    assert parse("--osc-out", "[::1]:57120").osc_out == ("::1", 57120)
    assert parse("--osc-out", ":57120").osc_out == ("127.0.0.1", 57120)


def test_busy_port_or_bad_host_is_one_line_error(tmp_path):
    session = Session(data_dir=tmp_path)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as busy:
        busy.bind(("127.0.0.1", 0))
        port = busy.getsockname()[1]
        with pytest.raises(RlfxError, match=f"cannot listen for OSC on 127.0.0.1:{port}"):
            preflight_osc(parse("--osc-in", str(port)))
        with pytest.raises(RlfxError, match=f"cannot listen for OSC on 127.0.0.1:{port}"):
            start_osc(parse("--osc-in", str(port), "--osc-out", "127.0.0.1:9"), session, Rehearsal(session))
    with pytest.raises(RlfxError, match="cannot send OSC to no-such-host.invalid:57120"):
        preflight_osc(parse("--osc-out", "no-such-host.invalid:57120"))
    preflight_osc(parse("--osc-out", "127.0.0.1:57120", "--osc-in", "0"))  # fine: nothing raised, nothing kept
    with pytest.raises(RlfxError, match="cannot send OSC to no-such-host.invalid:57120"):
        start_osc(parse("--osc-out", "no-such-host.invalid:57120"), session, Rehearsal(session))


def test_a_failing_snapshot_never_stops_the_sender(tmp_path, receiver):
    session = Session(data_dir=tmp_path)
    calls = iter([RuntimeError("boom")])

    def flaky():
        error = next(calls, None)
        if error:
            raise error
        return session.current

    out = OscOut(session, "127.0.0.1", receiver.port, values=flaky).start()
    try:
        receiver.wait_for(lambda: receiver.of("/rlfx/params"))
    finally:
        out.stop()
    assert out.poll_errors == 1


def test_engine_snapshots_are_what_goes_out(tmp_path, receiver):
    """With an audio engine, OSC reports what the engine plays (follow mode never touches session.current)."""
    session = Session(data_dir=tmp_path)
    played = {"values": dict(session.current)}
    heard = np.arange(len(DESCRIPTOR_NAMES), dtype=float)
    handle = start_osc(
        parse("--osc-out", f"127.0.0.1:{receiver.port}"),
        session,
        Rehearsal(session),
        values=lambda: played["values"],
        descriptors=lambda: heard,
    )
    try:
        followed = session.space.denormalize(np.full(len(session.space), 0.7))
        played["values"] = followed
        receiver.wait_for(lambda: receiver.last("/rlfx/params") == as_float32(session.space.as_array(followed)))
        receiver.wait_for(lambda: receiver.last("/rlfx/features") == heard.tolist())
    finally:
        handle.stop()


def test_serve_without_osc_is_a_one_line_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "rlfx_tui", "--data-dir", str(tmp_path), "serve"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "give --osc-in PORT and/or --osc-out HOST:PORT" in result.stderr
