"""The labelled points: id, time, label, key descriptors and a one-cell-per-parameter profile under the knobs'
initials."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import Reactive
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowDoesNotExist

from rlfx_tui.core.dataset import LabelledPoint
from rlfx_tui.core.descriptors import DESCRIPTOR_NAMES
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import ParamSpec
from rlfx_tui.tui.format import TIME_WIDTH, compact_number, profile
from rlfx_tui.tui.keys import shown_keys

KEY_DESCRIPTORS = (("loudness_db", "loud dB", 7), ("centroid_hz", "centroid", 8), ("flatness", "flat", 5))
ID_WIDTH = 5  # ids up to 99,999 line up; past that the column widens (see _add)
# Two pre-aligned cells a row, not seven: a DataTable re-renders every visible cell whenever a row is added, and
# that render was most of what a label cost before it was on screen (see Cell, and docs/figures/app.md).
LABEL_WIDTH = len("✓ good")
POINT_HEADER = f"{'#':>{ID_WIDTH}}  {'time':<{TIME_WIDTH}}  {'label':<{LABEL_WIDTH}}"
SOUND_HEADER = " ".join(label.rjust(width) for _, label, width in KEY_DESCRIPTORS)


def knob_groups(specs: Sequence[ParamSpec]) -> list[list[int]]:
    """Parameter indices in runs of the same effect: the table leaves a space between effects."""
    groups: list[list[int]] = []
    for i, spec in enumerate(specs):
        if groups and specs[groups[-1][-1]].plugin == spec.plugin:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def knob_initials(specs: Sequence[ParamSpec]) -> list[str]:
    """One letter per parameter, for the header above its cell: the initial of the word that tells it apart from
    the other knobs of its effect (chorus rate, depth, mix → r d m), else of its name (low cut → l)."""
    words = [spec.display.lower().split() or ["?"] for spec in specs]
    letters = []
    for spec, own in zip(specs, words):
        siblings = [w for other, w in zip(specs, words) if other.plugin == spec.plugin]
        shared = set.intersection(*(set(w) for w in siblings)) if len(siblings) > 1 else set()
        letters.append(([w for w in own if w not in shared] or own)[0][0])
    return letters


def knob_legend(specs: Sequence[ParamSpec]) -> str:
    """The header of the parameter cells: `l rdm tfm sdw` above `▃ ▅▂▇ ▄▄▆ ▇▁▅`."""
    letters = knob_initials(specs)
    return " ".join("".join(letters[i] for i in group) for group in knob_groups(specs))


def detail_header(specs: Sequence[ParamSpec]) -> str:
    """The second column's header: the key descriptors, then the knobs' initials."""
    return f"{SOUND_HEADER}  {knob_legend(specs)}"


class Cell:
    """A pre-formatted, single-line cell: yields its segments as they are. Rich's Text would wrap, justify and
    copy on every render, and a DataTable renders every visible cell again each time a row is added."""

    __slots__ = ("segments", "width")

    def __init__(self, *parts: tuple[str, Style | None]) -> None:
        self.segments = [Segment(text, style) for text, style in parts]
        self.width = sum(len(text) for text, _ in parts)

    @property
    def plain(self) -> str:
        return "".join(segment.text for segment in self.segments)

    def __str__(self) -> str:
        return self.plain

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.segments

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.width, self.width)


GOOD = Style(bold=True, color="green")
BAD = Style(color="red")
HINT = Style(italic=True, dim=True)


class PointsTable(DataTable, inherit_bindings=False):  # left/right belong to the player (swipes), not the table
    """Rows keyed by point id, oldest first; the cursor follows the newest label."""

    # A new row grows the virtual size; by default that re-lays out and repaints the whole screen (tens of ms more per
    # label). The table's own box never changes (fixed height, vertical scrollbar always shown), so repaint only it.
    virtual_size = Reactive(Size(0, 0), layout=False, repaint=True)

    BINDINGS = [
        Binding("up", "cursor_up", "up", show=False),
        Binding("down", "cursor_down", "down", show=False),
        Binding("pageup", "page_up", "page up", show=False),
        Binding("pagedown", "page_down", "page down", show=False),
        Binding("home", "scroll_top", "first", show=False),
        Binding("end", "scroll_bottom", "last", show=False),
    ]

    def __init__(self, space: ParameterSpace, local_time: Callable[[str], str], **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self.space = space
        self.local_time = local_time
        self.groups = knob_groups(space.specs)
        self.empty_hint = ""

    def on_mount(self) -> None:
        # Fixed widths, the cells' own: an auto width follows a new row only once the table re-measures, and on a
        # busy machine a row was seen drawn (and kept) in the header's narrower width ("✓ goo").
        detail = detail_header(self.space.specs)
        self.add_column(POINT_HEADER, key="point", width=len(POINT_HEADER))
        self.add_column(detail, key="detail", width=len(detail))
        jump, good, bad = (shown_keys(self.app, f"rlfx.{name}")[0] for name in ("jump", "good", "bad"))
        self.empty_hint = f"no labels yet: {jump} jumps, {good} likes, {bad} dislikes"

    def render_line(self, y: int) -> Strip:
        """An empty table says what to press, on the line where the first label will show."""
        if self.row_count or y != (self.header_height if self.show_header else 0):
            return super().render_line(y)
        base = self.rich_style
        return Strip([Segment(f" {self.empty_hint}", base + HINT)]).adjust_cell_length(self.size.width, base)

    def setting(self, point: LabelledPoint) -> str:
        """One cell per parameter (▁ minimum … █ maximum), a space between effects, under knob_legend."""
        cells = profile(self.space.normalize(point.params).tolist())
        return " ".join("".join(cells[i] for i in group) for group in self.groups)

    def cells(self, point: LabelledPoint) -> list[Cell]:
        label = ("✓ good", GOOD) if point.good else ("✗ bad".ljust(LABEL_WIDTH), BAD)
        descriptors = dict(zip(DESCRIPTOR_NAMES, point.descriptors.tolist()))
        sound = " ".join(
            compact_number(descriptors.get(name, float("nan"))).rjust(width) for name, _, width in KEY_DESCRIPTORS
        )
        return [
            Cell((f"{point.id:>{ID_WIDTH}}  {self.local_time(point.time):<{TIME_WIDTH}}  ", None), label),
            Cell((f"{sound}  {self.setting(point)}", None)),
        ]

    def _add(self, point: LabelledPoint) -> None:
        cells = self.cells(point)
        for key, cell in zip(("point", "detail"), cells):
            column = self.columns[ColumnKey(key)]
            column.width = max(column.width, cell.width)  # an id past 99,999 widens its column, never crops the label
        self.add_row(*cells, key=str(point.id))

    def load(self, points: list[LabelledPoint]) -> None:
        self.clear()
        for point in points:
            self._add(point)
        if points:
            self.move_cursor(row=self.row_count - 1)

    def add_point(self, point: LabelledPoint, *, restored: bool = False) -> None:
        if str(point.id) in self.rows:
            return
        self._add(point)
        if restored:  # back in its place by id
            self.sort("point", key=lambda cell: int(cell.plain.split()[0]))
            self.move_cursor(row=self.get_row_index(str(point.id)))
        else:
            self.move_cursor(row=self.row_count - 1)

    def update_point(self, point: LabelledPoint) -> None:
        """A point whose label changed (a flip), in place."""
        if str(point.id) not in self.rows:
            return
        for key, cell in zip(("point", "detail"), self.cells(point)):
            self.update_cell(str(point.id), key, cell)

    def remove_point(self, point_id: int) -> None:
        try:
            self.remove_row(str(point_id))
        except RowDoesNotExist:
            pass

    def selected_point_id(self) -> int | None:
        if not self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return int(row_key.value) if row_key.value is not None else None

    def point_ids(self) -> list[int]:
        return [int(row.key.value) for row in self.ordered_rows if row.key.value is not None]
