"""The real console script in a real terminal: a private tmux server per test, its screen read through
capture-pane, keys sent with send-keys. Fails (never skips) without tmux: CI installs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path

import rlfx_tui

SCRIPT = Path(sys.executable).with_name("rlfx-tui")
SOURCE_ROOT = Path(rlfx_tui.__file__).resolve().parent.parent  # the code under test, which the pane must run


def app_env(**extra: str) -> dict[str, str]:
    """The pane's environment: this one, a real terminal type, and the code under test first on the path (the
    console script belongs to an editable install that may point at another checkout). Without the test run's
    JACK server (the jack_server fixture puts it in this process's environment): the pane has no sound card
    unless `extra` gives it one, so what it plays never depends on which tests ran before."""
    path = os.pathsep.join(p for p in (str(SOURCE_ROOT), os.environ.get("PYTHONPATH", "")) if p)
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("JACK_")}
    return {**inherited, "TERM": "xterm-256color", "PYTHONPATH": path, **extra}


class Tmux:
    target = "app"

    def __init__(self, name: str) -> None:
        self.socket = f"rlfx-test-{os.getpid()}-{name}"

    def __call__(self, *args: str) -> str:
        out = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10)
        return out.stdout

    def start(self, command: str, env: Mapping[str, str] | None = None, width: int = 100, height: int = 32) -> None:
        """Run `command` in a new session of this server, `width`×`height`."""
        assert shutil.which("tmux"), "tmux is required for this test (apt-get install tmux)"
        size = {"COLUMNS": str(width), "LINES": str(height)}
        subprocess.run(
            [
                "tmux",
                "-L",
                self.socket,
                "new-session",
                "-d",
                "-s",
                self.target,
                "-x",
                str(width),
                "-y",
                str(height),
                command,
            ],
            check=True,
            env={**(env or app_env()), **size},
            timeout=10,
        )

    def restart(self, command: str) -> None:
        """Replace whatever runs in the pane by `command` (same server, same size, same environment)."""
        self("respawn-pane", "-k", "-t", self.target, command)

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", self.target)

    def repaint(self, why: str) -> None:
        """Make the app redraw its whole screen (a resize there and back: SIGWINCH, then Textual's full refresh),
        with a warning that shows the screen before it. For the rare torn row (docs/reliability.md: a row drawn
        `✓ goo`, the rest one column to the left) that stays on screen until that region is drawn again: the
        tests are about what the app shows and keeps, so they look again after a full redraw, and the warning in
        pytest's summary keeps the glitch counted instead of hidden."""
        before = self.screen()
        width = int(self("display", "-p", "-t", self.target, "#{window_width}").strip() or 0)
        if width:
            self("resize-window", "-t", self.target, "-x", str(width + 1))
            time.sleep(0.3)
            self("resize-window", "-t", self.target, "-x", str(width))
            time.sleep(0.3)
        warnings.warn(f"tmux screen redrawn in full ({why}); before it:\n{before}", stacklevel=3)

    def wait_until(
        self, ready: Callable[[str], object], what: str, timeout: float = 30.0, repaint_after: float = 15.0
    ) -> str:
        """The first screen for which ready(screen) is true; fails naming `what` and showing the last screen. Not
        there after `repaint_after` s (longer than any wait a test expects: notices stay 10 s): one full redraw
        (`repaint`) and look again until `timeout`."""
        began = time.monotonic()
        screen = ""
        repainted = False
        while (waited := time.monotonic() - began) < timeout:
            screen = self.screen()
            if ready(screen):
                return screen
            if not repainted and waited > repaint_after:
                repainted = True
                self.repaint(f"{what} not seen after {waited:.0f} s")
                continue
            time.sleep(0.05)
        raise AssertionError(f"{what} never happened; the screen was:\n{screen}")

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        return self.wait_until(lambda screen: text in screen, f"{text!r} appearing", timeout)

    def press(self, *keys: str, pause: float = 0.15) -> None:
        """send-keys, one key at a time; `pause` after each (0: the caller waits for the screen instead)."""
        for key in keys:
            self("send-keys", "-t", self.target, key)
            if pause:
                time.sleep(pause)
