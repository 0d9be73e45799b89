"""The keys, as data: one table feeds the bindings, the footer and the help screen.

Each binding has an id, so a user keymap (`App.set_keymap({"rlfx.good": "l"})`) can move a key without code.
The player's keys are priority bindings, so they work whatever has focus (the points table would otherwise take
space and the arrows for itself); up/down and the page keys stay with the table so the points remain navigable,
and `d`/`delete` act on the point selected there.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.binding import Binding
from textual.keys import format_key

from rlfx_tui.core.errors import RlfxError

KEYMAP_FILE = "keys.toml"

PLAYER_KEYS: list[Binding] = [
    Binding("space", "randomize", "jump", id="rlfx.jump", priority=True, key_display="space"),
    Binding("right,g", "good", "good", id="rlfx.good", priority=True, key_display="→"),
    Binding("left,b", "bad", "bad", id="rlfx.bad", priority=True, key_display="←"),
    # strength keys are shown beside the strength in the top bar, which keeps the footer within 80 columns
    Binding("plus,equals_sign", "nudge_strength(1)", "strength +5 %", id="rlfx.strength_up", priority=True,
            show=False),
    Binding("minus,underscore", "nudge_strength(-1)", "strength −5 %", id="rlfx.strength_down", priority=True,
            show=False),
    *[Binding(str(n % 10), f"set_strength({(n if n < 10 else 10) / 10})", f"strength {n * 10} %",
              id=f"rlfx.strength_{n * 10}", show=False, priority=True) for n in range(1, 11)],
    Binding("a", "toggle_auto", "auto", id="rlfx.auto", priority=True),
    Binding("f", "toggle_follow", "follow", id="rlfx.follow", priority=True),
    Binding("u", "undo", "undo", id="rlfx.undo", priority=True),
    Binding("m", "toggle_mute", "mute", id="rlfx.mute", priority=True),
    Binding("d,delete", "delete_point", "delete", id="rlfx.delete"),  # the point selected in the table
    Binding("r", "restart_audio", "restart audio", id="rlfx.restart_audio", show=False),
    Binding("question_mark", "help", "help", id="rlfx.help", key_display="?"),
    Binding("q", "quit", "quit", id="rlfx.quit"),
]

HELP_TEXT: dict[str, str] = {
    "rlfx.jump": "jump to a new setting at the current strength, steered by what you liked",
    "rlfx.good": "good: keep this setting as liked for the sound you play (swipe right)",
    "rlfx.bad": "bad: record it as disliked and jump away at once (swipe left)",
    "rlfx.strength_up": "strength +5 % (how far a jump may move)",
    "rlfx.strength_down": "strength −5 %",
    "rlfx.auto": "auto mode on/off: a jump every few seconds; a label restarts the wait",
    "rlfx.follow": "follow mode on/off: the learned mapping drives the effect from your input (needs a like)",
    "rlfx.undo": "undo the last label, or the last delete",
    "rlfx.mute": "mute on/off (panic): silence the output at once",
    "rlfx.help": "help: every key and what it does",
    "rlfx.quit": "quit (labels are on disk as you make them; if the disk refused some, q asks first)",
    "rlfx.delete": "delete the point selected in the table (↑/↓ select; undo with u)",
    "rlfx.restart_audio": "restart the audio engine (after a device was unplugged or the server went away)",
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
            raise RlfxError(f"{path}: {name}: expected keys as a string such as \"right,g\", got {keys!r}")
        keymap[known[name]] = ",".join(k.strip() for k in keys.split(","))
    return keymap



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
