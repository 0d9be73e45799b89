"""OSC out (parameters, descriptors, labels) and OSC control in (good, bad, randomize, ...), with python-osc.

Out — `OscOut` polls the session at the control rate (20 Hz) and sends on change, so every way the parameters
move (keys, OSC control, follow mode, auto) is covered by one path; labels come from the Rehearsal's events:

    /rlfx/params       f × P   parameters in real units, preset order          on every change
    /rlfx/params/norm  f × P   the same, normalised to [0, 1]                  on every change
    /rlfx/set          (s f)×P name, value (real units) pairs: synth.set(*msg[1..]), Max's [route]; on every change
    /wek/outputs       f × P   normalised, like Wekinator's output (--wekinator) on every change
    /rlfx/features     f × D   input descriptors (DESCRIPTOR_NAMES order)       ~10 Hz (not with a context from
                                                                                outside: that is the patch's own)
    /rlfx/label        i i f×P point id, 1 good / 0 bad, its parameters (units)  on each label (and undone delete)
    /rlfx/unlabel      i       point id                                         on each delete (and undone label)
    /rlfx/names        s × P   parameter names, preset order                    once, at start

In — `OscIn` listens on 127.0.0.1 (unless told otherwise) and calls the Rehearsal's methods, the same code path
as the keys:

    /rlfx/good, /rlfx/bad, /rlfx/randomize, /rlfx/undo   no argument, or one number: non-zero acts, 0 is ignored
                                                         (a foot switch through a MIDI→OSC bridge sends 1 on press
                                                         and 0 on release; only the press should count)
    /rlfx/strength f    0..1 (clipped)
    /rlfx/follow i      non-zero = on (ints, floats from Pd, or OSC true/false)

What a patch declares (rlfx_tui/interop/osc_outside.py, rlfx_tui/core/declared.py):

    /rlfx/declare s (s f f s f)…   a preset name, then per parameter: name min max "lin"|"exp" default; checked
                                   like a TOML preset, kept as <data dir>/presets/<name>.toml, adopted (serve)
    /rlfx/declare_features s…      the names of the features that become the context (the declared preset's)
    /rlfx/features f…              one feature vector, in the declared order (the context's length)
    /wek/inputs f…                 the same from Wekinator-style senders (--wekinator, port 6448); unnamed inputs
                                   of a declared preset with no features yet become wek_1..wek_n
    /wekinator/control/startRunning, stopRunning (follow on/off), train (retrain); deleteAllExamples is refused

A label while the context is stale (no features for over 1 s; in serve without input, silence) is refused.
Wrong types or arity, NaN, huge numbers and refusals are counted and answered to the sender with
`/rlfx/error s` (one line); undecodable packets and unknown addresses are counted only. Nothing is ever raised.
Actions run in the OSC thread; Rehearsal listeners are called from it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from rlfx_tui.core.errors import RlfxError
from rlfx_tui.core.preset_spec import Preset
from rlfx_tui.core.rehearsal import Rehearsal
from rlfx_tui.core.session import Session
from rlfx_tui.interop.osc_in import OscIn, OscInCounters
from rlfx_tui.interop.osc_options import WEKINATOR_INPUT_PORT, add_osc_options, host_port, port_number, preflight_osc
from rlfx_tui.interop.osc_out import OscOut
from rlfx_tui.interop.osc_outside import Outside

__all__ = [
    "OscHandle",
    "OscIn",
    "OscInCounters",
    "OscOut",
    "add_osc_options",
    "host_port",
    "port_number",
    "preflight_osc",
    "start_osc",
]
WEKINATOR_OUTPUT = ("127.0.0.1", 12000)  # where Wekinator sends /wek/outputs by default: patches listen there
SCLANG = ("127.0.0.1", 57120)  # sclang's default port: where an OSC preset's parameters go without --osc-out


@dataclass
class OscHandle:
    out: OscOut | None = None
    inp: OscIn | None = None
    wek: OscIn | None = None  # --wekinator: /wek/inputs and /wekinator/control/* on Wekinator's own port

    @property
    def counters(self) -> dict[str, int]:
        counts = self.inp.counters.as_dict() if self.inp else {}
        if self.wek:
            counts |= {f"wekinator_{k}": v for k, v in self.wek.counters.as_dict().items()}
        if self.out:
            counts |= {"sent": self.out.sent, "send_errors": self.out.send_errors, "poll_errors": self.out.poll_errors}
        return counts

    def use(
        self,
        session: Session,
        rehearsal: Rehearsal,
        *,
        values: Callable[[], Mapping[str, float]] | None = None,
        descriptors: Callable[[], np.ndarray] | None = None,
    ) -> None:
        """A patch declared its preset: every OSC part acts on (and reports) the new session from now on."""
        for inp in (self.inp, self.wek):
            if inp:
                inp.use(rehearsal)
        if self.out:
            self.out.use(session, rehearsal, values=values, descriptors=descriptors)

    def stop(self) -> None:
        if self.wek:
            self.wek.stop()
        if self.inp:
            self.inp.stop()
        if self.out:
            self.out.stop()


def start_osc(
    args: argparse.Namespace,
    session: Session,
    rehearsal: Rehearsal,
    *,
    values: Callable[[], Mapping[str, float]] | None = None,
    descriptors: Callable[[], np.ndarray] | None = None,
    adopt: Callable[[Preset], None] | None = None,
) -> OscHandle:
    """Start what the options ask for (nothing, and no socket, by default). Stop it with `.stop()`.

    With an audio engine running, pass `values=lambda: engine.current_params` and
    `descriptors=lambda: engine.descriptors` so OSC reports what is played, follow mode included. `adopt`, if
    given, is called (in the OSC thread) with a preset a patch declared; it builds the new session and calls
    `handle.use(...)`. An OSC preset with no --osc-out sends to sclang (127.0.0.1:57120)."""
    handle = OscHandle()
    destination = destination_of(args, session)
    if destination is not None:
        handle.out = OscOut(
            session,
            *destination,
            wekinator=bool(getattr(args, "wekinator", False)),
            values=values,
            descriptors=descriptors,
        )
        handle.out.attach(rehearsal)
        handle.out.start()
    host = getattr(args, "osc_host", "127.0.0.1")
    wek_port = getattr(args, "wekinator_port", WEKINATOR_INPUT_PORT) if getattr(args, "wekinator", False) else None
    try:
        if getattr(args, "osc_in", None) is not None:
            handle.inp = OscIn(rehearsal, args.osc_in, host, outside=_outside(args, rehearsal, adopt)).start()
        if wek_port is not None and wek_port != getattr(args, "osc_in", None):
            handle.wek = OscIn(rehearsal, wek_port, host, outside=_outside(args, rehearsal, adopt)).start()
    except RlfxError:
        handle.stop()
        raise
    for inp in (handle.inp, handle.wek):
        if inp is not None and inp.outside is not None:
            inp.outside.rehearsal = _current_of(inp)  # follows use()
    return handle


def _current_of(inp: OscIn) -> Callable[[], Rehearsal]:
    return lambda: inp.rehearsal


def _outside(args: argparse.Namespace, rehearsal: Rehearsal, adopt: Callable[[Preset], None] | None) -> Outside:
    return Outside(lambda: rehearsal, getattr(args, "data_dir", None), bool(getattr(args, "redeclare", False)), adopt)


def destination_of(args: argparse.Namespace, session: Session) -> tuple[str, int] | None:
    """Where the parameters go: --osc-out, Wekinator's port with --wekinator, sclang's for an OSC preset."""
    given = getattr(args, "osc_out", None) or (WEKINATOR_OUTPUT if getattr(args, "wekinator", False) else None)
    return given or (SCLANG if session.preset.engine == "osc" else None)
