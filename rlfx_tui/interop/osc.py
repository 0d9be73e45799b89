"""OSC out (parameters, descriptors, labels) and OSC control in (good, bad, randomize, ...), with python-osc.

Out — `OscOut` polls the session at the control rate (20 Hz) and sends on change, so every way the parameters
move (keys, OSC control, follow mode, auto) is covered by one path; labels come from the Rehearsal's events:

    /rlfx/params       f × P   parameters in real units, preset order          on every change
    /rlfx/params/norm  f × P   the same, normalised to [0, 1]                  on every change
    /wek/outputs       f × P   normalised, like Wekinator's output (--wekinator) on every change
    /rlfx/features     f × D   input descriptors (DESCRIPTOR_NAMES order)       ~10 Hz
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

Anything else — undecodable packets, unknown addresses, wrong types or arity — is ignored and counted in
`OscIn.counters`, never raised. Actions run in the OSC thread; Rehearsal listeners are called from it.
"""

from __future__ import annotations

import argparse
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from rlfx_tui.core.errors import RlfxError
from rlfx_tui.core.rehearsal import Rehearsal
from rlfx_tui.core.session import Session
from rlfx_tui.interop.osc_in import OscIn, OscInCounters
from rlfx_tui.interop.osc_out import OscOut

__all__ = ["OscHandle", "OscIn", "OscInCounters", "OscOut", "add_osc_options", "preflight_osc", "start_osc"]
WEKINATOR_OUTPUT = ("127.0.0.1", 12000)  # where Wekinator sends /wek/outputs by default: patches listen there


def host_port(text: str) -> tuple[str, int]:
    """argparse type for HOST:PORT (HOST may be empty for 127.0.0.1)."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, e.g. 127.0.0.1:57120 (got {text!r})")
    return host.strip("[]") or "127.0.0.1", int(port)  # [::1]:57120 for IPv6


def port_number(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) < 65536:
        raise argparse.ArgumentTypeError(f"expected a UDP port number (got {text!r})")
    return int(text)


@dataclass
class OscHandle:
    out: OscOut | None = None
    inp: OscIn | None = None

    @property
    def counters(self) -> dict[str, int]:
        counts = self.inp.counters.as_dict() if self.inp else {}
        if self.out:
            counts |= {"sent": self.out.sent, "send_errors": self.out.send_errors, "poll_errors": self.out.poll_errors}
        return counts

    def stop(self) -> None:
        if self.inp:
            self.inp.stop()
        if self.out:
            self.out.stop()


def add_osc_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("OSC (SuperCollider, Max, Pd, Wekinator)")
    group.add_argument("--osc-out", type=host_port, metavar="HOST:PORT",
                       help="send parameters, descriptors and labels there (sclang listens on 127.0.0.1:57120)")
    group.add_argument("--wekinator", action="store_true",
                       help="also send /wek/outputs (normalised); without --osc-out, to 127.0.0.1:12000")
    group.add_argument("--osc-in", type=port_number, metavar="PORT",
                       help="accept /rlfx/good, /rlfx/bad, /rlfx/randomize, /rlfx/strength, /rlfx/follow, "
                            "/rlfx/undo on this UDP port")
    group.add_argument("--osc-host", default="127.0.0.1", metavar="HOST",
                       help="address --osc-in binds to (default 127.0.0.1; 0.0.0.0 accepts other machines)")


def start_osc(args: argparse.Namespace, session: Session, rehearsal: Rehearsal, *,
              values: Callable[[], Mapping[str, float]] | None = None,
              descriptors: Callable[[], np.ndarray] | None = None) -> OscHandle:
    """Start what the options ask for (nothing, and no socket, by default). Stop it with `.stop()`.

    With an audio engine running, pass `values=lambda: engine.current_params` and
    `descriptors=lambda: engine.descriptors` so OSC reports what is played, follow mode included."""
    handle = OscHandle()
    destination = getattr(args, "osc_out", None) or (WEKINATOR_OUTPUT if getattr(args, "wekinator", False) else None)
    if destination is not None:
        handle.out = OscOut(session, *destination, wekinator=bool(getattr(args, "wekinator", False)), values=values,
                            descriptors=descriptors)
        handle.out.attach(rehearsal)
        handle.out.start()
    if getattr(args, "osc_in", None) is not None:
        try:
            handle.inp = OscIn(rehearsal, args.osc_in, getattr(args, "osc_host", "127.0.0.1")).start()
        except RlfxError:
            handle.stop()
            raise
    return handle


def preflight_osc(args: argparse.Namespace) -> None:
    """Raise the one-line RlfxError start_osc would (busy port, unknown host) before a terminal app takes the
    screen; the sockets are released again, start_osc opens its own."""
    destination = getattr(args, "osc_out", None)
    if destination is not None:
        try:
            socket.getaddrinfo(destination[0], destination[1], type=socket.SOCK_DGRAM)
        except OSError as exc:
            raise RlfxError(f"cannot send OSC to {destination[0]}:{destination[1]} ({exc.strerror or exc})") from None
    port = getattr(args, "osc_in", None)
    if port is not None:
        host = getattr(args, "osc_host", "127.0.0.1")
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.bind((host, port))
            except OSError as exc:
                raise RlfxError(f"cannot listen for OSC on {host}:{port} ({exc.strerror})") from None
