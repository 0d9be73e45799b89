"""The model's state: good/bad counts, recent like-rate, which sound the learner believes is playing (and whether
the answers for it look inconsistent), training, last retrain and how closely the mapping fits what it was taught,
labels waiting for the disk."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget

from rlfx_tui.tui.format import like_rates, percent, profile
from rlfx_tui.tui.widgets.line import Line


class RateSpark(Widget):
    """The recent like-rate, one cell per label, newest on the right, on a fixed scale (▁ = 0 %, █ = 100 %).
    Textual's Sparkline scales to its data, so three likes of three drew ▁▁▁."""

    DEFAULT_CSS = """
    RateSpark { height: 1; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rates: list[float] = []

    def show(self, rates: Sequence[float]) -> None:
        if list(rates) != self.rates:
            self.rates = list(rates)
            self.refresh()

    def render(self) -> RenderResult:
        width = self.size.width
        return Text(profile(self.rates[-width:]) if width else "", no_wrap=True, overflow="crop")


class ModelPanel(Vertical):
    _training: tuple[bool, str | None, int | None, float | None] | None = None  # the last show_training's arguments

    def compose(self) -> ComposeResult:
        yield Line("", id="model-counts")
        with Horizontal(id="like-row"):
            yield Line("like     —", id="like-rate")
            yield RateSpark(id="like-spark")
        yield Line("", id="model-sound")
        yield Line("", id="model-doubt")  # shown only while the answers here look inconsistent
        yield Line("no model yet", id="model-state")

    def show_sound(self, text: str) -> None:
        """ "sound 3 of 5 · 12 labels · 4 liked", or "a new sound (5 known)"."""
        self.query_one("#model-sound", Line).show(text)

    def show_doubt(self, inconsistent: bool) -> None:
        """ "answers look inconsistent here" while the learner reads many of this sound's answers as slips (the
        labels all stay: a doubtful like only weighs less); the line takes no room otherwise."""
        line = self.query_one("#model-doubt", Line)
        line.show("⚠ answers look inconsistent here" if inconsistent else "")
        if line.display != inconsistent:
            line.display = inconsistent

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
        self.query_one("#like-spark", RateSpark).show(like_rates(list(good)))

    def on_resize(self) -> None:
        if self._training is not None:
            self.show_training(*self._training)  # the fit's line break depends on the width

    def show_training(
        self, training: bool, last: str | None, n_points: int | None, fit_error: float | None = None
    ) -> None:
        self._training = (training, last, n_points, fit_error)
        if training:
            text = "training…"
        elif last is None:
            text = "model: none yet"
        else:
            text = f"trained {last} ({n_points} pt{'' if n_points == 1 else 's'})"
            if fit_error is not None:  # the mapping's training error, in % of each knob's range
                fit = f"fit {100 * fit_error:.0f} %"
                # On a line of its own where both don't fit (the 32-column side panel of an 80-column terminal).
                width = self.query_one("#model-state", Line).content_size.width
                text += f"\n{fit}" if width and len(text) + 1 + len(fit) > width else f" {fit}"
        state = self.query_one("#model-state", Line)
        state.show(text)
        state.set_class(training, "-busy")
