"""The interop layer runs headless (serve, tests): no terminal, no sound card."""

from tests.hygiene import loaded_after


def test_interop_imports_neither_textual_nor_sounddevice():
    imports = "import rlfx_tui.interop.osc, rlfx_tui.interop.flucoma, rlfx_tui.commands.serve, rlfx_tui.commands.export"
    assert loaded_after(imports, ("textual", "sounddevice")) == []
