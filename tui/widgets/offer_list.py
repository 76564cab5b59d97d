"""A virtualized list of offers: renders only the visible lines (Line API).

A DataTable holds a renderable per cell; at 100,000 offers that is seconds of
work and hundreds of megabytes. This widget keeps the FeedItems and draws a
row when it scrolls into view, so scrolling, filtering and in-place updates
cost the same for ten rows or a hundred thousand.

What members wrote (titles, names, skills, regions) is drawn escaped, and the
author by the name the views tell apart from look-alikes, its fingerprint kept
in a narrow column (issue 16 §6). Trust is the offer's standing in words ("top
12%", issue 12). Offers that are the same to a reader (tui/feed_groups.py) are
one row with their count ("x3", drawn with a multiplication sign), or their best
with the others listed under it.
"""

from __future__ import annotations

import operator
import time
from itertools import compress, count, repeat
from operator import is_not
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..feed_groups import Copies
from ..fmt import money, name_in_cells, one_line, trust_level, trust_text, until
from .legible import MIN_CONTRAST as MIN_CONTRAST  # the themes' tests read them here
from .legible import contrast as contrast
from .legible import legible
from .offer_columns import SHORT, TIMES, columns_for, fit
from .offer_columns import header_text as header_text  # the Feed's header

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from rich.style import Style
    from textual import events

    from p2pshare.domain.views import FeedItem


