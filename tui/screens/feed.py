"""The home screen: open offers best first, with filters, search and unread markers.

Offers that are the same to a reader (one author, title, skills, region and value:
tui/feed_groups.py) are one row, the best of them with their count; enter opens
that one (the copies count as read with it), and space lists the copies under it
or folds them again, from any of its rows. A filter or search that passes only
some copies counts those. Trust is shown as the offer's standing ("top 12%").
"""

from __future__ import annotations

import functools
import operator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label, Select, Static, Switch

from ..feed_groups import Copies
from ..feed_rows import FeedRows, Filters, Shown, position
from ..fmt import csv
from ..messages import FeedPainted, MarkOffersRead, OpenOffer, UnreadCounted
from ..widgets.offer_columns import TIMES
from ..widgets.offer_list import OfferList, header_text
from .base import NodeScreen

if TYPE_CHECKING:
    from collections.abc import Mapping

    from textual.app import ComposeResult
    from textual.timer import Timer

    from p2pshare.domain.views import FeedItem
    from p2pshare.events import Changed
    from p2pshare.service.port import NodePort

    from ..widgets.status_bar import StatusInfo

# the offer's standing (FeedItem.signal) at least this, named as the trust column words it
MIN_TRUST = [
    ("any trust", 0.0),
    ("top 90%", 0.1),
    ("top 70%", 0.3),
    ("top 50%", 0.5),
    ("top 20%", 0.8),
]
REFRESH_DELAY = 0.15  # coalesce bursts of records into one refresh
# The footer offers space (Copies) once the cursor rests on a group's row this long: a
# footer redrawn on the key itself took ~30 ms (Textual mounts its keys again), the
# worst cursor move of a feed whose copies alternate with single rows (issue 10).
FOOTER_DELAY = 0.2
NEEDS_NODE = frozenset({"compose", "accept", "forward", "decline"})  # actions that write records


