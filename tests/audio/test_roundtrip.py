"""The measured round trip: the impulse probe on a simulated loop, and the engine's stream on a JACK loop."""

from __future__ import annotations

import numpy as np
import pytest

from rlfx_tui.audio.roundtrip import ImpulseProbe, round_trip
from tests.jack_server import JackDummyServer

SR = 48000


@pytest.mark.parametrize(("blocksize", "delay"), [(256, 512), (64, 128), (128, 300)])
def test_the_probe_measures_a_loops_delay_to_the_frame(blocksize: int, delay: int) -> None:
    """A loop that hands the output back ``delay`` frames later, whatever the block boundaries."""
    probe = ImpulseProbe(SR, count=5, every_s=0.05, warmup_s=0.02)
    line = np.zeros(delay + 100 * SR, dtype=np.float32)  # what the input will hear, by frame
    frame = 0
    while not probe.finished and frame < 10 * SR:
        block = line[frame : frame + blocksize].copy()
        probe(block)
        line[frame + delay : frame + delay + blocksize] += block  # bypass: out = in, back after `delay`
        frame += blocksize
    assert probe.finished and probe.delays.tolist() == [delay] * 5


def test_the_engine_round_trip_on_a_jack_loop(jack_server: JackDummyServer) -> None:
    """At least one block (an input sample can't come back before the block it went out in is played), and
    within one period of what PortAudio reports: on the dummy backend nothing but the server's and PortAudio's
    buffers delays the loop (no converters, no cable), and PortAudio computes its figure from those same
    buffers, so they can differ only by how a period-clocked server aligns the two directions (under a period)."""
    jack_server.portaudio_device()
    period = jack_server.period
    trip = round_trip(jack_server, period, impulses=4)
    assert trip.frames is not None and len(trip.heard) == 4, trip
    assert trip.frames >= period
    assert len(set(trip.heard)) == 1, trip.heard  # sample-exact, every time
    reported = trip.reported_total_ms
    assert reported is not None and trip.ms is not None
    assert abs(trip.ms - reported) <= 1000 * period / jack_server.samplerate, trip.format()
