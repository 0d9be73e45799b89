"""Named snapshots: durable, atomic, validated, and a corrupt file is never overwritten."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest

from rlfx_tui.core.errors import RlfxError
from rlfx_tui.core.snapshots import SnapshotError, SnapshotStore

NAMES = ("low_cut", "delay_time", "reverb_size")
SETTING = {"low_cut": 80.0, "delay_time": 0.35, "reverb_size": 0.6}


@pytest.fixture
def store(tmp_path: Path) -> SnapshotStore:
    return SnapshotStore(tmp_path / "space", NAMES)


def test_save_then_get_from_a_fresh_store_in_the_documented_format(store: SnapshotStore, tmp_path: Path) -> None:
    assert store.names() == [] and not store.path.exists()
    store.save("warm pad", SETTING)
    store.save("snapshot 1", {**SETTING, "delay_time": np.float32(0.5)})  # numpy numbers are numbers
    fresh = SnapshotStore(tmp_path / "space", NAMES)
    assert fresh.names() == ["warm pad", "snapshot 1"]
    assert fresh.get("warm pad") == SETTING and list(fresh.get("warm pad")) == list(NAMES)
    assert fresh.get("snapshot 1")["delay_time"] == 0.5
    doc = json.loads((tmp_path / "space" / "snapshots.json").read_text())
    assert set(doc) == {"warm pad", "snapshot 1"}
    assert set(doc["warm pad"]) == {"time", "params"} and doc["warm pad"]["params"] == SETTING
    assert doc["warm pad"]["time"].endswith("+00:00")
    assert sorted(os.listdir(tmp_path / "space")) == ["snapshots.json"]  # no temporary file left behind


def test_same_name_overwrites_in_place_and_other_keys_survive(store: SnapshotStore) -> None:
    store.save("a", SETTING)
    store.save("b", SETTING)
    doc = json.loads(store.path.read_text())
    doc["a"]["note"] = "kept"
    store.path.write_text(json.dumps(doc))
    store.save("a", {**SETTING, "low_cut": 120.0})
    assert store.names() == ["a", "b"] and store.get("a")["low_cut"] == 120.0
    assert json.loads(store.path.read_text())["a"]["note"] == "kept"


def test_next_name_is_the_first_free_number(store: SnapshotStore) -> None:
    assert store.next_name() == "snapshot 1"
    store.save("snapshot 1", SETTING)
    store.save("snapshot 3", SETTING)
    assert store.next_name() == "snapshot 2"
    store.save(store.next_name(), SETTING)
    assert store.next_name() == "snapshot 4"


def test_unknown_name_lists_the_names_there_are(store: SnapshotStore) -> None:
    with pytest.raises(RlfxError, match="no snapshot 'x' .*none yet"):
        store.get("x")
    store.save("one", SETTING)
    store.save("two", SETTING)
    with pytest.raises(SnapshotError, match="no snapshot 'x' in .*snapshots.json; the snapshots there: 'one', 'two'"):
        store.get("x")


@pytest.mark.parametrize(
    "name, message",
    [
        ("", "non-empty"),
        ("   ", "non-empty"),
        (None, "non-empty"),
        ("x" * 65, "at most 64"),
        ("a\nb", "printable"),
        ("tab\there", "printable"),
        (" lead", "either end"),
        ("\x1b[2J", "printable"),
    ],
)
def test_bad_names_are_refused_and_nothing_is_written(store: SnapshotStore, name: object, message: str) -> None:
    with pytest.raises(SnapshotError, match=message):
        store.save(name, SETTING)  # type: ignore[arg-type]
    assert not store.path.exists()


def test_names_at_the_limit_and_beyond_ascii_are_fine(store: SnapshotStore) -> None:
    store.save("x" * 64, SETTING)
    store.save("räumlich — 空間", SETTING)
    assert store.names() == ["x" * 64, "räumlich — 空間"]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"low_cut": 80.0, "delay_time": 0.35}, "missing: reverb_size"),
        ({**SETTING, "extra": 1.0}, "unknown: extra"),
        ({**SETTING, "reverb_size": math.nan}, "reverb_size must be a finite number"),
        ({**SETTING, "reverb_size": math.inf}, "finite number"),
        ({**SETTING, "reverb_size": 10**400}, "finite number"),
        ({**SETTING, "reverb_size": True}, "finite number"),
        ({**SETTING, "reverb_size": "0.5"}, "finite number"),
        ([1.0, 2.0, 3.0], "mapping"),
    ],
)
def test_bad_settings_are_refused(store: SnapshotStore, params: object, message: str) -> None:
    store.save("kept", SETTING)
    before = store.path.read_bytes()
    with pytest.raises(SnapshotError, match=message):
        store.save("new", params)  # type: ignore[arg-type]
    assert store.path.read_bytes() == before


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe garbage",
        b"[1, 2]",
        b'{"a": 3}',
        b'{"a": {"params": {}}}',
        b'{"a": {"time": "t", "params": {"low_cut": "loud"}}}',
        b'{"a": {"time": "t", "params": {"low_cut": NaN}}}',
        b'{"a": {"time": "t", "params": {}}, "a": {"time": "u", "params": {}}}',  # a name twice: one would be lost
        b'{"a": {"time": "t", "params": {"x": ' + b"9" * 5000 + b"}}}",
    ],
)
def test_a_corrupt_file_is_left_byte_identical_after_a_refused_save(store: SnapshotStore, content: bytes) -> None:
    store.directory.mkdir(parents=True)
    store.path.write_bytes(content)
    with pytest.raises(SnapshotError) as refused:
        store.save("new", SETTING)
    message = str(refused.value)
    assert str(store.path) in message and "left untouched" in message and "\n" not in message
    assert store.path.read_bytes() == content
    assert os.listdir(store.directory) == ["snapshots.json"]
    for read in (store.names, store.next_name, lambda: store.get("a")):
        with pytest.raises(SnapshotError, match="snapshots.json"):
            read()


def test_an_unreadable_file_is_refused_and_left_alone(store: SnapshotStore) -> None:
    store.path.mkdir(parents=True)  # a folder where the file should be: unreadable for everyone, root included
    with pytest.raises(SnapshotError, match="snapshots.json: cannot read"):
        store.save("new", SETTING)
    assert store.path.is_dir() and os.listdir(store.path) == []


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(
    store: SnapshotStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save("old", SETTING)
    before = store.path.read_bytes()

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(SnapshotError, match="could not save snapshot 'new' .*No space left on device"):
        store.save("new", SETTING)
    monkeypatch.undo()
    assert store.path.read_bytes() == before and store.names() == ["old"]
    assert os.listdir(store.directory) == ["snapshots.json"]


def test_a_snapshot_from_an_older_preset_version_says_so(store: SnapshotStore, tmp_path: Path) -> None:
    store.save("old", SETTING)
    grown = SnapshotStore(store.directory, (*NAMES, "reverb_wet"))
    assert grown.names() == ["old"]
    with pytest.raises(SnapshotError, match="'old' lacks reverb_wet .*different version of the preset"):
        grown.get("old")
    shrunk = SnapshotStore(store.directory, NAMES[:2])
    assert shrunk.get("old") == {"low_cut": 80.0, "delay_time": 0.35}
