"""The store as catch-up sync sees it: protocol.sync's `RecordSource` over SQLite."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from p2pshare.store.records import Store
    from protocol import RecordId
    from protocol.sync import Bound, RangeKey


class StoreSource:
    """A `RecordSource` over the node's store (indexed (created_at, id) queries)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def fingerprint(self, lo: Bound, hi: Bound) -> tuple[int, bytes]:
        fp = self._store.fingerprint(lo, hi)
        return fp.count, fp.digest

    def keys_in_range(self, lo: Bound, hi: Bound, limit: int | None = None) -> list[RangeKey]:
        return self._store.keys_in_range(lo, hi, limit=limit)

    def get_data(self, ids: Sequence[RecordId]) -> list[bytes]:
        return self._store.get_data(ids)
