"""Return on sharing as bars: one row per month or per peer, passed on and fulfilled.

A small widget of our own rather than a plotting dependency: the figures are
small whole numbers, and a row of block characters per month or peer, with its
numbers and value beside it, reads at 80 columns and in every theme ($accent,
$success). Textual's Sparkline draws one series without labels or numbers, so a
reader could not tell which month a bar is; these rows say it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.markup import escape
from textual.widgets import Static

from ..fmt import one_line

EIGHTHS = " ▏▎▍▌▋▊▉"  # a cell filled by 0/8 .. 7/8
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LEGEND = (
    "[$success]█[/] fulfilled  [$accent]█[/] passed on  [dim]·  2 → 1: passed on → fulfilled,"
    " then the value  ·  ↩ offers that came back to you (and what they earned)[/dim]"
)  # shown once under a screen's charts


@dataclass(frozen=True, slots=True, kw_only=True)
class ChartRow:
    """One bar: what was passed on, how much of it was fulfilled, and a note (the value)."""

    label: str
    passed: int
    fulfilled: int
    note: str = ""


def month_label(month: str) -> str:
    """'2023-11' -> 'Nov 2023'."""
    year, _, number = month.partition("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def months_between(first: str, last: str) -> list[str]:
    """Every 'YYYY-MM' from `first` to `last`, so a quiet month shows as an empty row."""
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _cells(eighths: int) -> str:
    full, part = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[part] if part else "")


def bar(passed: int, fulfilled: int, top: int, width: int) -> str:
    """Markup for one bar `width` cells wide, scaled so `top` fills it: the fulfilled part in
    $success, what else was passed on after it in $accent; the end in eighths of a cell."""
    total = max(passed, fulfilled)
    if top <= 0 or total <= 0:
        return " " * width
    total8 = max(1, round(8 * width * total / top))  # never nothing for something
    if fulfilled >= passed:
        green, blue = _cells(total8), ""
    else:
        cells = max(1, round(width * fulfilled / top)) if fulfilled else 0
        green = "█" * cells
        blue = _cells(total8 - 8 * cells) if total8 > 8 * cells else ""
        if not blue and cells < width:
            blue = EIGHTHS[1]  # more was passed on than fulfilled: it shows
    pad = " " * (width - len(green) - len(blue))
    return f"[$success]{green}[/][$accent]{blue}[/]{pad}"


class ShareChart(Static):
    """Bars of passed on / fulfilled, one row each, redrawn to the width it is given."""

    DEFAULT_CSS = """
    ShareChart { height: auto; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    BAR_MAX = 24
    BAR_MIN = 6

    def __init__(self, empty: str, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._rows: list[ChartRow] = []
        self._empty = empty  # what to say when there is nothing to draw yet

    @property
    def rows(self) -> list[ChartRow]:
        return list(self._rows)

    def show(self, rows: list[ChartRow]) -> None:
        self._rows = list(rows)
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        rows = self._rows
        if not rows or not any(r.passed or r.fulfilled or r.note for r in rows):
            self.update(f"[dim]{escape(self._empty)}[/dim]")
            return
        label_width = max(len(one_line(r.label)) for r in rows)
        counts = [f"{r.passed} → {r.fulfilled}" for r in rows]
        count_width = max(len(c) for c in counts)
        note_width = max(len(r.note) for r in rows)
        room = (self.content_size.width or 60) - label_width - count_width - 6
        width = max(self.BAR_MIN, min(self.BAR_MAX, room - min(note_width, 14)))
        top = max(max(r.passed, r.fulfilled) for r in rows)
        lines = []
        for row, count in zip(rows, counts, strict=True):
            lines.append(
                f"{escape(f'{one_line(row.label):<{label_width}}')}"
                f"  {bar(row.passed, row.fulfilled, top, width)}"
                f"  {count:>{count_width}}  {escape(row.note)}".rstrip()
            )
        self.update("\n".join(lines))
