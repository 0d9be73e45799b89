"""The top line: preset and chain on the left, strength and modes on the right."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from rlfx_tui.tui.format import percent
from rlfx_tui.tui.widgets.line import Line

MODES = ("auto", "follow", "muted")


class TopBar(Horizontal):
    def __init__(self, preset: str, chain: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.preset = preset
        self.chain = chain

    def compose(self) -> ComposeResult:
        yield Static(f"[b]{self.preset}[/b]  {self.chain}", id="chain", markup=True)
        yield Line("", id="strength", markup=True)
        for name in MODES:
            yield Line(name, id=f"mode-{name}", classes="mode")

    def show_strength(self, strength: float) -> None:
        self.query_one("#strength", Line).show(f"[dim]+/-[/dim] strength {percent(strength):>5}")

    def show_modes(self, *, auto: bool, follow: bool, muted: bool) -> None:
        """Off: the mode's name dim, in lower case; on: upper case, bold and reversed (app.tcss), readable without
        colour too."""
        for name, on in (("auto", auto), ("follow", follow), ("muted", muted)):
            badge = self.query_one(f"#mode-{name}", Line)
            badge.show(name.upper() if on else name)
            badge.set_class(on, "-on")
