"""`rlfx-tui devices`: the audio devices PortAudio sees, with the defaults marked, and the MIDI inputs."""

from __future__ import annotations

import argparse

HELP = "list audio devices and MIDI inputs (and say what to install when PortAudio is missing)"
TOUCHES_DATA = False


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from rlfx_tui.audio.devices import list_devices
    from rlfx_tui.interop.midi import list_midi

    print(list_devices())
    print(list_midi())
    return 0
