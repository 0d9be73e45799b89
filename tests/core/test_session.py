"""End to end, headless: the learning loop for two input sounds with a scripted player."""

import numpy as np
import pytest

from rlfx_tui.core.errors import ModelNotReadyError
from rlfx_tui.core.model_cache import META_FILE, MODEL_FILE
from rlfx_tui.session import Session

from .sounds import feed, noise, tone

TARGETS = {"bass": {"delay_time": 0.2, "reverb_size": 0.8}, "hats": {"delay_time": 0.8, "reverb_size": 0.2}}
SOUNDS = {"bass": tone(80, square=True, amp=0.5), "hats": noise(amp=0.3)}
RADIUS = 0.2


def likes(session: Session, sound: str) -> bool:
    u = session.space.normalize(session.current)
    target = TARGETS[sound]
    return bool(np.hypot(*(u[session.space.names.index(n)] - v for n, v in target.items())) < RADIUS)


def test_readme_example_runs_as_written(tmp_path):
    s = Session(preset=None, data_dir=tmp_path, seed=0)
    block = (0.3 * np.sin(2 * np.pi * 220 * np.arange(4800) / 48000)).astype(np.float32)
    for i in range(0, len(block), 256):
        s.listen(block[i : i + 256], 48000)
    s.randomize(0.5)
    out = s.process(block[:256])
    assert out.shape == (256,) and out.dtype == np.float32
    with pytest.raises(ModelNotReadyError):
        s.predict()
    point_id = s.label(True)
    assert set(s.predict()) == set(s.space.names)
    s.delete(point_id)
    assert s.points == []


def test_scripted_player_hones_in_per_sound(tmp_path):
    session = Session(data_dir=tmp_path, seed=3)
    rng = np.random.default_rng(7)
    liked, uniform_liked, labels = 0, 0, 0
    for _ in range(5):
        for sound, signal in SOUNDS.items():
            feed(session, signal)
            strength = 1.0
            for _ in range(8):
                session.randomize(strength)
                good = likes(session, sound)
                session.label(good)
                liked += good
                labels += 1
                strength = 0.2 if good else min(1.0, strength + 0.2)
                # what uniform random proposals would have scored on the same turn
                u = rng.uniform(size=2)
                uniform_liked += np.hypot(*(u - np.array(list(TARGETS[sound].values())))) < RADIUS
    assert liked / labels > 3 * max(uniform_liked, 1) / labels, (liked, uniform_liked)
    for sound, signal in SOUNDS.items():
        feed(session, signal)
        session.set_current(session.predict())
        assert likes(session, sound), (sound, session.current)
    # reopening restores points and the cached model (no retrain needed: same predictions)
    again = Session(data_dir=tmp_path, seed=3)
    assert [p.id for p in again.points] == [p.id for p in session.points]
    probe = session.descriptors
    assert again.learner.predict(probe) == pytest.approx(session.learner.predict(probe))


def test_bad_labels_steer_proposals_away(tmp_path):
    session = Session(data_dir=tmp_path, seed=0)
    feed(session, SOUNDS["bass"])
    session.set_current(session.space.default())
    disliked = session.space.normalize(session.current)
    session.label(False)
    distances = []
    for _ in range(20):
        session.set_current(session.space.denormalize(disliked))
        proposal = session.space.normalize(session.randomize(0.3))
        distances.append(np.abs(proposal - disliked).mean())
    plain = Session(data_dir=tmp_path / "plain", seed=0, learner_options={"corner_probes": 0})  # plain jumps
    feed(plain, SOUNDS["bass"])
    plain_distances = []
    for _ in range(20):
        plain.set_current(plain.space.denormalize(disliked))
        plain_distances.append(np.abs(plain.space.normalize(plain.randomize(0.3)) - disliked).mean())
    assert np.mean(distances) > 1.3 * np.mean(plain_distances)


def test_corrupt_model_cache_is_rebuilt_from_the_dataset(tmp_path):
    session = Session(data_dir=tmp_path, seed=0)
    feed(session, SOUNDS["hats"])
    session.label(True)
    expected = session.predict()
    (session.directory / MODEL_FILE).write_bytes(b"not a joblib file")
    again = Session(data_dir=tmp_path, seed=0)
    feed(again, SOUNDS["hats"])
    assert again.predict() == pytest.approx(expected)
    assert (session.directory / META_FILE).exists()


def test_valid_cache_is_loaded_without_retraining(tmp_path, monkeypatch):
    session = Session(data_dir=tmp_path, seed=0)
    feed(session, SOUNDS["hats"])
    session.label(True)

    def refuse(self):
        raise AssertionError("retrained although the cache matches the dataset")

    monkeypatch.setattr(Session, "train", refuse)
    again = Session(data_dir=tmp_path, seed=0)
    assert again.learner.n_good_ == 1


def test_the_jumps_dice_can_be_fresh_while_the_fits_stay_seeded(tmp_path):
    import numpy as np

    from rlfx_tui.core.session import Session

    first = [Session(data_dir=tmp_path / "a", seed=0).randomize(1.0) for _ in range(2)]
    assert first[0] == first[1]  # the same seed replays the same jumps (tests and benchmarks rely on it)
    fresh = [Session(data_dir=tmp_path / "b", seed=0, rng=np.random.default_rng()).randomize(1.0) for _ in range(2)]
    assert fresh[0] != fresh[1]  # what the app does at each launch


def test_the_first_jump_of_a_session_is_the_first_sounds_corner_probe(tmp_path):
    """Every new sound's first jumps go towards a corner of the ranges (corner_probes), the session's very first
    one too, though there is no label yet to fit a learner on; corner_probes=0 keeps it a plain jump."""
    from rlfx_tui.core.first_like import PROBE_DEPTH

    def depth_of_first_jump(probes: int, seed: int) -> float:
        session = Session(
            "space", data_dir=tmp_path / f"{probes}-{seed}", seed=seed, learner_options={"corner_probes": probes}
        )
        feed(session, SOUNDS["bass"])
        session.randomize(1.0)
        space = session.space
        free = ~space.pinned & ~space.choice
        v = (space.normalize(session.current)[free] - space.random_low[free]) / (
            space.random_high[free] - space.random_low[free]
        )
        return float(np.minimum(v, 1.0 - v).max())  # how far the knob furthest from its ends lies from them

    assert all(depth_of_first_jump(1, seed) <= PROBE_DEPTH + 1e-9 for seed in range(5))
    assert all(depth_of_first_jump(0, seed) > PROBE_DEPTH for seed in range(5))
