"""A bad model cache — corrupt, truncated, from another version, checksum mismatch, planted without model.json — is
ignored and rebuilt from the dataset; the dataset is never touched, and the rebuilt model is the same model.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlfx_tui.core import model_cache
from rlfx_tui.core.learner import Learner
from rlfx_tui.core.model_cache import META_FILE, MODEL_FILE
from rlfx_tui.core.presets import shipped_presets
from rlfx_tui.core.session import Session

OPTIONS = {"hidden_layer_sizes": (8,)}
PROBE = np.array([-20.0, 1500.0, 900.0, 0.2, 4000.0, 800.0, 0.1])
FIGURES: dict[str, int] = {}


def _base(root: Path) -> np.ndarray:
    s = Session(data_dir=root, seed=0, learner_options=OPTIONS)
    rng = np.random.default_rng(0)
    for i in range(12):
        s.listen(rng.uniform(-1, 1, 2048).astype(np.float32) * (0.05 + 0.1 * (i % 4)))
        s.randomize(1.0)
        s.label(i % 3 != 0, train=False)
    s.retrain()
    return s.learner.predict(PROBE)


BASE = Path(tempfile.mkdtemp(prefix="rlfx-cache-base-"))
atexit.register(shutil.rmtree, BASE, ignore_errors=True)
REFERENCE = _base(BASE)
DIRECTORY = BASE / "space"
META = json.loads((DIRECTORY / META_FILE).read_text())


def open_and_check(root: Path, label: str) -> None:
    """Open a session on `root`: the cache must be refused, the model rebuilt equal, the dataset untouched."""
    directory = root / "space"
    points = (directory / "points.jsonl").read_bytes()
    loaded: list[object] = []
    original = model_cache.load

    def spy(*args: Any) -> object:
        loaded.append(original(*args))
        return loaded[-1]

    model_cache.load = spy  # type: ignore[assignment]
    try:
        session = Session(data_dir=root, seed=0, learner_options=OPTIONS)
    finally:
        model_cache.load = original  # type: ignore[assignment]
    assert len(loaded) == 1 and not isinstance(loaded[0], Learner), f"a bad cache was used ({label})"
    assert session.learner.n_points_ == 12
    assert np.allclose(session.learner.predict(PROBE), REFERENCE), "the rebuilt model differs"
    assert (directory / "points.jsonl").read_bytes() == points, "the dataset was touched"
    assert (
        original(directory, session._cache_key([p.id for p in session.points], [p.good for p in session.points]))
        is not None
    ), "the cache was not rewritten in a loadable state"
    FIGURES[label] = FIGURES.get(label, 0) + 1


def _pickle(obj: object) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(obj, buffer)
    return buffer.getvalue()


other_meta_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=8), st.lists(st.text(max_size=3), max_size=2)
)


@st.composite
def corruption(draw: st.DrawFn) -> tuple[str, Any]:
    kind = draw(
        st.sampled_from(
            [
                "flip",
                "truncate_model",
                "truncate_meta",
                "meta_field",
                "garbage_meta",
                "no_meta",
                "no_model",
                "not_a_learner",
            ]
        )
    )
    model_size = (DIRECTORY / MODEL_FILE).stat().st_size
    if kind == "flip":
        return kind, draw(
            st.lists(
                st.tuples(st.integers(0, model_size - 1), st.integers(1, 255)),
                min_size=1,
                max_size=5,
                unique_by=lambda t: t[0],
            )
        )
    if kind == "truncate_model":
        return kind, draw(st.integers(0, model_size - 1))
    if kind == "truncate_meta":
        return kind, draw(st.integers(0, len((DIRECTORY / META_FILE).read_bytes()) - 1))
    if kind == "meta_field":  # another library version, format, descriptor set, options, data, checksum
        key = draw(st.sampled_from(sorted(META)))
        return kind, (key, draw(other_meta_values.filter(lambda v: v != META[key])))
    if kind == "garbage_meta":
        return kind, draw(st.binary(max_size=100))
    return kind, None


def apply(directory: Path, kind: str, arg: Any) -> None:
    model, meta = directory / MODEL_FILE, directory / META_FILE
    if kind == "flip":
        raw = bytearray(model.read_bytes())
        for at, xor in arg:
            raw[at] ^= xor
        model.write_bytes(bytes(raw))
    elif kind == "truncate_model":
        model.write_bytes(model.read_bytes()[:arg])
    elif kind == "truncate_meta":
        meta.write_bytes(meta.read_bytes()[:arg])
    elif kind == "meta_field":
        meta.write_text(json.dumps(META | {arg[0]: arg[1]}))
    elif kind == "garbage_meta":
        meta.write_bytes(arg)
    elif kind == "no_meta":  # a model.joblib planted without its model.json
        meta.unlink()
    elif kind == "no_model":
        model.unlink()
    elif kind == "not_a_learner":  # a consistent pair, checksum and all, holding something else
        payload = _pickle({"not": "a learner"})
        model.write_bytes(payload)
        meta.write_text(json.dumps(META | {"sha256": hashlib.sha256(payload).hexdigest()}))
    else:
        model.unlink()
        meta.unlink()
        model.mkdir()
        meta.mkdir()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=corruption())
def test_a_bad_cache_is_ignored_and_rebuilt(case: tuple[str, Any]) -> None:
    kind, arg = case
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "data"
        shutil.copytree(BASE, root)
        apply(root / "space", kind, arg)
        open_and_check(root, kind)


def test_directories_in_place_of_the_cache_do_not_stop_a_session(tmp_path: Path) -> None:
    root = tmp_path / "copy"
    shutil.copytree(BASE, root)
    apply(root / "space", "directories", None)
    session = Session(data_dir=root, seed=0, learner_options=OPTIONS)  # the save fails (IsADirectoryError): ignored
    assert np.allclose(session.learner.predict(PROBE), REFERENCE)


def test_an_intact_cache_is_used(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "copy"
    shutil.copytree(BASE, root)
    loaded: list[object] = []
    original = model_cache.load
    monkeypatch.setattr(model_cache, "load", lambda *a: loaded.append(original(*a)) or loaded[-1])
    session = Session(data_dir=root, seed=0, learner_options=OPTIONS)
    assert loaded[0] is not None and session.learner is loaded[0]
    assert np.allclose(session.learner.predict(PROBE), REFERENCE)


def _spied_open(root: Path, preset: object, monkeypatch) -> tuple[Session, list[object]]:  # type: ignore[no-untyped-def]
    loaded: list[object] = []
    original = model_cache.load
    monkeypatch.setattr(model_cache, "load", lambda *a: loaded.append(original(*a)) or loaded[-1])
    session = Session(preset=preset, data_dir=root, seed=0, learner_options=OPTIONS)  # type: ignore[arg-type]
    monkeypatch.undo()
    return session, loaded


def test_a_preset_edited_to_other_ranges_does_not_reuse_the_cache(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Same parameter names, another range: the cached learner's normalised values would mean other settings."""
    root = tmp_path / "copy"
    shutil.copytree(BASE, root)
    preset = tmp_path / "space.toml"
    preset.write_text(shipped_presets()["space"].read_text())
    session, loaded = _spied_open(root, preset, monkeypatch)
    assert isinstance(loaded[0], Learner), "the unedited preset should use the cache"
    preset.write_text(preset.read_text().replace("max = 1.2", "max = 0.6"))  # delay_time's range halved
    session, loaded = _spied_open(root, preset, monkeypatch)
    assert not isinstance(loaded[0], Learner), "a cache fitted on other parameter ranges was reused"
    expected = np.array([session.space.normalize(p.params) for p in session.points])
    assert np.allclose(session.learner.params_, expected)


def test_a_learner_cached_by_other_code_is_not_reused(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "copy"
    shutil.copytree(BASE, root)
    monkeypatch.setattr(model_cache, "code_fingerprint", lambda: "learner.py as edited since")
    session, loaded = _spied_open(root, None, monkeypatch)
    assert not isinstance(loaded[0], Learner)
    assert np.allclose(session.learner.predict(PROBE), REFERENCE)


def test_print_figures() -> None:
    print(
        f"\nmodel cache: {sum(FIGURES.values())} corrupted caches ignored and rebuilt to the same model "
        f"({', '.join(f'{k} {v}' for k, v in sorted(FIGURES.items()))}); dataset untouched every time"
    )
