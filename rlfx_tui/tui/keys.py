"""The keys, as data: one table feeds the bindings, the footer and the help screen.

Each binding has an id, so a user keymap (`App.set_keymap({"rlfx.good": "l"})`) can move a key without code.
The player's keys are priority bindings, so they work whatever has focus (the points table would otherwise take
space and the arrows for itself); up/down and the page keys stay with the table so the points remain navigable,
and `d`/`delete` act on the point selected there.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.keys import format_key

from rlfx_tui.core.errors import RlfxError

if TYPE_CHECKING:
    from textual.app import App

KEYMAP_FILE = "keys.toml"
KEY_NAMES = {
    "right": "→",
    "left": "←",
    "space": "space",
    "plus": "+",
    "equals_sign": "=",
    "minus": "-",
    "underscore": "_",
    "question_mark": "?",
    "delete": "delete",
}

PLAYER_KEYS: list[Binding] = [
    Binding("space", "randomize", "jump", id="rlfx.jump", priority=True, key_display="space"),
    Binding("right,g", "good", "good", id="rlfx.good", priority=True, key_display="→"),
    Binding("left,b", "bad", "bad", id="rlfx.bad", priority=True, key_display="←"),
    # strength keys are shown beside the strength in the top bar, which keeps the footer within 80 columns
    Binding("plus,equals_sign", "nudge_strength(1)", "strength +5 %", id="rlfx.strength_up", priority=True, show=False),
    Binding(
        "minus,underscore", "nudge_strength(-1)", "strength −5 %", id="rlfx.strength_down", priority=True, show=False
    ),
    *[
        Binding(
            str(n % 10),
            f"set_strength({(n if n < 10 else 10) / 10})",
            f"strength {n * 10} %",
            id=f"rlfx.strength_{n * 10}",
            show=False,
            priority=True,
        )
        for n in range(1, 11)
    ],
    Binding("backspace", "previous_setting", "back", id="rlfx.back", priority=True, show=False, key_display="⌫"),
    Binding(
        "right_square_bracket", "next_setting", "forward", id="rlfx.forward", priority=True, show=False, key_display="]"
    ),
    Binding("a", "toggle_auto", "auto", id="rlfx.auto", priority=True),
    Binding("f", "toggle_follow", "follow", id="rlfx.follow", priority=True),
    Binding("z", "toggle_bypass", "bypass", id="rlfx.bypass", priority=True, show=False),
    Binding("u", "undo", "undo", id="rlfx.undo", priority=True),
    Binding("U", "redo", "redo", id="rlfx.redo", priority=True, show=False),
    Binding("m", "toggle_mute", "mute", id="rlfx.mute", priority=True),
    # the point selected in the table:
    Binding("enter", "recall", "hear again", id="rlfx.recall", show=False, key_display="enter"),
    Binding("x", "flip_point", "flip", id="rlfx.flip", show=False),
    Binding("d,delete", "delete_point", "delete", id="rlfx.delete"),
    # the knob selected in the parameters (tab moves there, ↑/↓ select). Not a priority binding: those run as soon
    # as the app reads the key, ahead of a tab or ↓ still queued for the focused widget, so a quick ↓ l locked the
    # knob above the one selected; this way l waits in the same queue as the keys that select:
    Binding("l", "toggle_lock", "lock", id="rlfx.lock", show=False),
    Binding("L", "lock_mattering", "lock •", id="rlfx.lock_mattering", priority=True, show=False),
    Binding("s", "save_snapshot", "save", id="rlfx.snapshot", priority=True, show=False),
    Binding("r", "restart_audio", "restart audio", id="rlfx.restart_audio", show=False),
    Binding("M", "midi_learn", "MIDI learn", id="rlfx.midi_learn", priority=True, show=False),
    Binding("question_mark", "help", "help", id="rlfx.help", key_display="?"),
    Binding("q", "quit", "quit", id="rlfx.quit"),
]

HELP_TEXT: dict[str, str] = {
    "rlfx.jump": "jump to a new setting at the current strength, steered by what you liked",
    "rlfx.good": "good: keep this setting as liked for the sound you play (swipe right)",
    "rlfx.bad": "bad: record it as disliked and jump away at once (swipe left)",
    "rlfx.strength_up": "strength +5 % (how far a jump may move)",
    "rlfx.strength_down": "strength −5 %",
    "rlfx.back": "back to the setting heard before (the last 100 are kept; click-free like a jump)",
    "rlfx.forward": "forward again, after going back",
    "rlfx.auto": "auto mode on/off: a jump every few seconds; a like holds that setting until space or a",
    "rlfx.follow": "follow mode on/off: the learned mapping drives the effect from your input (needs a like)",
    "rlfx.bypass": "bypass on/off: hear the dry input to compare (labels wait until it is off)",
    "rlfx.undo": "undo the last label, delete or flip (says which; undoing ← returns to that setting)",
    "rlfx.redo": "redo what undo undid",
    "rlfx.mute": "mute on/off (panic): silence the output at once",
    "rlfx.recall": "in the points table: hear the selected point again; space then jumps from it",
    "rlfx.flip": "in the points table: flip the selected point's label good ↔ bad (undo with u)",
    "rlfx.lock": "in the parameters (tab, ↑/↓): lock / unlock the selected knob where it is; jumps hold it",
    "rlfx.lock_mattering": "lock every knob marked • (what the learner thinks matters for this sound)",
    "rlfx.snapshot": "save the setting heard as a named snapshot (rlfx-tui export preset --snapshot NAME)",
    "rlfx.help": "help: every key and what it does",
    "rlfx.quit": "quit (asks once while sound is live, and if the disk refused labels; the rest are on disk)",
    "rlfx.delete": "delete the point selected in the table (↑/↓ select; undo with u)",
    "rlfx.restart_audio": "restart the audio engine (after a device was unplugged or the server went away)",
    "rlfx.midi_learn": "MIDI learn (with --midi-in): press the pedal for good, bad, jump…; saved in midi.toml",
}


def help_rows() -> list[tuple[str, str, str]]:
    """(binding id, keys as typed, what it does), in table order; the digits are folded into one row."""
    rows: list[tuple[str, str, str]] = []
    for binding in PLAYER_KEYS:
        if binding.id and binding.id.startswith("rlfx.strength_") and binding.id[-1].isdigit():
            if binding.id == "rlfx.strength_10":
                rows.append(("rlfx.strength_digits", "1 … 9, 0", "strength 10 % … 90 %, 100 %"))
            continue
        rows.append((binding.id or "", binding.key, HELP_TEXT.get(binding.id or "", binding.description)))
    return rows


def palette_rows() -> list[tuple[str, str, str]]:
    """(title, help, action) for Textual's command palette (ctrl+p): the player's actions, from the same table.
    The strength digits stay one per row, so "strength 70 %" can be typed; a title is what the footer says."""
    rows = []
    for binding in PLAYER_KEYS:
        text = HELP_TEXT.get(binding.id or "", binding.description)
        keys = " / ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in binding.key.split(","))
        rows.append((binding.description, f"{text} [{keys}]", binding.action))
    return rows


def shown_keys(app: App[object], binding_id: str) -> list[str]:
    """The keys of one of PLAYER_KEYS as the screen shows them, after any user keymap: ["→", "g"]."""
    default = next((b.key for b in PLAYER_KEYS if b.id == binding_id), "")
    keys = app._keymap.get(binding_id, default)
    shown = [KEY_NAMES.get(k.strip()) or app.get_key_display(Binding(k.strip(), "")) for k in keys.split(",")]
    return list(dict.fromkeys(shown))


def load_keymap(path: Path) -> dict[str, str]:
    """A user keymap: `good = "right,g,pagedown"` per line (names as in the help, without `rlfx.`), e.g. for a
    foot pedal that sends page keys. Returns {binding id: keys} for `App.set_keymap`; a bad file is an RlfxError."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RlfxError(f"{path}: cannot read the keymap ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RlfxError(f"{path}: not a valid TOML keymap ({exc})") from None
    known = {b.id.removeprefix("rlfx."): b.id for b in PLAYER_KEYS if b.id}
    keymap: dict[str, str] = {}
    for name, keys in data.items():
        if name not in known:
            raise RlfxError(f"{path}: {name!r} is not a key name; known: {', '.join(sorted(known))}")
        if not isinstance(keys, str) or not keys.strip() or any(not k.strip() for k in keys.split(",")):
            raise RlfxError(f'{path}: {name}: expected keys as a string such as "right,g", got {keys!r}')
        keymap[known[name]] = ",".join(k.strip() for k in keys.split(","))
    clash = first_clash(keymap)
    if clash is not None:
        key, first, second = clash
        raise RlfxError(f"{path}: key {key!r} is given to both {first} and {second}")
    return keymap