class FeedScreen(NodeScreen):
    """Offers from the network, best first (the API's order). Knows nothing of trio or sqlite."""

    MODE = "feed"
    BINDINGS = [
        Binding("n", "compose", "New offer"),
        Binding("a", "accept", "Accept"),
        Binding("f", "forward", "Forward"),
        Binding("d", "decline", "Not for me"),
        Binding("slash", "search", "Search"),
        Binding("x", "filters", "Filters"),
        Binding("u", "next_unread", "Unread"),
        Binding("space", "toggle_group", "Copies"),
        Binding("M", "all_read", "Mark all read", show=False),
        Binding("escape", "clear", "Clear search", show=False),
    ]

    def __init__(self, node: NodePort) -> None:
        super().__init__(node)
        self._rows = FeedRows()  # the node's feed, in feed_order, and its filter masks
        self.patched = 0  # rows patched from Changed.rows (tests and the bench read it)
        self.reloads = 0  # whole reads of the feed
        self._loading = False
        self._pending: dict[str, FeedItem | None] = {}  # rows that came during a read
        self.filters = Filters()
        self.shown = Shown([], Copies(), frozenset(), frozenset(), 0)  # what the list shows
        self._on_group = False  # the cursor is on a group's row (space opens it)
        self._footer_timer: Timer | None = None
        self.loaded = False
        self._load_asked = False
        self._refresh_timer: Timer | None = None

    def body(self) -> ComposeResult:
        # the filter bar and the search field are mounted when first asked for (_tools)
        yield Static(id="list-header")
        offers = OfferList(is_unread=self.is_unread, clock=self.shell.clock, id="offers")
        offers.empty_text = "opening your home…"  # the app paints the feed before the node opens
        yield offers
        yield Static(id="feed-summary")

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = "Feed"
        self.query_one(OfferList).focus()

    def _show_status(self, info: StatusInfo) -> None:
        super()._show_status(info)
        if not self._load_asked and self.shell.node_open:  # the first status once it is open
            self._load_asked = True
            self.query_one(OfferList).empty_text = "loading…"
            self.refresh_bindings()
            self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Until the node is open there is nothing to post or act on: those keys show dimmed."""
        if action == "toggle_group":  # in the footer only where there is a group to open
            return self._on_group  # (the footer asks again once the cursor rests)
        return None if action in NEEDS_NODE and not self.shell.node_open else True

    def on_resize(self) -> None:
        self.query_one("#list-header", Static).update(
            header_text(self.query_one(OfferList).size.width)
        )

    # -- data --------------------------------------------------------------

    def is_unread(self, item: FeedItem) -> bool:
        return not item.mine and item.id not in self.shell.seen

    def on_changed(self, event: Changed) -> None:
        if not event.offers and not event.trust and not event.peers:
            # only the seen set changed: repaint markers, recount
            self.query_one(OfferList).refresh()
            self._count_unread()
            return
        if event.rows is not None and self.loaded and self._refresh_timer is None:
            # the node sent the new rows: patch them in, no read of the whole feed
            if self._loading:  # and again after a read under way (it may predate them)
                self._pending.update(event.rows)
            if event.rows:
                self.patch(event.rows)
            return
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
        self._refresh_timer = self.set_timer(REFRESH_DELAY, self.load)

    def patch(self, rows: Mapping[str, FeedItem | None]) -> None:
        """Replace, add or (None) remove these rows of the feed, keeping its order."""
        self._rows.patch(rows)
        self.patched += len(rows)
        self.apply_filters(reloaded=True)
        self._count_unread()

    @work(exclusive=True, group="feed", exit_on_error=False)
    async def load(self) -> None:
        self._refresh_timer = None
        self._loading, self._pending = True, {}
        try:
            items = await self.node.feed()
        finally:
            self._loading = False
        self.reloads += 1
        self._rows.replace(items)
        if self._pending:
            rows, self._pending = self._pending, {}
            self.patch(rows)
        self.loaded = True
        self.query_one(OfferList).empty_text = self._empty_text()
        self.apply_filters(reloaded=True)
        self._count_unread()
        self.call_after_refresh(self.post_message, FeedPainted())

    def _empty_text(self) -> str:
        """What to do next, whatever made the list empty."""
        if self.filters.search:
            return f"no offer matches “{self.filters.search}” · esc clears the search"
        if self._rows:
            return "no offer passes these filters · x shows them, to loosen them"
        return (
            "no offers yet · n posts one · to join a community, start with "
            "--peer INVITE (a member's invite; yours is on Profile, 4)"
        )

    def _count_unread(self) -> None:
        seen, show_muted = self.shell.seen, self.filters.show_muted
        count = sum(
            1
            for item in self._rows.items
            if not item.mine and item.id not in seen and (show_muted or not item.muted)
        )
        self.post_message(UnreadCounted(count))

    def visible_items(self) -> list[FeedItem]:
        """The feed's rows after filters and search, in the API's order, the same offers
        as one row (feed_rows.py: no keystroke scans every row)."""
        self.shown = self._rows.show(self.filters)
        return self.shown.rows

    def apply_filters(self, *, reloaded: bool = False) -> None:
        offers = self.query_one(OfferList)
        items = self.visible_items()
        shown = self.shown
        offers.set_groups(shown.groups, shown.nested, shown.opened)
        old = offers.items
        same_length = len(old) == len(items)
        if reloaded:  # new objects: the same rows if the same offers, in the same order
            ids = operator.attrgetter("id")
            same_rows = same_length and all(map(operator.eq, map(ids, old), map(ids, items)))
        else:  # a filter picks among the same objects
            same_rows = same_length and all(map(operator.is_, old, items))
        if same_rows and reloaded:
            offers.reread(items)  # the new objects (not the old, equal ones): repaint changes
        elif not same_rows:
            # the rows are in feed_order unless a group lists its offers under its best
            find = None if shown.nested else functools.partial(position, items)
            offers.set_items(items, same_objects=not reloaded, find=find)
        passing, total = shown.offers, len(self._rows)
        noun = "offer" if total == 1 else "offers"
        what = f"{passing} of {total} {noun}" if passing != total else f"{total} {noun}"
        if shown.groups:
            what += f" ({TIMES}n: the same offer n times, space lists them)"
        if not items and self.loaded:
            offers.empty_text = self._empty_text()
        self.query_one("#feed-summary", Static).update(
            f" {what}  ·  ★ forwarded to you  ● unread  ✓ accepted"
            "  ·  trust green top 50%, amber top 90%"
        )
        self._group_under_cursor(offers.current)

    # -- filters and search ------------------------------------------------

    def _set_filters(self, **changes: Any) -> None:
        self.filters = replace(self.filters, **changes)
        self.apply_filters()
        if "show_muted" in changes:
            self._count_unread()

    @on(Input.Changed, "#search")
    def _search(self, event: Input.Changed) -> None:
        self._set_filters(search=event.value.strip())

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        self.query_one(OfferList).focus()

    @on(Input.Changed, "#f-skills")
    def _skills(self, event: Input.Changed) -> None:
        self._set_filters(skills=tuple(s.casefold() for s in csv(event.value)))

    @on(Input.Changed, "#f-region")
    def _region(self, event: Input.Changed) -> None:
        self._set_filters(region=event.value.strip())

    @on(Select.Changed, "#f-trust")
    def _trust(self, event: Select.Changed) -> None:
        self._set_filters(min_trust=float(event.value))  # type: ignore[arg-type]

    @on(Switch.Changed)
    def _switch(self, event: Switch.Changed) -> None:
        name = {"f-forme": "only_for_me", "f-muted": "show_muted", "f-strangers": "show_strangers"}
        if event.switch.id in name:
            self._set_filters(**{name[event.switch.id]: event.value})

    async def _tools(self) -> None:
        """Mount the filter bar and the search field, hidden, the first time either is
        asked for: a dozen widgets the first paint does without."""
        if self.query("#search"):
            return
        filters = Horizontal(
            Input(placeholder="skills: a, b", id="f-skills"),
            Input(placeholder="region", id="f-region"),
            Select(MIN_TRUST, value=0.0, allow_blank=False, id="f-trust"),
            Switch(id="f-forme"),
            Label("only for me", classes="switch-label"),
            Switch(id="f-muted"),
            Label("muted", classes="switch-label"),
            Switch(value=True, id="f-strangers"),
            Label("strangers", classes="switch-label"),
            id="filters",
            classes="-hidden",
        )
        search = Input(
            placeholder="search titles, authors, skills, regions…", id="search", classes="-hidden"
        )
        await self.mount(filters, search, before="#list-header")

    async def action_search(self) -> None:
        await self._tools()
        search = self.query_one("#search", Input)
        search.remove_class("-hidden")
        search.focus()

    async def action_filters(self) -> None:
        await self._tools()
        bar = self.query_one("#filters")
        bar.toggle_class("-hidden")
        if not bar.has_class("-hidden"):
            self.query_one("#f-skills", Input).focus()
        else:
            self.query_one(OfferList).focus()

    def action_clear(self) -> None:
        for search in self.query("#search").results(Input):
            if search.value:
                search.value = ""
            search.add_class("-hidden")
        self.query_one(OfferList).focus()

    # -- offers --------------------------------------------------------------

    @on(OfferList.Selected)
    def _open(self, event: OfferList.Selected) -> None:
        offers, item = self.query_one(OfferList), event.item
        copies = [copy.id for copy in offers.group(item)[1:] if self.is_unread(copy)]
        if copies and not offers.opened(item):  # read with the one they are the same as
            self.post_message(MarkOffersRead(tuple(copies)))
        self.post_message(OpenOffer(item.id))

    @on(OfferList.Highlighted)
    def _highlighted(self, event: OfferList.Highlighted) -> None:
        self._group_under_cursor(event.item)

    def _group_under_cursor(self, item: FeedItem | None) -> None:
        """Space works at once on a group's row; the footer says so when the cursor rests."""
        offers = self.query_one(OfferList)
        on_group = item is not None and (len(offers.group(item)) > 1 or offers.nested(item))
        if on_group != self._on_group:
            self._on_group = on_group
            if self._footer_timer is not None:
                self._footer_timer.stop()
            self._footer_timer = self.set_timer(FOOTER_DELAY, self._footer_rested)

    def _footer_rested(self) -> None:
        self._footer_timer = None
        self.refresh_bindings()

    def action_toggle_group(self) -> None:
        """List the copies of the offer under the cursor under it, or fold them again
        (from any of its rows: the cursor goes back to the group's best)."""
        offers = self.query_one(OfferList)
        item = offers.current
        if item is None:
            return
        if offers.nested(item):
            head = self.shown.groups.head_of(item)
            self._rows.expand(item, listed=False)
            offers.set_cursor(offers.index_of(head.id) or 0)
        elif len(offers.group(item)) > 1:
            self._rows.expand(item, listed=not offers.opened(item))
        else:
            self.notify("no other offer here is the same as this one", timeout=3)
            return
        self.apply_filters()

    def action_next_unread(self) -> None:
        offers = self.query_one(OfferList)
        items = offers.items
        if not items:
            return
        start = offers.cursor
        for step in range(1, len(items) + 1):
            index = (start + step) % len(items)
            if offers.shows_unread(items[index]):
                offers.set_cursor(index)
                offers.focus()
                return
        self.notify("no unread offers", timeout=2)

    def action_all_read(self) -> None:
        """Mark every offer shown read (the filters decide which), each copy of a group's."""
        offers = self.query_one(OfferList)
        ids = tuple(
            copy.id
            for item in offers.items
            if not offers.nested(item)
            for copy in offers.group(item)
            if self.is_unread(copy)
        )
        if ids:
            self.post_message(MarkOffersRead(ids))

    def action_compose(self) -> None:
        from .compose import ComposeScreen

        self.app.push_screen(ComposeScreen(self.node))

    def action_accept(self) -> None:
        if (item := self.query_one(OfferList).current) is not None:
            if item.mine:
                self.notify("this is your own offer", severity="warning", timeout=3)
                return
            self.ask_accept(item.id, item.title)

    def action_forward(self) -> None:
        if (item := self.query_one(OfferList).current) is not None:
            self.ask_forward(item.id, item.title, item.skills, item.author)

    def action_decline(self) -> None:
        """ "Not for me" on an offer forwarded to me: tells the forwarder, hides it."""
        from ..actions import DeclineOffer
        from .dialogs import NoteScreen

        item = self.query_one(OfferList).current
        if item is None:
            return
        if not item.for_me:
            self.notify(
                "only an offer forwarded to you can be declined; m mutes its author",
                severity="warning",
                timeout=4,
            )
            return

        def done(note: str | None) -> None:
            if note is not None:
                self.request(DeclineOffer(offer_id=item.id, note=note))

        self.app.push_screen(
            NoteScreen(
                f"Not for me: “{item.title}”",
                "Decline",
                "a note for whoever forwarded it (optional, sealed to them)",
            ),
            done,
        )
