"""Named snapshots: settings the player chose to keep ("keep it"), by name, per preset.

One file per preset, `<data_dir>/<preset>/snapshots.json`, a JSON object of name → snapshot, in the order they
were first saved:

    {
     "snapshot 1": {"time": "2026-11-25T08:30:00.123+00:00", "params": {"delay_time": 0.35, ...}},
     "warm pad": {"time": "...", "params": {...}}
    }

`time` is when it was last saved (UTC, ISO 8601); `params` are real units by parameter name, every parameter of
the preset. Keys other than these in a snapshot are kept as they are when another snapshot is saved.

Saving is durable and whole-or-nothing (a temporary file, fsynced, renamed over the old one, the directory
fsynced), under an advisory lock on the directory so two savers don't lose each other's snapshot. A file that
cannot be read as this format is never overwritten: every method raises a SnapshotError naming it, and the file
stays byte for byte as it was until the user moves or fixes it.
"""

from __future__ import annotations

import json
import numbers
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; saves are still atomic
    fcntl = None  # type: ignore[assignment]

from rlfx_tui.core.atomic import write_atomic
from rlfx_tui.core.errors import RlfxError
from rlfx_tui.core.finite import is_finite

FILE_NAME = "snapshots.json"
MAX_NAME = 64
AUTO_PREFIX = "snapshot "


class SnapshotError(RlfxError):
    """A snapshot name, a setting or the snapshots file is not what it should be; the message names which."""


def check_name(name: object) -> str:
    """A snapshot name: a non-empty printable string of at most MAX_NAME characters, no space at either end."""
    if not isinstance(name, str) or not name.strip():
        raise SnapshotError(f"a snapshot name must be non-empty text, got {name!r}")
    if len(name) > MAX_NAME:
        raise SnapshotError(f"a snapshot name must be at most {MAX_NAME} characters, got {len(name)} ({name[:20]!r}…)")
    if not name.isprintable() or name != name.strip():
        raise SnapshotError(
            f"a snapshot name must be printable, without tabs, line breaks or spaces at either end, got {name!r}"
        )
    return name


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"the name {key!r} appears twice")
        seen[key] = value
    return seen


class SnapshotStore:
    def __init__(self, directory: Path, param_names: Sequence[str]) -> None:
        self.directory = Path(directory)
        self.path = self.directory / FILE_NAME
        self.param_names = tuple(param_names)

    # -- reading -------------------------------------------------------------------------------------------
    def _read(self) -> dict[str, Any]:
        """The file's snapshots (raw, checked for shape); {} when there is no file yet."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise SnapshotError(f"{self.path}: cannot read ({exc.strerror or exc}); it was left untouched") from None
        try:
            doc = json.loads(raw, object_pairs_hook=_no_duplicates)
        except (ValueError, RecursionError) as exc:  # bad JSON, bad UTF-8, a duplicated name, 5000-digit ints
            raise self._corrupt(f"not JSON ({exc})") from None
        if not isinstance(doc, dict):
            raise self._corrupt(f"expected a JSON object of name → snapshot, got {type(doc).__name__}")
        for name, entry in doc.items():
            if not isinstance(entry, dict) or not isinstance(entry.get("time"), str):
                raise self._corrupt(f"snapshot {name!r}: expected an object with a 'time' string")
            params = entry.get("params")
            if not isinstance(params, dict):
                raise self._corrupt(f"snapshot {name!r}: 'params' must be an object of name → number")
            for key, value in params.items():
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not is_finite(value):
                    raise self._corrupt(f"snapshot {name!r}: params.{key} must be a finite number, got {value!r}")
        return doc

    def _corrupt(self, what: str) -> SnapshotError:
        return SnapshotError(f"{self.path}: {what}; the file was left untouched (move it aside to start afresh)")

    def names(self) -> list[str]:
        """Snapshot names, in the order they were first saved."""
        return list(self._read())

    def get(self, name: str) -> dict[str, float]:
        """The setting saved as `name`: real units for every parameter, in preset order."""
        snapshots = self._read()
        if name not in snapshots:
            there = ", ".join(repr(n) for n in snapshots) if snapshots else "none yet"
            raise SnapshotError(f"no snapshot {name!r} in {self.path}; the snapshots there: {there}")
        params = snapshots[name]["params"]
        missing = [n for n in self.param_names if n not in params]
        if missing:
            raise SnapshotError(
                f"{self.path}: snapshot {name!r} lacks {', '.join(missing)} (saved with a different "
                f"version of the preset?)"
            )
        return {n: float(params[n]) for n in self.param_names}

    def next_name(self) -> str:
        """The first free automatic name: "snapshot 1", "snapshot 2", …"""
        taken = set(self._read())
        number = 1
        while f"{AUTO_PREFIX}{number}" in taken:
            number += 1
        return f"{AUTO_PREFIX}{number}"

    # -- writing -------------------------------------------------------------------------------------------
    def _checked_params(self, params: Mapping[str, float]) -> dict[str, float]:
        if not isinstance(params, Mapping):
            raise SnapshotError(
                f"a snapshot's params must be a mapping of parameter name → number, got {type(params).__name__}"
            )
        missing = [n for n in self.param_names if n not in params]
        unknown = [str(n) for n in params if n not in self.param_names]
        if missing or unknown:
            raise SnapshotError(
                f"a snapshot must name every parameter ({', '.join(self.param_names)}) and no "
                f"other; missing: {', '.join(missing) or '-'}; unknown: {', '.join(unknown) or '-'}"
            )
        values: dict[str, float] = {}
        for n in self.param_names:
            value = params[n]
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not is_finite(value):
                raise SnapshotError(f"snapshot parameter {n} must be a finite number, got {value!r}")
            values[n] = float(value)
        return values

    def save(self, name: str, params: Mapping[str, float]) -> None:
        """Save (or replace) the snapshot `name`; durable when this returns. Raises SnapshotError, and changes
        nothing, for a bad name or setting, an unreadable or corrupt file, or a failed write."""
        name = check_name(name)
        values = self._checked_params(params)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SnapshotError(f"{self.directory}: cannot create ({exc.strerror or exc}); nothing was saved") from None
        with _DirectoryLock(self.directory):
            snapshots = self._read()  # under the lock: a snapshot saved meanwhile by someone else is kept
            time = datetime.now(UTC).isoformat(timespec="milliseconds")
            entry = dict(snapshots.get(name, {})) | {"time": time, "params": values}
            snapshots[name] = entry
            data = (json.dumps(snapshots, indent=1, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")
            try:
                write_atomic(self.path, data)
            except OSError as exc:
                raise SnapshotError(
                    f"{self.path}: could not save snapshot {name!r} ({exc.strerror or exc}); the file is as it was"
                ) from None


class _DirectoryLock:
    """An exclusive advisory lock on a directory (flock on its descriptor), held for a read-modify-write."""

    def __init__(self, directory: Path) -> None:
        self.directory, self.fd = directory, -1

    def __enter__(self) -> _DirectoryLock:
        if fcntl is not None:
            try:
                self.fd = os.open(self.directory, os.O_RDONLY)
                fcntl.flock(self.fd, fcntl.LOCK_EX)
            except OSError:
                self._close()  # a filesystem without locks: the write is still atomic
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()

    def _close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
