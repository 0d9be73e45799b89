"""The core and the audio layer must not drag in the terminal (nor the core the sound card)."""

import subprocess
import sys

CHECK = """
import sys
import rlfx_tui.session, rlfx_tui.core.rehearsal, rlfx_tui.core.presets, rlfx_tui.core.learner
bad = [m for m in ("textual", "sounddevice") if m in sys.modules]
print(",".join(bad))
"""


def test_core_imports_neither_textual_nor_sounddevice():
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
