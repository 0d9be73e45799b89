"""The preset data model: a chain of pedalboard plugins, the parameters it exposes, its safety stage; and the bounds
every preset is held to. A leaf: presets.py (finding and loading presets) and preset_toml.py (reading a file) both
build on it.

Values that could run away (feedback, gain) are bounded by SAFE_RANGES whatever the preset says.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pedalboard

PLUGIN_TYPES: dict[str, type] = {
    name: getattr(pedalboard, name)
    for name in (
        "Bitcrush",
        "Chorus",
        "Clipping",
        "Compressor",
        "Delay",
        "Distortion",
        "Gain",
        "HighShelfFilter",
        "HighpassFilter",
        "LadderFilter",
        "Limiter",
        "LowShelfFilter",
        "LowpassFilter",
        "NoiseGate",
        "PeakFilter",
        "Phaser",
        "Reverb",
    )
}

# Bounds no preset may exceed, so random jumps can't produce runaway feedback or absurd gain.
SAFE_RANGES: dict[tuple[str, str], tuple[float, float]] = {
    ("Delay", "feedback"): (0.0, 0.9),
    ("Delay", "delay_seconds"): (0.0, 4.0),
    ("Chorus", "feedback"): (-0.9, 0.9),
    ("Phaser", "feedback"): (-0.9, 0.9),
    ("Reverb", "freeze_mode"): (0.0, 0.0),  # frozen reverb is an endless drone; not something to jump into
    ("Reverb", "room_size"): (0.0, 1.0),
    ("Gain", "gain_db"): (-60.0, 24.0),
    ("Distortion", "drive_db"): (0.0, 60.0),
    ("LadderFilter", "resonance"): (0.0, 0.95),
    ("Bitcrush", "bit_depth"): (2.0, 32.0),
}

# Plugins loaded from a file rather than built in: the preset's `type` → what it holds ("au" only on macOS).
EXTERNAL_TYPES: dict[str, str] = {"vst3": "a VST3 plugin (.vst3)", "au": "an Audio Unit (.component)"}

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")
HUGE = 1e7  # no musical parameter is anywhere near this; larger numbers are typos


@dataclass(frozen=True)
class PluginSpec:
    id: str
    type: str
    settings: dict[str, float | str] = field(default_factory=dict)
    path: Path | None = None  # external plugins (EXTERNAL_TYPES): the bundle, resolved (~, relative to the preset)
    plugin_name: str = ""  # external plugins: which one, in a bundle that holds several
    name: str = ""  # external plugins: the plugin's own name, as it reported it when the preset was checked
    channels: int = 0  # external plugins: the channel count it runs at (1 or 2); 0 = any (built-ins)
    latency_samples: int = 0  # external plugins: the latency it reports

    @property
    def external(self) -> bool:
        return self.type in EXTERNAL_TYPES

    @property
    def title(self) -> str:
        return self.name or self.type


@dataclass(frozen=True)
class ParamSpec:
    name: str
    plugin: str
    attribute: str
    min: float
    max: float
    default: float
    unit: str = ""
    scale: Literal["linear", "log"] = "linear"
    pinned: bool = False
    random_min: float = math.nan  # real units; NaN = min
    random_max: float = math.nan  # real units; NaN = max
    label: str = ""
    # A choice parameter (a switch, a mode): the values the plugin takes, in order. Its real value in the parameter
    # space is the index into `values` (min 0, max len − 1, default the default's index); the chain sets values[i].
    values: tuple[float | str | bool, ...] = ()

    @property
    def display(self) -> str:
        return self.label or self.name.replace("_", " ")

    @property
    def is_choice(self) -> bool:
        return bool(self.values)

    def shown(self, value: float) -> str:
        """A real value as the player reads it: a choice's value itself, a number as %g."""
        if self.values:
            choice = self.values[min(len(self.values) - 1, max(0, int(round(value))))]
            if isinstance(choice, bool) or self.values in ((0.0, 1.0), (False, True)):  # a switch
                return "on" if choice else "off"
            return f"{choice:g}" if isinstance(choice, float) else str(choice)
        return f"{value:g}"


@dataclass(frozen=True)
class SafetySpec:
    limiter_threshold_db: float = -3.0
    limiter_release_ms: float = 80.0
    ceiling_db: float = -0.3


ENGINES = ("pedalboard", "osc")  # osc: no plugins; the parameters go out over OSC to a patch that makes the sound
CONTEXT_SOURCES = ("audio", "osc")  # what the learner keys on: the audio descriptors, or named floats over OSC


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    path: Path
    plugins: tuple[PluginSpec, ...]
    params: tuple[ParamSpec, ...]
    safety: SafetySpec
    engine: Literal["pedalboard", "osc"] = "pedalboard"
    context_names: tuple[str, ...] = ()  # [context] names: features received over OSC; () = the audio descriptors

    def plugin(self, plugin_id: str) -> PluginSpec:
        return next(p for p in self.plugins if p.id == plugin_id)

    @property
    def chain_summary(self) -> str:
        if self.engine == "osc":
            return "OSC (the patch makes the sound)"
        return (
            " → ".join(
                p.title + (f" (latency {p.latency_samples} smp)" if p.latency_samples else "") for p in self.plugins
            )
            + " → Limiter"
        )

    @property
    def channels(self) -> int:
        """1, or 2 when a plugin runs only in stereo (the mono input is then duplicated, the output folded back)."""
        return max([1, *(p.channels for p in self.plugins)])
