import json

import numpy as np
import pytest

from rlfx_tui.core.dataset import Dataset
from rlfx_tui.core.errors import DatasetError

DESC = ("a", "b")
PARAMS = ("x", "y")


def open_dataset(path, preset="p"):
    return Dataset(path, preset, DESC, PARAMS)


def test_add_delete_restore_survive_reopening(tmp_path):
    ds = open_dataset(tmp_path)
    first = ds.add(np.array([1.0, 2.0]), {"x": 0.1, "y": 0.2}, True)
    second = ds.add(np.array([3.0, 4.0]), {"x": 0.3, "y": 0.4}, False)
    ds.delete(first.id)
    again = open_dataset(tmp_path)
    assert [p.id for p in again.points] == [second.id]
    assert again.points[0].params == {"x": 0.3, "y": 0.4} and not again.points[0].good
    again.restore(first.id)
    third = open_dataset(tmp_path)
    assert [p.id for p in third.points] == [first.id, second.id]
    assert third.add(np.zeros(2), {"x": 0, "y": 0}, True).id == 3  # ids are never reused


def test_corrupt_middle_record_is_an_error_naming_file_and_line_and_file_is_untouched(tmp_path):
    ds = open_dataset(tmp_path)
    for i in range(3):
        ds.add(np.array([i, i], dtype=float), {"x": i, "y": i}, True)
    lines = ds.path.read_bytes().split(b"\n")
    lines[1] = b'{"op": "label", garbage'
    ds.path.write_bytes(b"\n".join(lines))
    before = ds.path.read_bytes()
    with pytest.raises(DatasetError, match=rf"{ds.path}:2: not a JSON record"):
        open_dataset(tmp_path)
    assert ds.path.read_bytes() == before


def test_torn_final_record_is_set_aside_with_a_warning(tmp_path):
    ds = open_dataset(tmp_path)
    ds.add(np.array([1.0, 2.0]), {"x": 0.1, "y": 0.2}, True)
    complete = ds.path.read_bytes()
    with open(ds.path, "ab") as handle:
        handle.write(b'{"op":"label","id":2,"ti')
    with pytest.warns(UserWarning, match="torn final record"):
        again = open_dataset(tmp_path)
    assert [p.id for p in again.points] == [1]
    assert ds.path.read_bytes() == complete
    side = list(tmp_path.glob("points.jsonl.torn-*"))
    assert len(side) == 1 and side[0].read_bytes() == b'{"op":"label","id":2,"ti'
    again.add(np.zeros(2), {"x": 0, "y": 0}, False)
    assert len(open_dataset(tmp_path).points) == 2


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r | {"preset": "other"}, "belongs to preset 'other'"),
        (lambda r: {k: v for k, v in r.items() if k != "good"}, "'good' must be true or false"),
        (lambda r: r | {"descriptors": {"a": 1.0}}, "'descriptors' lacks b"),
        (lambda r: r | {"params": {"x": 1.0, "y": "high"}}, "'params.y' must be a finite number"),
        (lambda r: r | {"op": "explode"}, "'op' must be"),
    ],
)
def test_invalid_records_are_named(tmp_path, edit, message):
    ds = open_dataset(tmp_path)
    ds.add(np.array([1.0, 2.0]), {"x": 0.1, "y": 0.2}, True)
    record = json.loads(ds.path.read_text())
    ds.path.write_text(json.dumps(edit(record)) + "\n")
    with pytest.raises(DatasetError, match=message):
        open_dataset(tmp_path)


def test_csv_export(tmp_path):
    ds = open_dataset(tmp_path)
    ds.add(np.array([1.0, 2.0]), {"x": 0.1, "y": 0.2}, True)
    ds.add(np.array([3.0, 4.0]), {"x": 0.3, "y": 0.4}, False)
    assert ds.export_csv(tmp_path / "out.csv") == 2
    rows = (tmp_path / "out.csv").read_text().splitlines()
    assert rows[0] == "id,time,label,a,b,x,y"
    assert rows[2].split(",")[2] == "bad" and rows[2].endswith("0.3,0.4")
