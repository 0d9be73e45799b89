"""The top line: preset and chain on the left, where the setting came from (recalled #12, back…), strength and
modes on the right."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from rlfx_tui.tui.format import percent
from rlfx_tui.tui.widgets.line import Line

MODES = ("auto", "follow", "bypass", "muted")


class TopBar(Horizontal):
    def __init__(self, preset: str, chain: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.preset = preset
        self.chain = chain

    def compose(self) -> ComposeResult:
        demo = Line("DEMO", id="demo")
        demo.display = False
        yield demo
        yield Static(f"[b]{self.preset}[/b]  {self.chain}", id="chain", markup=True)
        yield Line("", id="origin")
        yield Line("", id="strength", markup=True)
        for name in MODES:
            yield Line(name, id=f"mode-{name}", classes="mode")

    def show_demo(self, on: bool) -> None:
        """DEMO, first thing on the line, while the built-in loop plays instead of an input."""
        badge = self.query_one("#demo", Line)
        if badge.display != on:
            badge.display = on

    def show_strength(self, strength: float) -> None:
        self.query_one("#strength", Line).show(f"[dim]+/-[/dim] strength {percent(strength):>5}")

    def show_origin(self, text: str) -> None:
        """Where the setting heard came from, when it is not a plain jump: "recalled #12", "from #12", "back"."""
        self.query_one("#origin", Line).show(text)

    def show_modes(
        self, *, auto: bool, follow: bool, muted: bool, bypass: bool = False, auto_paused: bool = False
    ) -> None:
        """Off: the mode's name dim, in lower case; on: upper case, bold and reversed (app.tcss), readable without
        colour too. Auto holding a liked setting shows as AUTO ‖."""
        for name, on in (("auto", auto), ("follow", follow), ("bypass", bypass), ("muted", muted)):
            badge = self.query_one(f"#mode-{name}", Line)
            shown = name.upper() if on else name
            badge.show(f"{shown} ‖" if name == "auto" and on and auto_paused else shown)
            badge.set_class(on, "-on")
