"""A whole ranking of the feed again holds one feed, not two (issue 10's memory).

Trust moves, a mark changes, or RERANK_SECONDS pass: the node ranks every offer
again. A row that reads the same is the last ranking's object (the app's screens
hold those too: with a new, equal object per row the process held two feeds,
~100 MB more at 100,000 offers); a row that changed is a new one and the old is
freed. A ranking that falls due while records arrive is not done behind the
app's back: the app is told to read the whole feed (Changed.rows is None), so
it never patches the old ranking's rows while the node holds the new ones.

FeedItem has no weak reference slot: the tests count the live rows of an offer.
"""

from __future__ import annotations

import asyncio
import gc
from typing import TYPE_CHECKING

from signers import DAY, T0, get_member

from p2pshare.domain.views import FeedItem
from p2pshare.events import Changed, Event
from p2pshare.member import identity as ident
from p2pshare.member.home import Home
from p2pshare.member.marks import MUTED
from p2pshare.service.api import NodeAPI
from p2pshare.service.feed_cache import RERANK_SECONDS
from p2pshare.store import Store

if TYPE_CHECKING:
    from pathlib import Path

NOW = T0 + DAY


def _home(tmp_path: Path) -> Home:
    alice, bob = get_member("alice"), get_member("bob")
    home = Home(tmp_path / "me")
    ident.create(home)
    records = [alice.profile(), bob.profile(), alice.offer(title="a desk in Porto")]
    records.append(bob.offer(title="a van for a day"))
    with Store.open(home.store_file) as store:
        store.ingest_many([record.data for record in records], now=NOW)
    return home


def _rows_of(offer_id: str) -> int:
    """Live FeedItem objects of one offer, garbage cycles collected first."""
    gc.collect()
    return sum(1 for obj in gc.get_objects() if type(obj) is FeedItem and obj.id == offer_id)


def test_a_ranking_again_keeps_the_rows_that_read_the_same_and_frees_the_others(
    tmp_path: Path,
) -> None:
    home = _home(tmp_path)
    bob = get_member("bob")

    async def main() -> None:
        api = NodeAPI(home, clock=lambda: NOW)
        await api.open()
        try:
            await api._changes.settled()
            first = {item.title: item for item in await api.feed()}
            desk, van_id = first["a desk in Porto"], first["a van for a day"].id
            before = _rows_of(van_id) - 1  # any other test's, still alive
            del first
            await api.mark(bob.id, MUTED)  # every row ranked again
            again = {item.title: item for item in await api.feed()}
            assert again["a van for a day"].muted
            assert again["a van for a day"].id is van_id  # a changed row: the old id string
            assert again["a desk in Porto"] is desk  # it reads the same: the same object
            assert _rows_of(van_id) - before == 1, "the last ranking's row of the van is alive"
        finally:
            await api.close()

    asyncio.run(main())


def test_a_ranking_due_when_a_record_arrives_has_the_app_read_the_whole_feed(
    tmp_path: Path,
) -> None:
    home = _home(tmp_path)
    now = [NOW]
    alice = get_member("alice")

    async def main() -> list[Changed]:
        api = NodeAPI(home, clock=lambda: now[0])
        changes: list[Changed] = []

        def listen(event: Event) -> None:
            if isinstance(event, Changed):
                changes.append(event)

        api.subscribe(listen)
        await api.open()
        try:
            await api._changes.settled()
            await api.feed()
            for i, later in enumerate((10, RERANK_SECONDS + 10)):
                now[0] = NOW + later
                with Store.open(home.store_file) as store:
                    offer = alice.offer(title=f"a bike, {i}", at=NOW + later)
                    store.ingest_many([offer.data], now=NOW + later)
                await api.refresh()
            titles = [item.title for item in await api.feed()]
            assert "a bike, 0" in titles
            assert "a bike, 1" in titles
            return changes
        finally:
            await api.close()

    changes = asyncio.run(main())
    soon, due = changes[-2:]
    assert soon.rows is not None  # ten seconds on: the new offer's row, patched in
    assert [row.title for row in soon.rows.values() if row is not None] == ["a bike, 0"]
    assert due.rows is None  # the feed is due to be ranked again: read it whole


def test_five_minutes_on_a_ranking_keeps_the_rows_whose_rank_did_not_move(
    tmp_path: Path,
) -> None:
    """Freshness moves every rank a little between two rankings 5 minutes apart; at the
    rank's 4 places an offer twenty days old does not move, and keeps its row."""
    home = _home(tmp_path)
    alice = get_member("alice")
    with Store.open(home.store_file) as store:
        old = alice.offer(title="an archive to sort", at=NOW - 20 * DAY, expires_at=NOW + DAY)
        store.ingest_many([old.data], now=NOW)
    now = [NOW]

    async def main() -> None:
        api = NodeAPI(home, clock=lambda: now[0])
        await api.open()
        try:
            await api._changes.settled()
            first = {item.title: item for item in await api.feed()}
            now[0] = NOW + RERANK_SECONDS + 1
            await api.refresh()
            again = {item.title: item for item in await api.feed()}
            assert again["an archive to sort"] is first["an archive to sort"]
            assert again.keys() == first.keys()
            for title, row in again.items():  # any other row: kept only if it reads the same
                assert (row is first[title]) == (row == first[title]), title
        finally:
            await api.close()

    asyncio.run(main())


def test_garbage_cycles_frozen_with_a_ranking_are_freed_within_a_dozen_rankings(
    tmp_path: Path,
) -> None:
    """The app's process freezes the heap after each whole ranking; a cycle of objects
    alive then (a closed dialog's widgets) and dropped later must not stay for good."""
    import weakref

    from p2pshare.service.feed_cache import FULL_COLLECT_EVERY

    class Widgetish:
        def __init__(self) -> None:
            self.me = self  # a cycle: only the cyclic collector frees it

    home = _home(tmp_path)
    bob = get_member("bob")

    async def main() -> None:
        api = NodeAPI(home, clock=lambda: NOW, freeze_heap=True)
        await api.open()
        try:
            await api._changes.settled()
            closed = Widgetish()
            await api.feed()  # ranked: the heap, `closed` with it, frozen
            gone = weakref.ref(closed)
            del closed
            gc.collect()
            assert gone() is not None  # frozen: out of the collector's reach, for now
            for i in range(FULL_COLLECT_EVERY):
                await api.mark(bob.id, MUTED, on=i % 2 == 0)  # every row ranked again
                await api.feed()
            assert gone() is None
        finally:
            await api.close()
            gc.unfreeze()

    asyncio.run(main())
