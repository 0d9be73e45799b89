"""`--point N` / `--snapshot NAME`: how the commands that play or write one setting (render, export preset) name it.

Not a subcommand: a helper the subcommands share. Heavy imports stay inside the functions (the parser is light).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rlfx_tui.core.errors import RlfxError

if TYPE_CHECKING:
    from rlfx_tui.core.session import Session


def add_setting_options(parser: argparse.ArgumentParser, use: str) -> None:
    parser.add_argument(
        "--point",
        type=int,
        metavar="N",
        help=f"{use} the setting of labelled point N (its # in the app's table of points)",
    )
    parser.add_argument(
        "--snapshot", metavar="NAME", help=f"{use} the setting kept as snapshot NAME (saved with the app's s key)"
    )


@dataclass(frozen=True)
class ChosenSetting:
    params: dict[str, float]  # real units, as the chain plays it (within the ranges, pinned ones at their default)
    what: str  # for messages: "point 7 (good, labelled 2026-11-25 08:30)" or "snapshot 'warm'"


def id_ranges(ids: list[int]) -> str:
    """[1, 2, 3, 5, 7, 8] → "1-3, 5, 7-8"."""
    runs: list[list[int]] = []
    for i in sorted(ids):
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def chosen_setting(
    session: Session, point: int | None, snapshot: str | None, *, command: str, required: bool
) -> ChosenSetting | None:
    """The setting --point or --snapshot names (None when neither is given and not required); one-line RlfxError
    for both, neither (if required), an unknown or deleted point, or an unknown snapshot."""
    if point is not None and snapshot is not None:
        raise RlfxError(f"{command}: give --point N or --snapshot NAME, not both")
    if point is None and snapshot is None:
        if required:
            raise RlfxError(f"{command}: say which setting, with --point N (a labelled point) or --snapshot NAME")
        return None
    preset = session.preset.name
    if point is not None:
        found = next((p for p in session.points if p.id == point), None)
        if found is None:
            if session.dataset.was_deleted(point):
                raise RlfxError(
                    f"point {point} of preset {preset!r} is deleted; restore it first (u in the app "
                    f"right after the delete) or pick another"
                )
            live = [p.id for p in session.points]
            there = f"its points are {id_ranges(live)}" if live else "it has no labelled points yet"
            raise RlfxError(f"no point {point} in preset {preset!r} ({session.dataset.path}); {there}")
        params = found.params
        when = found.time[:16].replace("T", " ")
        what = f"point {point} ({'good' if found.good else 'bad'}, labelled {when})"
    else:
        from rlfx_tui.core.snapshots import SnapshotStore

        params = SnapshotStore(session.directory, session.space.names).get(str(snapshot))
        what = f"snapshot {snapshot!r}"
    space = session.space
    return ChosenSetting(space.denormalize(space.normalize(params)), what)
