"""--input-channels on the clocked JACK dummy server: a metronome on the interface's second input only, heard when
channel 2 is the instrument, not when channel 1 is; two channels are mixed for a mono output and kept as left and
right for a stereo one; a channel the device lacks is refused at the start. The app's meters show it (Pilot)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from rlfx_tui.audio.config import EngineConfig
from rlfx_tui.audio.devices import DeviceNotFound, preflight_devices
from rlfx_tui.audio.engine import Engine
from rlfx_tui.core.rehearsal import Rehearsal
from rlfx_tui.core.session import Session
from rlfx_tui.tui.app import make_app
from rlfx_tui.tui.widgets.audio import AudioPanel
from tests.jack_server import JackDummyServer
from tests.tui.conftest import until

pytestmark = pytest.mark.jack


def live_engine(session: Session, channels: tuple[int, ...], outputs: int = 2) -> Engine:
    config = EngineConfig(
        source="live", hostapi="JACK", samplerate=48000, blocksize=256, input_channels=channels, channels=outputs
    )
    return Engine(session, config)


def our_input(jack_server: JackDummyServer, index: int) -> str:
    ports = [p.name for p in jack_server.ports() if p.name.endswith(f":in_{index}") and not p.is_physical]
    assert ports, [p.name for p in jack_server.ports()]
    return ports[0]


def input_peak(engine: Engine, seconds: float = 0.6) -> float:
    """The loudest input peak over a few beeps (the meter shows the latest block's)."""
    deadline, peak = time.monotonic() + seconds, -120.0
    while time.monotonic() < deadline:
        peak = max(peak, engine.status.input_peak_db)
        time.sleep(0.01)
    return peak


@pytest.mark.parametrize(
    ("channels", "beep_on", "peak_db", "outputs"),
    [
        ((2,), 2, -6.0, 2),  # 0.5 amplitude is -6 dBFS
        ((2,), 1, None, 2),  # the beep on input 1, the instrument on input 2: silence
        ((1, 2), 2, -12.0, 1),  # a mono output: mixed with a silent input 1, half of it
        ((1, 2), 2, -6.0, 2),  # a stereo output: a stereo instrument, its right side the beep (meters read both)
    ],
)
def test_only_the_chosen_input_channels_are_the_instrument(
    jack_server: JackDummyServer,
    beep: str,
    tmp_data_dir: Path,
    channels: tuple[int, ...],
    beep_on: int,
    peak_db: float | None,
    outputs: int,
) -> None:
    jack_server.portaudio_device()
    engine = live_engine(Session(data_dir=tmp_data_dir, seed=0), channels, outputs)
    engine.start()
    try:
        assert engine.status.running and engine.status.message == "", engine.status
        jack_server.connect(beep, our_input(jack_server, beep_on - 1))  # PortAudio's in_0 is the interface's 1
        peak = input_peak(engine)
    finally:
        engine.stop()
    if peak_db is None:
        assert peak == -120.0, peak
    else:
        assert peak == pytest.approx(peak_db, abs=1.5), peak


def test_a_channel_the_device_lacks_is_refused_at_the_start(jack_server: JackDummyServer) -> None:
    jack_server.portaudio_device()
    preflight_devices(EngineConfig(hostapi="JACK", input_channels=(1, 2)))  # the dummy server has 2 capture ports
    with pytest.raises(
        DeviceNotFound,
        match=r"^--input-channels 3,4: system \(JACK Audio Connection Kit\) has 2 "
        r"input channels; inputs: ",
    ):
        preflight_devices(EngineConfig(hostapi="JACK", input_channels=(3, 4)))


async def test_the_meters_show_input_2(jack_server: JackDummyServer, beep: str, tmp_data_dir: Path) -> None:
    jack_server.portaudio_device()
    session = Session(data_dir=tmp_data_dir, seed=0)
    engine = live_engine(session, (2,))
    engine.start()
    app = make_app(session, Rehearsal(session, engine, train_in_background=True), engine, poll_interval=0.05)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            panel = app.screen.query_one(AudioPanel)
            await until(pilot, lambda: panel.status is not None and panel.status.running)
            assert "in 2" in str(panel.border_title)
            jack_server.connect(beep, our_input(jack_server, 1))
            await until(pilot, lambda: panel.status.input_peak_db > -10)  # the in meter shows the beep
    finally:
        engine.stop()
