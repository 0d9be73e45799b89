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


CLI_CHECK = """
import sys
import rlfx_tui.cli
rlfx_tui.cli.build_parser()
print(",".join(m for m in ("sklearn", "textual", "sounddevice", "pythonosc") if m in sys.modules))
"""


def test_building_the_cli_parser_stays_light():
    """The app shows its first frame before scikit-learn loads: parsing options must not import it."""
    out = subprocess.run([sys.executable, "-c", CLI_CHECK], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
