"""The widgets on their own, in a bare app: what each one shows for given data."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult

import rlfx_tui.tui

from rlfx_tui.tui.widgets.model import ModelPanel

from .conftest import screen_text


APP_CSS = Path(rlfx_tui.tui.__file__).with_name("app.tcss")


class PanelApp(App[None]):
    CSS_PATH = APP_CSS

    def compose(self) -> ComposeResult:
        yield ModelPanel(id="model")


@pytest.mark.parametrize("good,spark", [([True] * 3, "███"), ([False] * 3, "▁▁▁"), ([True, False], "█▅"),
                                        ([True], "█")])
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
