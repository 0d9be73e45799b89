"""Closing a PortAudio stream, including one that died under us, without hanging.

After a JACK server shut down, PortAudio's stop, abort and close all wait up to 10 minutes for a process cycle that
never comes (pa_jack.c WaitCondition), and its terminate at exit would then abort the process: restart and quit
hung (tests/reliability/test_device_faults.py). A dead stream is closed from a helper thread with a time limit and,
if stuck, abandoned.
"""

from __future__ import annotations

import atexit
import sys
import threading
from typing import Any

LOST_STREAM_CLOSE_TIMEOUT_S = 1.5
# Streams PortAudio could not close: kept referenced, never touched again. Non-empty means PortAudio in this
# process cannot reach that server again (re-initialising it would assert on the dead client).
abandoned_streams: list[Any] = []


def close_stream(stream: Any) -> None:
    """Stop and close a running stream; close a dead one within LOST_STREAM_CLOSE_TIMEOUT_S or abandon it."""
    if is_active(stream):
        try:
            stream.stop()
        finally:
            stream.close()
        return
    closer = threading.Thread(target=_close_quietly, args=(stream,), name="rlfx-close-lost-stream", daemon=True)
    closer.start()
    closer.join(LOST_STREAM_CLOSE_TIMEOUT_S)
    if closer.is_alive():
        abandoned_streams.append(stream)
        _skip_portaudio_exit_handler()


def is_active(stream: Any) -> bool:
    try:
        return bool(stream.active)
    except Exception:  # noqa: BLE001 - a stream PortAudio no longer knows is not active
        return False


def _close_quietly(stream: Any) -> None:
    try:
        stream.abort()
        stream.close()
    except Exception:  # noqa: BLE001 - it is already dead; closing is only to free the device
        pass


def _skip_portaudio_exit_handler() -> None:
    """sounddevice terminates PortAudio at exit, which closes every open stream: with an abandoned JACK stream
    that waits 10 minutes and then aborts the process (pa_jack.c asserts that its dead client deactivated).
    Quitting must not hang, and there is nothing left to release, so leave it to the OS."""
    sd = sys.modules.get("sounddevice")
    handler = getattr(sd, "_exit_handler", None)
    if handler is not None:
        atexit.unregister(handler)
