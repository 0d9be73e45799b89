"""The OSC command-line options and their checks: argparse and socket only, so building the CLI's parser stays
cheap (the runtime half, rlfx_tui.interop.osc, imports the session and scikit-learn)."""

from __future__ import annotations

import argparse
import socket

from rlfx_tui.core.errors import RlfxError


def host_port(text: str) -> tuple[str, int]:
    """argparse type for HOST:PORT (HOST may be empty for 127.0.0.1)."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, e.g. 127.0.0.1:57120 (got {text!r})")
    return host.strip("[]") or "127.0.0.1", int(port)  # [::1]:57120 for IPv6


WEKINATOR_INPUT_PORT = 6448  # where Wekinator receives /wek/inputs: feature senders already send there


def port_number(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) < 65536:
        raise argparse.ArgumentTypeError(f"expected a UDP port number (got {text!r})")
    return int(text)


def add_osc_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("OSC (SuperCollider, Max, Pd, Wekinator)")
    group.add_argument(
        "--osc-out",
        type=host_port,
        metavar="HOST:PORT",
        help="send parameters, descriptors and labels there (sclang listens on 127.0.0.1:57120)",
    )
    group.add_argument(
        "--wekinator",
        action="store_true",
        help="also send /wek/outputs (normalised; without --osc-out, to 127.0.0.1:12000) and accept "
        "/wek/inputs and /wekinator/control/* on --wekinator-port",
    )
    group.add_argument(
        "--wekinator-port",
        type=port_number,
        default=WEKINATOR_INPUT_PORT,
        metavar="PORT",
        help=f"with --wekinator: the UDP port Wekinator listens on (default {WEKINATOR_INPUT_PORT})",
    )
    group.add_argument(
        "--redeclare",
        action="store_true",
        help="a patch may /rlfx/declare a preset again with another space: its labels are kept "
        "aside and a new dataset starts",
    )
    group.add_argument(
        "--osc-in",
        type=port_number,
        metavar="PORT",
        help="accept /rlfx/good, /rlfx/bad, /rlfx/randomize, /rlfx/strength, /rlfx/follow, /rlfx/undo on this UDP port",
    )
    group.add_argument(
        "--osc-host",
        default="127.0.0.1",
        metavar="HOST",
        help="address --osc-in binds to (default 127.0.0.1; 0.0.0.0 accepts other machines)",
    )


def preflight_osc(args: argparse.Namespace) -> None:
    """Raise the one-line RlfxError start_osc would (busy port, unknown host) before a terminal app takes the
    screen; the sockets are released again, start_osc opens its own."""
    destination = getattr(args, "osc_out", None)
    if destination is not None:
        try:
            socket.getaddrinfo(destination[0], destination[1], type=socket.SOCK_DGRAM)
        except OSError as exc:
            raise RlfxError(f"cannot send OSC to {destination[0]}:{destination[1]} ({exc.strerror or exc})") from None
    ports = [getattr(args, "osc_in", None)]
    if getattr(args, "wekinator", False) and getattr(args, "wekinator_port", None) not in ports:
        ports.append(getattr(args, "wekinator_port", None))
    for port in ports:
        if port is None:
            continue
        host = getattr(args, "osc_host", "127.0.0.1")
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.bind((host, port))
            except OSError as exc:
                raise RlfxError(f"cannot listen for OSC on {host}:{port} ({exc.strerror})") from None
