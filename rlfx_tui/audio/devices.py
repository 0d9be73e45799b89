"""PortAudio through sounddevice: loading it with a useful error, finding devices, listing them.

sounddevice's Linux wheel does not bundle PortAudio: ``import sounddevice`` raises
``OSError: PortAudio library not found`` until the system library is installed. Everything here turns that (and
"no such device") into a message that says what to do, because the app must start anyway, on the demo source.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, NamedTuple

from rlfx_tui.core.errors import RlfxError

if TYPE_CHECKING:
    from rlfx_tui.audio.config import EngineConfig

INSTALL_HINT = (
    "install it with `sudo apt-get install libportaudio2` (Debian/Ubuntu) or `brew install portaudio` (macOS)"
)


class PortAudioMissing(RlfxError):
    """The PortAudio library (or sounddevice) cannot be loaded."""


class DeviceNotFound(RlfxError):
    """The requested (or default) device does not exist or has no channels of the needed kind."""


def load_sounddevice() -> ModuleType:
    """Import sounddevice, or raise PortAudioMissing saying which package to install."""
    try:
        import sounddevice
    except (OSError, ImportError) as exc:  # OSError: no libportaudio; ImportError: sounddevice itself missing
        raise PortAudioMissing(f"PortAudio is not available ({exc}): {INSTALL_HINT}") from exc
    return sounddevice


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    hostapi: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float

    @property
    def label(self) -> str:
        return f"{self.name} ({self.hostapi})"


def _device(sd: ModuleType, index: int) -> Device:
    info: dict[str, Any] = sd.query_devices(index)
    api = sd.query_hostapis(info["hostapi"])["name"]
    return Device(
        index,
        info["name"],
        api,
        int(info["max_input_channels"]),
        int(info["max_output_channels"]),
        float(info["default_samplerate"]),
    )


def find_hostapi(sd: ModuleType, name: str) -> int:
    """Index of the host API whose name contains ``name`` (case-insensitive), e.g. "JACK" or "ALSA"."""
    apis = sd.query_hostapis()
    for i, api in enumerate(apis):
        if name.lower() in api["name"].lower():
            return i
    raise DeviceNotFound(f"no host API matching {name!r} (PortAudio has: {', '.join(a['name'] for a in apis)})")


def find_device(sd: ModuleType, spec: int | str | None, kind: str, hostapi: str | None = None) -> Device:
    """The device for ``kind`` ("input" or "output"): by index, by a substring of its name, or the default
    (of ``hostapi`` when given). Raises DeviceNotFound with the reason."""
    channels = "max_input_channels" if kind == "input" else "max_output_channels"
    api_index = find_hostapi(sd, hostapi) if hostapi else None
    if spec is None or spec == "":
        if api_index is not None:
            index = int(sd.query_hostapis(api_index)[f"default_{kind}_device"])
        else:
            index = int(sd.default.device[0 if kind == "input" else 1])
            if index < 0:  # no explicit default: PortAudio's own
                index = _pa_default(sd, kind)
        if index < 0:
            where = f" on {hostapi}" if hostapi else ""
            raise DeviceNotFound(f"no default {kind} device{where}")
    elif isinstance(spec, int) or str(spec).isdigit():
        index = int(spec)
    else:
        matches = [
            i
            for i, d in enumerate(sd.query_devices())
            if str(spec).lower() in d["name"].lower()
            and d[channels] > 0
            and (api_index is None or d["hostapi"] == api_index)
        ]
        if not matches:
            raise DeviceNotFound(f"no {kind} device matching {spec!r} (see `rlfx-tui devices`)")
        index = matches[0]
    try:
        device = _device(sd, index)
    except (ValueError, sd.PortAudioError) as exc:
        raise DeviceNotFound(f"{kind} device {spec!r}: {exc} (see `rlfx-tui devices`)") from exc
    if getattr(device, channels) < 1:
        raise DeviceNotFound(f"{device.label} has no {kind} channels (see `rlfx-tui devices`)")
    return device


class DeviceChoice(NamedTuple):
    sd: ModuleType | None  # None without PortAudio
    input: Device | None  # only for a live source
    output: Device | None


def choose_devices(config: EngineConfig, notes: list[str]) -> DeviceChoice:
    """The devices `config` asks for, as far as there are any; what is missing, and what the engine does
    instead, is added to `notes`."""
    try:
        sd = load_sounddevice()
    except PortAudioMissing as exc:
        notes.append(
            f"{exc}. Running silently on the demo loop" if config.source == "live" else f"{exc}. Running silently"
        )
        return DeviceChoice(None, None, None)

    def find(spec: int | str | None, kind: str, then: str) -> Device | None:
        try:
            return find_device(sd, spec, kind, config.hostapi)
        except DeviceNotFound as exc:
            notes.append(f"{exc}: {then}")
            return None

    in_dev = None
    if config.source == "live":  # the demo stands in only for a default input; an asked-for one is never swapped
        in_dev = find(
            config.input_device,
            "input",
            "playing the built-in demo loop instead; connect an input or choose one with --input-device "
            "(see `rlfx-tui devices`)"
            if config.input_device is None
            else "no input until it is back (press r to restart the audio engine)",
        )
    out_dev = find(config.output_device, "output", "running silently (still analysing)")
    return DeviceChoice(sd, in_dev, out_dev)


def available(sd: ModuleType, kind: str) -> str:
    """The devices with `kind` channels, as one line: "0 Scarlett 2i2 (ALSA), 3 system (JACK)" or "none"."""
    channels = "max_input_channels" if kind == "input" else "max_output_channels"
    found = [_device(sd, i) for i, d in enumerate(sd.query_devices()) if d[channels] > 0]
    return ", ".join(f"{d.index} {d.label}" for d in found) or "none"


def preflight_devices(config: EngineConfig) -> None:
    """What the player asked for (--input-device, --output-device, --hostapi, --source FILE) must be there: else one
    line naming what was asked and listing what exists (an RlfxError: exit 2 before the terminal is taken over),
    never a quiet fallback to the demo loop. Nothing asked: nothing checked (the engine then plays what it can)."""
    if config.source not in ("live", "demo"):
        from rlfx_tui.audio.sources import SourceError, check_file_source

        try:
            check_file_source(config.source)
        except SourceError as exc:
            raise DeviceNotFound(f"--source {config.source}: {exc}") from None
    asked = [
        (option, spec, kind)
        for option, spec, kind in (
            ("--input-device", config.input_device if config.source == "live" else None, "input"),
            ("--output-device", config.output_device, "output"),
        )
        if spec is not None
    ]
    if not asked and config.hostapi is None and tuple(config.input_channels) == (1,):
        return
    what = ", ".join(
        [f"{option} {spec}" for option, spec, _ in asked]
        + ([f"--hostapi {config.hostapi}"] if config.hostapi else [])
        + (
            [f"--input-channels {','.join(map(str, config.input_channels))}"]
            if tuple(config.input_channels) != (1,)
            else []
        )
    )
    try:
        sd = load_sounddevice()
    except PortAudioMissing as exc:
        raise DeviceNotFound(f"{what}: {exc}") from None
    if config.hostapi is not None:
        try:
            find_hostapi(sd, config.hostapi)
        except DeviceNotFound as exc:
            raise DeviceNotFound(f"--hostapi {config.hostapi}: {exc}") from None
    for option, spec, kind in asked:
        try:
            find_device(sd, spec, kind, config.hostapi)
        except DeviceNotFound as exc:
            reason = str(exc).removesuffix(" (see `rlfx-tui devices`)")
            raise DeviceNotFound(
                f"{option} {spec}: {reason}; {kind}s: {available(sd, kind)} (`rlfx-tui devices` lists them)"
            ) from None
    _check_input_channels(sd, config)


def _check_input_channels(sd: ModuleType, config: EngineConfig) -> None:
    """--input-channels must exist on the input device that will be opened."""
    if config.source != "live" or tuple(config.input_channels) == (1,):
        return
    asked = ",".join(map(str, config.input_channels))
    try:
        device = find_device(sd, config.input_device, "input", config.hostapi)
    except DeviceNotFound as exc:
        raise DeviceNotFound(f"--input-channels {asked}: {exc}; inputs: {available(sd, 'input')}") from None
    if max(config.input_channels) > device.max_input_channels:
        raise DeviceNotFound(
            f"--input-channels {asked}: {device.label} has {device.max_input_channels} input "
            f"channel{'s' if device.max_input_channels != 1 else ''}; inputs: "
            f"{available(sd, 'input')} (`rlfx-tui devices` lists them)"
        )


def release_portaudio() -> None:
    """Terminate PortAudio in this process if it was initialised, when another process (the audio process) opens
    the streams. Left initialised on JACK it holds a client that outlives a server shutting down, and terminating
    it at exit then aborts the process (pa_jack.c asserts that its dead client deactivated)."""
    sd: Any = sys.modules.get("sounddevice")  # its private _terminate: the only way, as in audio/jackd.py
    while sd is not None and sd._initialized:
        sd._terminate()


def _pa_default(sd: ModuleType, kind: str) -> int:
    try:
        return int(sd.query_devices(kind=kind)["index"])
    except (ValueError, sd.PortAudioError):
        return -1


def list_devices() -> str:
    """What `rlfx-tui devices` prints: host APIs and devices, defaults marked; never raises."""
    try:
        sd = load_sounddevice()
    except PortAudioMissing as exc:
        return f"{exc}\nWithout it rlfx-tui still runs, silently, on the built-in demo source."
    apis = sd.query_hostapis()
    devices = sd.query_devices()
    lines = [f"PortAudio {sd.get_portaudio_version()[1]}; host APIs: {', '.join(a['name'] for a in apis) or 'none'}"]
    if len(devices) == 0:
        lines.append(
            "No audio devices found. rlfx-tui will start on the demo source (--source demo), silently, "
            "and still analyse it. Connect an audio interface, or start a JACK/PulseAudio server."
        )
        return "\n".join(lines)
    default_in, default_out = _pa_default(sd, "input"), _pa_default(sd, "output")
    lines.append(f"{'':2}{'#':>3}  {'name':<40} {'host API':<12} {'in':>3} {'out':>3}  default rate")
    for i, d in enumerate(devices):
        mark = ("<" if i == default_in else " ") + (">" if i == default_out else " ")
        lines.append(
            f"{mark}{i:>3}  {d['name'][:40]:<40} {apis[d['hostapi']]['name'][:12]:<12} "
            f"{d['max_input_channels']:>3} {d['max_output_channels']:>3}  {d['default_samplerate']:g} Hz"
        )
    lines.append(
        "< default input, > default output. Choose with --input-device / --output-device (index or part "
        "of the name) and --hostapi."
    )
    return "\n".join(lines)
