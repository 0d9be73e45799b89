"""Any dataset the log accepts trains: extreme but accepted descriptors (|x| <= 1e9), all good, all bad, one point,
identical sounds. Retraining never raises, and proposals and the mapping stay finite and inside the parameter space —
a NaN here would be refused by set_current and leave the player without jumps.
"""

from __future__ import annotations

import tempfile
import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlfx_tui.core.dataset import MAX_MAGNITUDE
from rlfx_tui.core.descriptors import DESCRIPTOR_NAMES
from rlfx_tui.core.session import Session

D = len(DESCRIPTOR_NAMES)
finite = st.floats(min_value=-MAX_MAGNITUDE, max_value=MAX_MAGNITUDE)
descriptor_rows = st.one_of(
    st.lists(finite, min_size=D, max_size=D),
    st.sampled_from([[0.0] * D, [1e9] * D, [-1e9] * D, [5e-324] * D, [754.0, 8e3, 5e3, 0.4, 1.4e4, 1.7e4, 0.2]]),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(descriptor_rows, st.booleans(), st.floats(0.0, 1.0)), min_size=1, max_size=12),
    now=st.lists(finite, min_size=D, max_size=D),
)
def test_any_accepted_dataset_trains_and_proposes_in_bounds(rows, now) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow inside the scaler is allowed; NaN out is not
        session = Session(data_dir=tmp, seed=0, learner_options={"hidden_layer_sizes": (8,)})
        rng = np.random.default_rng(0)
        for descriptors, good, strength in rows:
            session.set_current(session.space.randomize(session.current, strength, rng))
            session.dataset.add(np.array(descriptors), session.current, good)
        learner = session.retrain()
        for probe in (np.array(now), np.array(rows[0][0])):
            u = learner.propose(probe, session.space.normalize(session.current), 1.0, rng)
            assert np.isfinite(u).all() and (u >= 0).all() and (u <= 1).all(), u
            if learner.has_mapping:
                m = learner.predict(probe)
                assert np.isfinite(m).all() and (m >= 0).all() and (m <= 1).all(), m
        session.randomize(1.0)  # through set_current: raises ValueError on anything non-finite
