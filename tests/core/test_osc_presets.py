"""Presets whose parameters live in a patch (engine = "osc"), declared ones in <data dir>/presets/, and a context
of named features from outside: loading, declaring, refusing, and the learner keying on those features."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rlfx_tui.core.context import STALE_AFTER_S, FeatureContext
from rlfx_tui.core.declared import DeclarationError, adopt_declared, declared_preset, with_context
from rlfx_tui.core.errors import DatasetError, PresetError
from rlfx_tui.core.events import Noticed
from rlfx_tui.core.preset_writer import preset_toml
from rlfx_tui.core.presets import load_preset, resolve_preset
from rlfx_tui.core.rehearsal import Rehearsal
from rlfx_tui.core.training import training_arrays
from rlfx_tui.session import Session

ROOT = Path(__file__).resolve().parents[2]

SYNTH = """name = "synth"
engine = "osc"

[context]
source = "osc"
names = ["amp", "centroid", "flatness"]

[[params]]
name = "cutoff"
min = 100.0
max = 8000.0
default = 1000.0
scale = "log"

[[params]]
name = "mix"
min = 0.0
max = 1.0
default = 0.5
"""

DECLARATION = ["mysynth", "freq", 20, 2000, "exp", 440.0, "amp", 0, 1, "lin", 0.2]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def write(tmp_path, text, name="synth.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_an_osc_preset_binds_no_plugin_and_reads_back_from_its_own_toml(tmp_path):
    preset = load_preset(write(tmp_path, SYNTH))
    assert preset.engine == "osc" and preset.plugins == () and preset.context_names == ("amp", "centroid", "flatness")
    assert [(p.name, p.plugin, p.scale) for p in preset.params] == [("cutoff", "", "log"), ("mix", "", "linear")]
    assert preset.chain_summary.startswith("OSC")
    again = load_preset(write(tmp_path, preset_toml(preset), "again.toml"))
    assert (again.engine, again.params, again.context_names) == (preset.engine, preset.params, preset.context_names)
    session = Session(preset, data_dir=tmp_path / "data")
    block = (0.01 * np.sin(np.arange(4800) / 10)).astype(np.float32)
    assert np.allclose(session.process(block), block, atol=1e-4)  # no plugins: only the idle safety stage


@pytest.mark.parametrize(
    ("mutation", "key", "expected"),
    [
        (lambda s: s.replace('name = "mix"', 'name = "mix"\nplugin = "delay"'), "params[1].plugin", "known keys"),
        (lambda s: s + '\n[[plugins]]\nid = "d"\ntype = "Delay"\n', "plugins", 'nothing here with engine = "osc"'),
        (lambda s: s.replace('engine = "osc"', 'engine = "vst"'), "engine", "one of"),
        (lambda s: s.replace('source = "osc"', 'source = "midi"'), "context.source", "one of"),
        (lambda s: s.replace('"flatness"]', '"amp"]'), "context.names[2]", "not used before"),
        (lambda s: s.replace('"flatness"]', '"flat ness"]'), "context.names[2]", "an identifier"),
        (lambda s: s.replace('names = ["amp", "centroid", "flatness"]', "names = []"), "context.names", "1 to 64"),
        (lambda s: s.replace("max = 1.0", "max = 1e400"), "params[1].max", "magnitude"),
        (lambda s: s.replace("min = 100.0", "min = 0.0"), "params[0].min", "> 0 (log scale)"),
    ],
)
def test_a_bad_osc_preset_names_the_key(tmp_path, mutation, key, expected):
    path = write(tmp_path, mutation(SYNTH))
    with pytest.raises(PresetError) as info:
        load_preset(path)
    assert str(info.value).startswith(f"{path}: {key}: expected") and expected in str(info.value), str(info.value)


def test_a_declaration_is_checked_like_toml_written_to_the_data_dir_and_reopened_by_name(tmp_path):
    data = tmp_path / "data"
    declared = adopt_declared(declared_preset(DECLARATION), data)
    assert declared.path == data / "presets" / "mysynth.toml" and declared.engine == "osc"
    assert [(p.name, p.min, p.max, p.scale, p.default) for p in declared.params] == [
        ("freq", 20.0, 2000.0, "log", 440.0),
        ("amp", 0.0, 1.0, "linear", 0.2),
    ]
    assert resolve_preset("mysynth", data).params == declared.params
    assert Session("mysynth", data_dir=data).preset.path == declared.path
    with pytest.raises(PresetError, match="mysynth"):
        resolve_preset("mysynth", tmp_path / "elsewhere")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], "a preset name first"),
        (["x", "freq", 20, 2000, "exp"], "groups of 5"),
        (["x", "freq", 20, 2000, "cubic", 440], '"lin" or "exp"'),
        (["x", "freq", float("nan"), 2000, "exp", 440], "params[0].min: expected a finite number"),
        (["x", "freq", 20, float("inf"), "exp", 440], "params[0].max: expected a finite number"),
        (["x", "freq", "20", 2000, "exp", 440], "params[0].min: expected a number"),
        (["x", "freq", 20, 2000, "exp", 4400], "params[0].default: expected a number within"),
        (["x", "freq", 0, 2000, "exp", 440], "params[0].min: expected a number > 0"),
        (["x", "fr eq", 20, 2000, "exp", 440], "params[0].name: expected an identifier"),
        (["x", "a", 0, 1, "lin", 0, "a", 0, 1, "lin", 0], "params[1].name: expected a parameter name not used"),
        (["1x", "a", 0, 1, "lin", 0], "name: expected an identifier"),
        (["space", "a", 0, 1, "lin", 0], "shipped preset"),
        (["presets", "a", 0, 1, "lin", 0], "reserved"),
        (["x", *(["a", 0, 1, "lin", 0] * 129)], "at most 128"),
    ],
)
def test_a_bad_declaration_is_refused_with_the_toml_error_and_writes_nothing(tmp_path, args, expected):
    with pytest.raises((PresetError, DeclarationError)) as info:
        adopt_declared(declared_preset(args), tmp_path)
    assert expected in str(info.value), str(info.value)
    assert not (tmp_path / "presets").exists()


def test_redeclaring_another_space_is_refused_while_labelled_unless_redeclare_keeps_the_old_aside(tmp_path):
    first = adopt_declared(declared_preset(DECLARATION), tmp_path)
    assert adopt_declared(declared_preset(DECLARATION), tmp_path) == first  # the same space again: adopted as is
    other = declared_preset(["mysynth", "freq", 20, 4000, "exp", 440.0])
    assert adopt_declared(other, tmp_path).params[0].max == 4000.0  # no labels yet: nothing to lose
    session = Session("mysynth", data_dir=tmp_path)
    session.label(True)
    points = (tmp_path / "mysynth" / "points.jsonl").read_bytes()
    with pytest.raises(DeclarationError, match="1 label"):
        adopt_declared(declared_preset(DECLARATION), tmp_path)
    assert load_preset(tmp_path / "presets" / "mysynth.toml").params[0].max == 4000.0
    adopted = adopt_declared(declared_preset(DECLARATION), tmp_path, redeclare=True)
    assert adopted.params[0].max == 2000.0
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("mysynth.before-")]
    assert len(aside) == 1 and (aside[0] / "points.jsonl").read_bytes() == points
    assert load_preset(aside[0] / "preset.toml").params[0].max == 4000.0
    assert Session("mysynth", data_dir=tmp_path).points == []  # a new dataset


def test_declared_features_become_the_context_and_a_redeclaration_without_them_keeps_them(tmp_path):
    preset = adopt_declared(declared_preset(DECLARATION), tmp_path)
    with_features = adopt_declared(with_context(preset, ["amp", "pitch"]), tmp_path)
    assert with_features.context_names == ("amp", "pitch")
    assert adopt_declared(declared_preset(DECLARATION), tmp_path).context_names == ("amp", "pitch")
    with pytest.raises(PresetError, match=r"context.names\[1\]"):
        with_context(preset, ["amp", 3.0])


def test_a_stale_context_refuses_the_label_and_a_fresh_one_records_its_names(tmp_path):
    clock = Clock()
    session = Session(load_preset(write(tmp_path, SYNTH)), data_dir=tmp_path / "data")
    session.tracker = context = FeatureContext(session.context_names, clock=clock)
    rehearsal = Rehearsal(session, clock=clock)
    heard: list[object] = []
    rehearsal.subscribe(heard.append)
    assert rehearsal.good() is None and session.points == []
    assert any(isinstance(e, Noticed) and "no features received yet" in e.message for e in heard)
    for _ in range(5):
        context.receive([0.2, 1500.0, 0.1])
        clock.now += 0.1
    assert context.describe() == "features: 3 @ 10 Hz"
    point = rehearsal.good()
    assert point is not None and point.descriptors.tolist() == [0.2, 1500.0, 0.1]
    clock.now += STALE_AFTER_S + 0.5
    assert rehearsal.bad() is None and len(session.points) == 1
    assert "stale (1.6 s old)" in context.describe()
    record = (tmp_path / "data" / "synth" / "points.jsonl").read_text()
    assert '"descriptors":{"amp":0.2,"centroid":1500.0,"flatness":0.1}' in record
    assert context.check([1.0, 2.0]) is not None and context.check([1.0, float("nan"), 0.0]) is not None
    assert context.check([1.0, "x", 0.0]) is not None and context.check([1.0, 1e300, 0.0]) is not None


def test_a_dataset_recorded_with_other_context_names_is_refused(tmp_path):
    data = tmp_path / "data"
    session = Session(load_preset(write(tmp_path, SYNTH)), data_dir=data)
    session.label(True, descriptors=np.array([0.2, 1500.0, 0.1]))
    for other in (
        'names = ["amp", "pitch", "flatness"]',
        'names = ["amp", "centroid"]',
        'names = ["amp", "centroid", "flatness", "pitch"]',
    ):
        changed = write(tmp_path, SYNTH.replace('names = ["amp", "centroid", "flatness"]', other), "b.toml")
        with pytest.raises(DatasetError, match="different context"):
            Session(load_preset(changed), data_dir=data)
    audio = write(
        tmp_path,
        SYNTH.replace('source = "osc"\n', "").replace('names = ["amp", "centroid", "flatness"]\n', ""),
        "c.toml",
    )
    with pytest.raises(DatasetError, match="different context"):
        Session(load_preset(audio), data_dir=data)


def test_the_learner_maps_any_context_length_without_octaves(tmp_path):
    """Two "sounds" of a controller (5 features, none of them Hz): likes for each, and the mapping and the
    proposals key on the features as they are."""
    names = ", ".join(f'"f{i}"' for i in range(5))
    preset = load_preset(write(tmp_path, SYNTH.replace('"amp", "centroid", "flatness"', names)))
    session = Session(preset, data_dir=tmp_path / "data", seed=1)
    assert session.learner_options["octaves"] is False
    low, high = np.zeros(5), np.full(5, 1000.0)
    for context, values in ((low, {"cutoff": 200.0, "mix": 0.1}), (high, {"cutoff": 6000.0, "mix": 0.9})):
        for _ in range(3):
            session.label(True, descriptors=context, params=values)
    X, _, _ = training_arrays(session.points, session.space, 5)
    assert X.shape == (6, 5) and session.learner.octaves is False
    for context, values in ((low, {"cutoff": 200.0, "mix": 0.1}), (high, {"cutoff": 6000.0, "mix": 0.9})):
        session.tracker.receive(context.tolist())
        predicted = session.predict()
        assert predicted["mix"] == pytest.approx(values["mix"], abs=0.15)
        session.randomize(0.3)  # proposals work on this context too
    assert Session(preset, data_dir=tmp_path / "data", seed=1).learner.n_points_ == 6  # cached or rebuilt alike


def test_a_declaration_never_replaces_a_preset_of_yours_that_a_patch_did_not_declare(tmp_path):
    """<data dir>/presets/ holds scanned and hand-written presets too: a patch declaring the same name is refused."""
    mine = tmp_path / "presets" / "mysynth.toml"
    mine.parent.mkdir()
    text = (ROOT / "presets" / "space.toml").read_text().replace('name = "space"', 'name = "mysynth"')
    mine.write_text(text)
    with pytest.raises(DeclarationError, match="engine = 'pedalboard'.*declare another name"):
        adopt_declared(declared_preset(DECLARATION), tmp_path)
    assert mine.read_text() == text
    assert resolve_preset("mysynth", tmp_path).engine == "pedalboard"
