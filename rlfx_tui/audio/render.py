"""Offline render: a file through the same process_block the live callback runs, written with pedalboard.io.

Streaming (chunks in, chunks out), so long files need little memory and can report progress. With ``follow`` the
learner's mapping drives the parameters every ``follow_interval_s`` of *audio* time, through the same Follower
and the same crossfade as live follow mode, so a render sounds like the live run would have.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rlfx_tui.audio.block import BlockState, process_block
from rlfx_tui.audio.follow import Follower
from rlfx_tui.core.errors import RlfxError
from rlfx_tui.core.session import Session

CHUNK_BLOCKS = 64  # blocks per read/write: big enough to amortise file I/O, small enough for frequent progress


@dataclass(frozen=True)
class RenderResult:
    frames: int
    samplerate: int
    channels: int
    seconds: float  # audio duration written
    wall_s: float  # time it took
    jumps: int = 0  # parameter states handed to the chain by follow mode

    @property
    def realtime_factor(self) -> float:
        """Seconds of audio rendered per second of wall time."""
        return self.seconds / self.wall_s if self.wall_s > 0 else float("inf")


def render(
    in_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    session: Session,
    *,
    follow: bool = False,
    blocksize: int = 256,
    ramp_ms: float = 30.0,
    tail_s: float = 0.0,
    follow_interval_s: float = 0.05,
    follow_smoothing_s: float = 0.3,
    progress: Callable[[float, float], None] | None = None,
) -> RenderResult:
    """Render ``in_path`` through the session's preset at ``session.current`` (or following the learner) into
    ``out_path`` (WAV, FLAC, ... by extension), same rate and channel count. ``progress(done_s, total_s)`` is
    called after every chunk."""
    from pedalboard.io import AudioFile

    if follow and not session.learner.has_mapping:
        raise RlfxError(
            f"--follow needs a trained mapping for preset {session.preset.name!r}: "
            "label at least one setting as good first"
        )
    began = time.perf_counter()
    try:
        reader = AudioFile(os.fspath(in_path))
    except Exception as exc:  # noqa: BLE001 - pedalboard raises several types for unreadable files
        raise RlfxError(f"{in_path}: cannot read audio ({exc})") from exc
    with reader:
        sr, channels = int(reader.samplerate), int(reader.num_channels)
        total = reader.frames + int(round(tail_s * sr))
        space = session.space
        state = BlockState(session.preset, sr, space.as_array(session.current), blocksize=blocksize, ramp_ms=ramp_ms)
        follower = Follower(space, space.normalize(session.current), follow_interval_s, follow_smoothing_s)
        control_every = max(1, int(round(follow_interval_s * sr)))
        next_control = control_every
        try:
            writer = AudioFile(os.fspath(out_path), "w", samplerate=sr, num_channels=channels)
        except Exception as exc:  # noqa: BLE001
            raise RlfxError(f"{out_path}: cannot write audio ({exc})") from exc
        chunk = blocksize * CHUNK_BLOCKS
        mono = np.zeros(chunk, dtype=np.float32)
        out = np.zeros(chunk, dtype=np.float32)
        done = jumps = 0
        with writer:
            while done < total:
                n = min(chunk, total - done)
                data = reader.read(n) if reader.tell() < reader.frames else np.zeros((channels, 0), np.float32)
                got = data.shape[1]
                mono[:got] = data.mean(axis=0) if got else 0.0
                mono[got:n] = 0.0  # the tail (or a file shorter than it claimed): silence lets effects ring out
                for start in range(0, n, blocksize):
                    stop = min(n, start + blocksize)
                    if follow and done + start >= next_control:
                        next_control += control_every
                        real = follower.step(session.learner, state.tracker.values)
                        if real is not None:
                            state.prepare(real)
                            jumps += 1
                    process_block(state, mono[start:stop], out[start:stop])
                writer.write(np.repeat(out[None, :n], channels, axis=0))
                done += n
                if progress is not None:
                    progress(done / sr, total / sr)
    return RenderResult(done, sr, channels, done / sr, time.perf_counter() - began, jumps)
