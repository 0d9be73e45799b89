"""The number checks: the one both readers of user files share (the dataset's JSON lines, a preset's TOML), and the
samples check of the chain's NaN/Inf guard."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def is_finite(value: int | float) -> bool:
    """math.isfinite, but False (not OverflowError) for an int too large for a float: JSON and TOML both allow
    integers of any length, and a 400-digit one must be refused like inf, not crash the reader."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def all_finite(samples: np.ndarray, *, bounded: bool = False) -> bool:
    """``np.isfinite(samples).all()`` without the boolean array it allocates (the audio thread calls this on every
    block). In general: the largest sample is NaN or +inf when any sample is NaN or +inf, the smallest -inf when one
    is. ``bounded``: the samples are known to be small unless broken (a chain's output, after its limiter), so
    one sum does (NaN or inf when any sample is; it could overflow only for finite samples near float32's limit,
    and then the exact check decides)."""
    if samples.size == 0:
        return True
    if bounded and (samples.ndim == 1 or samples.flags.c_contiguous):  # the audio thread's case, kept short
        return math.isfinite(float(np.add.reduce(samples, axis=None))) or bool(np.isfinite(samples).all())
    rows = (samples,) if samples.ndim == 1 else samples.reshape(-1, samples.shape[-1])  # a strided 2-D view: by row
    for row in rows:  # (reducing a strided view at once would copy it first)
        if bounded:
            if not math.isfinite(float(np.add.reduce(row))) and not bool(np.isfinite(row).all()):
                return False
        elif not (math.isfinite(float(np.maximum.reduce(row))) and math.isfinite(float(np.minimum.reduce(row)))):
            return False
    return True


# The clip ufunc itself: np.clip's Python wrappers cost ~2 µs a call, a sixth of a 256-frame chain.
_CLIP: Any = getattr(getattr(np, "_core", None), "umath", None)
_CLIP = getattr(_CLIP, "clip", None)


# What clip_in_place calls: the ufunc (numpy >= 2), else np.clip. The audio thread calls it with float32 0-d bounds.
CLIP: Any = _CLIP if _CLIP is not None else np.clip


def clip_in_place(samples: np.ndarray, ceiling: float) -> np.ndarray:
    """``np.clip(samples, -ceiling, ceiling, out=samples)``, without np.clip's Python overhead (numpy >= 2)."""
    if _CLIP is None:  # pragma: no cover - numpy 1.x
        return np.clip(samples, -ceiling, ceiling, out=samples)
    return _CLIP(samples, -ceiling, ceiling, out=samples)
