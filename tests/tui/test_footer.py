"""The footer fits the terminal once MIDI pedals are learned: at 80 columns it shows the keys alone (the help lists
the pedals), on a wider terminal each pedal beside its key; a resize re-decides. No JACK here: the app only reads
the MIDI input's map for the footer, so a stand-in holding a map loaded from midi.toml is enough."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from rlfx_tui.interop.midi_map import MIDI_MAP_FILE, MidiMap
from rlfx_tui.tui.app import make_app
from rlfx_tui.tui.format import frozen_clock
from rlfx_tui.tui.pedals import footer_width
from rlfx_tui.tui.screens.help import HelpScreen

from .conftest import FROZEN, screen_text, settle, until

THREE = 'good = "note 60"\nbad = "cc 81"\njump = "program 3"\n'
EVERY_SWITCH = THREE + 'back = "cc 82"\nundo = "cc 83"\nauto = "note 64"\nfollow = "note 65"\nmute = "cc 127 ch 16"\n'
KEYS_ALONE = "space jump → good ← bad a auto f follow u undo m mute d delete ? help q quit"


@dataclass
class LearnedPedals:
    """What the app reads of an open MIDI input (rlfx_tui.interop.midi.MidiIn): its map."""

    map: MidiMap


def app_with_pedals(session, data_dir: Path, learned: str):  # noqa: ANN001, ANN201
    (data_dir / MIDI_MAP_FILE).write_text(learned)
    midi = LearnedPedals(MidiMap.load(data_dir / MIDI_MAP_FILE))
    return make_app(session, clock=frozen_clock(FROZEN), poll_interval=None, midi=midi)


def footer_line(app) -> str:  # noqa: ANN001
    return screen_text(app).splitlines()[-1]


def assert_footer_fits(app, width: int) -> None:  # noqa: ANN001
    footer = app.screen.query_one(Footer)
    keys = list(footer.query(FooterKey))
    assert keys and all(key.region.right <= width for key in keys), [(k.key_display, k.region) for k in keys]
    assert footer.virtual_size.width <= width
    line = footer_line(app)
    for key in keys:  # each entry whole on the bottom line, the last one too
        assert f"{key.key_display} {key.description}" in line, line


@pytest.mark.parametrize("learned", [THREE, EVERY_SWITCH], ids=["good-bad-jump", "every-switch"])
async def test_at_80_columns_the_footer_fits_and_the_help_lists_the_pedals(session, data_dir, learned) -> None:
    app = app_with_pedals(session, data_dir, learned)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert_footer_fits(app, 80)
        assert footer_line(app).rstrip() == KEYS_ALONE  # as without MIDI: nothing cut off at the right edge
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        shown = screen_text(app)
        assert "MIDI note 60" in shown and "MIDI cc 81" in shown and "MIDI program 3" in shown


async def test_a_wide_footer_shows_each_pedal_and_a_resize_refits_it(session, data_dir) -> None:
    app = app_with_pedals(session, data_dir, THREE)
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        line = footer_line(app)
        assert "space·pc3 jump" in line and "→·n60 good" in line and "←·cc81 bad" in line and "q quit" in line
        assert_footer_fits(app, 120)
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: footer_line(app).rstrip() == KEYS_ALONE)
        assert_footer_fits(app, 80)
        await pilot.resize_terminal(100, 32)
        await until(pilot, lambda: "→·n60 good" in footer_line(app))
        assert_footer_fits(app, 100)


def test_footer_width_counts_what_the_compact_footer_draws() -> None:
    assert footer_width([]) == 0
    assert footer_width([("→·n60", "good")]) == len("→·n60 good")
    assert footer_width([("space", "jump"), ("→", "good")]) == len("space jump → good")
