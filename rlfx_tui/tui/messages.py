"""Messages into the UI thread.

Rehearsal events are plain dataclasses emitted in whatever thread acted (the UI, a training worker, an OSC control
thread); the app wraps each one in `RehearsalEvent` with `post_message`, which is thread-safe, so widgets are only
ever touched from the UI thread.
"""

from __future__ import annotations

from textual.message import Message


class RehearsalEvent(Message):
    """A rehearsal event (ParamsJumped, PointLabelled, ModelTrained, ...) delivered on the UI thread."""

    def __init__(self, event: object) -> None:
        super().__init__()
        self.event = event


class DeleteRequested(Message):
    """The player asked to delete a point from the table."""

    def __init__(self, point_id: int) -> None:
        super().__init__()
        self.point_id = point_id
