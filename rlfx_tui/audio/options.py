"""The engine's command-line options, for the app launch: `rlfx-tui --source demo --blocksize 128 ...`."""

from __future__ import annotations

import argparse

from rlfx_tui.audio.config import DEFAULT_BLOCKSIZE, EngineConfig


def _device(value: str) -> int | str:
    """A device index ("3") or part of its name ("Scarlett")."""
    return int(value) if value.strip().isdigit() else value


def _latency(value: str) -> float | str:
    if value in ("low", "high"):
        return value
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected 'low', 'high' or seconds, got {value!r}") from None
    if not 0 < seconds < 2:
        raise argparse.ArgumentTypeError(f"latency must be between 0 and 2 seconds, got {value}")
    return seconds


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {value}")
    return number


def _channels(value: str) -> tuple[int, ...]:
    """ "1", "1,2" or "3,4": channel numbers as the interface labels them (from 1), each once."""
    try:
        channels = tuple(int(part) for part in value.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected channel numbers such as 1 or 1,2, got {value!r}") from None
    if any(not 1 <= c <= 64 for c in channels) or len(set(channels)) != len(channels):
        raise argparse.ArgumentTypeError(f"expected distinct channel numbers from 1 to 64, got {value!r}")
    return channels


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("audio")
    group.add_argument(
        "--source",
        default="live",
        metavar="live|demo|FILE",
        help="live: the input device (default); demo: a built-in band loop; FILE: an audio file, "
        "looped. Without an input device (or PortAudio) the app falls back to demo; an "
        "asked-for device or FILE that is missing is an error",
    )
    group.add_argument(
        "--input-device",
        type=_device,
        default=None,
        metavar="ID|NAME",
        help="input device index or part of its name (see `rlfx-tui devices`)",
    )
    group.add_argument(
        "--output-device", type=_device, default=None, metavar="ID|NAME", help="output device index or part of its name"
    )
    group.add_argument("--hostapi", default=None, metavar="NAME", help="host API to use, e.g. JACK or ALSA")
    group.add_argument(
        "--samplerate",
        type=_positive,
        default=None,
        metavar="HZ",
        help="sample rate (default: the output device's; JACK's own rate on JACK)",
    )
    group.add_argument(
        "--blocksize",
        type=_positive,
        default=DEFAULT_BLOCKSIZE,
        metavar="FRAMES",
        help=f"frames per audio callback (default {DEFAULT_BLOCKSIZE}: "
        f"{1000 * DEFAULT_BLOCKSIZE / 48000:.1f} ms at 48 kHz)",
    )
    group.add_argument(
        "--latency",
        type=_latency,
        default=None,
        metavar="low|high|SECONDS",
        help="PortAudio latency hint (default low)",
    )
    group.add_argument(
        "--channels",
        type=_positive,
        default=2,
        metavar="N",
        help="output channels: 2 plays the chain in stereo, with the effects' width; 1 is the mono chain (default 2)",
    )
    group.add_argument(
        "--input-channels",
        type=_channels,
        default=(1,),
        metavar="N[,N...]",
        help="which of the input device's channels are the instrument, numbered from 1 as the "
        "interface labels them (default 1); two are kept as left and right for a stereo output, "
        "else mixed",
    )
    group.add_argument(
        "--audio-process",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run the audio engine in a process of its own, so the screen never competes with the callback for "
        "Python's GIL (default; far fewer dropouts at small blocks); --no-audio-process runs it in the app's process",
    )


def engine_config_from_args(args: argparse.Namespace) -> EngineConfig:
    return EngineConfig(
        source=getattr(args, "source", "live"),
        input_device=getattr(args, "input_device", None),
        output_device=getattr(args, "output_device", None),
        hostapi=getattr(args, "hostapi", None),
        samplerate=getattr(args, "samplerate", None),
        blocksize=getattr(args, "blocksize", DEFAULT_BLOCKSIZE),
        latency=getattr(args, "latency", None),
        channels=getattr(args, "channels", 2),
        input_channels=getattr(args, "input_channels", (1,)),
    )
