"""FluCoMa files: export the labels and the trained mapping so FluCoMa objects `read` them as they are, and import
a pair of FluidDataSets as liked points.

The formats follow flucoma-core's `include/flucoma/data/FluidJSON.hpp` (what `read` parses):

* FluidDataSet  ``{"cols": N, "data": {"<id>": [N numbers], ...}}``. FluCoMa keeps ids as strings in a sorted
  JSON object, so ids are the point ids zero-padded to one width: sorted order = label order. A row shorter than
  `cols` is not rejected by FluCoMa (it silently keeps stale values), so every row here is exactly `cols` long.
* FluidLabelSet ``{"cols": 1, "data": {"<id>": ["good" | "bad"], ...}}`` (a dataset of strings).
* FluidStandardize ``{"cols": N, "mean": [N], "std": [N]}``; FluCoMa computes (x - mean) / max(std, 2.2e-16).
* FluidMLPRegressor ``{"layers": [{"activation": a, "biases": [units], "cols": units, "rows": inputs,
  "weights": [inputs rows of units numbers]}, ...]}``; each layer is act(Wᵀx + b) with W inputs × units
  (scikit-learn's coefs_[i] as is). Activation codes: 0 identity, 1 sigmoid, 2 relu, 3 tanh. FluCoMa takes the
  hidden activation from the first layer and the output activation from the last.

What is exported (see `FILES`): descriptors in their own units (the standardisation is a separate file, as in a
FluCoMa patch); parameters *normalised* to [0, 1] — what the network predicts — plus the same in real units for
plotting; spec.json says how to go from normalised to units. The network is fitted on the liked sounds' takes (see
Learner._mapping_examples).
rlfx-tui then clips each output to [0, 1] and holds pinned parameters at their default; a patch does the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rlfx_tui.core.descriptors import DESCRIPTOR_UNITS
from rlfx_tui.core.errors import RlfxError
from rlfx_tui.core.finite import is_finite
from rlfx_tui.core.known_points import KnownPoints
from rlfx_tui.core.learner import ACTIVATIONS
from rlfx_tui.core.presets import ParamSpec
from rlfx_tui.core.session import Session

FORMAT = "rlfx-tui/flucoma 1"
FILES = {
    "descriptors.json": "FluidDataSet: input descriptors per labelled point (units as in spec.json)",
    "params.json": "FluidDataSet: effect parameters per labelled point, normalised to [0, 1]",
    "params_units.json": "FluidDataSet: the same parameters in real units",
    "labels.json": "FluidLabelSet: good or bad per labelled point",
    "standardize.json": "FluidStandardize: the input scaling of the mapping",
    "mlp.json": "FluidMLPRegressor: the mapping, standardised descriptors -> normalised parameters",
    "spec.json": "rlfx-tui: names, ranges and scales, to turn normalised outputs into units",
    "load.scd": "SuperCollider: loads the files and drives a synth from live input",
}
# FluCoMa's activation enum (NNFuncs.hpp: kLinear, kSigmoid, kReLU, kTanh) by scikit-learn's names
ACTIVATION_CODES = {"identity": 0, "logistic": 1, "relu": 2, "tanh": 3}
ACTIVATION_BY_CODE = {code: ACTIVATIONS[name] for name, code in ACTIVATION_CODES.items()}
EXAMPLE_SCD = Path(__file__).with_name("example.scd")


class FlucomaFormatError(RlfxError):
    """A file given to the importer is not the FluidDataSet it should be: names the file and the problem."""


def point_ids(ids: list[int]) -> list[str]:
    """Zero-padded, so FluCoMa's sorted order (and any text sort) is the label order."""
    width = max(4, len(str(max(ids, default=0))))
    return [str(i).zfill(width) for i in ids]


def dataset_json(ids: list[str], rows: np.ndarray, cols: int) -> dict[str, Any]:
    rows = np.asarray(rows, dtype=float).reshape(len(ids), cols)
    return {"cols": cols, "data": {key: [float(v) for v in row] for key, row in zip(ids, rows)}}


