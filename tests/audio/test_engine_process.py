"""The audio engine in a process of its own (audio/engine_process.py), on the clocked JACK dummy server: it plays,
obeys the app's controls, reports back, is reported when it dies, and never outlives the app."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from rlfx_tui.audio.config import EngineConfig
from rlfx_tui.audio.engine_process import EngineProcess
from rlfx_tui.core.session import Session
from tests.jack_server import JackDummyServer

pytestmark = pytest.mark.jack


def _until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (ended, not yet reaped by its parent) counts as gone
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(") ")[-1][:1] != "Z"


@pytest.fixture
def engine(jack_server: JackDummyServer, tmp_data_dir: Path):  # noqa: ANN201
    jack_server.portaudio_device()
    session = Session(preset="grit", data_dir=tmp_data_dir)
    engine = EngineProcess(session, EngineConfig(source="demo", hostapi="JACK", blocksize=256))
    engine.start()
    yield engine
    engine.stop()


def test_it_plays_in_another_process_and_obeys_the_app(engine: EngineProcess, tmp_data_dir: Path) -> None:
    assert _until(lambda: engine.running), engine.status.message
    child = engine._process.pid
    assert child != os.getpid() and _alive(child)
    status = engine.status
    assert status.blocksize == 256 and status.samplerate == 48000 and "JACK" in status.output_device
    # the demo loop is playing: its descriptors and the output meter come back from the child
    assert _until(lambda: engine.status.output_peak_db > -60.0 and bool(np.any(engine.descriptors != 0.0)))
    # a parameter state set through the session reaches the child's engine
    session = engine.session
    loud = session.space.default() | {"drive": 30.0, "trim": -6.0}
    session.set_current(loud)
    want = session.space.as_array(loud)
    assert _until(lambda: np.allclose(session.space.as_array(engine.played), want)), (engine.played, loud)
    # mute: the child's output falls silent, and comes back
    engine.set_muted(True)
    assert _until(lambda: engine.status.output_peak_db <= -119.0), engine.status.output_peak_db
    engine.set_muted(False)
    assert _until(lambda: engine.status.output_peak_db > -60.0)
    # nothing on the app's terminal: the child's stderr is in the data dir's log
    assert engine.log_path.parent == tmp_data_dir and engine.log_path.exists()
    engine.stop()
    assert not _alive(child) and not engine.running


def test_a_dead_audio_process_is_reported_and_restart_brings_it_back(engine: EngineProcess) -> None:
    assert _until(lambda: engine.running)
    os.kill(engine._process.pid, signal.SIGKILL)
    assert _until(lambda: not engine.running)
    assert "audio process ended" in engine.status.message, engine.status.message
    engine.restart()
    assert _until(lambda: engine.running and engine.status.output_peak_db > -60.0), engine.status.message


CHILD_OF_A_KILLED_APP = """
import sys, time
from rlfx_tui.audio.config import EngineConfig
from rlfx_tui.audio.engine_process import EngineProcess
from rlfx_tui.core.session import Session

if __name__ == "__main__":
    engine = EngineProcess(Session(preset="grit", data_dir=sys.argv[1]), EngineConfig(source="demo", hostapi="JACK"))
    engine.start()
    print(engine._process.pid, engine.running, flush=True)
    time.sleep(60)
"""


def test_the_audio_process_ends_when_the_app_is_killed(jack_server: JackDummyServer, tmp_path: Path) -> None:
    """kill -9 of the app leaves no orphan playing: the child reads end-of-file on the app's pipe and stops."""
    script = tmp_path / "app.py"
    script.write_text(CHILD_OF_A_KILLED_APP)
    env = os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    app = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "data")], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        line = app.stdout.readline().split()  # type: ignore[union-attr]
        assert len(line) == 2 and line[1] == "True", line
        child = int(line[0])
        assert _alive(child)
        app.send_signal(signal.SIGKILL)
        app.wait(10)
        assert _until(lambda: not _alive(child), 10.0), "the audio process outlived the app"
    finally:
        app.kill()
        app.wait(10)


def test_follow_mode_drives_the_audio_process_with_the_app_s_mapping(tmp_data_dir: Path, tmp_path: Path) -> None:
    """Follow mode predicts in the app (the learner lives there) from the child's descriptors; the child plays
    what it is handed: the followed setting reaches its engine, and leaving follow mode hands back the last jump."""
    from rlfx_tui.sim.sounds import synth_sounds
    from tests.audio.test_engine import NO_DEVICE, _trained_session, _write

    session, targets = _trained_session(tmp_data_dir)
    path = _write(tmp_path / "bass.wav", synth_sounds(seconds=1.0)["bass"])  # steady: follow settles
    config = EngineConfig(source=str(path), output_device=NO_DEVICE, follow_interval_s=0.02, follow_smoothing_s=0.1)
    engine = EngineProcess(session, config)
    space = session.space
    session.set_current(space.default() | {"cutoff": 9000.0})  # the last jump: bright, far from the bass's like
    engine.start()
    try:
        assert _until(lambda: engine.running), engine.status.message
        engine.set_follow(True)
        assert engine.status.follow

        def settled_near_the_bass() -> bool:
            followed = space.normalize(engine.current_params)
            return bool(
                np.abs(followed - targets["bass"]).mean() < 0.5 * np.abs(followed - targets["noise_hats"]).mean()
            )

        # settled, and the cutoff down at the bass's dark like (the mapping says ~300 Hz): follow glides there
        # (follow_smoothing_s), so "near the bass" can hold mid-glide, at 2.3 kHz once in a CI dry run
        assert _until(lambda: settled_near_the_bass() and engine.current_params["cutoff"] < 2000.0), (
            engine.current_params
        )
        assert "follow" not in engine.status.message
        # the child's engine plays what follow mode handed it (the newest hand-off, once reported back)
        assert _until(lambda: np.allclose(space.as_array(engine.played), space.as_array(engine.current_params)))
        engine.set_follow(False)
        assert not engine.status.follow
        assert _until(lambda: engine.played["cutoff"] == pytest.approx(9000.0)), engine.played
    finally:
        engine.stop()
