"""A trained session on disk: two input sounds, a scripted player, good and bad labels."""

import numpy as np
import pytest

from rlfx_tui.session import Session
from tests.core.sounds import feed, noise, tone


def label_some(session: Session, n: int = 12) -> None:
    """Alternate two sounds; like every other jump (so there are good and bad points for each)."""
    for i in range(n):
        feed(session, tone(110, square=True, amp=0.5) if i % 4 < 2 else noise(amp=0.3, seed=i))
        session.randomize(0.8)
        session.label(i % 2 == 0, train=False)
    session.retrain()


@pytest.fixture
def trained(tmp_path) -> Session:
    session = Session(data_dir=tmp_path / "data", seed=1)
    label_some(session)
    assert session.learner.has_mapping
    return session


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)
