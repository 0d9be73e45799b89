"""`rlfx-tui serve`: the rehearsal without a terminal or a sound card, driven and observed over OSC.

A patch (SuperCollider, Max, Pd) or a foot switch says good/bad over --osc-in and receives the parameters over
--osc-out; it runs the effect itself. One line per event goes to stdout. With --demo-input, synthetic sounds
(a buzz, noise, a high tone, 4 s each) feed the descriptors so /rlfx/features and follow mode have something to do.
"""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

import numpy as np

from rlfx_tui.core.errors import ModelNotReadyError, RlfxError

if TYPE_CHECKING:
    from rlfx_tui.core.preset_spec import Preset
    from rlfx_tui.core.session import Session
    from rlfx_tui.interop.osc import OscHandle

HELP = "run headless: labels and parameters over OSC (no terminal, no audio)"
DEMO_SECONDS = 4.0
INPUT_GATE_DB = -90.0  # with no audio in (no --demo-input), labels are refused: nothing is playing


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from rlfx_tui.interop.osc_options import add_osc_options

    add_osc_options(parser)
    parser.add_argument("--seconds", type=float, metavar="S", help="stop after S seconds (default: until Ctrl-C)")
    parser.add_argument("--demo-input", action="store_true", help="feed synthetic sounds to the descriptors")
    parser.add_argument("--seed", type=int, default=0, help="random seed for the jumps (default 0)")


class FollowFlag:
    """Stands in for the audio engine's controls: serve makes no sound and applies the mapping itself, so what
    plays is always the session's current setting."""

    def __init__(self, session: Session) -> None:
        self.follow = False
        self.session = session

    def set_follow(self, on: bool) -> None:
        self.follow = on

    def set_muted(self, muted: bool) -> None:
        pass

    def set_bypass(self, on: bool) -> None:
        pass

    @property
    def current_params(self) -> dict[str, float]:
        return dict(self.session.current)


def demo_block(t: float, n: int, samplerate: int, rng: np.random.Generator) -> np.ndarray:
    phase = t + np.arange(n) / samplerate
    which = int(t // DEMO_SECONDS) % 3
    if which == 0:
        return (0.4 * np.sign(np.sin(2 * np.pi * 110 * phase))).astype(np.float32)
    if which == 1:
        return (0.2 * rng.standard_normal(n)).astype(np.float32)
    return (0.1 * np.sin(2 * np.pi * 1760 * phase)).astype(np.float32)


def describe(event: object) -> str:
    name = type(event).__name__
    fields = {k: v for k, v in vars(event).items() if k not in ("values", "changed")}
    point = fields.pop("point", None)
    if point is not None:
        fields = {"id": point.id, "good": point.good}
    return f"{name} " + " ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in fields.items())


class Stage:
    """What serve plays now: a session and its rehearsal, replaced whole when a patch declares its own preset
    (/rlfx/declare: called from the OSC thread; the main loop reads `session` and `rehearsal` at each tick)."""

    def __init__(self, args: argparse.Namespace, preset: object) -> None:
        self.args = args
        self.handle: OscHandle | None = None
        self.build(preset)

    def build(self, preset: object) -> None:
        from rlfx_tui.core.rehearsal import Rehearsal
        from rlfx_tui.session import Session

        session = Session(preset=preset, data_dir=getattr(self.args, "data_dir", None), seed=self.args.seed)  # type: ignore[arg-type]
        if not self.args.demo_input and session.features is None:
            session.input_gate_db = INPUT_GATE_DB  # no audio in: a label would be a like for silence
        controls = FollowFlag(session)
        rehearsal = Rehearsal(session, engine=controls)
        rehearsal.subscribe(lambda event: print(describe(event), flush=True))
        self.session, self.controls, self.rehearsal = session, controls, rehearsal

    def adopt(self, preset: Preset) -> None:
        self.build(preset)
        if self.handle is not None:
            self.handle.use(self.session, self.rehearsal)
        print(f"adopted preset {preset.name!r} ({preset.path}): {self.describe()}", flush=True)

    def describe(self) -> str:
        session = self.session
        where = []
        if self.handle is not None and self.handle.out is not None and session.preset.engine == "osc":
            where.append("engine: OSC → {}:{}".format(*self.handle.out.destination))
        features = session.features
        where.append(features.describe() if features is not None else "context: audio descriptors")
        return "; ".join(where)


def run(args: argparse.Namespace) -> int:
    from rlfx_tui.core.presets import resolve_preset
    from rlfx_tui.interop.osc import start_osc

    if args.osc_in is None and args.osc_out is None and not args.wekinator:
        raise RlfxError("serve: nothing to serve; give --osc-in PORT and/or --osc-out HOST:PORT")
    stage = Stage(args, resolve_preset(getattr(args, "preset", None), getattr(args, "data_dir", None)))
    handle = stage.handle = start_osc(args, stage.session, stage.rehearsal, adopt=stage.adopt)
    rng = np.random.default_rng(args.seed)
    where = [f"OSC in on {handle.inp.host}:{handle.inp.port}"] if handle.inp else []
    where += [f"Wekinator in on {handle.wek.host}:{handle.wek.port}"] if handle.wek else []
    where += [f"OSC out to {handle.out.destination[0]}:{handle.out.destination[1]}"] if handle.out else []
    print(f"serving preset {stage.session.preset.name!r}: {', '.join(where)}; Ctrl-C stops", flush=True)
    print(stage.describe(), flush=True)
    tick = 0.05
    started = time.monotonic()
    shown, shown_at = "", 0.0
    try:
        while args.seconds is None or time.monotonic() - started < args.seconds:
            now = time.monotonic() - started
            session, rehearsal = stage.session, stage.rehearsal
            if args.demo_input:
                session.listen(
                    demo_block(now, int(session.samplerate * tick), session.samplerate, rng), session.samplerate
                )
            if stage.controls.follow:
                try:
                    session.set_current(session.predict())
                except ModelNotReadyError:
                    pass
            rehearsal.tick()
            status = stage.describe()
            # the context's state at once; a new rate at most every 2 s
            if status != shown and (status.split(" @ ")[0] != shown.split(" @ ")[0] or now - shown_at >= 2.0):
                print(status, flush=True)
                shown, shown_at = status, now
            time.sleep(tick)
    except KeyboardInterrupt:
        pass
    finally:
        handle.stop()
    print(f"stopped; OSC counters: {handle.counters}", flush=True)
    return 0
