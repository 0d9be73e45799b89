"""The audio device disappears mid-stream, on a real clocked JACK dummy server: the engine notices, never raises or
hangs, the session keeps labelling, and a restart brings sound (or an honest silent fallback) back; the app shows it.

Two ways to lose a stream:
- The JACK server shuts down under a running engine (jack_death.py, in a subprocess: after that PortAudio can
  neither close the stream nor terminate, so the test process must never be the one connected). PortAudio cannot
  reconnect to a server that came back without re-initialising, which asserts on the dead client, so there a
  restart falls back to the silent clock with a message saying to start the app again.
- The stream is aborted from another thread (what a device error does to PortAudio's ALSA/CoreAudio streams):
  in-process on the shared fixture server, where a restart really reopens JACK and callbacks flow again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from rlfx_tui.audio.engine import Engine, EngineConfig
from rlfx_tui.core.rehearsal import Rehearsal
from rlfx_tui.core.session import Session
from rlfx_tui.tui.app import make_app
from rlfx_tui.tui.widgets.audio import AudioPanel
from tests.jack_server import JackDummyServer
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
STOPPED = "the audio stream stopped"


def callback_rate(engine: Engine, seconds: float = 0.5) -> float:
    began, first = time.perf_counter(), engine.callbacks
    time.sleep(seconds)
    return (engine.callbacks - first) / (time.perf_counter() - began)


@pytest.mark.jack  # its own jackd, in a child process
def test_the_jack_server_shutting_down_under_the_engine(tmp_path: Path) -> None:
    began = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.jack_death", str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = child.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGTERM)  # its jackd too (SIGTERM: it unregisters from JACK's shm registry)
        out, err = child.communicate()
        pytest.fail(f"the engine hung after its JACK server went away:\n{err[-3000:]}")
    took = time.monotonic() - began
    assert child.returncode == 0, f"the process did not exit cleanly ({child.returncode}):\n{err[-3000:]}"
    report = json.loads(out.splitlines()[-1])
    before, after, restarted = report["before"], report["after"], report["restarted"]
    assert before["running"] and "JACK" in before["output"] and before["message"] == "", before
    # noticed at the next poll, said in words, no exception escaped (the child would have exited non-zero)
    assert report["noticed_after_s"] is not None and report["noticed_after_s"] < 1.0, report
    assert not after["running"] and STOPPED in after["message"] and after["callbacks"] == 0, after
    # restart neither hangs (PortAudio would wait 10 minutes) nor raises: the silent clock, and why
    assert report["restart_s"] < 5, report
    assert restarted["running"] and restarted["output"] == "none (silent)" and restarted["blocks"] > 5, restarted
    assert "start rlfx-tui again" in restarted["message"] and "labels are saved" in restarted["message"], restarted
    assert restarted["descriptors"][0] > -60, "the demo no longer reaches the analysis"
    assert report["stop_s"] < 5 and took < 45, "stopping or exiting hung"
    assert report["labels"] == [1, 2, 3]
    assert [(p.id, p.good) for p in Session(data_dir=tmp_path).points] == [(1, True), (2, False), (3, True)]


def abort_from_another_thread(engine: Engine) -> None:
    stream = engine._stream
    aborter = threading.Thread(target=stream.abort, name="device-error")
    aborter.start()
    aborter.join(timeout=5)
    assert not aborter.is_alive()


def jack_engine(session: Session) -> Engine:
    return Engine(session, EngineConfig(source="demo", hostapi="JACK", samplerate=48000, blocksize=256))


def test_an_aborted_stream_is_noticed_and_restart_reopens_it(jack_server: JackDummyServer, tmp_data_dir: Path) -> None:
    jack_server.portaudio_device()
    session = Session(data_dir=tmp_data_dir, seed=0)
    engine = jack_engine(session)
    engine.start()
    try:
        assert wait_for(lambda: engine.callbacks > 20) and engine.status.running
        abort_from_another_thread(engine)
        assert wait_for(lambda: not engine.status.running, 1.0)
        status = engine.status
        assert STOPPED in status.message and status.output_peak_db is not None
        assert session.label(True, train=False) == 1
        began = time.monotonic()
        engine.restart()
        assert time.monotonic() - began < 3
        status = engine.status
        assert status.running and status.message == "" and "JACK" in status.output_device, status
        rate = callback_rate(engine)
        assert rate == pytest.approx(jack_server.samplerate / 256, rel=0.15), rate
        assert session.label(False, train=False) == 2
    finally:
        engine.stop()
    assert [p.good for p in Session(data_dir=tmp_data_dir).points] == [True, False]


async def test_the_app_shows_a_lost_stream_and_r_brings_it_back(
    jack_server: JackDummyServer, tmp_data_dir: Path
) -> None:
    from tests.tui.conftest import notices, until

    jack_server.portaudio_device()
    session = Session(data_dir=tmp_data_dir, seed=0)
    engine = jack_engine(session)
    engine.start()
    app = make_app(session, Rehearsal(session, engine, train_in_background=True), engine, poll_interval=0.1)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            panel = app.screen.query_one(AudioPanel)
            await until(pilot, lambda: panel.status is not None and panel.status.running)
            await pilot.press("right")
            abort_from_another_thread(engine)
            await until(pilot, lambda: "STOPPED" in panel.health()[0])
            await until(pilot, lambda: any(STOPPED in n for n in notices(app)))
            await pilot.press("left")  # labelling goes on while the audio is down
            await pilot.press("r")
            await until(pilot, lambda: engine.status.running and "STOPPED" not in panel.health()[0])
            assert "JACK" in engine.status.output_device
            assert callback_rate(engine, 0.3) > 100
            await pilot.press("right")
            await until(pilot, lambda: len(app.session.points) == 3)
            await app.workers.wait_for_complete()
            assert app.is_running
    finally:
        engine.stop()
    assert [p.good for p in Session(data_dir=tmp_data_dir).points] == [True, False, True]


@pytest.mark.jack
@pytest.mark.tmux
def test_the_app_in_tmux_when_its_jack_server_shuts_down(tmp_path: Path) -> None:
    """The real console script on its own JACK server (the test process never connects to it), which then shuts
    down: the app shows it, keeps labelling, `r` falls back to silence and says why, and q quits at once."""
    from tests.tui.test_tmux import SCRIPT, Tmux

    data_dir = tmp_path / "data"
    server = JackDummyServer(samplerate=48000, period=256).start()
    tmux = Tmux(tmp_path.name)
    env = {**os.environ, **server.env, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "32"}
    command = f"{SCRIPT} --source demo --hostapi JACK --data-dir {data_dir}; echo EXITED=$?; sleep 30"
    try:
        subprocess.run(
            ["tmux", "-L", tmux.socket, "new-session", "-d", "-s", "app", "-x", "100", "-y", "32", command],
            check=True,
            env=env,
            timeout=10,
        )
        tmux.wait_for("q quit")
        assert wait_for(lambda: any(p.client.startswith("PortAudio") for p in server.ports()), 20)
        tmux.press("Right")
        tmux.wait_for("✓ good")
        server._proc.terminate()
        server._proc.wait(timeout=10)
        # the audio panel says STOPPED, or the notice saying so in words sits over it (notices are top right)
        assert wait_for(lambda: "STOPPED" in (screen := tmux.screen()) or "audio stream stopped" in screen, 10), (
            tmux.screen()
        )
        tmux.press("Left")
        tmux.wait_for("✗ bad")
        tmux.press("r")
        screen = tmux.wait_for("silent", timeout=15)
        assert "STOPPED" not in screen
        assert "pa_jack.c" not in screen, "PortAudio wrote over the layout"
        began = time.monotonic()
        tmux.press("q")
        screen = tmux.wait_for("EXITED=", timeout=20)
        assert "EXITED=0" in screen and "Traceback" not in screen and "Assertion" not in screen, screen
        quit_s = time.monotonic() - began
    finally:
        tmux("kill-server")
        server.stop()
    print(f"quit after the JACK server went away: {quit_s:.1f} s")
    assert quit_s < 10
    # The audio engine runs in its own process (audio/engine_process.py): `r` starts a fresh one, whose PortAudio
    # never knew the dead server, so PortAudio's old complaint (pa_jack.c, into stderr.log) no longer happens at all;
    # and this process released its own PortAudio at launch (devices.release_portaudio), so quitting cannot abort.
    assert [p.good for p in Session(data_dir=data_dir).points] == [True, False]
