"""What keeps a Python audio callback on time while the engine runs, as one context manager (Engine.start enters
it, Engine.stop leaves it). Process-wide settings: each is restored on exit. What each one buys is measured by the
stress run (`rlfx-tui bench --stress`); the latest figures are in docs/figures/.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits

# While the engine runs, a Python thread holding the GIL must hand it to the audio thread within this time
# (CPython's default is 5 ms, about one 256-frame period at 48 kHz). The callback waits for it more than once a
# block: pedalboard releases the GIL inside every call (a stereo chain makes one per side, a crossfade doubles
# them), and while the app's screen renders, the UI thread takes the GIL at each release, so every re-take can
# wait a whole interval. At 1 ms the app at 128 frames dropped 80-105 blocks in 40 s; at 0.1 ms, 4-6 (0.2 ms: 5-27,
# 0.05 ms: 10-11; docs/figures/engine.md).
GIL_SWITCH_INTERVAL_S = 0.0001


@contextmanager
def realtime() -> Iterator[None]:
    """Enter before the stream starts.

    - The heap is frozen: everything alive now (numpy, scikit-learn, the session) is moved out of the cyclic
      collector's reach, since a full collection scanning it holds the GIL for a long moment mid-callback.
    - The GIL switch interval drops to GIL_SWITCH_INTERVAL_S.
    - One BLAS thread: OpenBLAS's worker threads spin on every core during the learner's matrix products (a
      proposal is candidates × points), and the stress run has fewer xruns without them.
    """
    gc.collect()
    gc.freeze()
    saved_switch = sys.getswitchinterval()
    sys.setswitchinterval(min(saved_switch, GIL_SWITCH_INTERVAL_S))
    blas = threadpool_limits(limits=1)
    try:
        yield
    finally:
        blas.restore_original_limits()
        sys.setswitchinterval(saved_switch)
        gc.unfreeze()
