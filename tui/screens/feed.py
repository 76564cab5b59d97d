"""The home screen: open offers best first, with filters, search and unread markers."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label, Select, Static, Switch

from p2pshare.domain.views import feed_order

from ..fmt import csv
from ..messages import FeedPainted, MarkOffersRead, OpenOffer, UnreadCounted
from ..widgets.offer_list import OfferList, header_text
from .base import NodeScreen

if TYPE_CHECKING:
    from collections.abc import Mapping

    from textual.app import ComposeResult
    from textual.timer import Timer

    from p2pshare.domain.views import FeedItem
    from p2pshare.events import Changed
    from p2pshare.service.port import NodePort

MIN_TRUST = [("any trust", 0.0), ("≥ 0.10", 0.1), ("≥ 0.30", 0.3), ("≥ 0.50", 0.5), ("≥ 0.80", 0.8)]
REFRESH_DELAY = 0.15  # coalesce bursts of records into one refresh


@dataclass(frozen=True, slots=True)
class Filters:
    skills: tuple[str, ...] = ()
    region: str = ""
    min_trust: float = 0.0
    only_for_me: bool = False
    show_muted: bool = False
    show_strangers: bool = True
    search: str = ""


def _haystack(item: FeedItem) -> str:
    return " ".join((item.title, item.author_name, " ".join(item.skills), item.region)).casefold()


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
        Binding("M", "all_read", "Mark all read", show=False),
        Binding("escape", "clear", "Clear search", show=False),
    ]

    def __init__(self, node: NodePort) -> None:
        super().__init__(node)
        self._all: list[FeedItem] = []  # the node's feed, in feed_order
        self._hay: list[str] = []  # the search text of each row of _all
        self._by_id: dict[str, FeedItem] = {}
        self.patched = 0  # rows patched from Changed.rows (tests and the bench read it)
        self.reloads = 0  # whole reads of the feed
        self._loading = False
        self._pending: dict[str, FeedItem | None] = {}  # rows that came during a read
        self.filters = Filters()
        self.loaded = False
        self._refresh_timer: Timer | None = None
        self._last_search: tuple[str, Filters, list[int]] | None = None

    def body(self) -> ComposeResult:
        with Horizontal(id="filters", classes="-hidden"):
            yield Input(placeholder="skills: a, b", id="f-skills")
            yield Input(placeholder="region", id="f-region")
            yield Select(MIN_TRUST, value=0.0, allow_blank=False, id="f-trust")
            yield Switch(id="f-forme")
            yield Label("only for me", classes="switch-label")
            yield Switch(id="f-muted")
            yield Label("muted", classes="switch-label")
            yield Switch(value=True, id="f-strangers")
            yield Label("strangers", classes="switch-label")
        yield Input(
            placeholder="search titles, authors, skills, regions…", id="search", classes="-hidden"
        )
        yield Static(id="list-header")
        yield OfferList(is_unread=self.is_unread, clock=self.shell.clock, id="offers")
        yield Static(id="feed-summary")

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = "Feed"
        self.query_one(OfferList).empty_text = "loading…"
        self.query_one(OfferList).focus()
        self.load()

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
        all_, hay, by_id = self._all, self._hay, self._by_id
        for offer_id, row in rows.items():
            old = by_id.pop(offer_id, None)
            if old is not None:
                at = bisect.bisect_left(all_, feed_order(old), key=feed_order)
                if at < len(all_) and all_[at].id == offer_id:
                    del all_[at]
                    del hay[at]
            if row is not None:
                at = bisect.bisect_left(all_, feed_order(row), key=feed_order)
                all_.insert(at, row)
                hay.insert(at, _haystack(row))
                by_id[offer_id] = row
        self.patched += len(rows)
        self._last_search = None
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
        self._all = items
        self._hay = [_haystack(item) for item in items]
        self._by_id = {item.id: item for item in items}
        if self._pending:
            rows, self._pending = self._pending, {}
            self.patch(rows)
        self._last_search = None
        self.loaded = True
        self.query_one(OfferList).empty_text = self._empty_text()
        self.apply_filters(reloaded=True)
        self._count_unread()
        self.call_after_refresh(self.post_message, FeedPainted())

    def _empty_text(self) -> str:
        """What to do next, whatever made the list empty."""
        if self.filters.search:
            return f"no offer matches “{self.filters.search}” · esc clears the search"
        if self._all:
            return "no offer passes these filters · x shows them, to loosen them"
        return (
            "no offers yet · n posts one · to join a community, start with "
            "--peer INVITE (a member's invite; yours is on Profile, 4)"
        )

    def _count_unread(self) -> None:
        seen, show_muted = self.shell.seen, self.filters.show_muted
        count = sum(
            1
            for item in self._all
            if not item.mine and item.id not in seen and (show_muted or not item.muted)
        )
        self.post_message(UnreadCounted(count))

    def visible_items(self) -> list[FeedItem]:
        """The feed after filters and search, in the API's order.

        Each active filter is one pass over the candidates the others left, so
        inactive filters cost nothing; typing more of a search narrows the
        previous result instead of scanning the whole feed again.
        """
        f = self.filters
        rows: range | list[int] = range(len(self._all))
        rest = replace(f, search="")
        last = self._last_search
        if last is not None and f.search.casefold().startswith(last[0]) and last[1] == rest:
            rows = last[2]
        all_, hay = self._all, self._hay
        if not f.show_muted:
            rows = [i for i in rows if not all_[i].muted]
        if f.min_trust > 0.0:
            rows = [i for i in rows if all_[i].mine or all_[i].signal >= f.min_trust]
        if not f.show_strangers:
            rows = [i for i in rows if all_[i].mine or all_[i].signal > 0.0]
        if f.only_for_me:
            rows = [i for i in rows if all_[i].for_me or all_[i].handed_to_me]
        if f.skills:
            wanted = set(f.skills)
            rows = [i for i in rows if not wanted.isdisjoint(all_[i].skills)]
        if f.region:
            region = f.region.casefold()
            rows = [i for i in rows if region in all_[i].region.casefold()]
        if f.search:
            needle = f.search.casefold()
            rows = [i for i in rows if needle in hay[i]]
            self._last_search = (needle, rest, rows)
        else:
            self._last_search = None
        return [all_[i] for i in rows]

    def apply_filters(self, *, reloaded: bool = False) -> None:
        offers = self.query_one(OfferList)
        items = self.visible_items()
        old = offers.items
        if reloaded:
            same_rows = len(old) == len(items) and all(
                a.id == b.id for a, b in zip(old, items, strict=True)
            )
        else:
            same_rows = len(old) == len(items) and all(
                a is b for a, b in zip(old, items, strict=True)
            )
        if same_rows and reloaded:
            for new, before in zip(items, old, strict=True):
                if new != before:
                    offers.update_item(new)  # same rows: repaint only the changed ones
        elif not same_rows:
            offers.set_items(items)
        shown = len(items)
        total = len(self._all)
        noun = "offer" if total == 1 else "offers"
        what = f"{shown} of {total} {noun}" if shown != total else f"{total} {noun}"
        if not items and self.loaded:
            offers.empty_text = self._empty_text()
        self.query_one("#feed-summary", Static).update(
            f" {what}  ·  ★ forwarded to you  ● unread  ✓ accepted  ·  trust ≥0.5 green, ≥0.1 amber"
        )

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

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.remove_class("-hidden")
        search.focus()

    def action_filters(self) -> None:
        bar = self.query_one("#filters")
        bar.toggle_class("-hidden")
        if not bar.has_class("-hidden"):
            self.query_one("#f-skills", Input).focus()
        else:
            self.query_one(OfferList).focus()

    def action_clear(self) -> None:
        search = self.query_one("#search", Input)
        if search.value:
            search.value = ""
        search.add_class("-hidden")
        self.query_one(OfferList).focus()

    # -- offers --------------------------------------------------------------

    @on(OfferList.Selected)
    def _open(self, event: OfferList.Selected) -> None:
        self.post_message(OpenOffer(event.item.id))

    def action_next_unread(self) -> None:
        offers = self.query_one(OfferList)
        items = offers.items
        if not items:
            return
        start = offers.cursor
        for step in range(1, len(items) + 1):
            index = (start + step) % len(items)
            if self.is_unread(items[index]):
                offers.set_cursor(index)
                offers.focus()
                return
        self.notify("no unread offers", timeout=2)

    def action_all_read(self) -> None:
        """Mark every offer shown read (the filters decide which)."""
        ids = tuple(item.id for item in self.query_one(OfferList).items if self.is_unread(item))
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
