"""spec.json describes choice parameters so a FluCoMa patch can turn the network's outputs back into values."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rlfx_tui.core.session import Session
from rlfx_tui.interop.flucoma import spec_json


def test_spec_json_gives_a_choices_values_and_encoding(plugin_preset: Path, tmp_data_dir: Path) -> None:
    session = Session(preset=str(plugin_preset), data_dir=tmp_data_dir)
    spec = spec_json(session, 0)
    mode = next(p for p in spec["params"] if p["name"] == "mode")
    assert mode == {
        "name": "mode",
        "min": 0.0,
        "max": 2.0,
        "unit": "",
        "scale": "choice",
        "default": 0.0,
        "pinned": False,
        "values": ["Low", "High", "Band"],
    }
    assert "values[round(u * (len(values) - 1))]" in spec["denormalize"]["choice"]
    # the encoding spec.json states is the one the session uses
    u = session.space.normalize(session.space.default() | {"mode": 2.0})
    k = round(u[session.space.names.index("mode")] * (len(mode["values"]) - 1))
    assert mode["values"][k] == "Band" and np.all((u >= 0) & (u <= 1))
