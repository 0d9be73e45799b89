"""Input/output meters, xruns and CPU, and a compact view of the input descriptors.

Fed by the screen's 10 Hz poll of the engine status (never pushed from the audio thread)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from rich.text import Text
from textual.widget import Widget

from rlfx_tui.core.descriptors import DESCRIPTOR_NAMES
from rlfx_tui.tui.format import bar, compact_number, format_db, meter_fraction

# Short names for the compact descriptor view, in the order shown.
DESCRIPTOR_SHORT: dict[str, str] = {
    "loudness_db": "loud",
    "centroid_hz": "cent",
    "flatness": "flat",
    "flux": "flux",
    "rolloff_hz": "roll",
    "spread_hz": "sprd",
    "zcr": "zcr",
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
    """The audio descriptors by their short names; features from outside by their own (cut to 6)."""
    names = [n for n in DESCRIPTOR_SHORT if n in values] or list(values)
    cells = [f"{DESCRIPTOR_SHORT.get(n, n[:6])} {compact_number(values[n]):>5}" for n in names]
    return ["  ".join(cells[i : i + per_line]) for i in range(0, len(cells), per_line)]


def meter_line(label: str, rms_db: float | None, peak_db: float | None, width: int, style: Any, hot_style: Any) -> Text:
    """`in  ██████▌     -18.2 dB`: RMS as the bar, peak as the number (hot near full scale)."""
    hot = peak_db is not None and peak_db > -1.0
    text = Text(no_wrap=True, overflow="crop")
    text.append(f"{label} ")
    text.append(bar(meter_fraction(rms_db), max(width - len(label) - 10, 4)), hot_style if hot else style)
    text.append(f" {format_db(peak_db)}")
    return text


def latency_text(latency_ms: tuple[float | None, float | None]) -> str:
    """PortAudio's input/output latency: "lat 5.3/11 ms" ("–" for a side the stream lacks; "" without a stream)."""
    if all(side is None for side in latency_ms):
        return ""
    shown = ["–" if ms is None else f"{ms:.1f}" if ms < 10 else f"{ms:.0f}" for ms in latency_ms]
    return f"lat {'/'.join(shown)} ms"


class AudioPanel(Widget):
    """Meters, health and descriptors, as one widget: the 10 Hz poll then repaints one region, not four.

    `show_status` takes an EngineStatus (or None: no engine); `show_descriptors` the engine's descriptors."""

    DEFAULT_CSS = """
    AudioPanel { height: auto; }
    """
    COMPONENT_CLASSES = {"audio--bar", "audio--hot", "audio--muted", "audio--warn"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.status: Any | None = None
        self.descriptor_text: list[str] = ["", ""]
        self.outside: list[str] = []  # an engine with no sound here: where the parameters go, the context's state
        self._shown: tuple[object, ...] = ()

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return 5

    def show_status(self, status: Any | None) -> None:
        self.status = status
        self._refresh_if_changed()

    def show_outside(self, lines: list[str]) -> None:
        """In place of the meters: `engine: OSC → host:port` and `features: 3 @ 10 Hz`."""
        self.outside = list(lines)[:3]
        self.show_source("engine · OSC")
        self._refresh_if_changed()

    def show_descriptors(self, raw: Any) -> None:
        per_line = max(2, (self.size.width + 2) // 12)  # all seven on two lines once there is room
        lines = descriptor_lines(descriptor_values(raw), per_line)
        self.descriptor_text = (lines + ["", ""])[:2]
        self._refresh_if_changed()

    def show_source(self, text: str) -> None:
        if self.border_title != text:
            self.border_title = text

    def health(self) -> tuple[str, bool]:
        status = self.status
        if status is None:
            return "no audio engine", False
        faults = int(getattr(status, "chain_faults", 0) or 0) + int(getattr(status, "callback_errors", 0) or 0)
        startup = int(getattr(status, "startup_xruns", 0) or 0)  # not dropouts while playing: shown apart
        parts = [
            f"xruns {status.xruns}" + (f" ({startup} at start)" if startup else ""),
            f"cpu {round(100 * (status.cpu_load or 0.0)):d} %",
        ]
        latency = latency_text(getattr(status, "latency_ms", (None, None)))
        if latency:
            parts.append(latency)
        if faults:
            parts.append(f"faults {faults}")
        if str(getattr(status, "output_device", "")).startswith("none"):
            parts.append("silent")
        if getattr(status, "muted", False):
            parts.append("MUTED")
        if not status.running:
            parts.insert(0, "STOPPED")
        return "  ".join(parts), bool(status.xruns or faults or not status.running)

    def _levels(self) -> tuple[float | None, ...]:
        s = self.status
        if s is None:
            return (None, None, None, None)
        return tuple(
            round(v, 1) if v is not None else None
            for v in (s.input_rms_db, s.input_peak_db, s.output_rms_db, s.output_peak_db)
        )

    def _refresh_if_changed(self) -> None:
        shown = (self._levels(), self.health(), tuple(self.descriptor_text), tuple(self.outside))
        if shown != self._shown:
            self._shown = shown
            self.refresh()

    def render(self) -> Text:
        width = self.size.width
        bar_style = self.get_component_rich_style("audio--bar")
        hot_style = self.get_component_rich_style("audio--hot")
        in_rms, in_peak, out_rms, out_peak = self._levels()
        health, warn = self.health()
        text = Text(no_wrap=True, overflow="crop")
        if self.outside:
            for i, line in enumerate((self.outside + ["", "", ""])[:3]):
                stale = "stale" in line or "none received" in line
                text.append(
                    ("\n" if i else "") + line,
                    self.get_component_rich_style(
                        "audio--warn" if stale else "audio--bar" if i == 0 else "audio--muted"
                    ),
                )
            for line in self.descriptor_text:
                text.append("\n")
                text.append(line, self.get_component_rich_style("audio--muted"))
            return text
        text.append_text(meter_line(" in", in_rms, in_peak, width, bar_style, hot_style))
        text.append("\n")
        text.append_text(meter_line("out", out_rms, out_peak, width, bar_style, hot_style))
        text.append("\n")
        text.append(health, self.get_component_rich_style("audio--warn" if warn else "audio--muted"))
        for line in self.descriptor_text:
            text.append("\n")
            text.append(line, self.get_component_rich_style("audio--muted"))
        return text
