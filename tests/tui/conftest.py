"""Fixtures for the app: a temporary data dir, a seeded session hearing a steady tone, and make_app around it."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from rlfx_tui.core.session import Session
from rlfx_tui.tui.app import make_app
from rlfx_tui.tui.format import frozen_clock

SR = 48000
FROZEN = datetime(2026, 11, 25, 19, 30, 0, tzinfo=UTC)


def tone(freq: float = 220.0, seconds: float = 0.3, amp: float = 0.3) -> np.ndarray:
    t = np.arange(int(SR * seconds)) / SR
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def hear(session: Session, signal: np.ndarray, block: int = 256) -> None:
    for i in range(0, len(signal), block):
        session.listen(signal[i : i + block], SR)


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


@pytest.fixture
def session(data_dir):
    s = Session(data_dir=data_dir, seed=0)
    hear(s, tone())
    return s


@pytest.fixture
def app(session):
    """The app with no engine and no polling timer (tests call app.main.poll() when they want one)."""
    return make_app(session, clock=frozen_clock(FROZEN), poll_interval=None)


def labels_on_disk(data_dir) -> list[bool]:
    """What a fresh Session reading the same data dir sees."""
    return [p.good for p in Session(data_dir=data_dir, seed=0).points]


def notices(app) -> list[str]:
    return [f"{n.title} {n.message}" for n in app._notifications]


async def settle(pilot) -> None:
    """Let posted events land and any retraining finish."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(app) -> str:
    """The screen as plain text, the way a player would read it."""
    return "\n".join(strip.text.rstrip() for strip in app.screen._compositor.render_strips())


async def until(pilot, condition, timeout: float = 5.0) -> None:
    """Pause until condition() holds (timers and threads take their time on a loaded machine)."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        await pilot.pause(0.05)