def first_clash(keymap: dict[str, str]) -> tuple[str, str, str] | None:
    """(key, name, name) for a key that two actions would share once the keymap is laid over the defaults (a key
    moved onto another action's default clashes, unless that action moves away too); None if every key is one
    action's. Textual would quietly let one of them win."""
    owner: dict[str, str] = {}
    for binding in PLAYER_KEYS:
        if not binding.id:
            continue
        name = binding.id.removeprefix("rlfx.")
        for key in keymap.get(binding.id, binding.key).split(","):
            other = owner.setdefault(key.strip(), name)
            if other != name:
                first, second = sorted((other, name))
                return key.strip(), first, second
    return None


TYPED_KEYS: dict[str, str] = {"delete": "delete"}  # as printed on the keyboard (format_key would show "del")


def keys_markdown() -> str:
    """The README's keys table (| key | does |) from the help screen's rows, each key as a player types it
    (`→` or `g`). tests/test_docs.py checks the README's copy: after changing a binding, paste this output in."""
    lines = ["| key | does |", "|---|---|"]
    for binding_id, keys, text in help_rows():
        if binding_id == "rlfx.strength_digits":
            shown = "`1` … `9`, `0`"
        else:
            shown = " or ".join(f"`{TYPED_KEYS.get(key, format_key(key))}`" for key in map(str.strip, keys.split(",")))
        does = text.replace("|", "\\|")  # a pipe would end the cell
        lines.append(f"| {shown} | {does} |")
    return "\n".join(lines) + "\n"
