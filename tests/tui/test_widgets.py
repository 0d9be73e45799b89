"""What the widgets show: the model panel in a bare app, the points table in the app."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from textual.app import App, ComposeResult

import rlfx_tui.tui
from rlfx_tui.core import dataset as dataset_module
from rlfx_tui.core.dataset import LabelledPoint
from rlfx_tui.core.descriptors import DESCRIPTOR_NAMES
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import resolve_preset
from rlfx_tui.tui.app import make_app
from rlfx_tui.tui.format import frozen_clock, profile
from rlfx_tui.tui.widgets.model import ModelPanel
from rlfx_tui.tui.widgets.points import POINT_HEADER, PointsTable, detail_header, knob_legend

from .conftest import FROZEN, screen_text, settle

APP_CSS = Path(rlfx_tui.tui.__file__).with_name("app.tcss")


class PanelApp(App[None]):
    CSS_PATH = APP_CSS

    def compose(self) -> ComposeResult:
        yield ModelPanel(id="model")


@pytest.mark.parametrize(
    "good,spark",
    [
        ([True] * 3, "███"),
        ([False] * 3, "▁▁▁"),
        ([True, False], "█▅"),
        ([True], "█"),
    ],
)
async def test_the_like_sparkline_is_on_a_fixed_scale(good, spark):
    app = PanelApp()
    async with app.run_test(size=(40, 5)) as pilot:
        app.query_one(ModelPanel).show_points(good)
        await pilot.pause()
        like_line = next(line.strip(" │") for line in screen_text(app).splitlines() if "like" in line)
        assert like_line.split("%", 1)[1].strip() == spark  # one cell per label, 0 % = ▁ … 100 % = █


async def test_the_like_sparkline_keeps_the_newest_labels_when_they_outnumber_its_cells():
    app = PanelApp()
    async with app.run_test(size=(40, 5)) as pilot:
        app.query_one(ModelPanel).show_points([False] * 20 + [True] * 20)
        await pilot.pause()
        spark = app.query_one("#like-spark")
        cells = next(line.strip(" │") for line in screen_text(app).splitlines() if "like" in line).split("%")[1]
        assert len(cells.strip()) == spark.size.width < 30 and cells.strip()[0] == "▁" and cells.strip()[-1] == "█"


async def test_the_model_panel_says_when_the_answers_look_inconsistent_and_takes_no_room_otherwise():
    app = PanelApp()
    async with app.run_test(size=(40, 8)) as pilot:
        panel = app.query_one(ModelPanel)
        panel.show_sound("sound 1 of 2 · 9 labels · 3 liked")
        await pilot.pause()
        before = panel.size.height
        assert "inconsistent" not in screen_text(app)
        panel.show_doubt(True)
        await pilot.pause()
        assert "answers look inconsistent here" in screen_text(app) and panel.size.height == before + 1
        panel.show_doubt(False)
        await pilot.pause()
        assert "inconsistent" not in screen_text(app) and panel.size.height == before


async def test_the_model_panel_never_crops_the_sound_or_the_fit_in_a_narrow_terminal():
    """The side panel of an 80-column terminal is 32 columns: the sound line wraps, and the mapping's fit goes on a
    line of its own; given room again (a wider terminal), the fit is back beside the training time."""
    app = PanelApp()
    async with app.run_test(size=(32, 10)) as pilot:
        panel = app.query_one(ModelPanel)
        panel.show_sound("sound 3 of 13 · 12 labels · 4 liked")
        panel.show_training(False, "22:28:29", 30, 0.012)
        await pilot.pause()
        lines = [line.strip(" │╭╮╰╯─") for line in screen_text(app).splitlines()]
        assert "trained 22:28:29 (30 pts)" in lines and "fit 1 %" in lines
        assert any(line.endswith("4 liked") or line == "liked" for line in lines)
        await pilot.resize_terminal(60, 10)
        await pilot.pause()
        assert "trained 22:28:29 (30 pts) fit 1 %" in [line.strip(" │╭╮╰╯─") for line in screen_text(app).splitlines()]


def label_at(session, monkeypatch, *moments) -> None:
    times = iter(moments)
    monkeypatch.setattr(dataset_module, "_now", lambda: next(times).isoformat(timespec="milliseconds"))
    for _ in moments:
        session.randomize(0.5)
        session.label(True, train=False)
    session.retrain()  # fitted before the app starts (make_app on untrained points trains before the screen mounts)


async def test_labels_from_another_day_show_their_date(session, monkeypatch):
    label_at(session, monkeypatch, FROZEN - timedelta(days=1, minutes=5), FROZEN - timedelta(seconds=7))
    app = make_app(session, clock=frozen_clock(FROZEN), poll_interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(PointsTable)
        yesterday, today = (str(table.get_row(key)[0]) for key in ("1", "2"))
        assert yesterday.split()[:3] == ["1", "11-24", "19:25"] and today.split()[:2] == ["2", "19:29:53"]
        assert yesterday.index("✓") == today.index("✓")  # the label column stays aligned
        text = screen_text(app)
        assert "1  11-24 19:25  ✓ good" in text and "2  19:29:53     ✓ good" in text


@pytest.mark.parametrize(
    "preset,legend", [("space", "l rdm tfm sdw"), ("grit", "d b crf g t"), ("motion", "rdcfm br tfm l")]
)
def test_the_knob_legend_has_one_letter_per_parameter_grouped_by_effect(preset, legend):
    specs = resolve_preset(preset).params
    assert knob_legend(specs) == legend
    assert len(knob_legend(specs).replace(" ", "")) == len(specs)


@pytest.mark.parametrize("preset", ["space", "grit", "motion"])
@pytest.mark.parametrize("good", [True, False])
def test_every_cell_is_exactly_as_wide_as_its_fixed_width_column(preset, good):
    """The columns have fixed widths (an auto width was once seen to stay at the header's, cropping "✓ good"), so a
    cell must fit them exactly, at any descriptor value and on any day."""
    spec = resolve_preset(preset)
    space = ParameterSpace(spec.params)
    for descriptors, stamp in [(-120.0, "11-24 19:25"), (99999.0, "19:29:53"), (float("nan"), "19:29:53")]:
        point = LabelledPoint(1234, "t", good, np.full(len(DESCRIPTOR_NAMES), descriptors), space.default())
        table = PointsTable(space, local_time=lambda _: stamp)
        first, detail = table.cells(point)
        assert (first.width, detail.width) == (len(POINT_HEADER), len(detail_header(spec.params)))


async def test_ids_line_up_to_five_digits_and_a_sixth_widens_the_column_keeping_the_label_whole(app):
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(PointsTable)
        space = table.space
        for point_id in (9999, 10000, 100000):
            table.add_point(LabelledPoint(point_id, "t", True, np.zeros(len(DESCRIPTOR_NAMES)), space.default()))
            await settle(pilot)
        rows = [line for line in screen_text(app).splitlines() if "✓ good" in line]
        assert len(rows) == 3, rows
        assert rows[0].index("✓") == rows[1].index("✓")  # 4 and 5 digits: the time and label columns line up
        assert all(row.index("▂") == rows[0].index("▂") for row in rows)  # the next column still lines up


async def test_the_parameter_cells_sit_under_their_initials_at_80_columns(session, monkeypatch):
    label_at(session, monkeypatch, FROZEN - timedelta(days=1), FROZEN - timedelta(seconds=7))
    app = make_app(session, clock=frozen_clock(FROZEN), poll_interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lines = screen_text(app).splitlines()
        header = next(line for line in lines if "time" in line and "label" in line)
        start = header.index("l rdm tfm sdw")
        normalized = session.space.normalize(session.points[0].params)
        row = next(line for line in lines if line.lstrip().startswith("1  11-"))
        cells = row[start : start + len("l rdm tfm sdw")]
        assert cells.replace(" ", "") == profile(normalized.tolist())  # each cell under its knob's letter
        assert [c == " " for c in cells] == [c == " " for c in "l rdm tfm sdw"]
        assert len(header.rstrip()) < 80 and len(row.rstrip()) < 80  # inside the scrollbar


async def test_an_empty_table_says_what_to_press_until_the_first_label(app):
    hint = "no labels yet: space jumps, → likes, ← dislikes"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert hint in screen_text(app)
        await pilot.press("right")
        await settle(pilot)
        assert hint not in screen_text(app) and "✓ good" in screen_text(app)
        await pilot.press("d")  # the only label gone: the hint is back
        await settle(pilot)
        assert hint in screen_text(app) and "✓ good" not in screen_text(app)


async def test_the_empty_table_hint_follows_a_keymap(session):
    app = make_app(session, poll_interval=None, keymap={"rlfx.good": "pagedown,right", "rlfx.jump": "j"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "no labels yet: j jumps, pgdn likes, ← dislikes" in screen_text(app)


async def test_modes_off_are_dim_and_lower_case_on_bold_and_upper_case(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a", "m")
        await pilot.pause()
        top = screen_text(app).splitlines()[0]
        assert top.endswith("AUTO  follow  bypass  MUTED")
        for name, on in (("auto", True), ("follow", False), ("bypass", False), ("muted", True)):
            style = app.screen.query_one(f"#mode-{name}").rich_style
            assert (bool(style.bold), bool(style.dim)) == (on, not on), name
        await pilot.press("a")
        await pilot.pause()
        style = app.screen.query_one("#mode-auto").rich_style
        assert "auto  follow  bypass  MUTED" in screen_text(app) and style.dim and not style.bold
