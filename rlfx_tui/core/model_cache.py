"""The fitted learner, cached with joblib in the preset's data folder. The dataset is the source of truth.

`model.joblib` is loaded only from the session's own data folder, and only when `model.json` beside it records
the same format, library versions, descriptor and parameter names, learner options and training data, and the
SHA-256 of the joblib file matches. Anything else (missing, corrupt, truncated, other version) → the caller
retrains from the dataset and the cache is rewritten (atomically: temp file, fsync, rename).
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn

from rlfx_tui import __version__

FORMAT = 1
MODEL_FILE = "model.joblib"
META_FILE = "model.json"


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 of the modules that give a pickled learner its meaning. A pickle holds state, not code: a learner
    cached before learner.py changed (same version number, e.g. during development) would load and then fail or
    mislead with attributes the new code doesn't expect."""
    from rlfx_tui.core import consistency, descriptors, first_like, hypotheses, learner, params, taste

    digest = hashlib.sha256()
    for module in (descriptors, learner, params, taste, hypotheses, consistency, first_like):
        try:
            digest.update(Path(module.__file__ or "").read_bytes())
        except OSError:
            digest.update(module.__name__.encode())  # no source on disk (frozen): the version still guards
    return digest.hexdigest()


def cache_key(
    descriptor_names: tuple[str, ...],
    param_names: tuple[str, ...],
    options: dict[str, Any],
    point_ids: list[int],
    good: list[bool],
    space: list[list[Any]] | None = None,
) -> dict[str, Any]:
    """What a cached learner must match. `space`: per parameter [name, min, max, scale, pinned, random range] — a
    preset edited to another range keeps its names but changes what the learner's normalised values mean."""
    data = hashlib.sha256(json.dumps([point_ids, good]).encode()).hexdigest()
    return {
        "format": FORMAT,
        "rlfx_tui": __version__,
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "joblib": joblib.__version__,
        "code": code_fingerprint(),
        "descriptors": list(descriptor_names),
        "params": list(param_names),
        "space": space,
        "options": options,
        "data": data,
    }


def _write_atomic(path: Path, payload: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def save(directory: Path, key: dict[str, Any], learner: object) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    joblib.dump(learner, buffer)
    payload = buffer.getvalue()
    _write_atomic(directory / MODEL_FILE, payload)
    meta = dict(key, sha256=hashlib.sha256(payload).hexdigest())
    _write_atomic(directory / META_FILE, json.dumps(meta, indent=1).encode())


def _inside(directory: Path, name: str) -> bool:
    """A regular file that really lives in `directory`, not a symlink to somewhere else."""
    path = directory / name
    return not path.is_symlink() and path.is_file() and path.resolve().parent == directory.resolve()


def load(directory: Path, key: dict[str, Any]) -> object | None:
    """The cached learner if it is exactly the one `key` describes and its checksum holds; else None."""
    try:
        if not all(_inside(directory, name) for name in (META_FILE, MODEL_FILE)):
            return None
        meta = json.loads((directory / META_FILE).read_text())
        if not isinstance(meta, dict) or {k: meta.get(k) for k in key} != key:
            return None
        payload = (directory / MODEL_FILE).read_bytes()
        if hashlib.sha256(payload).hexdigest() != meta.get("sha256"):
            return None
        return joblib.load(io.BytesIO(payload))
    except Exception:  # noqa: BLE001 - any unreadable cache is rebuilt from the dataset, which is the truth
        return None
