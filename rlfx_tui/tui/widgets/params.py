"""Every parameter as a labelled bar with its value and unit; the ones the last jump changed stand out, the ones
the learner thinks matter for the sound being played are marked, and so are the ones the player locked. The panel
takes focus (tab), and ↑/↓ select the knob that l locks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.app import RenderResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widget import Widget

from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import ParamSpec
from rlfx_tui.tui.format import bar, format_value

NAME_WIDTH = 16
VALUE_WIDTH = 9
MAX_BAR = 48  # on a wide terminal the value stays near its bar, readable from a music stand
CHANGED_MARK = "◆"
MATTERS_MARK = "•"
LOCKED_MARK = "⊠"
MATTERS_AT = 0.5  # the taste model's probability from which a parameter is shown as mattering


class ParamRow(Widget):
    """One line: `◆•⊠ delay time   ████████▌       350 ms`. The class -changed marks a parameter the last jump
    moved, -matters one the learner thinks matters to the player for this sound, -locked one the player locked,
    -selected the one l would lock."""

    DEFAULT_CSS = """
    ParamRow { height: 1; }
    """
    COMPONENT_CLASSES = {"param-row--bar"}

    def __init__(self, spec: ParamSpec, value: float, fraction: float) -> None:
        super().__init__(id=f"param-{spec.name}", classes="-pinned" if spec.pinned else "")
        self.spec = spec
        self.value = value
        self.fraction = fraction

    def show(self, value: float, fraction: float, changed: bool, matters: bool = False) -> None:
        self.value, self.fraction = value, fraction
        self.set_class(changed, "-changed")
        self.set_class(matters, "-matters")
        self.refresh()

    def render(self) -> RenderResult:
        width = self.size.width
        name_width = min(NAME_WIDTH, max(width // 3, 6))
        bar_width = min(max(width - name_width - VALUE_WIDTH - 5, 4), MAX_BAR)
        mark = CHANGED_MARK if self.has_class("-changed") else " "
        mattering = MATTERS_MARK if self.has_class("-matters") else " "
        locked = LOCKED_MARK if self.has_class("-locked") else " "
        name = self.spec.display[: name_width - 1].ljust(name_width)
        text = Text(no_wrap=True, overflow="crop")
        text.append(f"{mark}{mattering}{locked} ")
        selected = self.has_class("-selected") and isinstance(self.parent, Widget) and self.parent.has_focus
        text.append(name[:-1], "reverse" if selected else "")  # one column less: the lock mark took it
        text.append(bar(self.fraction, bar_width), self.get_component_rich_style("param-row--bar"))
        shown = self.spec.shown(self.value) if self.spec.values else format_value(self.value, self.spec.unit)
        text.append((shown[:VALUE_WIDTH] if self.spec.values else shown).rjust(VALUE_WIDTH + 1))
        return text


class ParamPanel(Vertical, can_focus=True):
    """The parameter bars, in the preset's display order; ↑/↓ select one while the panel has focus."""

    BINDINGS = [
        Binding("up", "select(-1)", "previous knob", show=False),
        Binding("down", "select(1)", "next knob", show=False),
    ]

    def __init__(
        self, space: ParameterSpace, values: Mapping[str, float], locked: frozenset[str] = frozenset(), **kwargs: object
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.space = space
        self._values = dict(values)
        self._locked = locked
        self.selected = 0

    def compose(self):
        fractions = self.space.normalize(self._values)
        for i, (spec, fraction) in enumerate(zip(self.space.specs, fractions)):
            row = ParamRow(spec, self._values[spec.name], float(fraction))
            row.set_class(spec.name in self._locked, "-locked")
            row.set_class(i == self.selected, "-selected")
            yield row

    def on_focus(self) -> None:
        self._refresh_rows()

    def on_blur(self) -> None:
        self._refresh_rows()

    def _refresh_rows(self) -> None:
        for row in self.query(ParamRow):
            row.refresh()

    def action_select(self, step: int) -> None:
        rows = list(self.query(ParamRow))
        self.selected = (self.selected + step) % len(rows)
        for i, row in enumerate(rows):
            row.set_class(i == self.selected, "-selected")
        self._refresh_rows()

    @property
    def selected_name(self) -> str:
        return self.space.names[self.selected]

    def show_locks(self, locked: frozenset[str]) -> None:
        self._locked = locked
        for row in self.query(ParamRow):
            row.set_class(row.spec.name in locked, "-locked")
        self._refresh_rows()

    def locked_names(self) -> list[str]:
        return [row.spec.name for row in self.query(ParamRow) if row.has_class("-locked")]

    def show(
        self,
        values: Mapping[str, float],
        changed: Sequence[str] | frozenset[str] = (),
        matters: Mapping[str, float] | None = None,
    ) -> None:
        self._values = dict(values)
        fractions = self.space.normalize(self._values)
        for row, fraction in zip(self.query(ParamRow), fractions):
            row.show(
                self._values[row.spec.name],
                float(fraction),
                row.spec.name in changed,
                matters is not None and matters.get(row.spec.name, 0.0) >= MATTERS_AT,
            )

    def changed_names(self) -> list[str]:
        return [row.spec.name for row in self.query(ParamRow) if row.has_class("-changed")]

    def mattering_names(self) -> list[str]:
        return [row.spec.name for row in self.query(ParamRow) if row.has_class("-matters")]
