"""The disk fills up, or the data dir turns read-only, while the app runs (Pilot; real kernel refusals).

The data dir is a tiny tmpfs (as in test_faults.py): filled to ENOSPC, or remounted read-only for EROFS. A label
that cannot be saved is a notice, stays in memory in order (the model panel counts it as unsaved), is not in the
table, and is saved by the retry timer once the disk takes writes again. Quitting with unsaved labels asks first.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from rlfx_tui.core.session import Session
from rlfx_tui.tui.app import make_app
from rlfx_tui.tui.widgets.points import PointsTable
from tests.reliability.test_faults import fill, tiny_tmpfs
from tests.tui.conftest import hear, notices, settle, tone, until

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root (test_faults.py covers chmod)")


def unsaved(app) -> str:  # noqa: ANN001
    return str(app.screen.query_one("#model-counts").render())


def table_ids(app) -> list[int]:  # noqa: ANN001
    return app.screen.query_one(PointsTable).point_ids()


def top_up(filler) -> None:  # noqa: ANN001
    """Fill whatever room came back since (a failed cache write gives its blocks back)."""
    with open(filler, "ab", buffering=0) as handle:
        for chunk in (4096, 1):
            try:
                while True:
                    handle.write(b"\0" * chunk)
            except OSError:
                pass


def app_on(data_dir):  # noqa: ANN001, ANN201
    session = Session(data_dir=data_dir, seed=0, learner_options={"hidden_layer_sizes": (8,)})
    hear(session, tone())
    return make_app(session, poll_interval=0.1)


async def test_a_full_disk_keeps_labels_in_memory_and_saves_them_when_there_is_room(tmp_path):
    with tiny_tmpfs(tmp_path / "mnt", "256k") as mnt:
        app = app_on(mnt)
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.press("right")
            await settle(pilot)
            filler = fill(mnt)
            presses = [True]
            for _ in range(40):  # the log's last page may still take a record or two
                presses.append(len(presses) % 2 == 0)
                await pilot.press("right" if presses[-1] else "left")
                await settle(pilot)  # a retrain's model cache write fails too, and gives its blocks back:
                top_up(filler)  # take them again, so only the end of the test frees the disk
                if app.rehearsal.pending:
                    break
            else:
                pytest.fail("the disk never filled")
            # later labels queue behind the refused one, in order (after a jump: → again on the refused setting
            # within 250 ms would be a bouncing switch, ignored)
            await pilot.press("space", "right", "left")
            presses += [True, False]
            await settle(pilot)
            top_up(filler)
            pending = len(app.rehearsal.pending)
            saved = [p.id for p in app.session.points]
            assert pending >= 3 and len(saved) + pending == len(presses)
            assert any("No space left on device" in n and "kept in memory" in n for n in notices(app)), notices(app)
            assert f"{pending} unsaved" in unsaved(app)
            assert table_ids(app) == saved, "an unsaved label is shown as saved, or a saved one is missing"
            assert [p.good for p in Session(data_dir=mnt, seed=0).points] == presses[: len(saved)]
            filler.unlink()  # room again: the retry timer (every 2 s) saves them, in order
            await until(pilot, lambda: not app.rehearsal.pending, timeout=10)
            await until(pilot, lambda: "unsaved" not in unsaved(app))
            assert table_ids(app) == list(range(1, len(presses) + 1))
            await settle(pilot)
        assert [p.good for p in Session(data_dir=mnt, seed=0).points] == presses


async def test_a_read_only_data_dir_then_writable_again(tmp_path):
    with tiny_tmpfs(tmp_path / "mnt", "1m") as mnt:
        app = app_on(mnt)
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.press("right")
            await until(pilot, lambda: table_ids(app) == [1])
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
            try:
                await pilot.press("left", "right")
                await until(pilot, lambda: len(app.rehearsal.pending) == 2)
                assert any("Read-only file system" in n for n in notices(app)), notices(app)
                assert "2 unsaved" in unsaved(app) and table_ids(app) == [1]
                await pilot.press("q")  # quitting now would lose them: it asks first
                await pilot.pause()
                assert app.is_running and any("not saved" in n and "q again" in n for n in notices(app))
            finally:
                subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)
            await until(pilot, lambda: not app.rehearsal.pending, timeout=10)
            # the saved labels reach the table through the UI thread's queue, a moment after `pending` empties
            await until(pilot, lambda: table_ids(app) == [1, 2, 3])
            await pilot.press("q")  # nothing waits any more: quits at once
            await pilot.pause()
            assert not app.is_running
        assert [p.good for p in Session(data_dir=mnt, seed=0).points] == [True, False, True]


async def test_quitting_with_unsaved_labels_twice_says_what_was_lost(tmp_path):
    with tiny_tmpfs(tmp_path / "mnt", "1m") as mnt:
        app = app_on(mnt)
        exits, real_exit = [], app.exit
        app.exit = lambda *args, **kwargs: (exits.append(kwargs), real_exit(*args, **kwargs))[1]
        async with app.run_test(size=(100, 32)) as pilot:
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
            try:
                await pilot.press("right")
                await until(pilot, lambda: len(app.rehearsal.pending) == 1)
                await pilot.press("q")
                await pilot.pause()
                assert app.is_running
                await pilot.press("q")
                await pilot.pause()
                assert not app.is_running
            finally:
                subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)
        assert app.return_code == 1 and "1 label was not saved: " in exits[-1]["message"], exits
        assert "Read-only file system" in exits[-1]["message"]
