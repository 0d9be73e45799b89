"""The benchmark runs end to end at a small size (the README's figures come from the full run)."""

from __future__ import annotations

from rlfx_tui.tui.bench import KEYS, summary, terminal_figures


def test_bench_measures_first_frame_and_keys():
    figures = terminal_figures(points=10, runs=2, presses=len(KEYS))
    assert len(figures["first_frame_s"]) == 2 and len(figures["main_screen_cached_s"]) == 1
    # generous bounds: CI machines are shared; the README reports the measured figures
    assert max(figures["first_frame_s"]) < 5.0
    for key in KEYS:
        assert len(figures[f"{key}_ms"]) == 1 and figures[f"{key}_ms"][0] < 1000
    assert "median" in summary(figures["space_ms"])
