"""FluCoMa export and import: the files follow FluidJSON.hpp, and FluCoMa's forward pass reproduces the mapping."""

import json

import numpy as np
import pytest

from rlfx_tui.cli import main
from rlfx_tui.core.descriptors import DESCRIPTOR_NAMES
from rlfx_tui.interop.flucoma import export_flucoma, import_flucoma
from rlfx_tui.session import Session
from tests.core.sounds import feed, noise, tone


def load(directory, name):
    return json.loads((directory / name).read_text())


def flucoma_forward(standardize: dict, model: dict, x: np.ndarray) -> np.ndarray:
    """FluCoMa's inference, written from its sources and the exported JSON only: Standardization::processFrame
    ((x - mean) / max(std, eps)), then per NNLayer::forwardFrame act(Wᵀx + b), W stored rows × cols."""
    activation = {
        0: lambda z: z,
        1: lambda z: 1 / (1 + np.exp(-z)),
        2: lambda z: np.maximum(z, 0),
        3: lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)),
    }
    h = (np.asarray(x, float) - np.array(standardize["mean"])) / np.maximum(standardize["std"], 2.220446049250313e-16)
    for layer in model["layers"]:
        weights = np.array(layer["weights"])
        assert weights.shape == (layer["rows"], layer["cols"]) and len(layer["biases"]) == layer["cols"]
        h = activation[layer["activation"]](weights.T @ h + np.array(layer["biases"]))
    return h


def test_export_files_follow_fluidjson(trained, tmp_path):
    out = tmp_path / "export"
    written = {p.name for p in export_flucoma(trained, out)}
    assert written == {
        "descriptors.json",
        "params.json",
        "params_units.json",
        "labels.json",
        "standardize.json",
        "mlp.json",
        "spec.json",
        "load.scd",
    }
    points = trained.points
    d, p = len(DESCRIPTOR_NAMES), len(trained.space)
    descriptors, params, units, labels = (
        load(out, n) for n in ("descriptors.json", "params.json", "params_units.json", "labels.json")
    )
    assert set(descriptors) == set(params) == set(labels) == {"cols", "data"}
    assert (descriptors["cols"], params["cols"], units["cols"], labels["cols"]) == (d, p, p, 1)
    # the same zero-padded ids everywhere, and their sorted order is the label order
    ids = list(descriptors["data"])
    assert ids == list(params["data"]) == list(units["data"]) == list(labels["data"]) == sorted(ids)
    assert [int(i) for i in ids] == [pt.id for pt in points] and len({len(i) for i in ids}) == 1
    for key, pt in zip(ids, points):
        assert len(descriptors["data"][key]) == d and len(params["data"][key]) == p
        assert descriptors["data"][key] == pt.descriptors.tolist()
        assert np.allclose(params["data"][key], trained.space.normalize(pt.params), atol=1e-12)
        assert units["data"][key] == [pt.params[n] for n in trained.space.names]
        assert labels["data"][key] == ["good" if pt.good else "bad"]

    standardize, model = load(out, "standardize.json"), load(out, "mlp.json")
    assert set(standardize) == {"cols", "mean", "std"} and standardize["cols"] == d
    assert len(standardize["mean"]) == len(standardize["std"]) == d
    assert set(model) == {"layers"}
    layers = model["layers"]
    assert all(set(layer) == {"activation", "biases", "cols", "rows", "weights"} for layer in layers)
    assert [layer["activation"] for layer in layers] == [3] * (len(layers) - 1) + [0]  # tanh hidden, identity out
    assert layers[0]["rows"] == d and layers[-1]["cols"] == p
    assert all(a["cols"] == b["rows"] for a, b in zip(layers, layers[1:]))

    spec = load(out, "spec.json")
    assert [s["name"] for s in spec["params"]] == list(trained.space.names)
    assert [s["name"] for s in spec["descriptors"]] == list(DESCRIPTOR_NAMES)
    assert {"min", "max", "unit", "scale", "default", "pinned"} <= set(spec["params"][0])


