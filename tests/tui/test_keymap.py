"""A user keymap (e.g. a foot pedal sending page keys) moves keys; the footer and the help follow it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from rlfx_tui.core.errors import RlfxError
from rlfx_tui.tui.app import make_app
from rlfx_tui.tui.keys import load_keymap

from .conftest import screen_text, settle


def test_load_keymap(tmp_path):
    path = tmp_path / "keys.toml"
    path.write_text('good = "right, pagedown"\nbad = "left,pageup"\n')
    assert load_keymap(path) == {"rlfx.good": "right,pagedown", "rlfx.bad": "left,pageup"}


@pytest.mark.parametrize(
    "text,message",
    [
        ('goood = "x"', "'goood' is not a key name"),
        ("good = 3", "expected keys as a string"),
        ('good = "a,,b"', "expected keys as a string"),
        ("good = ", "not a valid TOML keymap"),
    ],
)
def test_a_bad_keymap_is_one_clear_error(tmp_path, text, message):
    path = tmp_path / "keys.toml"
    path.write_text(text)
    with pytest.raises(RlfxError, match=message):
        load_keymap(path)


@pytest.mark.parametrize(
    "text,message",
    [
        ('jump = "g"', "key 'g' is given to both good and jump"),  # onto good's default key
        ('jump = "j"\nundo = "j"', "key 'j' is given to both jump and undo"),  # both moved onto one key
        ('good = "right,x"\nbad = "left, x"', "key 'x' is given to both bad and good"),
        ('mute = "q"', "key 'q' is given to both mute and quit"),
    ],
)
def test_a_key_given_to_two_actions_is_an_error_naming_both(tmp_path, text, message):
    path = tmp_path / "keys.toml"
    path.write_text(text)
    with pytest.raises(RlfxError, match=f"^{re.escape(f'{path}: {message}')}$"):
        load_keymap(path)


def test_a_key_may_move_onto_a_default_that_moves_away(tmp_path):
    path = tmp_path / "keys.toml"
    path.write_text('jump = "g"\ngood = "right,k"\nundo = "u,u"\n')  # g is free once good moves; u twice is one
    assert load_keymap(path) == {"rlfx.jump": "g", "rlfx.good": "right,k", "rlfx.undo": "u,u"}


async def test_a_pedal_keymap_labels_and_shows_in_help(session, tmp_path):
    path = tmp_path / "keys.toml"
    path.write_text('good = "pagedown"\nbad = "pageup"\n')
    app = make_app(session, poll_interval=None, keymap=load_keymap(path))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("pagedown", "pageup")
        await settle(pilot)
        assert [p.good for p in session.points] == [True, False]
        await pilot.press("question_mark")
        await pilot.pause()
        assert "pgdn" in screen_text(app).lower() or "pagedown" in screen_text(app).lower()


def test_the_command_line_refuses_a_bad_keymap_in_one_line(tmp_path):
    path = tmp_path / "keys.toml"
    path.write_text('jmup = "x"\n')
    script = Path(sys.executable).with_name("rlfx-tui")
    out = subprocess.run(
        [str(script), "--keys", str(path), "--data-dir", str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        f"rlfx-tui: error: {path}: 'jmup' is not a key name; known: auto, "
        "back, bad, bypass, delete, flip, follow, forward, good, help, "
        "jump, lock, lock_mattering, midi_learn, mute, quit, recall, redo, "
        "restart_audio, snapshot, strength_10, strength_100, strength_20, "
        "strength_30, strength_40, strength_50, strength_60, strength_70, "
        "strength_80, strength_90, strength_down, strength_up, undo"
    ]
