"""A dataset with a context from outside (named features, any length) trains, exports to FluCoMa (the forward
pass still reproduces the mapping) and reimports into a fresh data dir through the CLI."""

import json

import numpy as np

from rlfx_tui.cli import main
from rlfx_tui.core.declared import adopt_declared, declared_preset, with_context
from rlfx_tui.session import Session
from tests.interop.test_flucoma import flucoma_forward

DECLARATION = ["mysynth", "freq", 20.0, 2000.0, "exp", 440.0, "amp", 0.0, 1.0, "lin", 0.2, "room", 0, 1, "lin", 0.5]
FEATURES = ["x", "y", "z", "pressure", "tilt"]


def test_an_osc_context_dataset_trains_exports_and_reimports(tmp_path, capsys):
    data = tmp_path / "data"
    adopt_declared(with_context(declared_preset(DECLARATION), FEATURES), data)
    session = Session("mysynth", data_dir=data, seed=3)
    rng = np.random.default_rng(0)
    for i in range(12):
        session.tracker.receive((rng.normal(0, 1, 5) + (4.0 if i % 2 else 0.0)).tolist())
        session.randomize(0.8)
        session.label(i % 3 != 0, train=False)
    session.retrain()
    assert session.learner.has_mapping

    out = tmp_path / "export"
    assert main(["--data-dir", str(data), "--preset", "mysynth", "export", "flucoma", str(out)]) == 0
    spec = json.loads((out / "spec.json").read_text())
    assert [d["name"] for d in spec["descriptors"]] == FEATURES and all(d["unit"] == "" for d in spec["descriptors"])
    descriptors = json.loads((out / "descriptors.json").read_text())
    assert descriptors["cols"] == 5 and len(descriptors["data"]) == 12
    standardize, model = (json.loads((out / n).read_text()) for n in ("standardize.json", "mlp.json"))
    exported = Session("mysynth", data_dir=data)  # as the CLI opened it (its seed, its fit)
    for point in session.points:
        np.testing.assert_allclose(
            exported.space.constrain(flucoma_forward(standardize, model, point.descriptors)),
            exported.learner.predict(point.descriptors),
            rtol=0,
            atol=1e-12,
        )

    fresh = tmp_path / "fresh"
    adopt_declared(with_context(declared_preset(DECLARATION), FEATURES), fresh)
    capsys.readouterr()
    assert (
        main(
            [
                "--data-dir",
                str(fresh),
                "--preset",
                "mysynth",
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
    reopened = Session("mysynth", data_dir=fresh)
    assert [(p.good, p.descriptors.tolist()) for p in reopened.points] == [
        (p.good, p.descriptors.tolist()) for p in session.points
    ]
    assert reopened.learner.has_mapping

    wrong = tmp_path / "wrong"
    adopt_declared(with_context(declared_preset(DECLARATION), FEATURES[:3]), wrong)
    assert (
        main(
            [
                "--data-dir",
                str(wrong),
                "--preset",
                "mysynth",
                "import",
                "flucoma",
                str(out / "descriptors.json"),
                str(out / "params.json"),
            ]
        )
        == 2
    )
    assert "has 5 columns, preset 'mysynth''s context (x, y, z) needs 3" in capsys.readouterr().err
