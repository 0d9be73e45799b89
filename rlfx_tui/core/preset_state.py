"""What a preset's rehearsal left behind besides its labels: the last setting heard and the locked knobs.

`<data dir>/<preset>/state.json`:

    {"current": {"delay_time": 0.35, ...}, "locked": ["reverb_size"], "time": "2026-12-01T21:50:00+00:00"}

Written whole to a temporary file and renamed over the old one, so a reader sees the old state or the new one,
never half. The last setting changes at every jump, so it is not fsynced (losing the last few seconds of it to a
power cut costs nothing); a change of locks is. The labels are the dataset's business (dataset.py), not this file's.

A state file that can't be read is moved aside (`state.json.unreadable-<time>`, kept) and the preset starts at its
defaults with a warning: nothing in it is worth refusing to open the preset for, and nothing is overwritten.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rlfx_tui.core.finite import is_finite
from rlfx_tui.core.params import ParameterSpace

FILE_NAME = "state.json"


@dataclass
class PresetState:
    current: dict[str, float] | None = None  # None: the preset's defaults
    locked: frozenset[str] = field(default_factory=frozenset)


def load_state(directory: Path, space: ParameterSpace) -> PresetState:
    """The saved state for this preset's space; parameters it no longer has are dropped, missing ones default."""
    path = Path(directory) / FILE_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return PresetState()
    except (OSError, ValueError, RecursionError) as exc:
        _set_aside(path, f"cannot be read ({exc})")
        return PresetState()
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("current", {}), dict)
        or not isinstance(data.get("locked", []), list)
    ):
        _set_aside(path, 'is not a state record ({"current": {...}, "locked": [...]})')
        return PresetState()
    saved = data.get("current") or {}
    values = {
        name: float(v)
        for name, v in saved.items()
        if name in space.names and isinstance(v, (int, float)) and not isinstance(v, bool) and is_finite(v)
    }
    current = None
    if values:
        current = space.default() | values
        current = space.denormalize(space.normalize(current))  # within the preset's ranges as they are now
    locked = frozenset(str(n) for n in data.get("locked", []) if n in space.names)
    return PresetState(current, locked)


def save_state(directory: Path, state: PresetState, *, durable: bool) -> None:
    """Replace the state file (OSError if the disk refuses; the caller decides how loud that is)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / FILE_NAME
    record = {
        "current": state.current,
        "locked": sorted(state.locked),
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    temporary = path.with_name(f".{FILE_NAME}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(record, handle, allow_nan=False)
        if durable:
            handle.flush()
            os.fsync(handle.fileno())
    os.replace(temporary, path)


def _set_aside(path: Path, why: str) -> None:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    side = path.with_name(f"{FILE_NAME}.unreadable-{stamp}")
    try:
        os.replace(path, side)
        kept = f"kept as {side.name}"
    except OSError as exc:
        kept = f"left in place ({exc.strerror})"
    warnings.warn(
        f"{path} {why}: starting at the preset's defaults with no locked knobs; the file is {kept}", stacklevel=3
    )
