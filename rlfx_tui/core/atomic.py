"""Whole-or-nothing file writes: a file a user keeps (snapshots, an exported preset) is never left half written.

The bytes go to a temporary file beside the target, are fsynced, then take the target's name in one step (rename,
or a hard link when an existing file must not be replaced), and the directory is fsynced so the new name survives
a crash too.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable; a no-op where directories can't be opened (Windows, some filesystems)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # the file itself is fsynced; a directory that refuses fsync is no reason to fail
    finally:
        os.close(fd)


def write_atomic(
    path: str | os.PathLike[str], data: bytes, *, overwrite: bool = True, check: Callable[[Path], None] | None = None
) -> None:
    """Write `data` to `path` whole or not at all; durable when this returns.

    overwrite=False never replaces an existing file (FileExistsError, even if one appears meanwhile). `check`, if
    given, is called with the fsynced temporary file before it takes the name; if it raises, nothing is written.
    OSError on failure, and then the temporary file is gone and `path` is as it was."""
    path = Path(path)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if check is not None:
            check(Path(temp))
        if overwrite:
            os.replace(temp, path)
        else:
            _link_new(Path(temp), path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(path.parent)


def _link_new(temp: Path, path: Path) -> None:
    """Give `temp` the name `path` only if no file has it: link (atomic, refuses an existing name), then drop temp."""
    try:
        os.link(temp, path)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        if path.exists():  # a filesystem without hard links: check, then rename (a narrow race, no torn file)
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path)) from None
        os.replace(temp, path)
        return
    os.unlink(temp)
