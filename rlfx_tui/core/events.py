"""What the rehearsal tells its listeners (the app, tests, OSC out): one frozen dataclass per event, past tense.

`RehearsalEvent` is their union, so a listener handles them with `match` and a type checker sees every case.
`REPLACEABLE` names the events of which only the newest matters (a burst of jumps or mode changes collapses).
"""

from __future__ import annotations

from dataclasses import dataclass

from rlfx_tui.core.dataset import LabelledPoint


@dataclass(frozen=True)
class ParamsJumped:
    """A new setting is in force: a jump, or a setting heard before coming back (`origin`)."""

    values: dict[str, float]
    changed: frozenset[str]
    strength: float
    matters: dict[str, float] | None = None  # per parameter, P(it matters for this sound); None before a like
    origin: str = "jump"  # jump | recall | back | forward | undo | redo
    point_id: int | None = None  # the point recalled, with origin "recall"


@dataclass(frozen=True)
class PointLabelled:
    point: LabelledPoint


@dataclass(frozen=True)
class PointRelabelled:
    point: LabelledPoint  # with its new label


@dataclass(frozen=True)
class LabelFailed:
    message: str
    pending: int


@dataclass(frozen=True)
class PointDeleted:
    point: LabelledPoint


@dataclass(frozen=True)
class PointRestored:
    point: LabelledPoint


@dataclass(frozen=True)
class StrengthChanged:
    strength: float


@dataclass(frozen=True)
class ModeChanged:
    follow: bool
    muted: bool
    auto: bool
    bypass: bool = False
    auto_paused: bool = False  # auto mode holds a liked setting until the player jumps or presses a again


@dataclass(frozen=True)
class LocksChanged:
    locked: frozenset[str]


@dataclass(frozen=True)
class SnapshotSaved:
    name: str
    values: dict[str, float]


@dataclass(frozen=True)
class ModelTrained:
    seconds: float
    n_points: int
    n_good: int
    fit_error: float | None = None  # the mapping's mean error on what it was taught, in normalised units


@dataclass(frozen=True)
class TrainingNeeded:
    """The points changed; with train_in_background the caller runs train_now() in a worker."""


@dataclass(frozen=True)
class Noticed:
    """Something the player should read (a refused action, what undo did, a recovered error)."""

    message: str
    severity: str = "information"


RehearsalEvent = (
    ParamsJumped
    | PointLabelled
    | PointRelabelled
    | LabelFailed
    | PointDeleted
    | PointRestored
    | StrengthChanged
    | ModeChanged
    | LocksChanged
    | SnapshotSaved
    | ModelTrained
    | TrainingNeeded
    | Noticed
)

REPLACEABLE: tuple[type, ...] = (ParamsJumped, StrengthChanged, ModeChanged)