class OfferList(ScrollView, can_focus=True):
    """Offers, one per line; a cursor row; Selected on enter or double click."""

    COMPONENT_CLASSES = {
        "offer-list--cursor",
        "offer-list--trusted",
        "offer-list--known",
        "offer-list--untrusted",
        "offer-list--unread",
        "offer-list--dim",
        "offer-list--mine",
        "offer-list--forme",
        "offer-list--count",
    }

    # Concrete theme colors (the $text-* and $foreground-muted variables are made to
    # read on the theme's surfaces): a component style is a Rich style, and "auto"
    # colors such as $text-muted do not survive into it (white on light grey).
    DEFAULT_CSS = """
    OfferList {
        height: 1fr;
        background: $surface;
        & > .offer-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: bold;
        }
        &:focus > .offer-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
        & > .offer-list--trusted { color: $text-success; text-style: bold; }
        & > .offer-list--known { color: $text-warning; }
        & > .offer-list--untrusted { color: $text-error; }
        & > .offer-list--unread { color: $text-accent; text-style: bold; }
        & > .offer-list--dim { color: $foreground-muted; }
        & > .offer-list--mine { color: $text-primary; }
        & > .offer-list--forme { color: $text-secondary; text-style: bold; }
        & > .offer-list--count { color: $text-accent; text-style: bold; }
    }
    """

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up_rows", "Page up", show=False),
        Binding("pagedown", "page_down_rows", "Page down", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    cursor: reactive[int] = reactive(0, always_update=False, repaint=False)

    class Selected(Message):
        def __init__(self, item: FeedItem) -> None:
            super().__init__()
            self.item = item

    class Highlighted(Message):
        def __init__(self, item: FeedItem | None) -> None:
            super().__init__()
            self.item = item

    def __init__(
        self,
        *,
        is_unread: Callable[[FeedItem], bool] = lambda item: False,
        clock: Callable[[], float] = time.time,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._items: list[FeedItem] = []
        self._copies = Copies()  # which rows stand for a group of offers, and its offers
        self._nested: frozenset[str] = frozenset()  # rows listed under their group's best
        self._opened: frozenset[str] = frozenset()  # groups with their offers listed under them
        self._index: dict[str, int] | None = {}
        self._is_unread = is_unread
        self._clock = clock
        self._empty_text = "no offers"
        self._columns: list[tuple[str, int]] = columns_for(120)
        self._columns_width = 120

    # -- data --------------------------------------------------------------

    @property
    def items(self) -> Sequence[FeedItem]:
        return self._items

    @property
    def empty_text(self) -> str:
        """What the list says while it has no rows (loading, or what to do next)."""
        return self._empty_text

    @empty_text.setter
    def empty_text(self, text: str) -> None:
        if text != self._empty_text:
            self._empty_text = text
            if not self._items:
                self.refresh()

    @property
    def current(self) -> FeedItem | None:
        if 0 <= self.cursor < len(self._items):
            return self._items[self.cursor]
        return None

    @property
    def _by_id(self) -> dict[str, int]:
        """Row of each offer id, built on first use after the rows change (not per keystroke)."""
        if self._index is None:
            self._index = {item.id: i for i, item in enumerate(self._items)}
        return self._index

    def index_of(self, offer_id: str) -> int | None:
        return self._by_id.get(offer_id)

    def set_items(
        self,
        items: list[FeedItem],
        *,
        same_objects: bool = False,
        find: Callable[[FeedItem], int | None] | None = None,
    ) -> None:
        """Replace the rows (the list is kept, not copied), keeping the cursor on the
        same offer when it is still there. `same_objects`: the rows are the objects
        shown before, only picked differently (a filter), so the offer is found by
        identity alone, without indexing a hundred thousand ids. `find`: where an
        offer is among `items`, when the caller can tell without a pass over them
        (rows in a known order); None if it is not there."""
        keep = self.current
        self._items = items
        self._index = None
        self.virtual_size = Size(self.size.width, len(items))
        new = 0
        if keep is not None:
            found = find(keep) if find is not None else None
            if found is None and not (find is not None and same_objects):  # not told: look
                # by identity first, in C (dataclass == would compare every field of
                # every row), by id after a reload
                try:
                    found = operator.indexOf(map(operator.is_, items, repeat(keep)), True)
                except ValueError:
                    found = None if same_objects else self._by_id.get(keep.id)
            new = found if found is not None else min(self.cursor, len(items) - 1)
        self.set_cursor(max(0, new), scroll=keep is None)
        self.refresh()

    def set_groups(
        self,
        copies: Copies,
        nested: frozenset[str] = frozenset(),
        opened: frozenset[str] = frozenset(),
    ) -> None:
        """Which rows stand for a group of offers that are the same to a reader (and its
        offers), which are listed under their group's best, and which groups are so
        listed (feed_rows.Shown)."""
        if copies or self._copies:
            self._copies, self._nested, self._opened = copies, nested, opened
            self.refresh()

    def group(self, item: FeedItem) -> Sequence[FeedItem]:
        """The offers a row stands for: the group it heads, or the row alone."""
        return self._copies.of(item)

    def nested(self, item: FeedItem) -> bool:
        """Whether the row is listed under its group's best (an expanded group)."""
        return item.id in self._nested

    def shows_unread(self, item: FeedItem) -> bool:
        """The row's unread marker: an offer not opened yet among those it stands for
        (a group's new copy included, unless the group is listed one by one)."""
        if self._is_unread(item):
            return True
        if item.id in self._opened:
            return False
        group = self._copies.of(item)
        return len(group) > 1 and any(map(self._is_unread, group))

    def opened(self, item: FeedItem) -> bool:
        """Whether the row heads a group whose offers are listed under it."""
        return item.id in self._opened

    def reread(self, items: list[FeedItem]) -> None:
        """The same offers in the same rows, read again: the list keeps the new objects
        (the kept list is not copied), so the old ones go with the ranking that made
        them (issue 10: a list that kept the equal old rows held a second feed), and
        repaints the rows that changed. The cursor and the row of each id stay."""
        old, self._items = self._items, items
        for index in compress(count(), map(is_not, items, old)):  # the new objects, in C
            if items[index] != old[index]:
                self.refresh_row(index)

    def update_item(self, item: FeedItem) -> bool:
        """Replace one row in place; False if that offer is not in the list."""
        index = self._by_id.get(item.id)
        if index is None:
            return False
        self._items[index] = item
        self.refresh_row(index)
        return True

    def refresh_row(self, index: int) -> None:
        y = index - self.scroll_offset.y
        if 0 <= y < self.size.height:
            self.refresh_lines(y)

    def refresh_ids(self, ids: set[str]) -> None:
        for offer_id in ids:
            if (index := self._by_id.get(offer_id)) is not None:
                self.refresh_row(index)

    # -- cursor ------------------------------------------------------------

    def set_cursor(self, index: int, *, scroll: bool = True) -> None:
        old = self.cursor
        index = max(0, min(index, len(self._items) - 1)) if self._items else 0
        self.cursor = index
        if old != index:
            self.refresh_row(old)
        self.refresh_row(index)
        self._keep_visible()
        self.post_message(self.Highlighted(self.current))

    def _keep_visible(self) -> None:
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.set_cursor(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self.set_cursor(self.cursor + 1)

    def action_page_up_rows(self) -> None:
        self.set_cursor(self.cursor - max(1, self.size.height - 1))

    def action_page_down_rows(self) -> None:
        self.set_cursor(self.cursor + max(1, self.size.height - 1))

    def action_first(self) -> None:
        self.set_cursor(0)

    def action_last(self) -> None:
        self.set_cursor(len(self._items) - 1)

    def action_select(self) -> None:
        if (item := self.current) is not None:
            self.post_message(self.Selected(item))

    async def on_click(self, event: events.Click) -> None:
        row = event.y + self.scroll_offset.y
        if 0 <= row < len(self._items):
            again = row == self.cursor
            self.set_cursor(row, scroll=False)
            if again or event.chain > 1:
                self.action_select()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self._items))

    # -- drawing -----------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        row = y + self.scroll_offset.y
        width = self.scrollable_content_region.width or self.size.width
        base = self.rich_style
        if row >= len(self._items):
            if row == 0 and not self._items:
                text = set_cell_size(f"  {self.empty_text}", width)
                return Strip(
                    [Segment(text, base + self.get_component_rich_style("offer-list--dim"))]
                )
            return Strip.blank(width, base)
        item = self._items[row]
        segments = self._row(item, width, base)
        if row == self.cursor:
            cursor = self.get_component_rich_style("offer-list--cursor", partial=True)
            segments = [Segment(text, (style or base) + cursor) for text, style, _ in segments]
        segments = [Segment(text, legible(style or base)) for text, style, _ in segments]
        return Strip(segments, width).crop_extend(0, width, base)

    def _row(self, item: FeedItem, width: int, base: Style) -> list[Segment]:
        style = self.get_component_rich_style
        dim = base + style("offer-list--dim", partial=True)
        if self._columns_width != width:
            self._columns = columns_for(width)
            self._columns_width = width
        unread = self.shows_unread(item)
        if item.for_me:
            marker = Segment("★ ", base + style("offer-list--forme", partial=True))
        elif unread:
            marker = Segment("● ", base + style("offer-list--unread", partial=True))
        elif item.accepted or item.handed_to_me:
            marker = Segment("✓ ", dim)
        else:
            marker = Segment("  ", base)
        # the offer's standing: the best of whoever posted or forwarded it (what ranks it)
        level = "mine" if item.mine else trust_level(item.signal)[1:]
        standing = "you" if item.mine else trust_text(item.signal)
        badge_style = base + style(f"offer-list--{level}", partial=True)
        hops = f"↪{len(item.chain)}" if item.chain else "·"
        title_style = base + style("offer-list--unread", partial=True) if unread else base
        if item.muted:
            title_style = dim
        skills = one_line(", ".join(item.skills))
        region = one_line(item.region) or ("remote" if item.remote else "")
        if item.region and item.remote:
            region = f"{region}+rem"
        left = (
            until(item.expires_at, self._clock()) if item.status == "open" else SHORT[item.status]
        )
        value = one_line(money(item.value, item.currency))
        title = one_line(item.title)
        # a group: its count before the title; a row listed under its group's best: a branch
        group = len(self._copies.of(item))
        lead = f"{TIMES}{group} " if group > 1 else "  └ " if item.id in self._nested else ""
        lead_style = base + style("offer-list--count", partial=True) if group > 1 else dim
        cells = {
            "": lambda w: [marker],
            "trust": lambda w: [Segment(set_cell_size(standing, w), badge_style)],
            "hops": lambda w: [Segment(set_cell_size(hops, w), dim)],
            "title": lambda w: [
                Segment(lead, lead_style),
                Segment(fit(title, w - cell_len(lead)), title_style),
            ],
            "from": lambda w: [
                Segment(
                    set_cell_size(
                        name_in_cells(item.author_name, item.author_display_name, w - 1), w
                    ),
                    base,
                )
            ],
            "skills": lambda w: [Segment(fit(skills, w), dim)],
            "region": lambda w: [Segment(fit(region, w), dim)],
            "value": lambda w: [Segment(fit(value, w - 1).rjust(w - 1) + " ", base)],
            "left": lambda w: [Segment(fit(left, w), dim)],
        }
        return [segment for name, w in self._columns for segment in cells[name](w)]
