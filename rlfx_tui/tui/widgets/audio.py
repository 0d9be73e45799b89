"""Input/output meters, xruns and CPU, and a compact view of the input descriptors.

Fed by the screen's 10 Hz poll of the engine status (never pushed from the audio thread)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical

from rlfx_tui.core.descriptors import DESCRIPTOR_NAMES
from rlfx_tui.tui.format import bar, compact_number, format_db, meter_fraction
from rlfx_tui.tui.widgets.line import Line

# Short names for the compact descriptor view, in the order shown.
DESCRIPTOR_SHORT: dict[str, str] = {
    "loudness_db": "loud", "centroid_hz": "cent", "flatness": "flat", "flux": "flux",
    "rolloff_hz": "roll", "spread_hz": "sprd", "zcr": "zcr",
}


def descriptor_values(raw: Any) -> dict[str, float]:
    """Accepts the engine's descriptors as a mapping or as an array in DESCRIPTOR_NAMES order."""
    if raw is None:
        return {}
    if isinstance(raw, Mapping):
        return {str(k): float(v) for k, v in raw.items()}
    values = np.asarray(raw, dtype=float).ravel()
    return dict(zip(DESCRIPTOR_NAMES, values.tolist()))


def descriptor_lines(values: Mapping[str, float], per_line: int = 2) -> list[str]:
    names = [n for n in DESCRIPTOR_SHORT if n in values]
    cells = [f"{DESCRIPTOR_SHORT[n]} {compact_number(values[n]):>5}" for n in names]
    return ["  ".join(cells[i:i + per_line]) for i in range(0, len(cells), per_line)]


class Meter(Line):
    """`in  ██████▌     -18.2 dB`: RMS as the bar, peak as the number."""

    COMPONENT_CLASSES = {"meter--bar", "meter--hot"}

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.label = label
        self.rms_db: float | None = None
        self.peak_db: float | None = None

    def show(self, rms_db: float | None, peak_db: float | None) -> None:
        if (rms_db, peak_db) != (self.rms_db, self.peak_db):
            self.rms_db, self.peak_db = rms_db, peak_db
            self.refresh()

    def render(self) -> Text:
        width = max(self.size.width - len(self.label) - 10, 4)
        hot = self.peak_db is not None and self.peak_db > -1.0
        style = self.get_component_rich_style("meter--hot" if hot else "meter--bar")
        text = Text(no_wrap=True, overflow="crop")
        text.append(f"{self.label} ")
        text.append(bar(meter_fraction(self.rms_db), width), style)
        text.append(f" {format_db(self.peak_db)}")
        return text


class AudioPanel(Vertical):
    """Meters, health and descriptors. `show_status` takes an EngineStatus (or None: no engine)."""

    def compose(self) -> ComposeResult:
        yield Meter(" in", id="meter-in")
        yield Meter("out", id="meter-out")
        yield Line("no audio engine", id="audio-health")
        yield Line("", id="descriptors")

    def show_status(self, status: Any | None) -> None:
        health = self.query_one("#audio-health", Line)
        if status is None:
            self.query_one("#meter-in", Meter).show(None, None)
            self.query_one("#meter-out", Meter).show(None, None)
            health.show("no audio engine")
            return
        self.query_one("#meter-in", Meter).show(status.input_rms_db, status.input_peak_db)
        self.query_one("#meter-out", Meter).show(status.output_rms_db, status.output_peak_db)
        faults = int(getattr(status, "chain_faults", 0) or 0) + int(getattr(status, "callback_errors", 0) or 0)
        parts = [f"xruns {status.xruns}", f"cpu {round(100 * (status.cpu_load or 0.0)):d} %"]
        if faults:
            parts.append(f"faults {faults}")
        if str(getattr(status, "output_device", "")).startswith("none"):
            parts.append("silent")
        if getattr(status, "muted", False):
            parts.append("MUTED")
        if not status.running:
            parts.insert(0, "STOPPED")
        health.show("  ".join(parts))
        health.set_class(bool(status.xruns or faults or not status.running), "-warn")

    def show_descriptors(self, raw: Any, per_line: int = 2) -> None:
        lines = descriptor_lines(descriptor_values(raw), per_line)
        self.query_one("#descriptors", Line).show("\n".join(lines[:2]))

    def show_source(self, text: str) -> None:
        if self.border_title != text:
            self.border_title = text