def test_flucoma_forward_pass_reproduces_the_mapping_exactly(trained, tmp_path, rng):
    out = tmp_path / "export"
    export_flucoma(trained, out)
    standardize, model = load(out, "standardize.json"), load(out, "mlp.json")
    mapping = trained.learner.mapping_
    # inputs: every labelled point, the live descriptors, and points far outside the data (outputs leave [0, 1])
    spread = np.array([pt.descriptors for pt in trained.points])
    probes = [pt.descriptors for pt in trained.points] + [trained.descriptors]
    probes += list(spread.mean(0) + rng.normal(0, 4, size=(20, len(DESCRIPTOR_NAMES))) * (spread.std(0) + 1))
    clipped = 0
    for x in probes:
        theirs = flucoma_forward(standardize, model, x)
        # before clipping: the same numbers scikit-learn's Pipeline computes (JSON round-trips doubles exactly)
        np.testing.assert_allclose(theirs, mapping.predict(x[None])[0], rtol=0, atol=1e-12)
        # rlfx-tui then clips to [0, 1] and holds pinned parameters at their default: a patch does the same
        clipped += int(((theirs < 0) | (theirs > 1)).any())
        np.testing.assert_allclose(trained.space.constrain(theirs), trained.learner.predict(x), rtol=0, atol=1e-12)
    assert clipped, "the probes should exercise clipping"
    # and through Session.predict() (real units) for live input
    for signal in (tone(110, square=True, amp=0.5), noise(amp=0.3), tone(1500, amp=0.05)):
        feed(trained, signal)
        expected = trained.space.denormalize(
            trained.space.constrain(flucoma_forward(standardize, model, trained.descriptors))
        )
        predicted = trained.predict()
        for name in trained.space.names:
            assert predicted[name] == pytest.approx(expected[name], rel=1e-9, abs=1e-12)


def test_export_before_any_like_writes_data_but_no_model(tmp_path, capsys):
    session = Session(data_dir=tmp_path / "data")
    feed(session, tone(220))
    session.label(False)
    assert main(["--data-dir", str(tmp_path / "data"), "export", "flucoma", str(tmp_path / "out")]) == 0
    assert "no mapping yet" in capsys.readouterr().out
    assert not (tmp_path / "out" / "mlp.json").exists()
    assert load(tmp_path / "out", "labels.json") == {"cols": 1, "data": {"0001": ["bad"]}}


def test_export_example_prints_supercollider(capsys):
    assert main(["export", "flucoma", "--example"]) == 0
    out = capsys.readouterr().out
    assert "FluidMLPRegressor" in out and "mlp.json" in out and "/rlfx/features" in out


def hand_written(tmp_path, params_rows, descriptor_rows=None, cols=None):
    """A FluidDataSet pair typed by hand in the documented format (ids need not be rlfx-tui's)."""
    descriptor_rows = descriptor_rows or {key: [-20.0, 800.0, 900.0, 0.1, 2000.0, 300.0, 0.05] for key in params_rows}
    (tmp_path / "in.json").write_text(json.dumps({"cols": 7, "data": descriptor_rows}))
    (tmp_path / "out.json").write_text(
        json.dumps({"cols": cols or len(next(iter(params_rows.values()))), "data": params_rows})
    )
    return tmp_path / "in.json", tmp_path / "out.json"


def test_import_hand_written_datasets_become_durable_liked_points(tmp_path, capsys):
    data = tmp_path / "data"
    p = len(Session(data_dir=data).space)
    inputs, outputs = hand_written(tmp_path, {"b": [0.25] * p, "a": [0.75] * p})
    assert main(["--data-dir", str(data), "import", "flucoma", str(inputs), str(outputs)]) == 0
    assert "imported 2 points (2 good)" in capsys.readouterr().out
    reopened = Session(data_dir=data)  # from disk
    points = reopened.points
    assert [pt.good for pt in points] == [True, True]
    assert np.allclose(reopened.space.normalize(points[0].params)[~reopened.space.pinned], 0.75)  # "a" sorts first
    assert points[0].descriptors.tolist() == [-20.0, 800.0, 900.0, 0.1, 2000.0, 300.0, 0.05]
    assert reopened.learner.has_mapping


