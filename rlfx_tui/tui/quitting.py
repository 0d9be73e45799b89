"""q, guarded: quitting must not end a live show by a stray press, nor lose labels the disk has not taken yet."""

from __future__ import annotations

import time

from rlfx_tui.tui.app_base import AppBase

QUIT_CONFIRM_S = 5.0  # with labels still waiting for the disk, a second q within this time quits anyway


class QuitGuard(AppBase):
    _quit_asked = float("-inf")
    _live_quit_asked = float("-inf")

    async def action_quit(self) -> None:
        """Quit at once, unless sound is live (the first q asks, a second within QUIT_CONFIRM_S quits) or labels
        still wait for the disk (full, read-only): quitting would lose them, so the first q says so and a second
        q within QUIT_CONFIRM_S quits, naming what was lost."""
        pending = self.rehearsal.pending if self.parts is not None else []
        if pending:
            self.act(self.rehearsal.retry_pending)
        now = time.monotonic()
        if not pending:
            if self._sound_live() and now - self._live_quit_asked > QUIT_CONFIRM_S:  # a stray q mustn't end the show
                self._live_quit_asked = now
                self.notify(
                    "sound is live: q again to quit (your labels are on disk)", title="quit?", timeout=QUIT_CONFIRM_S
                )
                return
            self.exit()
            return
        labels = f"{len(pending)} label{'s' if len(pending) > 1 else ''}"
        if now - self._quit_asked > QUIT_CONFIRM_S:
            self._quit_asked = now
            self.notify(
                f"{labels} not saved yet: {pending[0].error}. They save by themselves once the data dir "
                "takes writes again; press q again to quit and lose them",
                title="unsaved labels",
                severity="error",
                timeout=QUIT_CONFIRM_S,
            )
            return
        were = "were" if len(pending) > 1 else "was"
        self.exit(return_code=1, message=f"rlfx-tui: {labels} {were} not saved: {pending[0].error}")

    def _sound_live(self) -> bool:
        """The engine plays to an output device, unmuted (silent, muted or stopped: q quits at once)."""
        try:
            status = self.engine.status if self.engine is not None else None
        except Exception:  # noqa: BLE001 - a broken engine must not keep the player from quitting
            return False
        return bool(
            status is not None
            and status.running
            and not status.muted
            and not str(status.output_device).startswith("none")
        )
