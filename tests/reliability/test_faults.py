"""Faults while running: disk full, a read-only data dir, a second writer, an exception in training.

The core's contract (the TUI builds its retry queue on it):
- `label()`/`delete()`/`restore()` raise DatasetError when the record could not be saved; then nothing was recorded:
  not on disk (a partial write is cut back, so a later retry cannot glue itself to a fragment) and not in memory.
- A model cache that cannot be written is ignored: the dataset is the truth.
- If retraining raises, the previous learner stays; a label made with train=True is then still saved, and
  TrainingError (carrying the point id) says so.
Tests run as root too, where chmod does not stop writes: RLIMIT_FSIZE (EFBIG) in a subprocess and a tiny tmpfs
(ENOSPC, and remounted read-only for EROFS) are real kernel refusals; chmod is used when it means something.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from rlfx_tui.core import model_cache
from rlfx_tui.core.errors import DatasetError
from rlfx_tui.core.learner import Learner
from rlfx_tui.core.session import Session, TrainingError

OPTIONS = {"hidden_layer_sizes": (8,)}


def session(data_dir: Path, seed: int = 0) -> Session:
    s = Session(data_dir=data_dir, seed=seed, learner_options=OPTIONS)
    s.listen(np.random.default_rng(seed).uniform(-0.5, 0.5, 4096).astype(np.float32))
    return s


def ids(data_dir: Path) -> list[int]:
    return [p.id for p in session(data_dir).points]


# -- a file size limit: a real short write, then EFBIG -----------------------------------------------------
CHILD = textwrap.dedent("""
    import json, resource, sys
    import numpy as np
    from rlfx_tui.core.errors import DatasetError
    from rlfx_tui.core.session import Session
    s = Session(data_dir=sys.argv[1], seed=0, learner_options={"hidden_layer_sizes": (8,)})
    s.listen(np.random.default_rng(0).uniform(-0.5, 0.5, 4096).astype(np.float32))
    confirmed = [s.label(True, train=False) for _ in range(3)]
    size = s.dataset.path.stat().st_size
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size + 40, hard))  # room for 40 bytes of a ~600-byte record
    errors = []
    for call in (lambda: s.label(False, train=False), lambda: s.delete(confirmed[0], train=False)):
        try:
            call()
        except DatasetError as exc:
            errors.append(str(exc))
    report = {"errors": errors, "in_memory": [p.id for p in s.points], "size": size,
              "size_after": s.dataset.path.stat().st_size}
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))  # space is back: the retry a UI would make
    confirmed.append(s.label(False, train=False))
    resource.setrlimit(resource.RLIMIT_FSIZE, (s.dataset.path.stat().st_size, hard))
    s2 = Session(data_dir=sys.argv[1], seed=1, learner_options={"hidden_layer_sizes": (8,)})  # cache save fails
    report |= {"confirmed": confirmed, "reopened": [p.id for p in s2.points]}
    print(json.dumps(report))
""")


def test_a_write_cut_short_by_a_file_size_limit_leaves_nothing_behind(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert len(report["errors"]) == 2, report
    assert all(
        "could not save" in e and "nothing was recorded" in e and "File too large" in e for e in report["errors"]
    ), report["errors"]
    assert report["in_memory"] == [1, 2, 3], "the failed label is in memory, or the failed delete was applied"
    assert report["size_after"] == report["size"], "a fragment of the failed record was left in the log"
    assert report["confirmed"] == [1, 2, 3, 4]
    assert report["reopened"] == [1, 2, 3, 4], "a session could not open with a cache it cannot write"
    assert ids(tmp_path) == [1, 2, 3, 4]


# -- a full disk and a read-only data dir: a tiny tmpfs ------------------------------------------------------
@contextlib.contextmanager
def tiny_tmpfs(path: Path, size: str = "64k") -> Iterator[Path]:
    path.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.decode().strip()})")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(directory: Path) -> Path:
    filler = directory / "filler"
    with open(filler, "wb", buffering=0) as handle:
        for chunk in (4096, 1):
            while True:
                try:
                    handle.write(b"\0" * chunk)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
                    break
    return filler


def test_a_full_disk_refuses_the_label_and_keeps_the_log_whole(tmp_path: Path) -> None:
    with tiny_tmpfs(tmp_path / "mnt") as mnt:
        s = session(mnt)
        confirmed = [s.label(True, train=False) for _ in range(3)]
        filler = fill(mnt)
        for _ in range(50):  # the log's last page may still hold a record or two
            size = s.dataset.path.stat().st_size
            try:
                confirmed.append(s.label(False, train=False))
            except DatasetError as exc:
                assert "No space left on device" in str(exc) and "nothing was recorded" in str(exc)
                break
        else:
            pytest.fail("the disk never filled")
        assert s.dataset.path.stat().st_size == size, "a fragment of the failed record was left in the log"
        assert [p.id for p in s.points] == confirmed
        filler.unlink()
        confirmed.append(s.label(True, train=False))  # the retry, once there is room again
        assert ids(mnt) == confirmed


@contextlib.contextmanager
def read_only(directory: Path) -> Iterator[str]:
    """Make `directory` refuse writes for real: chmod as a user, a read-only remount as root."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [directory, *directory.rglob("*")]}
        for p in modes:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield "Permission denied"
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    remount = subprocess.run(["mount", "-o", "remount,ro", str(directory)], capture_output=True)
    if remount.returncode != 0:
        pytest.skip(f"cannot make a read-only mount here ({remount.stderr.decode().strip()})")
    try:
        yield "Read-only file system"
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(directory)], check=True)