@pytest.mark.parametrize(
    "case, message",
    [
        ("cols", "has 3 columns, preset 'space' (low_cut, chorus_rate, "),
        ("short", "row 'x' must be a list of exactly"),
        ("range", "row 'x' is outside [0, 1]; for values in parameter units pass --units real"),
        ("ids", "must have the same ids; 1 differ (e.g. 'y')"),
        ("type", "row 'x': 'loud' is not a finite number"),
        ("huge", "is not a finite number"),  # a 400-digit JSON integer: refused, not an OverflowError
    ],
)
def test_import_refuses_mismatched_files_with_one_line(tmp_path, capsys, case, message):
    data = tmp_path / "data"
    p = len(Session(data_dir=data).space)
    row = {"cols": [0.5] * 3, "short": [0.5] * (p - 1), "range": [1.5] * p}.get(case, [0.5] * p)
    descriptors = {"type": {"x": ["loud"] + [0.0] * 6}, "huge": {"x": [10**400] + [0.0] * 6}}.get(case)
    inputs, outputs = hand_written(tmp_path, {"x": row}, descriptors, cols=p if case == "short" else None)
    if case == "ids":
        outputs.write_text(json.dumps({"cols": p, "data": {"x": row, "y": row}}))
    assert main(["--data-dir", str(data), "import", "flucoma", str(inputs), str(outputs)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert Session(data_dir=data).points == []  # nothing half-written


def test_export_then_import_round_trips_points_and_labels(trained, tmp_path):
    out = tmp_path / "export"
    export_flucoma(trained, out)
    fresh = Session(data_dir=tmp_path / "other", seed=1)
    added = import_flucoma(fresh, out / "descriptors.json", out / "params.json", labels=out / "labels.json").added
    assert len(added) == len(trained.points)
    for a, b in zip(fresh.points, trained.points):
        assert a.good == b.good and np.array_equal(a.descriptors, b.descriptors)
        assert a.params == pytest.approx(b.params, rel=1e-9)
    real = import_flucoma(
        Session(data_dir=tmp_path / "third"),
        out / "descriptors.json",
        out / "params_units.json",
        units="real",
        good=False,
    )
    assert len(real.added) == len(trained.points) and real.skipped == 0


def test_cli_import_with_a_label_set(trained, tmp_path, capsys):
    out = tmp_path / "export"
    assert main(["--data-dir", str(trained.data_dir), "export", "flucoma", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"exported {len(trained.points)} points" in printed and "mlp.json" in printed
    other = tmp_path / "other"
    assert (
        main(
            [
                "--data-dir",
                str(other),
                "import",
                "flucoma",
                str(out / "descriptors.json"),
                str(out / "params.json"),
                "--labels",
                str(out / "labels.json"),
            ]
        )
        == 0
    )
    n_good = sum(p.good for p in trained.points)
    assert f"imported {len(trained.points)} points ({n_good} good)" in capsys.readouterr().out
    assert [p.good for p in Session(data_dir=other).points] == [p.good for p in trained.points]


def test_importing_the_same_files_twice_adds_nothing_the_second_time(trained, tmp_path, capsys):
    out = tmp_path / "export"
    export_flucoma(trained, out)
    files = [str(out / "descriptors.json"), str(out / "params.json"), "--labels", str(out / "labels.json")]
    other = tmp_path / "other"
    n = len(trained.points)
    assert main(["--data-dir", str(other), "import", "flucoma", *files]) == 0
    assert f"imported {n} points (" in capsys.readouterr().out
    assert main(["--data-dir", str(other), "import", "flucoma", *files]) == 0
    assert f"imported 0 points, skipped {n} already in the dataset (preset 'space', " in capsys.readouterr().out
    assert len(Session(data_dir=other).points) == n
    # into the dataset they came from, too: normalised parameters come back within a JSON round trip, not exactly
    result = import_flucoma(trained, out / "descriptors.json", out / "params.json", labels=out / "labels.json")
    assert (result.added, result.skipped) == ([], n) and len(trained.points) == n
    # in real units, too; but with the other label they are new opinions, not copies
    assert (
        import_flucoma(
            trained, out / "descriptors.json", out / "params_units.json", units="real", labels=out / "labels.json"
        ).skipped
        == n
    )
    flipped = {
        "cols": 1,
        "data": {k: ["bad" if v == ["good"] else "good"] for k, v in load(out, "labels.json")["data"].items()},
    }
    (tmp_path / "flipped.json").write_text(json.dumps(flipped))
    assert (
        len(
            import_flucoma(
                trained, out / "descriptors.json", out / "params.json", labels=tmp_path / "flipped.json"
            ).added
        )
        == n
    )


def test_a_partly_overlapping_import_adds_only_the_new_points(tmp_path, capsys):
    data = tmp_path / "data"
    p = len(Session(data_dir=data).space)
    descriptors = {key: [-20.0 - i, 800.0, 900.0, 0.1, 2000.0, 300.0, 0.05] for i, key in enumerate("abcd")}
    first = hand_written(tmp_path, {"a": [0.1] * p, "b": [0.2] * p}, {k: descriptors[k] for k in "ab"})
    assert main(["--data-dir", str(data), "import", "flucoma", *map(str, first)]) == 0
    capsys.readouterr()
    # b again (within a JSON round trip), a with a changed setting, c and d new; d twice under two ids
    rows = {"a": [0.15] * p, "b": [0.2 + 1e-13] * p, "c": [0.3] * p, "d": [0.4] * p, "e": [0.4] * p}
    second = hand_written(tmp_path, rows, {**descriptors, "e": descriptors["d"]})
    assert main(["--data-dir", str(data), "import", "flucoma", *map(str, second)]) == 0
    assert "imported 4 points (4 good), skipped 1 already in the dataset" in capsys.readouterr().out
    points = Session(data_dir=data).points
    assert len(points) == 6
    assert main(["--data-dir", str(data), "import", "flucoma", *map(str, second)]) == 0
    assert "imported 0 points, skipped 5 already in the dataset" in capsys.readouterr().out
    assert len(Session(data_dir=data).points) == 6
