"""The first frame: the preset and its chain while the model and the audio engine load behind it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static


class LoadingScreen(Screen[None]):
    def __init__(self, preset: str, chain: str) -> None:
        super().__init__(id="loading")
        self.preset = preset
        self.chain = chain

    def compose(self) -> ComposeResult:
        yield Static(
            f"[b]rlfx-tui[/b] · {self.preset}\n{self.chain}\n\nloading the model and the audio engine…",
            id="loading-text",
            markup=True,
        )
