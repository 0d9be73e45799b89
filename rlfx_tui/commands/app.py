"""Launch the Textual app (no subcommand): Session + Engine + Rehearsal (+ OSC if asked), through `make_app(build=...)`.

The preset is checked before the terminal switches to the app, so a bad preset is one line and exit 2; the
session (which imports scikit-learn and may load or fit the model) and the audio engine are built behind the
first frame, so the app shows at once. A device or file the player asked for must be there (one line listing what
exists, exit 2, before the terminal is taken over); with nothing asked the engine never raises for a missing sound
card: it falls back to the demo loop (DEMO in the top bar) and says why, which the app shows as a notice.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rlfx_tui.core.preset_spec import Preset
    from rlfx_tui.core.session import Session


# Input loudness below this is silence (a dead input, nothing plugged in): a label then is refused with a notice.
# Far under any instrument's quiet passage (a soft pad sits near -50 dBFS) and over a silent input's -120.
AUDIO_INPUT_GATE_DB = -90.0


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
    group.add_argument(
        "--auto-seconds",
        type=_seconds,
        default=4.0,
        metavar="S",
        help="auto mode (key a): seconds between jumps until a label (default 4)",
    )
    group.add_argument(
        "--keys",
        default=None,
        metavar="FILE",
        help='a keymap, e.g. `good = "right,g,pagedown"` per line (default: keys.toml in the data '
        "dir, if there is one)",
    )
    group.add_argument(
        "--midi-in",
        default=None,
        metavar="PORT",
        help="a MIDI controller's input port, part of its name (see `rlfx-tui devices`); its pedals "
        "act as midi.toml in the data dir says (shift+m in the app: MIDI learn)",
    )


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from rlfx_tui.audio.devices import preflight_devices, release_portaudio
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
    preflight_devices(config)  # an asked-for device or file that is not there: one line listing what is, exit 2
    if getattr(args, "audio_process", True):
        release_portaudio()  # the audio process opens its own; this one's would outlive a JACK server that stops
    preflight_osc(args)  # a busy port or unknown host: one line and exit 2, before the terminal is taken over
    midi_port, midi_map = None, None
    if getattr(args, "midi_in", None):  # a missing port or a bad midi.toml: one line listing what exists, exit 2
        from rlfx_tui.interop.midi import find_midi_input
        from rlfx_tui.interop.midi_map import MIDI_MAP_FILE, MidiMap

        midi_port, midi_map = find_midi_input(args.midi_in), MidiMap.load(data_dir / MIDI_MAP_FILE)
    engines: list = []  # whatever build() started, so it is stopped even if the app quits before it shows
    osc_handles: list = []
    midi_inputs: list = []  # the one MIDI input, if --midi-in: it outlives an adopted preset

    def build() -> Parts:
        import numpy as np

        from rlfx_tui.core.session import Session
        from rlfx_tui.interop.osc import start_osc

        session = Session(preset, getattr(args, "data_dir", None), rng=np.random.default_rng())  # new dice each launch
        parts = parts_for(session)
        # OSC control calls the same Rehearsal actions as the keys (from its own thread; the app receives the
        # events through post_message); OSC out reports what the engine plays, follow mode included.
        engine: Any = parts.engine
        osc_handles.append(
            start_osc(
                args,
                session,
                parts.rehearsal,
                values=lambda: engine.current_params,
                descriptors=lambda: engine.descriptors,
                adopt=adopt,
            )
        )
        return parts

    def parts_for(session: Session) -> Parts:
        from rlfx_tui.audio.engine import Engine
        from rlfx_tui.core.rehearsal import Rehearsal

        engine: Any
        if session.preset.engine == "osc":  # the patch makes the sound: parameters go out over OSC, no audio here
            from rlfx_tui.interop.osc import destination_of
            from rlfx_tui.interop.osc_engine import OscEngine

            engine = OscEngine(session, destination_of(args, session))
            if session.features is None:
                session.input_gate_db = -90.0  # no audio in: a label would be a like for silence
        else:
            if getattr(args, "audio_process", True):  # the screen and the callback then hold a GIL each
                from rlfx_tui.audio.engine_process import EngineProcess

                engine = EngineProcess(session, config)
            else:
                engine = Engine(session, config)
            if session.features is None:
                session.input_gate_db = AUDIO_INPUT_GATE_DB  # no like for silence: nothing is played into it
        engines.append(engine)
        engine.start()
        rehearsal = Rehearsal(
            session,
            engine,
            train_in_background=True,
            trainer=trainer,
            auto_interval_s=getattr(args, "auto_seconds", 4.0),
        )
        trainer.on_fallback = lambda reason: rehearsal.notice(reason, "warning")
        midi = midi_inputs[0] if midi_inputs else None
        if midi is not None:
            midi.use(rehearsal)  # an adopted preset: the same pedals, the new rehearsal
        elif midi_port is not None and midi_map is not None:  # the pedals call the same Rehearsal actions as keys
            from rlfx_tui.interop.midi import MidiIn

            midi = MidiIn(rehearsal, midi_port, midi_map)
            midi_inputs.append(midi)
        return Parts(session, rehearsal, engine, midi)

    def adopt(declared: Preset) -> None:
        """A patch declared its preset (in the OSC thread): new parts, OSC switched to them, then the app."""
        import numpy as np

        from rlfx_tui.core.session import Session

        parts = parts_for(Session(declared, getattr(args, "data_dir", None), rng=np.random.default_rng()))
        old = engines[:-1]
        engine: Any = parts.engine
        osc_handles[0].use(
            parts.session, parts.rehearsal, values=lambda: engine.current_params, descriptors=lambda: engine.descriptors
        )
        app.call_from_thread(app.adopt, parts)  # type: ignore[arg-type]  # textual types a coroutine's None as Never
        for stopped in old:
            stopped.stop()
            engines.remove(stopped)

    trainer = ProcessTrainer()
    trainer.warm_up()  # starts the child now, while stdout/stderr are still the terminal's own
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # the session says what is wrong with it; the log then goes nowhere
    try:
        with c_stderr_to(data_dir / "stderr.log"):  # PortAudio/libjack lines go there, not over the layout
            app = make_app(build=build, loading=(preset.name, preset.chain_summary), trainer=trainer, keymap=keymap)
            app.run()
    finally:
        for handle in osc_handles + midi_inputs:
            handle.stop()
        for engine in engines:
            engine.stop()
    return app.return_code or 0
