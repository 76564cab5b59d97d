"""The app's ranked feed is out of the cycle collector's reach (issue 10, worst cursor move).

At 100,000 offers the feed's rows are 100,000 tracked objects; a full collection
that walked them took ~70 ms, on whichever keystroke it fell. In the app's own
process (`freeze_heap`) every whole ranking of the feed ends with the heap frozen,
after a collection, so no garbage cycle is frozen with it. Nodes made without
`freeze_heap` (tests hold many) leave the collector alone.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from typing import TYPE_CHECKING

from signers import DAY, T0, get_member

from p2pshare.member import identity as ident
from p2pshare.member.home import Home
from p2pshare.member.marks import MUTED
from p2pshare.service.api import NodeAPI
from p2pshare.store import Store

if TYPE_CHECKING:
    from pathlib import Path

    from p2pshare.domain.views import FeedItem

NOW = T0 + DAY


class _Cycle:
    """Garbage the collector alone can free (it refers to itself)."""

    def __init__(self) -> None:
        self.me = self


def _home(tmp_path: Path) -> Home:
    alice, bob = get_member("alice"), get_member("bob")
    home = Home(tmp_path / "me")
    ident.create(home)
    records = [alice.profile(), bob.profile(), alice.offer(title="a desk in Porto")]
    records.append(bob.offer(title="a van for a day"))
    with Store.open(home.store_file) as store:
        store.ingest_many([record.data for record in records], now=NOW)
    return home


def _collectable(items: list[FeedItem]) -> set[int]:
    """Which of these rows a collection would walk (the frozen ones it never sees)."""
    wanted = {id(item) for item in items}
    return {id(obj) for obj in gc.get_objects() if id(obj) in wanted}


def test_a_ranked_feed_is_frozen_in_the_apps_process_and_no_garbage_with_it(
    tmp_path: Path,
) -> None:
    home = _home(tmp_path)

    async def main() -> tuple[list[FeedItem], list[FeedItem], bool]:
        api = NodeAPI(home, clock=lambda: NOW, freeze_heap=True)
        await api.open()
        try:
            await api._changes.settled()
            first = await api.feed()
            cycle = _Cycle()
            dead = weakref.ref(cycle)
            del cycle
            await api.mark(get_member("bob").id, MUTED)  # the whole feed ranked again
            again = await api.feed()
            return first, again, dead() is None
        finally:
            await api.close()

    try:
        first, again, freed = asyncio.run(main())
        muted = {item.title: item.muted for item in again}
        assert len(first) == 2
        assert muted == {"a desk in Porto": False, "a van for a day": True}
        vans = [item for item in (*first, *again) if item.title == "a van for a day"]
        assert vans[0] is not vans[1]  # ranked afresh: the muted row is a new one
        assert _collectable(first) == set()
        assert _collectable(again) == set()
        assert freed, "a garbage cycle was frozen with the feed: it would never be freed"
    finally:
        gc.unfreeze()  # give the test process its collector back


def test_a_node_made_without_freeze_heap_leaves_the_collector_alone(tmp_path: Path) -> None:
    home = _home(tmp_path)

    async def main() -> list[FeedItem]:
        api = NodeAPI(home, clock=lambda: NOW)
        await api.open()
        try:
            await api._changes.settled()
            return await api.feed()
        finally:
            await api.close()

    frozen_before = gc.get_freeze_count()
    items = asyncio.run(main())
    assert len(items) == 2
    assert gc.get_freeze_count() == frozen_before
    assert len(_collectable(items)) == len(items)
