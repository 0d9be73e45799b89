"""The interop layer runs headless (serve, tests): no terminal, no sound card."""

import subprocess
import sys

CHECK = """
import sys
import rlfx_tui.interop.osc, rlfx_tui.interop.flucoma, rlfx_tui.commands.serve, rlfx_tui.commands.export
bad = [m for m in ("textual", "sounddevice") if m in sys.modules]
print(",".join(bad))
"""


def test_interop_imports_neither_textual_nor_sounddevice():
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
