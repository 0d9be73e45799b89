"""The help screen: every key, from the same table as the bindings and the footer."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from rlfx_tui.interop.midi_map import BINDING_IDS
from rlfx_tui.tui.keys import help_rows, shown_keys
from rlfx_tui.tui.widgets.points import knob_initials

INTRO = (
    "The effect jumps to random settings; you only say good (→) or bad (←). A model learns what you like for "
    "the sound you play, and follow mode lets it drive the effect from your input. Every label is on disk "
    "as soon as it shows in the table. ctrl+p finds any action by name."
)


CLOSE = "esc / ? to close"


class HelpBody(VerticalScroll):
    """Says on its bottom edge when there is more to read: a scrollbar alone is easy to miss at 80×24."""

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.show_more()

    def on_resize(self) -> None:
        self.show_more()

    def show_more(self) -> None:
        y = round(self.scroll_y)
        arrows = ("↑" if y > 0 else "") + ("↓" if y < self.max_scroll_y else "")
        self.border_subtitle = f"{arrows} more · {CLOSE}" if arrows else CLOSE


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "close", key_display="esc")]

    def compose(self) -> ComposeResult:
        with HelpBody(id="help-body") as body:
            body.border_title = "rlfx-tui · keys"
            body.border_subtitle = CLOSE
            yield Static(INTRO, id="help-intro")
            yield Static(self._table(), id="help-keys")
            legend = self._legend()
            if legend is not None:
                yield Static(legend, id="help-legend")

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("does", ratio=1)
        midi = getattr(self.app, "midi", None)
        pedals = {BINDING_IDS[a]: t for a, t in midi.map if a in BINDING_IDS} if midi is not None else {}
        for binding_id, keys, text in help_rows():
            shown = self._display(binding_id, keys)
            if binding_id in pedals:
                shown += f" · MIDI {pedals[binding_id]}"
            elif binding_id == "rlfx.strength_digits" and midi is not None and midi.map.get("strength"):
                shown += f" · MIDI {midi.map.get('strength')}"
            table.add_row(shown, text)
        return table

    def _legend(self) -> Text | None:
        """What the points table's parameter cells are, knob by knob (none while the session is still loading)."""
        parts = getattr(self.app, "parts", None)
        if parts is None:
            return None
        specs = parts.session.space.specs
        legend = Text(
            "In the labelled points, one cell per parameter (▁ minimum … █ maximum), a space between "
            "effects, under its initial: "
        )
        for i, (letter, spec) in enumerate(zip(knob_initials(specs), specs)):
            legend.append_text(Text.assemble(" · " if i else "", (letter, "bold"), f" {spec.display}"))
        legend.append(".")
        return legend

    def _display(self, binding_id: str, keys: str) -> str:
        """The keys as the app shows them, after any user keymap."""
        return keys if "…" in keys else " / ".join(shown_keys(self.app, binding_id))
