"""Messages into the UI thread.

Rehearsal events (rlfx_tui/core/events.py) are emitted in whatever thread acted (the UI, a training worker, an OSC
control thread); the app wraps each one in `RehearsalEvent` with `post_message`, which is thread-safe, so widgets
are only ever touched from the UI thread. A burst of replaceable events (jumps, strength and mode changes, e.g.
from an OSC controller) collapses to the newest while the UI is busy.
"""

from __future__ import annotations

from textual.message import Message

from rlfx_tui.core import events


class RehearsalEvent(Message):
    """A rehearsal event (ParamsJumped, PointLabelled, ModelTrained, ...) delivered on the UI thread."""

    def __init__(self, event: events.RehearsalEvent) -> None:
        super().__init__()
        self.event = event

    def can_replace(self, message: Message) -> bool:
        return (
            isinstance(message, RehearsalEvent)
            and type(message.event) is type(self.event)
            and isinstance(self.event, events.REPLACEABLE)
        )
