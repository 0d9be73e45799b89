"""--input-channels without a sound card: which columns of PortAudio's input block become the instrument."""

from __future__ import annotations

import numpy as np

from rlfx_tui.audio.input_mix import InputMix


def test_one_channel_is_a_view_and_more_are_averaged_in_place() -> None:
    block = np.stack([np.full(256, 0.1), np.full(256, 0.5), np.full(256, -0.3), np.full(256, 0.9)], axis=1)
    block = block.astype(np.float32)
    second = InputMix((2,), 256)
    assert second.opened == 2 and np.shares_memory(second(block), block)
    np.testing.assert_array_equal(second(block), block[:, 1])
    pair = InputMix((3, 4), 256)
    assert pair.opened == 4
    out = pair(block)
    np.testing.assert_allclose(out, 0.3, rtol=1e-6)
    assert out.dtype == np.float32 and pair(block) is not out and np.shares_memory(pair(block), out)  # one buffer
    longer = np.ones((512, 4), dtype=np.float32)
    np.testing.assert_allclose(pair(longer), 1.0)  # a longer block than any before: the buffer grows once
