"""Undo and redo of what the player did to the points: a label, a delete, a flip. Every step is itself a durable
record in the dataset log (undo of a label deletes the point, redo restores it), so the log stays the truth and
the undo history only lives as long as the session."""

from __future__ import annotations

from dataclasses import dataclass

from rlfx_tui.core.events import PointDeleted, PointRelabelled, PointRestored
from rlfx_tui.core.session import Session

PointEvent = PointDeleted | PointRestored | PointRelabelled


@dataclass(frozen=True)
class Step:
    kind: str  # "label" | "delete" | "flip"
    point_id: int
    good: bool  # the point's label when the step was taken (for a flip: the label it was flipped *to*)
    after: dict[str, float] | None = None  # a bad label's jump: where redo takes the player back to


def verdict(good: bool) -> str:
    return "good" if good else "bad"


def describe(step: Step) -> str:
    """What a step did, as the player would say it: "good #12", "delete of #12", "flip of #12 to bad"."""
    if step.kind == "label":
        return f"{verdict(step.good)} #{step.point_id}"
    if step.kind == "delete":
        return f"delete of #{step.point_id}"
    return f"flip of #{step.point_id} to {verdict(step.good)}"


def undo(session: Session, step: Step) -> PointEvent:
    """Take a step back in the dataset (KeyError if the point was changed another way since)."""
    if step.kind == "label":
        return PointDeleted(session.delete(step.point_id, train=False))
    if step.kind == "delete":
        return PointRestored(session.restore(step.point_id, train=False))
    return PointRelabelled(session.relabel(step.point_id, not step.good, train=False))


def redo(session: Session, step: Step) -> PointEvent:
    """Take an undone step again."""
    if step.kind == "label":
        return PointRestored(session.restore(step.point_id, train=False))
    if step.kind == "delete":
        return PointDeleted(session.delete(step.point_id, train=False))
    return PointRelabelled(session.relabel(step.point_id, step.good, train=False))
