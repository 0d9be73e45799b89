"""Launch the Textual app (no subcommand): Session + Engine + Rehearsal (+ OSC if asked), through `make_app(build=...)`.

The preset is checked before the terminal switches to the app, so a bad preset is one line and exit 2; the
session (which imports scikit-learn and may load or fit the model) and the audio engine are built behind the
first frame, so the app shows at once. The engine never raises for a missing sound card: it falls back to the
demo loop and says why, which the app shows as a notice.
"""

from __future__ import annotations

import argparse


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {value!r}") from None
    if not 0.5 <= seconds <= 600:
        raise argparse.ArgumentTypeError(f"expected 0.5 to 600 seconds, got {value}")
    return seconds


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The app's own options (the engine's come from rlfx_tui.audio.options)."""
    group = parser.add_argument_group("app")
    group.add_argument("--auto-seconds", type=_seconds, default=4.0, metavar="S",
                       help="auto mode (key a): seconds between jumps until a label (default 4)")
    group.add_argument("--keys", default=None, metavar="FILE",
                       help="a keymap, e.g. `good = \"right,g,pagedown\"` per line (default: keys.toml in the data "
                            "dir, if there is one)")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from rlfx_tui.audio.options import engine_config_from_args
    from rlfx_tui.core.presets import resolve_preset
    from rlfx_tui.core.training import ProcessTrainer
    from rlfx_tui.interop.osc_options import preflight_osc
    from rlfx_tui.paths import resolve_data_dir
    from rlfx_tui.tui.app import Parts, make_app
    from rlfx_tui.tui.keys import KEYMAP_FILE, load_keymap
    from rlfx_tui.tui.terminal import c_stderr_to

    preset = resolve_preset(getattr(args, "preset", None), getattr(args, "data_dir", None))
    keys = getattr(args, "keys", None)
    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    default_keys = data_dir / KEYMAP_FILE
    keymap = load_keymap(Path(keys)) if keys else load_keymap(default_keys) if default_keys.is_file() else None
    config = engine_config_from_args(args)
    preflight_osc(args)  # a busy port or unknown host: one line and exit 2, before the terminal is taken over
    engines: list = []  # whatever build() started, so it is stopped even if the app quits before it shows
    osc_handles: list = []

    def build() -> Parts:
        from rlfx_tui.audio.engine import Engine
        from rlfx_tui.core.rehearsal import Rehearsal
        from rlfx_tui.core.session import Session
        from rlfx_tui.interop.osc import start_osc

        session = Session(preset, getattr(args, "data_dir", None))
        engine = Engine(session, config)
        engines.append(engine)
        engine.start()
        rehearsal = Rehearsal(session, engine, train_in_background=True, trainer=trainer,
                              auto_interval_s=getattr(args, "auto_seconds", 4.0))
        trainer.on_fallback = lambda reason: rehearsal.notice(reason, "warning")
        # OSC control calls the same Rehearsal actions as the keys (from its own thread; the app receives the
        # events through post_message); OSC out reports what the engine plays, follow mode included.
        osc_handles.append(start_osc(args, session, rehearsal, values=lambda: engine.current_params,
                                     descriptors=lambda: engine.descriptors))
        return Parts(session, rehearsal, engine)

    trainer = ProcessTrainer()
    trainer.warm_up()  # starts the child now, while stdout/stderr are still the terminal's own
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # the session says what is wrong with it; the log then goes nowhere
    try:
        with c_stderr_to(data_dir / "stderr.log"):  # PortAudio/libjack lines go there, not over the layout
            app = make_app(build=build, loading=(preset.name, preset.chain_summary), trainer=trainer,
                           keymap=keymap)
            app.run()
    finally:
        for handle in osc_handles:
            handle.stop()
        for engine in engines:
            engine.stop()
    return app.return_code or 0
