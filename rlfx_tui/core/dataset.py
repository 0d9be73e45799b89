"""The dataset: every label, as an append-only log that is the source of truth.

One file per preset, `<data_dir>/<preset>/points.jsonl`, one JSON record per line:

    {"op": "label", "id": 7, "time": "2026-11-25T08:30:00.123+00:00", "preset": "space", "good": true,
     "descriptors": {"loudness_db": -18.2, ...}, "params": {"delay_time": 0.35, ...}}
    {"op": "delete", "id": 7, "time": "..."}
    {"op": "restore", "id": 7, "time": "..."}      # undo of a delete
    {"op": "relabel", "id": 7, "good": false, "time": "..."}   # the player flipped the label (x), or undid a flip

Durability: each record is written with a single write() of one line, then flushed and fsynced, before
`add`/`delete`/`restore` return; so a label the UI shows survives a crash or kill -9.

Reading never silently drops data. A record that cannot be read gives a DatasetError naming the file, the line
and what is wrong, and the file is left untouched. The one exception is a torn final record (a crash in the
middle of a write, so it was never confirmed): its bytes are moved to `points.jsonl.torn-<time>` beside the
file (kept, not deleted), the log is cut back to its last complete line, and a warning is issued.
"""

from __future__ import annotations

import csv
import json
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; the size check alone still catches a second writer afterwards
    fcntl = None  # type: ignore[assignment]

import numpy as np

from rlfx_tui.core.errors import DatasetError
from rlfx_tui.core.finite import is_finite

FILE_NAME = "points.jsonl"
# No descriptor (dB, Hz, ratios, crossings/s) or parameter (bounded by presets.HUGE) comes near this; a larger value
# is corruption, and would overflow the learner's scaling (1e300 → inf variance → NaN → a session that can't open).
MAX_MAGNITUDE = 1e9


