"""A one-line (or fixed-height) text that only repaints when its text changes, and never asks for a layout.

The 10 Hz poll re-shows the same figures most of the time; a plain Static.update would re-run the screen's
layout on every call (tens of ms with the points table), which is time a key press would then wait for.
"""

from __future__ import annotations

from textual.widgets import Static


class Line(Static):
    def __init__(self, text: str = "", **kwargs: object) -> None:
        super().__init__(text, **kwargs)  # type: ignore[arg-type]
        self.text = text

    def show(self, text: str) -> None:
        if text != self.text:
            resized = len(text) != len(self.text)  # a line sized to its text (width: auto) must be laid out again
            self.text = text
            self.update(text, layout=resized)
