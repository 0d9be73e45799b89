"""Training fails while the app runs, with the real child-process trainer the command line uses.

tests/tui/test_keys.py covers an exception in an in-thread fit, tests/tui/test_training.py a dead child at the
trainer level. Here, in the app: the child raises (an invalid learner option reaches scikit-learn there) → a
notice, the previous model kept, the label saved; the child is SIGKILLed in the middle of a fit → the app keeps
going, fits in-process instead, and the model catches up with every label.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from rlfx_tui.core.session import Session
from rlfx_tui.core.training import ProcessTrainer
from rlfx_tui.tui.app import make_app
from tests.tui.conftest import hear, notices, settle, tone


@pytest.fixture
def trainer():
    t = ProcessTrainer()
    t.warm_up()  # before Textual takes over stderr, as the command line does
    yield t
    t.close()


def model_state(app) -> str:  # noqa: ANN001
    return str(app.screen.query_one("#model-state").render())


async def test_an_exception_in_the_training_child_is_shown_and_the_previous_model_kept(tmp_path, trainer):
    session = Session(data_dir=tmp_path, seed=0)
    hear(session, tone())
    app = make_app(session, poll_interval=None, trainer=trainer)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("right")
        await settle(pilot)
        hear(session, tone(440))
        previous, prediction = session.learner, session.predict()
        assert previous.point_ids_ == [1]
        session.learner_options = {"hidden_layer_sizes": (0,)}  # scikit-learn raises in the child
        await pilot.press("right")
        await settle(pilot)
        assert session.learner is previous and session.predict() == prediction
        assert any(
            "retraining failed" in n and "hidden_layer_sizes" in n and "previous model" in n for n in notices(app)
        ), notices(app)
        assert "training" not in model_state(app) and "(1 pt)" in model_state(app)
        assert not trainer.broken and app.is_running
        session.learner_options = {}
        await pilot.press("left")  # the next change retrains with everything
        await settle(pilot)
        assert session.learner.point_ids_ == [1, 2, 3] and "(3 pts)" in model_state(app)
    assert [p.good for p in Session(data_dir=tmp_path, seed=0).points] == [True, True, False]


async def test_the_training_child_killed_mid_fit(tmp_path, trainer):
    session = Session(data_dir=tmp_path, seed=0, learner_options={"hidden_layer_sizes": (128, 128)})  # ~0.7 s fits
    rng = np.random.default_rng(0)
    for i in range(400):  # enough points that a fit takes a while
        session.listen(rng.uniform(-0.5, 0.5, 2048).astype(np.float32))
        session.randomize(1.0)
        session.label(i % 3 == 0, train=False)
    session.retrain()
    app = make_app(session, poll_interval=None, trainer=trainer)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("right")  # label 401: a retrain in the child
        deadline = time.monotonic() + 10
        while not trainer._lock.locked():  # the fit is in the child now
            assert time.monotonic() < deadline, "the app never started retraining"
            await pilot.pause(0.005)
        time.sleep(0.1)
        trainer._child.kill()
        await settle(pilot)
        assert trainer.broken, "the kill missed the fit"
        assert session.learner.point_ids_ == list(range(1, 402)) and not app.rehearsal.needs_training
        assert "training" not in model_state(app) and app.is_running
        await pilot.press("left")  # and it keeps learning, in-process now
        await settle(pilot)
        assert session.learner.n_points_ == 402
    assert len(Session(data_dir=tmp_path, seed=0).points) == 402
