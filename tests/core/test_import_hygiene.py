"""The core and the audio layer must not drag in the terminal (nor the core the sound card)."""

from tests.hygiene import loaded_after


def test_core_imports_neither_textual_nor_sounddevice():
    imports = (
        "import rlfx_tui.session, rlfx_tui.core.rehearsal, rlfx_tui.core.presets, rlfx_tui.core.learner, "
        "rlfx_tui.core.training"
    )
    assert loaded_after(imports, ("textual", "sounddevice")) == []


def test_building_the_cli_parser_stays_light():
    """The app shows its first frame before scikit-learn loads: parsing options must not import it."""
    code = "import rlfx_tui.cli\nrlfx_tui.cli.build_parser()"
    assert loaded_after(code, ("sklearn", "textual", "sounddevice", "pythonosc")) == []