@dataclass(frozen=True)
class LabelledPoint:
    id: int
    time: str
    good: bool
    descriptors: np.ndarray  # in the dataset's descriptor order
    params: dict[str, float]  # real units, by name


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _plausible(values: np.ndarray) -> bool:
    return bool(np.isfinite(values).all() and (np.abs(values) <= MAX_MAGNITUDE).all())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Dataset:
    def __init__(
        self, directory: str | Path, preset: str, descriptor_names: Sequence[str], param_names: Sequence[str]
    ) -> None:
        self.directory = Path(directory)
        self.path = self.directory / FILE_NAME
        self.preset = preset
        self.descriptor_names = tuple(descriptor_names)
        self.param_names = tuple(param_names)
        self._points: dict[int, LabelledPoint] = {}  # insertion order = label order
        self._deleted: dict[int, LabelledPoint] = {}
        self._next_id = 1
        self._size = 0  # bytes of the log as last read or written by this object
        self._load()

    # -- reading -------------------------------------------------------------------------------------------
    def _load(self) -> None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise DatasetError(f"{self.path}: cannot read ({exc.strerror})") from None
        complete = raw[: raw.rfind(b"\n") + 1]
        # Every complete line is read (and any DatasetError raised) before the torn tail, if any, is set aside:
        # an open that fails leaves the file byte for byte as it was.
        for lineno, line in enumerate(complete.split(b"\n"), start=1):
            if line.strip():
                self._replay(self._parse(line, lineno), lineno)
        if len(complete) < len(raw):
            self._set_aside_torn_tail(raw)
        self._size = len(complete)

    def _set_aside_torn_tail(self, raw: bytes) -> None:
        """Keep the torn bytes in a side file, then cut the log back to its last complete line."""
        keep = raw.rfind(b"\n") + 1
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        side = self.path.with_name(f"{FILE_NAME}.torn-{stamp}")
        try:
            with open(side, "xb") as handle:
                handle.write(raw[keep:])
                handle.flush()
                os.fsync(handle.fileno())
            with open(self.path, "r+b") as handle:
                handle.truncate(keep)
                os.fsync(handle.fileno())
        except OSError as exc:
            raise DatasetError(f"{self.path}: last record is torn and could not be set aside ({exc})") from None
        lineno = raw[:keep].count(b"\n") + 1
        warnings.warn(
            f"{self.path}:{lineno}: skipped a torn final record (an unfinished write from a crash); "
            f"its {len(raw) - keep} bytes are kept in {side.name}",
            stacklevel=4,
        )

    def _parse(self, line: bytes, lineno: int) -> dict[str, Any]:
        where = f"{self.path}:{lineno}"
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, bad UTF-8, 5000-digit ints, deep nesting
            raise DatasetError(f"{where}: not a JSON record ({exc}); the file was left untouched") from None
        if not isinstance(record, dict):
            raise DatasetError(f"{where}: expected a JSON object, got {type(record).__name__}")
        op = record.get("op")
        if op not in ("label", "delete", "restore", "relabel"):
            raise DatasetError(f"{where}: 'op' must be label, delete, restore or relabel, got {op!r}")
        if not isinstance(record.get("id"), int) or isinstance(record.get("id"), bool) or record["id"] < 1:
            raise DatasetError(f"{where}: 'id' must be a positive integer, got {record.get('id')!r}")
        if op in ("label", "relabel") and not isinstance(record.get("good"), bool):
            raise DatasetError(f"{where}: 'good' must be true or false, got {record.get('good')!r}")
        if op == "label":
            if record.get("preset") != self.preset:
                raise DatasetError(
                    f"{where}: record belongs to preset {record.get('preset')!r}, this dataset is {self.preset!r}"
                )
            if not isinstance(record.get("time"), str):
                raise DatasetError(f"{where}: 'time' must be a timestamp string")
            record["descriptors"] = self._numbers(record, "descriptors", self.descriptor_names, where)
            record["params"] = self._numbers(record, "params", self.param_names, where)
        return record

    @staticmethod
    def _numbers(record: dict[str, Any], field: str, names: Sequence[str], where: str) -> list[float]:
        table = record.get(field)
        if not isinstance(table, dict):
            raise DatasetError(f"{where}: '{field}' must be an object of name → number")
        missing = [n for n in names if n not in table]
        if missing:
            raise DatasetError(
                f"{where}: '{field}' lacks {', '.join(missing)} (recorded with a different "
                f"{'context' if field == 'descriptors' else 'preset version'}: "
                f"{', '.join(map(str, table))[:200]}?)"
            )
        if field == "descriptors" and len(table) != len(names):  # more names than this context has: another one
            extra = [str(n) for n in table if n not in names]
            raise DatasetError(
                f"{where}: 'descriptors' has {', '.join(extra)[:200]}, which this preset's context "
                f"({', '.join(names)}) does not (recorded with a different context?)"
            )
        values = []
        for name in names:
            value = table[name]
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not is_finite(value)
                or abs(value) > MAX_MAGNITUDE
            ):
                raise DatasetError(
                    f"{where}: '{field}.{name}' must be a finite number of magnitude at most "
                    f"{MAX_MAGNITUDE:g}, got {value!r}"
                )
            values.append(float(value))
        return values

    def _replay(self, record: dict[str, Any], lineno: int) -> None:
        point_id = record["id"]
        where = f"{self.path}:{lineno}"
        if record["op"] == "label":
            if point_id in self._points or point_id in self._deleted:
                raise DatasetError(f"{where}: id {point_id} is labelled twice")
            self._points[point_id] = LabelledPoint(
                point_id,
                record["time"],
                record["good"],
                np.array(record["descriptors"]),
                dict(zip(self.param_names, record["params"])),
            )
        elif record["op"] == "delete":
            if point_id not in self._points:
                raise DatasetError(f"{where}: deletes id {point_id}, which is not a live point")
            self._deleted[point_id] = self._points.pop(point_id)
        elif record["op"] == "relabel":
            if point_id not in self._points:
                raise DatasetError(f"{where}: relabels id {point_id}, which is not a live point")
            self._points[point_id] = replace(self._points[point_id], good=record["good"])
        else:
            if point_id not in self._deleted:
                raise DatasetError(f"{where}: restores id {point_id}, which was not deleted")
            self._points[point_id] = self._deleted.pop(point_id)
            self._points = dict(sorted(self._points.items()))
        self._next_id = max(self._next_id, point_id + 1)

    # -- writing -------------------------------------------------------------------------------------------
    def _append(self, record: dict[str, Any]) -> None:
        """One record as one write() of one line, fsynced. On any failure the log is cut back to where it was, so
        no fragment is left for a later append to glue itself to (which would make the file unreadable)."""
        line = (json.dumps(record, separators=(",", ":"), allow_nan=False) + "\n").encode()
        new_file = not self.path.exists()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise DatasetError(f"{self.path}: could not save ({exc}); nothing was recorded") from None
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)  # two writers can't both pass the size check below (released by close)
            size = os.fstat(fd).st_size
            if self._size < 0:
                raise DatasetError(
                    f"{self.path}: an earlier failed save may have left an unfinished record; "
                    f"nothing was recorded; reopen the dataset to set it aside"
                )
            if size != self._size:
                raise DatasetError(
                    f"{self.path}: changed by someone else since it was read ({self._size} → "
                    f"{size} bytes; another rlfx-tui on the same data dir?); nothing was recorded; "
                    f"reopen to see the file as it is"
                )
            try:
                written = 0
                while written < len(line):  # a short write is followed by one that says why (ENOSPC, EFBIG)
                    count = os.write(fd, line[written:])
                    if count == 0:
                        raise OSError(f"short write ({written} of {len(line)} bytes)")
                    written += count
                os.fsync(fd)
            except OSError as exc:
                try:
                    os.ftruncate(fd, size)
                    os.fsync(fd)
                except OSError:
                    self._size = -1  # unknown tail: refuse further appends until reopened (which sets it aside)
                raise DatasetError(f"{self.path}: could not save ({exc}); nothing was recorded") from None
            self._size = size + len(line)
        finally:
            os.close(fd)
        if new_file:
            try:
                _fsync_dir(self.directory)
            except OSError:
                pass  # the record itself is fsynced; a directory that can't be (some filesystems) is no reason to fail

    def add(self, descriptors: np.ndarray, params: Mapping[str, float], good: bool) -> LabelledPoint:
        """Record one label; durable when this returns."""
        descriptors = np.asarray(descriptors, dtype=float)
        values = {n: float(params[n]) for n in self.param_names}
        if descriptors.shape != (len(self.descriptor_names),) or not _plausible(descriptors):
            raise ValueError(
                f"descriptors must be {len(self.descriptor_names)} finite numbers of magnitude at most "
                f"{MAX_MAGNITUDE:g}"
            )
        if not _plausible(np.array(list(values.values()))):
            raise ValueError(f"parameters must be finite numbers of magnitude at most {MAX_MAGNITUDE:g}")
        point = LabelledPoint(self._next_id, _now(), bool(good), descriptors.copy(), values)
        self._append(
            {
                "op": "label",
                "id": point.id,
                "time": point.time,
                "preset": self.preset,
                "good": point.good,
                "descriptors": dict(zip(self.descriptor_names, descriptors.tolist())),
                "params": point.params,
            }
        )
        self._points[point.id] = point
        self._next_id += 1
        return point

    def delete(self, point_id: int) -> LabelledPoint:
        """Remove a point (durable when this returns; undoable with restore)."""
        if point_id not in self._points:
            raise KeyError(f"no labelled point with id {point_id}")
        self._append({"op": "delete", "id": point_id, "time": _now()})
        self._deleted[point_id] = point = self._points.pop(point_id)
        return point

    def relabel(self, point_id: int, good: bool) -> LabelledPoint:
        """Give a live point another label (durable when this returns); the point keeps its id, time and place."""
        if point_id not in self._points:
            raise KeyError(f"no labelled point with id {point_id}")
        self._append({"op": "relabel", "id": point_id, "good": bool(good), "time": _now()})
        self._points[point_id] = point = replace(self._points[point_id], good=bool(good))
        return point

    def restore(self, point_id: int) -> LabelledPoint:
        """Undo a delete (durable when this returns)."""
        if point_id not in self._deleted:
            raise KeyError(f"no deleted point with id {point_id}")
        self._append({"op": "restore", "id": point_id, "time": _now()})
        self._points[point_id] = point = self._deleted.pop(point_id)
        self._points = dict(sorted(self._points.items()))
        return point

    # -- views ---------------------------------------------------------------------------------------------
    @property
    def points(self) -> list[LabelledPoint]:
        """Live points, oldest first."""
        return list(self._points.values())

    def __len__(self) -> int:
        return len(self._points)

    def was_deleted(self, point_id: int) -> bool:
        """True for a point that was labelled and is deleted now (restore brings it back)."""
        return point_id in self._deleted

    def export_csv(self, path: str | Path) -> int:
        """Write live points as CSV (id, time, label, descriptors…, params…); returns the row count."""
        with open(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "time", "label", *self.descriptor_names, *self.param_names])
            for p in self._points.values():
                writer.writerow(
                    [
                        p.id,
                        p.time,
                        "good" if p.good else "bad",
                        *p.descriptors.tolist(),
                        *(p.params[n] for n in self.param_names),
                    ]
                )
        return len(self._points)