def test_a_read_only_data_dir_opens_but_refuses_labels(tmp_path: Path) -> None:
    root = tmp_path / "mnt"
    context = tiny_tmpfs(root, "1m") if os.geteuid() == 0 else contextlib.nullcontext(root)
    with context:
        root.mkdir(exist_ok=True)
        s = session(root)
        confirmed = [s.label(bool(i % 2), train=False) for i in range(4)]  # no cache yet: reopening must train
        with read_only(root if os.geteuid() == 0 else root / "space") as reason:
            before = {p.name: p.read_bytes() for p in (root / "space").iterdir()}
            s2 = session(root)  # retrains; the cache save fails and is ignored
            assert [p.id for p in s2.points] == confirmed
            for call in (lambda: s2.label(True), lambda: s2.delete(confirmed[0]), lambda: s.label(True)):
                with pytest.raises(DatasetError, match=f"could not save.*{reason}.*nothing was recorded"):
                    call()
            assert [p.id for p in s2.points] == confirmed and [p.id for p in s.points] == confirmed
            assert {p.name: p.read_bytes() for p in (root / "space").iterdir()} == before
        confirmed.append(s2.label(True, train=False))
        assert ids(root) == confirmed


# -- two writers on one log -------------------------------------------------------------------------------------
def test_a_second_writer_is_refused_instead_of_duplicating_ids(tmp_path: Path) -> None:
    first, second = session(tmp_path), session(tmp_path)
    first.label(True, train=False)
    with pytest.raises(DatasetError, match="changed by someone else"):
        second.label(False, train=False)
    assert second.points == []
    assert ids(tmp_path) == [1], "the log no longer opens, or holds the refused label"


def test_two_writers_racing_never_both_land(tmp_path: Path) -> None:
    """Two Dataset objects opened on the same log append at the same instant: exactly one may land."""
    import threading

    from rlfx_tui.core.dataset import Dataset
    from rlfx_tui.core.descriptors import DESCRIPTOR_NAMES

    space = session(tmp_path / "probe").space
    landed = []
    for round_ in range(100):
        directory = tmp_path / f"r{round_}"
        writers = [Dataset(directory, "space", DESCRIPTOR_NAMES, space.names) for _ in range(2)]
        barrier, results = threading.Barrier(2), []

        def add(data: Dataset) -> None:
            barrier.wait()
            try:
                results.append(data.add(np.zeros(len(DESCRIPTOR_NAMES)), space.default(), True).id)
            except DatasetError:
                results.append(None)

        threads = [threading.Thread(target=add, args=(w,)) for w in writers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        landed.append(sum(r is not None for r in results))
        assert [p.id for p in Dataset(directory, "space", DESCRIPTOR_NAMES, space.names).points] == [1]
    assert landed == [1] * 100


# -- an exception in training ------------------------------------------------------------------------------------
def test_an_exception_in_training_keeps_the_previous_learner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = session(tmp_path)
    first = s.label(True)
    previous = s.learner
    prediction = s.predict()

    def broken_fit(self: Learner, *args: object) -> Learner:
        raise RuntimeError("out of memory in the solver")

    monkeypatch.setattr(Learner, "fit", broken_fit)
    with pytest.raises(RuntimeError):
        s.retrain()
    assert s.learner is previous
    with pytest.raises(TrainingError, match=r"label 2 is saved, but retraining failed .*previous model") as caught:
        s.label(False)
    assert caught.value.point_id == 2 and s.learner is previous
    with pytest.raises(TrainingError, match=f"the delete of {first} is saved"):
        s.delete(first)
    assert s.learner is previous and s.predict() == prediction
    s.randomize(1.0)  # proposals still come from the previous learner
    monkeypatch.undo()
    assert ids(tmp_path) == [2], "what TrainingError called saved is not on disk"


def test_a_cache_that_cannot_be_written_never_fails_a_label(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(model_cache, "save", full)
    s = session(tmp_path)
    assert s.label(True) == 1 and s.learner.n_points_ == 1
