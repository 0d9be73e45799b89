"""Plain formatting for the screen: values with units, text bars, times. No widgets here, so it is easy to test."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

EIGHTHS = " ▏▎▍▌▋▊▉█"
LEVELS = "▁▂▃▄▅▆▇█"
METER_FLOOR_DB = -60.0
TIME_WIDTH = 11  # "11-28 14:02"; today's "14:02:11" is shorter


def bar(fraction: float, width: int) -> str:
    """A horizontal bar `width` cells wide, filled to `fraction` ∈ [0, 1] with eighth-cell resolution."""
    width = max(int(width), 0)
    if not math.isfinite(fraction):
        fraction = 0.0
    eighths = round(min(max(fraction, 0.0), 1.0) * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (EIGHTHS[part] if part else "")
    return text + " " * (width - len(text))


def profile(fractions: Sequence[float]) -> str:
    """One cell per value ∈ [0, 1]: a parameter setting at a glance (▁ = minimum, █ = maximum)."""
    cells = []
    for f in fractions:
        f = min(max(f, 0.0), 1.0) if math.isfinite(f) else 0.0
        cells.append(LEVELS[min(int(f * len(LEVELS)), len(LEVELS) - 1)])
    return "".join(cells)


def format_value(value: float, unit: str = "") -> str:
    """A parameter value as a musician reads it: 40 Hz, 1.2 kHz, 350 ms, 0.30."""
    if not math.isfinite(value):
        return "—"
    if unit == "Hz" and abs(value) >= 1000:
        return f"{value / 1000:.2f} kHz"
    if unit == "s" and abs(value) < 1:
        return f"{value * 1000:.0f} ms"
    magnitude = abs(value)
    if magnitude >= 100:
        text = f"{value:.0f}"
    elif magnitude >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".rstrip()


def format_db(db: float | None) -> str:
    if db is None or not math.isfinite(db) or db <= -120:
        return "  -∞ dB"
    return f"{db:5.1f} dB"


def meter_fraction(db: float | None) -> float:
    if db is None or not math.isfinite(db):
        return 0.0
    return min(max((db - METER_FLOOR_DB) / -METER_FLOOR_DB, 0.0), 1.0)


def compact_number(value: float) -> str:
    """At most 5 characters: 1.2k, 850, 0.12, -18."""
    if not math.isfinite(value):
        return "—"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 10000:
        return f"{value / 1000:.0f}k"
    if magnitude >= 1000:
        return f"{value / 1000:.1f}k"
    if magnitude >= 10:
        return f"{value:.0f}"
    if magnitude >= 1:
        return f"{value:.1f}"
    return f"{value:.2f}".replace("0.", ".", 1) if value >= 0 else f"{value:.2f}"


def percent(fraction: float) -> str:
    return f"{round(fraction * 100):d} %"


def like_rates(good: Sequence[bool], window: int = 10, points: int = 30) -> list[float]:
    """The like-rate over a sliding window, for the last `points` labels (a sparkline's data)."""
    rates: list[float] = []
    start = max(len(good) - points, 0)
    for end in range(start + 1, len(good) + 1):
        recent = good[max(end - window, 0) : end]
        rates.append(sum(recent) / len(recent))
    return rates


@dataclass(frozen=True)
class Clock:
    """Wall-clock time for the screen; tests freeze it so snapshots don't change from run to run."""

    now: Callable[[], datetime] = field(default=lambda: datetime.now().astimezone())
    tz: tzinfo | None = None  # None: the machine's local time zone

    def local(self, iso: str) -> str:
        """An ISO timestamp from the dataset in this clock's zone: HH:MM:SS if it is from today, else
        MM-DD HH:MM (a resumed session's older labels), at most TIME_WIDTH characters either way."""
        try:
            moment = datetime.fromisoformat(iso)
        except ValueError:
            return iso[:TIME_WIDTH]
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        moment = moment.astimezone(self.tz)
        if moment.date() != self.now().astimezone(self.tz).date():
            return moment.strftime("%m-%d %H:%M")
        return moment.strftime("%H:%M:%S")

    def stamp(self) -> str:
        return self.now().astimezone(self.tz).strftime("%H:%M:%S")


def frozen_clock(moment: datetime) -> Clock:
    return Clock(now=lambda: moment, tz=moment.tzinfo or UTC)
