"""The model's state: good/bad counts, training, last retrain, labels waiting for the disk, recent like-rate."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Sparkline

from rlfx_tui.tui.format import like_rates, percent
from rlfx_tui.tui.widgets.line import Line


class ModelPanel(Vertical):
    def compose(self) -> ComposeResult:
        yield Line("", id="model-counts")
        with Horizontal(id="like-row"):
            yield Line("like     —", id="like-rate")
            yield Sparkline([], id="like-spark")
        yield Line("no model yet", id="model-state")

    def show_points(self, good: Sequence[bool], pending: int = 0) -> None:
        n_good = sum(good)
        counts = f"good {n_good}  bad {len(good) - n_good}"
        if pending:
            counts += f"  ⚠ {pending} unsaved"
        self.query_one("#model-counts", Line).show(counts)
        self.query_one("#model-counts", Line).set_class(bool(pending), "-warn")
        recent = list(good[-20:])
        rate = percent(sum(recent) / len(recent)) if recent else "—"
        self.query_one("#like-rate", Line).show(f"like {rate:>5}")
        rates = like_rates(list(good)) if len(good) > 1 else []
        spark = self.query_one("#like-spark", Sparkline)
        if spark.data != rates:
            spark.data = rates

    def show_training(self, training: bool, last: str | None, n_points: int | None) -> None:
        if training:
            text = "training…"
        elif last is None:
            text = "model: none yet"
        else:
            text = f"trained {last} ({n_points} pt{'' if n_points == 1 else 's'})"
        state = self.query_one("#model-state", Line)
        state.show(text)
        state.set_class(training, "-busy")
