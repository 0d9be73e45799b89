"""The input channels that are the instrument (--input-channels), as the one mono signal the chain takes."""

from __future__ import annotations

import numpy as np


class InputMix:
    """`mix(indata)` → (frames,): one chosen channel as a view, or two and more averaged into a preallocated buffer
    (the audio thread allocates only when a block is longer than any before)."""

    def __init__(self, channels: tuple[int, ...], blocksize: int) -> None:
        self.channels = tuple(c - 1 for c in channels)  # 0-based, as PortAudio numbers them
        self.opened = max(self.channels) + 1  # the stream opens channels 1..this
        self._mix = np.zeros(blocksize, dtype=np.float32)

    def __call__(self, indata: np.ndarray) -> np.ndarray:
        channels = self.channels
        if len(channels) == 1:
            return indata[:, channels[0]]
        frames = indata.shape[0]
        if frames > self._mix.shape[0]:
            self._mix = np.zeros(frames, dtype=np.float32)
        mix = self._mix[:frames]
        np.copyto(mix, indata[:, channels[0]])
        for c in channels[1:]:
            np.add(mix, indata[:, c], out=mix)
        mix *= np.float32(1.0 / len(channels))
        return mix
