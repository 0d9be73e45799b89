"""Keep C libraries from writing over the app.

PortAudio and libjack print to file descriptor 2 ("Expression ... failed in pa_jack.c", "Cannot connect to server
socket"), and descriptor 2 is also the terminal Textual draws on (through sys.__stderr__): their lines land on top
of the layout. For the app's run, Python's stderr (Textual's screen, its exit messages) gets its own descriptor for
the terminal and descriptor 2 goes to a log file; both are put back afterwards.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def c_stderr_to(log_path: Path) -> Iterator[None]:
    original = sys.__stderr__
    if original is None or not original.isatty():  # not a terminal: nothing to draw over
        yield
        return
    original.flush()
    try:
        log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    except OSError:  # a read-only or full data dir must not stop the app
        log_fd = os.open(os.devnull, os.O_WRONLY)
    saved_fd = os.dup(2)
    terminal = os.fdopen(os.dup(2), "w", encoding=original.encoding, errors=original.errors, buffering=1)
    saved_stderr = sys.stderr
    sys.__stderr__ = sys.stderr = terminal  # type: ignore[misc]  # on purpose: Textual draws on sys.__stderr__
    os.dup2(log_fd, 2)
    os.close(log_fd)
    try:
        yield
    finally:
        terminal.flush()
        os.dup2(saved_fd, 2)
        os.close(saved_fd)
        sys.__stderr__, sys.stderr = original, saved_stderr  # type: ignore[misc]
        terminal.close()
