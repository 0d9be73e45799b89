"""The number check both readers of user files share (the dataset's JSON lines, a preset's TOML)."""

from __future__ import annotations

import math


def is_finite(value: int | float) -> bool:
    """math.isfinite, but False (not OverflowError) for an int too large for a float: JSON and TOML both allow
    integers of any length, and a 400-digit one must be refused like inf, not crash the reader."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False
