"""The feed kept in order while rows change, so one new record costs one row, not a re-sort."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

from p2pshare.domain.bulk import bulk_allocation
from p2pshare.domain.views import FeedItem, feed_order

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


class LiveFeed:
    """Feed rows in `feed_order`, patched in place: O(log n) to find a row, one list
    move to place it. Re-ranking everything (trust moved) is a new LiveFeed."""

    def __init__(self, items: Iterable[FeedItem] = ()) -> None:
        with bulk_allocation():  # a key per row, 100,000 at a first load
            self._items = sorted(items, key=feed_order)
            self._by_id = {item.id: item for item in self._items}

    def __len__(self) -> int:
        return len(self._items)

    def items(self) -> list[FeedItem]:
        """The rows, best first (a copy: the caller may keep it while the feed moves on)."""
        return list(self._items)

    def get(self, offer_id: str) -> FeedItem | None:
        return self._by_id.get(offer_id)

    def patch(self, rows: Mapping[str, FeedItem | None]) -> None:
        """Replace, add or (None) remove the rows of these offers."""
        for offer_id, row in rows.items():
            old = self._by_id.pop(offer_id, None)
            if old is not None:
                at = bisect.bisect_left(self._items, feed_order(old), key=feed_order)
                assert self._items[at].id == offer_id, "feed out of order"
                del self._items[at]
            if row is not None:
                bisect.insort(self._items, row, key=feed_order)
                self._by_id[offer_id] = row
