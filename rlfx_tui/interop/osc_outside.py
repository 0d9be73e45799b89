"""What a patch sends besides control: its own parameter space (/rlfx/declare), its own context
(/rlfx/declare_features, /rlfx/features, Wekinator's /wek/inputs) and Wekinator's control messages. OscIn
(osc_in.py) dispatches here; each handler returns None when it acted, or the text to answer with /rlfx/error.

Adopting a declared preset means a new Session and Rehearsal: that is the caller's (serve's `Stage.adopt`, the
app command's `adopt`), given as `adopt`. Without one, a declaration of another preset is kept and answered with
how to open it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rlfx_tui.core.declared import adopt_declared, declared_preset, space_key, with_context
from rlfx_tui.core.errors import RlfxError
from rlfx_tui.core.preset_spec import Preset
from rlfx_tui.core.presets import USER_PRESETS
from rlfx_tui.core.rehearsal import Rehearsal
from rlfx_tui.paths import resolve_data_dir

WEKINATOR_CONTROL = "/wekinator/control/"


@dataclass
class Outside:
    rehearsal: Callable[[], Rehearsal]  # the rehearsal now (a declaration may replace it)
    data_dir: str | os.PathLike[str] | None = None
    redeclare: bool = False
    adopt: Callable[[Preset], None] | None = None
    declared: int = 0
    features: int = 0

    def declare(self, args: Sequence[Any]) -> str | None:
        try:
            preset = declared_preset(args)
            return self._adopt(adopt_declared(preset, self.data_dir, redeclare=self.redeclare))
        except RlfxError as exc:
            return str(exc)

    def declare_features(self, args: Sequence[Any]) -> str | None:
        current = self.rehearsal().session.preset
        if current.engine != "osc" or current.path.parent != resolve_data_dir(self.data_dir) / USER_PRESETS:
            return (
                f"/rlfx/declare_features: preset {current.name!r} is not one a patch declared; send "
                "/rlfx/declare first (or put [context] in its file)"
            )
        try:
            preset = with_context(current, list(args))
            return self._adopt(adopt_declared(preset, self.data_dir, redeclare=self.redeclare))
        except RlfxError as exc:
            return str(exc)

    def _adopt(self, preset: Preset) -> str | None:
        self.declared += 1
        current = self.rehearsal().session.preset
        if preset.path == current.path and space_key(preset) == space_key(current):
            return None  # already playing it (a patch declares on every boot)
        if self.adopt is None:
            return (
                f"declared preset {preset.name!r} is kept in {preset.path}; this rlfx-tui plays "
                f"{current.name!r}: restart it with --preset {preset.name}"
            )
        self.adopt(preset)
        return None

    def feature_vector(self, args: Sequence[Any], address: str = "/rlfx/features") -> str | None:
        session = self.rehearsal().session
        context = session.features
        if context is None and address == "/wek/inputs" and args:  # Wekinator's inputs are unnamed: name them
            error = self.declare_features([f"wek_{i + 1}" for i in range(len(args))])
            if error is not None:
                return error
            session = self.rehearsal().session
            context = session.features
        if context is None:
            return (
                f"{address}: preset {session.preset.name!r} keys on the audio descriptors; declare the features "
                "first (/rlfx/declare_features name…, or [context] in the preset)"
            )
        problem = context.check(args)
        if problem is not None:
            return f"{address}: {problem}"
        context.receive(args)
        self.features += 1
        return None

    def wekinator_control(self, address: str, args: Sequence[Any]) -> str | None:
        """None: done; "": not an rlfx action (unknown); otherwise the refusal."""
        rehearsal = self.rehearsal()
        command = address[len(WEKINATOR_CONTROL) :]
        if command == "startRunning":
            rehearsal.set_follow(True)
        elif command == "stopRunning":
            rehearsal.set_follow(False)
        elif command == "train":
            rehearsal.train_now()
        elif command == "deleteAllExamples":
            return (
                "/wekinator/control/deleteAllExamples refused: it would delete every label; delete points "
                "one by one in rlfx-tui (they can be undone there)"
            )
        else:
            return ""
        return None
