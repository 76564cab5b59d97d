"""The app's feed, ranked once and kept current, without the offers the member declined.

Ranking the whole feed reads every offer and the trust scores, so it is done
when the feed is first read, when trust moves, and every RERANK_SECONDS (an
offer's freshness decays and it expires); between those, the rows of offers
whose state changed are patched in place (domain/live_feed.py). Only the store's
worker thread touches it, so it needs no lock.

A ranking again keeps every row that reads the same as the last ranking's (the
same object; views.feed's `previous`): the app's screens hold the feed's rows
too, and with new objects for unchanged rows a screen that kept its own (equal)
ones held two feeds, ~80 MB more at 100,000 offers after one re-rank (issue 10).
The last ranking is kept until then, as the pool its rows are taken from.

In the app's own process (`freeze_heap`) every whole ranking ends with the heap
frozen (gc.freeze), as the first load does (node_core.py): its ~100,000 rows live
until the next ranking, and a full collection that walked them took ~70 ms, on
whichever keystroke it fell (issue 10's worst cursor move). Frozen, the collector
never walks them; reference counting still frees them when the ranking is replaced.
What it cannot free is a garbage cycle: an object alive when frozen (the app's
widgets, messages, timers) that later becomes part of one is never collected while
frozen, about a thousand objects a ranking. So every FULL_COLLECT_EVERY-th ranking
unfreezes first and collects the whole heap: ~0.2-0.4 s at 100,000 offers, about
once an hour at one ranking every 5 minutes.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from p2pshare.domain import views
from p2pshare.domain.live_feed import LiveFeed
from p2pshare.member.conversation import declined_by_me

if TYPE_CHECKING:
    from p2pshare.member.actions import Absorbed, Member

RERANK_SECONDS = 300  # rank the whole feed again this often: freshness decays, offers expire
FULL_COLLECT_EVERY = 12  # whole rankings between collections of the frozen heap too


class FeedCache:
    """The ranked feed and the offers declined, both read again when they may be stale."""

    def __init__(self, *, freeze_heap: bool = False) -> None:
        """`freeze_heap`: the app's own process (not tests, which hold many nodes)."""
        self._freeze_heap = freeze_heap
        self._feed: LiveFeed | None = None  # the last ranking, patched since
        self._stale = True  # rank again at the next read (reusing the last ranking's rows)
        self._ranked_at = 0  # the member's clock when it was ranked
        self._declined: set[str] | None = None  # offers (hex) I declined
        self._rankings = 0  # whole rankings made (in the app's process: heap frozen after each)

    def items(self, member: Member, *, include_closed: bool = False) -> list[views.FeedItem]:
        """The feed, best first; closed offers too if asked (those are ranked afresh)."""
        if include_closed:
            items = views.feed(member.viewpoint(), include_closed=True)
        else:
            items = self._live(member).items()
        hidden = self._declined_ids(member)
        return [item for item in items if item.id not in hidden] if hidden else items

    def patch(self, member: Member, absorbed: Absorbed) -> dict[str, views.FeedItem | None] | None:
        """Patch the rows of changed offers; None if the whole feed must be ranked again."""
        if absorbed.first or absorbed.trust or self._due(member):
            # Every rank may move with trust, or with time. Not ranked here: the app would
            # patch its old ranking's rows while this one held the new, two feeds alive.
            self._stale = True
            return None
        rows = views.feed_rows(member.viewpoint(), absorbed.offers)
        self._live(member).patch(rows)
        hidden = self._declined_ids(member)
        return {k: (None if k in hidden else v) for k, v in rows.items()} if hidden else rows

    def rank_again(self) -> None:
        """Rank the whole feed at the next read (marks changed: muted rows, blocked ones)."""
        self._stale = True

    def declined_changed(self) -> None:
        """The member declined an offer: read which again at the next use."""
        self._declined = None

    def _due(self, member: Member) -> bool:
        """Whether the feed must be ranked again: missing, marked, or RERANK_SECONDS old."""
        return self._feed is None or self._stale or member.now() - self._ranked_at >= RERANK_SECONDS

    def _live(self, member: Member) -> LiveFeed:
        """The feed, ranked afresh when due (`_due`), reusing the last ranking's rows."""
        last = self._feed
        if last is not None and not self._due(member):
            return last
        previous = last.get if last is not None else None
        self._feed = None
        rows = views.feed(member.viewpoint(), previous=previous)
        del last, previous  # the last ranking's list and index: gone before the new ones
        feed = self._feed = LiveFeed(rows)
        self._stale = False
        self._ranked_at = member.now()
        if self._freeze_heap:
            self._rankings += 1
            if self._rankings % FULL_COLLECT_EVERY == 0:
                gc.unfreeze()  # the cycles frozen objects made since: see the module
            # Collect first: the build left its rows young (bulk_allocation), so this
            # is the young collection that was due anyway, and no garbage cycle
            # (a closed screen's widgets) is frozen with them, out of reach for good.
            gc.collect()
            gc.freeze()
        return feed

    def _declined_ids(self, member: Member) -> set[str]:
        """Offers I declined: not in my feed."""
        if self._declined is None:
            self._declined = declined_by_me(member)
        return self._declined
