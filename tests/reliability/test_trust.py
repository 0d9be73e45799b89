"""Trust: presets are data, the model cache loads only from the session's own data dir, the core opens no socket.

The trust boundary is the data directory: joblib files are pickles, so whoever can write there can run code; the
cache therefore loads nothing that is not a regular file inside it, described by a model.json that matches this
version and this data exactly, with a matching SHA-256 — and is otherwise rebuilt from the dataset.
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
import pathlib
import subprocess
import sys
import textwrap
from pathlib import Path

import joblib
import numpy as np
import pytest

import rlfx_tui.core
from rlfx_tui.core.errors import PresetError
from rlfx_tui.core.model_cache import META_FILE, MODEL_FILE
from rlfx_tui.core.presets import load_preset, shipped_presets
from rlfx_tui.core.session import Session

OPTIONS = {"hidden_layer_sizes": (8,)}


class Booby:
    """Unpickling this touches a file: proof that a pickle was loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


def _payload(marker: Path) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(Booby(marker), buffer)
    return buffer.getvalue()


def _labelled(root: Path) -> dict[str, object]:
    s = Session(data_dir=root, seed=0, learner_options=OPTIONS)
    s.listen(np.random.default_rng(0).uniform(-0.5, 0.5, 4096).astype(np.float32))
    for good in (True, False, True):
        s.randomize(1.0)
        s.label(good)
    return json.loads((root / "space" / META_FILE).read_text())


@pytest.mark.parametrize(
    "how", ["planted without model.json", "checksum mismatch", "other version", "symlink to outside the data dir"]
)
def test_a_planted_pickle_is_never_loaded(tmp_path: Path, how: str) -> None:
    root, outside, marker = tmp_path / "data", tmp_path / "elsewhere", tmp_path / "PWNED"
    meta = _labelled(root)
    directory = root / "space"
    payload = _payload(marker)
    if how == "planted without model.json":
        (directory / META_FILE).unlink()
        (directory / MODEL_FILE).write_bytes(payload)
    elif how == "checksum mismatch":
        (directory / MODEL_FILE).write_bytes(payload)
    elif how == "other version":
        (directory / MODEL_FILE).write_bytes(payload)
        (directory / META_FILE).write_text(
            json.dumps(meta | {"sha256": hashlib.sha256(payload).hexdigest(), "sklearn": "0.1"})
        )
    else:  # everything matches, but the bytes live outside the data dir
        outside.mkdir()
        (outside / "model.joblib").write_bytes(payload)
        (directory / MODEL_FILE).unlink()
        (directory / MODEL_FILE).symlink_to(outside / "model.joblib")
        (directory / META_FILE).write_text(json.dumps(meta | {"sha256": hashlib.sha256(payload).hexdigest()}))
    session = Session(data_dir=root, seed=0, learner_options=OPTIONS)
    assert not marker.exists(), f"a pickle was loaded ({how})"
    assert session.learner.n_points_ == 3


PYTHONISH = "__import__('pathlib').Path('{marker}').touch() or exec('x') ${{HOME}} $(touch {marker}) {{{{7*7}}}}"


def test_python_looking_strings_in_a_preset_are_only_strings(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    text = PYTHONISH.format(marker=marker)
    raw = shipped_presets()["space"].read_text()
    raw = raw.replace('description = "Ambient space: chorus into delay into reverb"', f"description = {text!r}")
    raw = raw.replace('unit = "Hz"', f"unit = {text!r}", 1)
    path = tmp_path / "mine.toml"
    path.write_text(raw)
    preset = load_preset(path)
    assert preset.description == text and preset.params[0].unit == text
    assert not marker.exists()


@pytest.mark.parametrize(
    "old, new, key",
    [
        ('type = "HighpassFilter"', "type = \"__import__('os').system('touch PWNED')\"", "plugins[0].type"),
        ('type = "HighpassFilter"', 'type = "Plugin"', "plugins[0].type"),
        ('name = "space"', 'name = "os.system"', "name"),
        ('attribute = "cutoff_frequency_hz"', 'attribute = "__class__"', "params[0].attribute"),
        ('attribute = "cutoff_frequency_hz"', 'attribute = "process"', "params[0].attribute"),
        ("settings = { dry_level = 0.6 }", "settings = { __dict__ = 1 }", "plugins[3].settings.__dict__"),
        ("settings = { dry_level = 0.6 }", "settings = { reset = 1 }", "plugins[3].settings.reset"),
    ],
)
def test_code_where_a_name_belongs_is_an_error(tmp_path: Path, old: str, new: str, key: str) -> None:
    raw = shipped_presets()["space"].read_text()
    assert old in raw
    path = tmp_path / "mine.toml"
    path.write_text(raw.replace(old, new, 1))
    with pytest.raises(PresetError) as caught:
        load_preset(path)
    assert caught.value.key == key, str(caught.value)


def test_the_core_has_no_eval_exec_or_dynamic_import() -> None:
    core = Path(rlfx_tui.core.__file__).parent
    builtins, attributes = {"eval", "exec", "compile", "__import__"}, {"import_module", "load_source"}
    found = []
    for source in sorted(core.glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text())):
            if not isinstance(node, ast.Call):
                continue
            if (isinstance(node.func, ast.Name) and node.func.id in builtins) or (
                isinstance(node.func, ast.Attribute) and node.func.attr in attributes
            ):
                found.append(f"{source.name}:{node.lineno}")
    assert not found, found


NO_NETWORK = textwrap.dedent("""
    import socket, sys
    def refuse(*args, **kwargs):
        raise AssertionError("the core opened a socket")
    socket.socket.__init__ = refuse
    socket.create_connection = socket.getaddrinfo = socket.socketpair = refuse
    import numpy as np
    from rlfx_tui.core.session import Session
    s = Session(data_dir=sys.argv[1], seed=0, learner_options={"hidden_layer_sizes": (8,)})
    rng = np.random.default_rng(0)
    for i in range(20):
        block = rng.uniform(-1, 1, 1024).astype(np.float32)
        s.listen(block)
        s.randomize(1.0)
        s.process(block[:256])
        s.label(i % 3 != 0, train=i % 5 == 0)
    s.delete(2)
    s.restore(2)
    s.predict()
    s.dataset.export_csv(sys.argv[1] + "/points.csv")
    s2 = Session(data_dir=sys.argv[1], seed=0, learner_options={"hidden_layer_sizes": (8,)})
    print(len(s2.points))
""")


def test_the_core_opens_no_socket(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", NO_NETWORK, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "20"
