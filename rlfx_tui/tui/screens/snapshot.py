"""s: a name for the setting heard, to keep it as a snapshot (enter saves, esc doesn't)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class SnapshotNameScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "cancel", key_display="esc")]

    def __init__(self, suggested: str) -> None:
        super().__init__()
        self.suggested = suggested

    def compose(self) -> ComposeResult:
        with Vertical(id="snapshot-body") as body:
            body.border_title = "keep this setting"
            body.border_subtitle = "enter saves · esc cancels"
            yield Static(
                "A name for it (a snapshot: `rlfx-tui export preset --snapshot NAME OUT.toml` makes it a preset):",
                id="snapshot-intro",
            )
            yield Input(value=self.suggested, id="snapshot-name", max_length=64, select_on_focus=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
