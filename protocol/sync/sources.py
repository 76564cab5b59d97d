"""One side's records as sync sees them: the `RecordSource` port and `MemorySource`.

The reconciler reads records only through `RecordSource`; the store implements
it over SQLite (p2pshare/store/sync_source.py), `MemorySource` in memory.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Protocol

from protocol import RecordId, record_id

from .keys import Bound, RangeKey, digest_of

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


class RecordSource(Protocol):
    """One side's records as sync sees them: sorted keys, range summaries, bytes.

    Ranges are half-open [lo, hi) in (created_at, id) order; None is unbounded.
    A record's id is SHA-256 of its bytes (protocol.record_id).
    """

    def fingerprint(self, lo: Bound, hi: Bound) -> tuple[int, bytes]: ...

    def keys_in_range(self, lo: Bound, hi: Bound, limit: int | None = None) -> list[RangeKey]: ...

    def get_data(self, ids: Sequence[RecordId]) -> list[bytes]:
        """The signed bytes of those of `ids` that are held (any order, absent ones left out)."""
        ...


class MemorySource:
    """A `RecordSource` in memory: a sorted key list and prefix sums of ids.

    For tests and benchmarks; records are (created_at, bytes) and are not
    verified. Fingerprints of any range cost two binary searches.
    """

    def __init__(self, records: Iterable[tuple[int, bytes]] = ()) -> None:
        self._data: dict[RecordId, bytes] = {}
        self._keys: list[RangeKey] = []
        self._sums: list[int] = [0]
        self._dirty = False
        self.add(records)

    def add(self, records: Iterable[tuple[int, bytes]]) -> int:
        """Hold more records; returns how many were new."""
        new = 0
        for created_at, data in records:
            rid = record_id(data)
            if rid not in self._data:
                self._data[rid] = data
                self._keys.append(RangeKey(created_at, rid))
                new += 1
        self._dirty = self._dirty or new > 0
        return new

    def __len__(self) -> int:
        return len(self._data)

    def ids(self) -> set[RecordId]:
        return set(self._data)

    def _index(self) -> None:
        if self._dirty:
            self._keys.sort()
            sums = [0] * (len(self._keys) + 1)
            total = 0
            for i, key in enumerate(self._keys):
                total += int.from_bytes(key.id, "little")
                sums[i + 1] = total
            self._sums = sums
            self._dirty = False

    def _span(self, lo: Bound, hi: Bound) -> tuple[int, int]:
        self._index()
        start = 0 if lo is None else bisect.bisect_left(self._keys, lo)
        end = len(self._keys) if hi is None else bisect.bisect_left(self._keys, hi)
        return start, max(start, end)

    def fingerprint(self, lo: Bound, hi: Bound) -> tuple[int, bytes]:
        start, end = self._span(lo, hi)
        return end - start, digest_of(self._sums[end] - self._sums[start], end - start)

    def keys_in_range(self, lo: Bound, hi: Bound, limit: int | None = None) -> list[RangeKey]:
        start, end = self._span(lo, hi)
        if limit is not None:
            end = min(end, start + max(limit, 0))
        return self._keys[start:end]

    def get_data(self, ids: Sequence[RecordId]) -> list[bytes]:
        return [data for rid in ids if (data := self._data.get(rid)) is not None]
