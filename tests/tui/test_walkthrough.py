"""Issue 11's rehearsal review, walked through in the real console script (tmux, 100×32, the demo source): jump,
back, forward, label, recall a row and breed from it, lock two knobs, bypass, flip, undo, redo, quit and reopen.

After each step the screen is read the way a player reads it (the parameter rows, the top bar, the table, the
notices) and checked against the files the app wrote: a value on screen agrees with state.json or points.jsonl
to the screen's rounding (format_value). Keys go in back to back, as a quick player's would (↓ then l must
lock the knob ↓ selected); each step waits for the screen, never for a fixed time. `pytest -s` prints the two
screens docs/guide/rehearsal.md shows.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

import rlfx_tui.cli
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import resolve_preset
from tests.tui.tmux import SCRIPT, Tmux

pytestmark = pytest.mark.tmux

SPACE = ParameterSpace(resolve_preset("space").params)
NAMES = {spec.display: spec.name for spec in SPACE.specs}
VALUE = re.compile(r"(-?\d+(?:\.(\d+))?)(?: ([a-zA-Z]+))?\s*$")  # "81.9 Hz", "208 ms", "1.20 kHz", "0.44"
ROW = re.compile(r"^│\s+(\d+)\s+\d\d:\d\d:\d\d\s+(✓ good|✗ bad)", re.MULTILINE)
SCALE = {"kHz": 1000.0, "ms": 0.001}  # shown unit → the preset's unit (Hz, s)


@dataclass(frozen=True)
class Knob:
    """One parameter row as shown: `◆•⊠name  bar  value unit`."""

    changed: bool
    locked: bool
    text: str  # the value as shown: "81.9 Hz"
    value: float  # in the preset's unit (Hz, s, …)
    step: float  # the screen's resolution there, in the same unit

    def agrees(self, value: float) -> bool:
        return abs(self.value - value) <= self.step / 2 + 1e-9


def knobs(screen: str) -> dict[str, Knob]:
    """The parameter panel's rows by parameter name (every one of the preset's, or {} while it is not shown)."""
    found: dict[str, Knob] = {}
    for line in screen.splitlines():
        if not line.startswith("│ "):
            continue
        content = line.split("│")[1]
        name = NAMES.get(content[4:20].strip())
        match = VALUE.search(content[20:])
        if name is None or match is None:
            continue
        number, decimals, unit = match.groups()
        scale = SCALE.get(unit or "", 1.0)
        found[name] = Knob(
            changed=content[1] == "◆",
            locked=content[3] == "⊠",
            text=match.group(0).strip(),
            value=float(number) * scale,
            step=10.0 ** -len(decimals or "") * scale,
        )
    return found if len(found) == len(SPACE.names) else {}


def texts(screen: str) -> dict[str, str]:
    return {name: knob.text for name, knob in knobs(screen).items()}


def shows(screen: str, values: dict[str, float]) -> bool:
    """The parameter panel shows these values (real units), to its rounding."""
    shown = knobs(screen)
    return bool(shown) and all(shown[name].agrees(values[name]) for name in SPACE.names)


def top(screen: str) -> str:
    return screen.splitlines()[0] if screen else ""


def rows(screen: str) -> dict[int, str]:
    """The labelled points table: id → "good" / "bad"."""
    return {int(point_id): label.split()[1] for point_id, label in ROW.findall(screen)}


def notices(screen: str) -> str:
    """The notices' text (stacked at the right, each line of them from its ▌ edge to the screen's), unwrapped."""
    parts = []
    for line in screen.splitlines():
        edge = line.rfind("▌")
        if edge >= 0 and not any(border in line[edge:] for border in "│╮╯"):
            parts.append(line[edge + 1 :].strip())
    return " ".join(" ".join(parts).split())


class Files:
    """What the app wrote for the preset: state.json (last setting, locks) and points.jsonl (the label log)."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / "space"

    def state(self) -> dict:
        try:
            return json.loads((self.folder / "state.json").read_text())
        except (FileNotFoundError, ValueError):  # not written yet, or (never, it is renamed over) half written
            return {"current": None, "locked": []}

    def current(self) -> dict[str, float]:
        return self.state()["current"] or {}

    def records(self) -> list[dict]:
        path = self.folder / "points.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    def params(self, point_id: int) -> dict[str, float]:
        return next(r["params"] for r in self.records() if r["op"] == "label" and r["id"] == point_id)


