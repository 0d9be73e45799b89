"""The help screen: the knob legend of the points table, and a hint when it has more to show than fits."""

from __future__ import annotations

from .conftest import screen_text


async def test_the_help_spells_out_the_knob_legend(app):
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        text = " ".join(screen_text(app).replace("│", " ").split())
        assert "under its initial: l low cut · r chorus rate · d chorus depth · m chorus mix · t delay time" in text


async def test_the_help_says_it_scrolls_at_80x24(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        bottom = screen_text(app).splitlines()[-1]
        assert "↓ more · esc / ? to close" in bottom and "q           quit" not in screen_text(app)
        await pilot.press("end")
        await pilot.pause()
        assert "↑ more · esc / ? to close" in screen_text(app).splitlines()[-1]
        assert "q           quit" in screen_text(app)


async def test_the_help_says_nothing_about_scrolling_when_it_fits(app):
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert "more" not in screen_text(app) and "esc / ? to close" in screen_text(app)
