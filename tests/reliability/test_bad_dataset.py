"""Bad dataset files, generated: a DatasetError naming the file and the line, and the file left byte for byte.

The one thing ever skipped is a torn final record (no newline: a write that never finished); it is moved to a side
file with a warning and everything before it loads. Every other fault — garbage in the middle, a record of another
preset, a missing field, a descriptor set changed by an upgrade, NaN, a wrong type, a delete of nothing — stops the
open with the file and line named, and neither the log nor the folder changes.
"""

from __future__ import annotations

import copy
import json
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rlfx_tui.core.dataset import FILE_NAME, Dataset
from rlfx_tui.core.descriptors import DESCRIPTOR_NAMES
from rlfx_tui.core.errors import DatasetError
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import resolve_preset

SPACE = ParameterSpace(resolve_preset("space").params)
CHECKS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIGURES: dict[str, int] = {}


def _base() -> tuple[list[bytes], dict[int, bool]]:
    """A real log: 8 labels, a delete, a restore and another delete; returns its lines and the live points."""
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        data = Dataset(tmp, "space", DESCRIPTOR_NAMES, SPACE.names)
        for _ in range(8):
            data.add(
                rng.normal(size=len(DESCRIPTOR_NAMES)),
                SPACE.randomize(SPACE.default(), 1.0, rng),
                bool(rng.random() < 0.5),
            )
        data.delete(3)
        data.restore(3)
        data.delete(5)
        lines = data.path.read_bytes().splitlines(keepends=True)
        return lines, {p.id: p.good for p in data.points}


LINES, LIVE = _base()
LABEL = json.loads(LINES[0])


