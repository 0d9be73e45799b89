"""Launch the Textual app (no subcommand): Session + Engine + Rehearsal, through `launch_app`.

The preset is checked before the terminal switches to the app, so a bad preset is one line and exit 2; the
session (which imports scikit-learn and may load or fit the model) and the engine are built behind the first
frame, so the app shows at once.
"""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from rlfx_tui.core.presets import resolve_preset
    from rlfx_tui.tui.app import Parts, launch_app

    preset = resolve_preset(getattr(args, "preset", None))

    def build() -> Parts:
        from rlfx_tui.core.rehearsal import Rehearsal
        from rlfx_tui.core.session import Session

        session = Session(preset, getattr(args, "data_dir", None))
        engine = None
        return Parts(session, Rehearsal(session, engine, train_in_background=True), engine)

    app = launch_app(build, preset.name, preset.chain_summary)
    try:
        app.run()
    finally:
        engine = app.parts.engine if app.parts is not None else None
        if engine is not None:
            engine.stop()
    return app.return_code or 0
