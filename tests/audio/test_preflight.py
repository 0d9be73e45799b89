"""Starts that never surprise: a device or file the player asked for is there, or the start is one line and exit 2
listing what exists (never the demo loop in its place)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pedalboard.io import AudioFile

from rlfx_tui.audio.config import EngineConfig
from rlfx_tui.audio.devices import DeviceNotFound, available, preflight_devices
from tests.jack_server import JackDummyServer

ROOT = Path(__file__).resolve().parents[2]


def test_nothing_asked_for_is_never_refused() -> None:
    preflight_devices(EngineConfig())  # the engine then plays what it can (the demo without an input)
    preflight_devices(EngineConfig(source="demo", input_device="ignored without a live source"))


def test_a_file_source_must_be_audio(tmp_path: Path) -> None:
    good = tmp_path / "tone.wav"
    with AudioFile(str(good), "w", samplerate=48000, num_channels=1) as f:
        f.write(np.zeros((1, 4800), dtype=np.float32))
    preflight_devices(EngineConfig(source=str(good)))
    bad = tmp_path / "notes.txt"
    bad.write_text("not audio")
    for path in (bad, tmp_path / "missing.wav"):
        with pytest.raises(DeviceNotFound, match=f"^--source {path}: cannot read audio"):
            preflight_devices(EngineConfig(source=str(path)))


def test_a_missing_device_on_jack_lists_the_devices_there(jack_server: JackDummyServer) -> None:
    import sounddevice as sd

    jack_server.portaudio_device()
    preflight_devices(EngineConfig(hostapi="JACK"))  # the server's own default devices are there
    inputs, outputs = available(sd, "input"), available(sd, "output")
    assert "JACK" in inputs and "JACK" in outputs
    with pytest.raises(DeviceNotFound) as caught:
        preflight_devices(EngineConfig(input_device="Scarlett", hostapi="JACK"))
    message = str(caught.value)
    assert message.startswith("--input-device Scarlett: no input device matching 'Scarlett'")
    assert f"inputs: {inputs}" in message and "\n" not in message
    with pytest.raises(DeviceNotFound, match=r"^--output-device 99: .*; outputs: "):
        preflight_devices(EngineConfig(output_device=99, hostapi="JACK"))
    with pytest.raises(DeviceNotFound, match=r"^--hostapi CoreAudio: no host API matching"):
        preflight_devices(EngineConfig(hostapi="CoreAudio"))


def test_the_command_exits_2_with_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for option, shown in (("--input-device", "inputs: "), ("--output-device", "outputs: ")):
        out = subprocess.run(
            [sys.executable, "-m", "rlfx_tui", option, "no-such-interface", "--data-dir", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            stdin=subprocess.DEVNULL,
        )
        assert out.returncode == 2, out
        lines = out.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"rlfx-tui: error: {option} no-such-interface: "), lines
        assert shown in lines[0] and "rlfx-tui devices" in lines[0]