def open_dataset(directory: Path) -> Dataset:
    return Dataset(directory, "space", DESCRIPTOR_NAMES, SPACE.names)


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def assert_refused(raw: bytes, lineno: int) -> None:
    """Opening `raw` raises DatasetError naming file:line, and changes nothing on disk."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        (directory / FILE_NAME).write_bytes(raw)
        before = snapshot(directory)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a refused file must not also be "repaired" with a warning
            with pytest.raises(DatasetError) as caught:
                open_dataset(directory)
        assert f"{directory / FILE_NAME}:{lineno}: " in str(caught.value), str(caught.value)
        assert "\n" not in str(caught.value)
        assert snapshot(directory) == before, "a failed open changed the folder"


# -- the torn final record: the only thing ever skipped ----------------------------------------------------
torn_tails = st.one_of(
    st.integers(1, len(LINES[0]) - 2).map(lambda n: LINES[0].replace(b'"id":1', b'"id":99')[:n]),
    st.binary(min_size=1, max_size=300).filter(lambda b: b"\n" not in b),
    st.integers(1, 4096).map(lambda n: b"\x00" * n),  # a power cut can leave zeros where the write was
)


@CHECKS
@given(tail=torn_tails, keep=st.integers(0, len(LINES)))
def test_a_torn_final_record_is_set_aside_with_a_warning(tail: bytes, keep: int) -> None:
    complete = b"".join(LINES[:keep])
    with tempfile.TemporaryDirectory() as tmp:
        reference = Path(tmp) / "reference"
        reference.mkdir()
        (reference / FILE_NAME).write_bytes(complete)
        expected = {p.id: p.good for p in open_dataset(reference).points}
        directory = Path(tmp) / "torn"
        directory.mkdir()
        (directory / FILE_NAME).write_bytes(complete + tail)
        with pytest.warns(UserWarning, match=rf"{FILE_NAME}:{keep + 1}: skipped a torn final record") as caught:
            data = open_dataset(directory)
        assert len(caught) == 1
        assert {p.id: p.good for p in data.points} == expected, "a complete record was skipped"
        assert (directory / FILE_NAME).read_bytes() == complete, "anything but the torn tail was cut"
        sides = [p for p in directory.iterdir() if p.name.startswith(f"{FILE_NAME}.torn-")]
        assert len(sides) == 1 and sides[0].read_bytes() == tail, "the torn bytes were not kept"
    FIGURES["torn"] = FIGURES.get("torn", 0) + 1


# -- garbage anywhere else ------------------------------------------------------------------------------------
def _not_a_record(raw: bytes) -> bool:
    if not raw.strip():
        return False  # a blank line carries nothing and is passed over
    try:
        return not isinstance(json.loads(raw), dict)
    except (ValueError, RecursionError):
        return True


garbage = (
    st.one_of(
        st.binary(min_size=1, max_size=200),
        st.text(min_size=1, max_size=200).map(str.encode),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
            lambda inner: st.lists(inner, max_size=3),
            max_leaves=5,
        ).map(lambda v: json.dumps(v).encode()),
        st.sampled_from([b"[" * 100000, b"1" * 5000, LINES[0][:-30], b"\x00" * 64, b"\xff\xfe{}"]),
    )
    .map(lambda b: b.replace(b"\n", b" "))
    .filter(_not_a_record)
)


@CHECKS
@given(junk=garbage, at=st.integers(0, len(LINES)), torn=st.booleans())
def test_garbage_anywhere_is_refused_and_nothing_is_touched(junk: bytes, at: int, torn: bool) -> None:
    raw = b"".join(LINES[:at]) + junk + b"\n" + b"".join(LINES[at:]) + (LINES[0][:40] if torn else b"")
    assert_refused(raw, at + 1)
    FIGURES["garbage"] = FIGURES.get("garbage", 0) + 1


# -- records that are JSON objects but wrong ------------------------------------------------------------------
wrong_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
bad_numbers = st.one_of(
    st.sampled_from([float("nan"), float("inf"), float("-inf"), 10**400, 1e300, -2e9, True, None, "1.0"]),
    st.lists(st.floats(), max_size=2),
)


@st.composite
def bad_record(draw: st.DrawFn, at: int) -> dict[str, Any]:
    """A record that is certainly invalid at its place (line `at` + 1)."""
    earlier = [json.loads(line) for line in LINES[:at]]
    labelled = {r["id"] for r in earlier if r["op"] == "label"}
    live = set()
    for r in earlier:
        (live.add if r["op"] in ("label", "restore") else live.discard)(r["id"])
    record = copy.deepcopy(LABEL) | {"id": 1000}
    kind = draw(
        st.sampled_from(
            [
                "missing",
                "op",
                "id",
                "preset",
                "good",
                "time",
                "table",
                "upgrade",
                "number",
                "duplicate",
                "delete",
                "restore",
            ]
        )
    )
    if kind == "missing":
        del record[draw(st.sampled_from(["op", "id", "preset", "good", "time", "descriptors", "params"]))]
    elif kind == "op":
        record["op"] = draw(wrong_values.filter(lambda v: v not in ("label", "delete", "restore")))
    elif kind == "id":
        record["id"] = draw(st.one_of(st.integers(max_value=0), st.booleans(), st.floats(), st.text(max_size=3)))
    elif kind == "preset":
        record["preset"] = draw(wrong_values.filter(lambda v: v != "space"))
    elif kind in ("good", "time"):
        record[kind] = draw(wrong_values.filter(lambda v: not isinstance(v, bool if kind == "good" else str)))
    elif kind == "table":
        record[draw(st.sampled_from(["descriptors", "params"]))] = draw(
            wrong_values.filter(lambda v: not isinstance(v, dict))
        )
    elif kind == "upgrade":  # this version expects a descriptor (or parameter) the record does not have
        table = draw(st.sampled_from(["descriptors", "params"]))
        del record[table][draw(st.sampled_from(sorted(record[table])))]
    elif kind == "number":
        table = draw(st.sampled_from(["descriptors", "params"]))
        record[table][draw(st.sampled_from(sorted(record[table])))] = draw(bad_numbers)
    elif kind == "duplicate":
        assume(labelled)
        record["id"] = draw(st.sampled_from(sorted(labelled)))
    else:
        choices = (set(range(1, 20)) - live) if kind == "delete" else (set(range(1, 20)) - (labelled - live))
        record = {"op": kind, "id": draw(st.sampled_from(sorted(choices))), "time": LABEL["time"]}
    return record


@CHECKS
@given(data=st.data(), at=st.integers(0, len(LINES)))
def test_a_wrong_record_is_refused_with_its_line(data: st.DataObject, at: int) -> None:
    record = data.draw(bad_record(at))
    line = json.dumps(record, allow_nan=True).encode() + b"\n"
    assert_refused(b"".join(LINES[:at]) + line + b"".join(LINES[at:]), at + 1)
    FIGURES["records"] = FIGURES.get("records", 0) + 1


def test_a_log_of_another_descriptor_set_is_refused_at_its_first_label(tmp_path: Path) -> None:
    """An upgrade that adds a descriptor: the old log is refused at line 1, naming what is missing."""
    directory = tmp_path / "log"
    directory.mkdir()
    (directory / FILE_NAME).write_bytes(b"".join(LINES))
    before = snapshot(directory)
    with pytest.raises(DatasetError, match=rf"{FILE_NAME}:1: 'descriptors' lacks pitch_hz"):
        Dataset(directory, "space", (*DESCRIPTOR_NAMES, "pitch_hz"), SPACE.names)
    assert snapshot(directory) == before


def test_print_figures() -> None:
    print(
        f"\ndataset: {FIGURES.get('torn', 0)} torn tails set aside (kept, with a warning); "
        f"{FIGURES.get('garbage', 0)} garbage lines and {FIGURES.get('records', 0)} wrong records refused "
        f"with file:line; bytes unchanged after every failed open"
    )
