from datetime import UTC, datetime, timedelta, timezone

import pytest

from rlfx_tui.tui.format import (
    Clock,
    bar,
    compact_number,
    format_db,
    format_value,
    frozen_clock,
    like_rates,
    meter_fraction,
    profile,
)


def test_bar_has_its_width_and_eighth_resolution():
    assert bar(0.0, 4) == "    " and bar(1.0, 4) == "████"
    assert bar(0.5, 4) == "██  " and bar(1 / 32, 4) == "▏   "
    assert bar(float("nan"), 3) == "   " and bar(7.0, 2) == "██"


def test_profile_one_cell_per_value():
    assert profile([0.0, 0.5, 1.0]) == "▁▅█"


@pytest.mark.parametrize(
    "value,unit,text",
    [
        (40.0, "Hz", "40.0 Hz"),
        (1234.0, "Hz", "1.23 kHz"),
        (0.35, "s", "350 ms"),
        (1.2, "s", "1.20 s"),
        (0.3, "", "0.30"),
        (float("inf"), "", "—"),
    ],
)
def test_format_value(value, unit, text):
    assert format_value(value, unit) == text


def test_meters_and_numbers():
    assert format_db(-200) == "  -∞ dB" and format_db(-6.04) == " -6.0 dB"
    assert meter_fraction(0) == 1 and meter_fraction(-60) == 0 and meter_fraction(None) == 0
    assert compact_number(1234) == "1.2k" and compact_number(0.12) == ".12" and compact_number(0) == "0"
    assert compact_number(-18.2) == "-18"


def test_like_rates_slide_over_the_labels():
    assert like_rates([True, False, True, True], window=2) == [1.0, 0.5, 0.5, 1.0]
    assert len(like_rates([True] * 100)) == 30


def test_clock_shows_dataset_times_in_its_zone():
    clock = frozen_clock(datetime(2026, 1, 1, 12, 0, 5, tzinfo=UTC))
    assert clock.stamp() == "12:00:05"
    assert clock.local("2026-01-01T08:30:00.123+00:00") == "08:30:00"
    assert Clock().local("not a time at all") == "not a time "  # shown as given, cut to the column


def test_clock_dates_labels_from_another_day_in_its_zone():
    clock = frozen_clock(datetime(2026, 1, 1, 12, 0, 5, tzinfo=UTC))
    assert clock.local("2025-12-31T23:59:00.500+00:00") == "12-31 23:59"
    assert clock.local("2026-01-01T00:00:00+00:00") == "00:00:00"
    assert clock.local("2026-01-02T08:00:00+00:00") == "01-02 08:00"
    paris = Clock(now=lambda: datetime(2026, 1, 1, 12, 0, tzinfo=UTC), tz=timezone(timedelta(hours=1)))
    assert paris.local("2025-12-31T23:30:00+00:00") == "00:30:00"  # today in Paris, though yesterday in UTC
    assert paris.local("2025-12-31T22:30:00+00:00") == "12-31 23:30"
