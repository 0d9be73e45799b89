"""The input channels that are the instrument (--input-channels), as the signal the chain takes.

One channel is a mono instrument. Two channels into a stereo chain (a stereo output) are a stereo instrument, a
keyboard or a stereo pedalboard: kept as left and right. Two into a mono chain, or three and more, are mixed to mono
(equal parts): there is no one right way to pan four microphones, and the chain has at most two sides. The
descriptors always hear the mono mix (process_block makes it).
"""

from __future__ import annotations

import numpy as np


class InputMix:
    """`mix(indata)` → (frames,) or, for a stereo pair, (frames, 2): one chosen channel (or an adjacent pair) as a
    view, else copied or averaged into a preallocated buffer (the audio thread allocates only when a block is
    longer than any before)."""

    def __init__(self, channels: tuple[int, ...], blocksize: int, stereo: bool = False) -> None:
        self.channels = tuple(c - 1 for c in channels)  # 0-based, as PortAudio numbers them
        self.opened = max(self.channels) + 1  # the stream opens channels 1..this
        self.stereo = stereo and len(self.channels) == 2  # kept as left and right
        self._mix = np.zeros((blocksize, 2) if self.stereo else blocksize, dtype=np.float32)

    def __call__(self, indata: np.ndarray) -> np.ndarray:
        channels = self.channels
        if len(channels) == 1:
            return indata[:, channels[0]]
        frames = indata.shape[0]
        if frames > self._mix.shape[0]:
            self._mix = np.zeros((frames, *self._mix.shape[1:]), dtype=np.float32)
        mix = self._mix[:frames]
        if self.stereo:
            left, right = channels
            if right == left + 1:
                return indata[:, left : left + 2]
            np.copyto(mix[:, 0], indata[:, left])
            np.copyto(mix[:, 1], indata[:, right])
            return mix
        np.copyto(mix, indata[:, channels[0]])
        for c in channels[1:]:
            np.add(mix, indata[:, c], out=mix)
        mix *= np.float32(1.0 / len(channels))
        return mix