def mapping_json(session: Session) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(FluidStandardize, FluidMLPRegressor) JSON of the session's mapping, or None before any liked point.

    Relies on the learner's `mapping_` being a Pipeline whose steps "scale" (mean_, scale_) and "mlp" (coefs_,
    intercepts_, activation, out_activation_) are all there is between descriptors and normalised parameters;
    `check_reproduces` refuses an export that would not reproduce it."""
    mapping = getattr(session.learner, "mapping_", None)
    if mapping is None:
        return None
    scaler, mlp = mapping.named_steps["scale"], mapping.named_steps["mlp"]
    standardize = {
        "cols": int(len(scaler.mean_)),
        "mean": [float(v) for v in scaler.mean_],
        "std": [float(v) for v in scaler.scale_],
    }
    last = len(mlp.coefs_) - 1
    layers = []
    for i, (w, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_)):
        name = mlp.out_activation_ if i == last else mlp.activation
        if name not in ACTIVATION_CODES:
            raise RlfxError(f"cannot export: FluCoMa has no {name!r} activation")
        layers.append(
            {
                "activation": ACTIVATION_CODES[name],
                "biases": [float(v) for v in b],
                "cols": int(w.shape[1]),
                "rows": int(w.shape[0]),
                "weights": [[float(v) for v in row] for row in w],
            }
        )
    return standardize, {"layers": layers}


def forward(standardize: dict[str, Any], model: dict[str, Any], x: np.ndarray) -> np.ndarray:
    """FluidStandardize then FluidMLPRegressor on rows of x, from their JSON alone (no clipping)."""
    h = (np.asarray(x, dtype=float) - standardize["mean"]) / np.maximum(standardize["std"], np.finfo(float).eps)
    for layer in model["layers"]:
        h = ACTIVATION_BY_CODE[layer["activation"]](h @ np.array(layer["weights"]) + np.array(layer["biases"]))
    return h


def check_reproduces(session: Session, standardize: dict[str, Any], model: dict[str, Any]) -> None:
    """Refuse to write a model that FluCoMa would evaluate differently from rlfx-tui (e.g. a changed learner)."""
    mapping = session.learner.mapping_
    if mapping is None:
        raise RlfxError("cannot export: the learner has no mapping yet")
    x = np.array([p.descriptors for p in session.points] or [session.descriptors])
    ours = mapping.predict(x).reshape(len(x), -1)
    theirs = forward(standardize, model, x)
    if not np.allclose(theirs, ours, rtol=0, atol=1e-9):
        raise RlfxError("cannot export: the learner's mapping is not a plain standardise + MLP that FluCoMa can run")


def _param_spec(spec: ParamSpec) -> dict[str, Any]:
    """One parameter of spec.json; a choice (a switch, a mode) has scale "choice" and its values, in order."""
    entry: dict[str, Any] = {
        "name": spec.name,
        "min": spec.min,
        "max": spec.max,
        "unit": spec.unit,
        "scale": "choice" if spec.values else spec.scale,
        "default": spec.default,
        "pinned": spec.pinned,
    }
    if spec.values:
        entry["values"] = list(spec.values)
    return entry


def spec_json(session: Session, n_good: int) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "preset": session.preset.name,
        "files": FILES,
        "descriptors": [
            {"name": n, "unit": DESCRIPTOR_UNITS.get(n, "") if not session.preset.context_names else ""}
            for n in session.context_names
        ],
        "params": [_param_spec(s) for s in session.space.specs],
        "denormalize": {
            "linear": "min + u * (max - min)",
            "log": "min * (max / min) ** u",
            "choice": "values[round(u * (len(values) - 1))]; its value k is u = k / (len(values) - 1), "
            "min 0 and max len(values) - 1 are indices, default is an index",
            "before": "clip u to [0, 1]; a pinned parameter is always its default",
        },
        "mlp_fitted_on": f"the {n_good} points labelled good",
    }


def export_flucoma(session: Session, directory: str | Path) -> list[Path]:
    """Write the FluCoMa files for the session's preset into `directory`; returns the paths written."""
    out = Path(directory)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RlfxError(f"{out}: cannot create the export folder ({exc.strerror})") from None
    points = session.points
    ids = point_ids([p.id for p in points])
    d, p = len(session.context_names), len(session.space)
    real = np.array([session.space.as_array(pt.params) for pt in points]).reshape(-1, p)
    docs: dict[str, Any] = {
        "descriptors.json": dataset_json(ids, np.array([pt.descriptors for pt in points]).reshape(-1, d), d),
        "params.json": dataset_json(ids, np.array([session.space.normalize(r) for r in real]).reshape(-1, p), p),
        "params_units.json": dataset_json(ids, real, p),
        "labels.json": {"cols": 1, "data": {key: ["good" if pt.good else "bad"] for key, pt in zip(ids, points)}},
        "spec.json": spec_json(session, sum(pt.good for pt in points)),
    }
    mapping = mapping_json(session)
    if mapping is not None:
        check_reproduces(session, *mapping)
        docs["standardize.json"], docs["mlp.json"] = mapping
    written = []
    try:
        for name, doc in docs.items():
            path = out / name
            # allow_nan=False: FluCoMa's parser rejects NaN, so fail here rather than in the patch
            path.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n")
            written.append(path)
        path = out / "load.scd"
        path.write_text(EXAMPLE_SCD.read_text())
        written.append(path)
    except OSError as exc:
        raise RlfxError(f"{out}: cannot write ({exc.strerror})") from None
    return written