def test_the_rehearsal_review_walked_through_in_tmux(tmp_path):
    assert SCRIPT.exists(), f"{SCRIPT} is missing: pip install -e . first"
    data_dir, probe = tmp_path / "data", tmp_path / "imports"
    files = Files(data_dir)
    python = SCRIPT.read_text().splitlines()[0].removeprefix("#!")
    app = f"{SCRIPT} --source demo --data-dir {data_dir}; echo EXITED=$?; sleep 30"
    tmux = Tmux(tmp_path.name)
    tmux.start(f"{python} -c 'import rlfx_tui.cli as c; print(c.__file__)' > {probe}; {app}")

    def step(*keys: str) -> None:
        tmux.press(*keys, pause=0)

    def jumped(before: dict[str, str]):
        """A new setting on screen, the one state.json says is in force (so the whole panel was drawn)."""
        return lambda s: texts(s) and texts(s) != before and shows(s, files.current())

    try:
        start = tmux.wait_until(lambda s: "labelled points" in s and "q quit" in s and knobs(s), "the main screen")
        ran = Path(probe.read_text().strip()).resolve()
        assert ran == Path(rlfx_tui.cli.__file__).resolve(), f"the pane runs another checkout: {ran}"
        assert "no labels yet" in start and rows(start) == {}

        # jump, jump, back (= the first jump), forward (= the second)
        step("Space")
        first = texts(tmux.wait_until(jumped(texts(start)), "a first jump"))
        step("Space")
        second = texts(tmux.wait_until(jumped(first), "a second jump"))
        step("BSpace")
        screen = tmux.wait_until(lambda s: texts(s) == first and "back" in top(s), "back to the first jump")
        assert shows(screen, files.current())
        step("]")
        screen = tmux.wait_until(lambda s: texts(s) == second and "forward" in top(s), "forward to the second")
        assert shows(screen, files.current())

        # → keeps it: a row, with this setting in the log; a jump and ← add a second row (and jump away)
        step("Right")
        screen = tmux.wait_until(lambda s: rows(s) == {1: "good"}, "row #1, good")
        assert shows(screen, files.params(1)) and texts(screen) == second
        step("Space")
        third = texts(tmux.wait_until(jumped(second), "a third jump"))
        step("Left")
        tmux.wait_until(lambda s: rows(s) == {1: "good", 2: "bad"} and jumped(third)(s), "row #2, bad, a jump away")

        # ↑ selects row #1, enter recalls it: its setting from the log, on screen; space breeds from it at 50 %
        step("Up", "Enter")
        recalled = tmux.wait_until(lambda s: "recalled #1" in top(s) and shows(s, files.params(1)), "recalled #1")
        step("Space")
        screen = tmux.wait_until(lambda s: "from #1" in top(s) and jumped(texts(recalled))(s), "a jump from #1")
        moved = abs(SPACE.normalize(files.current()) - SPACE.normalize(files.params(1)))
        assert 0 < moved.max() <= 0.5 + 1e-9, moved  # from the recalled setting, at the strength shown
        assert "strength  50 %" in top(screen)

        # tab to the knobs, lock the first, ↓, lock the second: two rows marked ⊠, in state.json too
        step("Tab", "l")
        tmux.wait_until(lambda s: [n for n, k in knobs(s).items() if k.locked] == ["low_cut"], "low cut locked")
        step("Down", "l")
        pair = ["low_cut", "chorus_rate"]
        screen = tmux.wait_until(lambda s: [n for n, k in knobs(s).items() if k.locked] == pair, "two knobs locked")
        assert sorted(files.state()["locked"]) == sorted(pair)
        held = {name: files.current()[name] for name in pair}

        # a jump holds the locked knobs (exactly, on screen and on disk) and moves the others
        before = texts(screen)
        step("Space")
        locked_jump = tmux.wait_until(jumped(before), "a jump with two knobs locked")
        after = knobs(locked_jump)
        assert {name: files.current()[name] for name in pair} == held
        assert all(after[name].text == before[name] and not after[name].changed for name in pair)
        others = [name for name in SPACE.names if name not in pair]
        assert sum(after[name].text != before[name] for name in others) >= len(others) // 2, (before, after)
        print("\n--- after the lock and the jump ---\n" + locked_jump.rstrip())

        # bypass: BYPASS in the top bar, → refused with a notice (no row, nothing in the log); z again
        labels_before = len(files.records())
        step("z")
        tmux.wait_until(lambda s: "BYPASS" in top(s), "BYPASS in the top bar")
        step("Right")
        screen = tmux.wait_until(
            lambda s: "bypassed: un-bypass (z) to judge the effect" in notices(s), "the bypass notice"
        )
        assert rows(screen) == {1: "good", 2: "bad"} and len(files.records()) == labels_before
        step("z")
        tmux.wait_until(lambda s: "BYPASS" not in top(s) and "bypass" in top(s), "bypass off")

        # x flips the selected row (#1): on screen and as a relabel record; u undoes it, saying so; U redoes it
        step("x")
        tmux.wait_until(lambda s: rows(s) == {1: "bad", 2: "bad"}, "row #1 flipped to bad")
        assert files.records()[-1] | {"time": None} == {"op": "relabel", "id": 1, "good": False, "time": None}
        step("u")
        tmux.wait_until(lambda s: "undid flip of #1 to bad" in notices(s) and rows(s).get(1) == "good", "the undo")
        assert files.records()[-1]["op"] == "relabel" and files.records()[-1]["good"] is True
        step("U")
        tmux.wait_until(lambda s: "redid flip of #1 to bad" in notices(s) and rows(s).get(1) == "bad", "the redo")
        assert files.records()[-1]["good"] is False

        # q quits; reopened on the same data dir, the last setting heard and the two locks are back
        step("q")
        assert "EXITED=0" in tmux.wait_for("EXITED=")
        last = texts(locked_jump)
        assert shows(locked_jump, files.current()) and sorted(files.state()["locked"]) == sorted(pair)
        tmux.restart(app)
        reopened = tmux.wait_until(
            lambda s: "q quit" in s and "no audio engine" not in s and knobs(s) and rows(s),
            "the app reopened, its engine polled",
        )
        assert texts(reopened) == last
        assert [name for name, knob in knobs(reopened).items() if knob.locked] == pair
        assert rows(reopened) == {1: "bad", 2: "bad"}
        print("\n--- reopened ---\n" + reopened.rstrip())
        step("q")
        assert "EXITED=0" in tmux.wait_for("EXITED=")
    finally:
        tmux("kill-server")
