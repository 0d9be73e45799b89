"""Which of some modules an import drags in, asked of a fresh interpreter (this one has imported them all by now).

The layers' promises (no terminal in the core, no sound card in the core, a light CLI parser, a first frame before
scikit-learn) are all checked this way."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence


def loaded_after(code: str, watched: Sequence[str]) -> list[str]:
    """Run `code` in a new Python process; return those of `watched` that are in its sys.modules afterwards."""
    check = f"{code}\nimport sys\nprint(','.join(m for m in {tuple(watched)!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]
