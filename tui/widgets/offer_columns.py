"""The columns of the offer list: their names and widths, which give way on a narrow
terminal, and how a cell's text is cut to its width.

Kept apart from the widget (offer_list.py) so the Feed's header and the rows agree
on one table of widths.
"""

from __future__ import annotations

from collections import defaultdict

from rich.cells import cell_len, set_cell_size

# fixed column widths; the title takes what is left
COLUMNS = (
    ("", 2),
    ("trust", 9),  # "top 100%" and a space
    ("hops", 5),
    ("title", 0),
    ("from", 14),
    ("skills", 22),
    ("region", 12),
    ("value", 12),
    ("left", 6),
)
OPTIONAL = ("skills", "region", "hops")  # dropped in this order on narrow terminals
MIN_TITLE = 28
TIMES = "\u00d7"  # the multiplication sign of a group's count, "\u00d73"
# the "left" column of an offer no longer open: one short word (never a cut status)
SHORT = defaultdict(
    lambda: "closed",
    handed_off="taken",
    fulfilled="done",
    not_fulfilled="failed",
    withdrawn="gone",
    expired="ended",
)


def columns_for(width: int) -> list[tuple[str, int]]:
    """The columns that fit `width`, each with its width (the title gets the rest)."""
    cols = list(COLUMNS)
    for name in OPTIONAL:
        if width - sum(w for _, w in cols) >= MIN_TITLE:
            break
        cols = [c for c in cols if c[0] != name]
    rest = max(10, width - sum(w for _, w in cols))
    return [(name, w or rest) for name, w in cols]


def header_text(width: int) -> str:
    return "".join(set_cell_size(name, w) for name, w in columns_for(width))


def fit(text: str, width: int) -> str:
    """Cut to `width` cells (with an ellipsis and a space before the next column)."""
    if cell_len(text) < width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 2) + "… "