# -- import ---------------------------------------------------------------------------------------------------------
def read_dataset(path: str | Path, cols: int, what: str, strings: bool = False) -> dict[str, list[Any]]:
    """A FluidDataSet (or with strings=True a FluidLabelSet) file checked against the expected width."""
    where = str(path)
    try:
        doc = json.loads(Path(path).read_text())
    except OSError as exc:
        raise FlucomaFormatError(f"{where}: cannot read ({exc.strerror})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FlucomaFormatError(f"{where}: not JSON ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), dict) or type(doc.get("cols")) is not int:
        raise FlucomaFormatError(f'{where}: expected a FluidDataSet {{"cols": N, "data": {{"<id>": [...]}}}}')
    if doc["cols"] != cols:
        raise FlucomaFormatError(f"{where}: has {doc['cols']} columns, {what} needs {cols}")
    for key, row in doc["data"].items():
        if not isinstance(row, list) or len(row) != cols:
            raise FlucomaFormatError(f"{where}: row {key!r} must be a list of exactly {cols} values")
        for value in row:
            ok = (
                isinstance(value, str)
                if strings
                else (isinstance(value, (int, float)) and not isinstance(value, bool) and is_finite(value))
            )
            if not ok:
                raise FlucomaFormatError(
                    f"{where}: row {key!r}: {value!r} is not a {'label string' if strings else 'finite number'}"
                )
    return doc["data"]


@dataclass(frozen=True)
class Imported:
    added: list[int]  # the new point ids, in sorted-id order of the files
    skipped: int  # rows that are already live points (same label, descriptors and setting)


def import_flucoma(
    session: Session,
    descriptors: str | Path,
    params: str | Path,
    *,
    good: bool = True,
    labels: str | Path | None = None,
    units: str = "normalized",
) -> Imported:
    """Add one labelled point per id of a pair of FluidDataSets, but none that is already a live point.

    Every row is checked before anything is written; a row identical to a live point (core.known_points: same
    label, descriptors and setting within a JSON round trip) is skipped, so importing the same files twice adds
    nothing; the others are added in sorted-id order through the session (so they are durable), then the model is
    retrained once. `units`: "normalized" ([0, 1], as exported) or "real"."""
    space = session.space
    names = session.context_names
    x = read_dataset(descriptors, len(names), f"preset {session.preset.name!r}'s context ({', '.join(names)})")
    u = read_dataset(params, len(space), f"preset {session.preset.name!r} ({', '.join(space.names)})")
    only = sorted(set(x) ^ set(u))
    if only:
        raise FlucomaFormatError(
            f"{descriptors} and {params} must have the same ids; {len(only)} differ (e.g. {only[0]!r})"
        )
    tags = read_dataset(labels, 1, "a label set", strings=True) if labels is not None else {}
    rows = []
    for key in sorted(x):
        values = np.array(u[key], dtype=float)
        if units == "normalized":
            if values.min() < 0.0 or values.max() > 1.0:
                raise FlucomaFormatError(
                    f"{params}: row {key!r} is outside [0, 1]; for values in parameter units pass --units real"
                )
            real = space.denormalize(values)
        else:
            low = np.array([s.min for s in space.specs])
            high = np.array([s.max for s in space.specs])
            bad = np.flatnonzero((values < low) | (values > high))
            if len(bad):
                j = int(bad[0])
                raise FlucomaFormatError(
                    f"{params}: row {key!r}: {space.names[j]} = {values[j]:g} is outside {low[j]:g}..{high[j]:g}"
                )
            real = dict(zip(space.names, values.tolist()))
        tag = tags.get(key, ["good" if good else "bad"])[0]
        if tag not in ("good", "bad"):
            raise FlucomaFormatError(f"{labels}: row {key!r}: label must be good or bad, got {tag!r}")
        rows.append((np.array(x[key], dtype=float), real, tag == "good"))
    known = KnownPoints(session.points, space)
    new = [row for row in rows if not known.take(*row)]
    added = [session.label(is_good, train=False, descriptors=d, params=real) for d, real, is_good in new]
    if added:
        session.retrain()
    return Imported(added, len(rows) - len(new))
