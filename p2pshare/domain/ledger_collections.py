"""The containers behind LedgerState (ledger.py): the live read-only mappings a
Ledger hands out, keys kept sorted and merged a batch at a time, the receipts and
vouches gathered across partitions (each partition's old contribution taken out,
its new one put in), and what one apply changed (`Change`, gathered partition by
partition, into a `LedgerDelta`).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Iterator, Mapping, ValuesView
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from p2pshare.domain.ledger_views import OfferState, OfferStatus
from protocol import PublicKey, RecordId

if TYPE_CHECKING:
    from p2pshare.domain.evidence import Receipt, VouchEdge

_K = TypeVar("_K")
_V = TypeVar("_V")


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerDelta:
    """What one `apply` changed (expiry by the clock aside: see expired_between)."""

    offers: frozenset[RecordId] = frozenset()  # offers new or changed
    profiles: frozenset[PublicKey] = frozenset()  # authors whose newest profile changed
    vouches_added: tuple[VouchEdge, ...] = ()
    vouches_removed: tuple[VouchEdge, ...] = ()
    receipts_added: tuple[Receipt, ...] = ()
    receipts_removed: tuple[Receipt, ...] = ()
    credit_changed: bool = False
    rejected: frozenset[RecordId] = frozenset()  # records rejected now and not before
    pending: frozenset[RecordId] = frozenset()  # records pending now and not before
    # Member records changed whom some key signs for: every record was read again.
    members_changed: bool = False

    @property
    def evidence_changed(self) -> bool:
        """Whether trust needs a look: vouches or receipts changed (or whose they are)."""
        return bool(
            self.members_changed
            or self.vouches_added
            or self.vouches_removed
            or self.receipts_added
            or self.receipts_removed
        )


class View(Mapping[_K, _V]):
    """A read-only live view of a dict, iterated in the order `keys` gives."""

    __slots__ = ("_data", "_keys")

    def __init__(self, data: dict[_K, _V], keys: Callable[[], Iterable[_K]]) -> None:
        self._data = data
        self._keys = keys

    def __getitem__(self, key: _K) -> _V:
        return self._data[key]

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[_K]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self.items())!r})"


class OfferMap(Mapping[RecordId, OfferState]):
    """The offers as they read at one `now`, in (created_at, id) order, live.

    `offers` holds each offer as of the state's clock; `sort` puts it in order
    before it is iterated. An offer the clock alone decides (OPEN or EXPIRED) is
    re-dated to `now` on reading.
    """

    __slots__ = ("_now", "_offers", "_sort")

    def __init__(
        self, offers: dict[RecordId, OfferState], sort: Callable[[], None], now: int
    ) -> None:
        self._offers = offers
        self._sort = sort
        self._now = now

    def __getitem__(self, key: RecordId) -> OfferState:
        return at(self._offers[key], self._now)

    def __contains__(self, key: object) -> bool:
        return key in self._offers

    def __iter__(self) -> Iterator[RecordId]:
        self._sort()
        return iter(self._offers)

    def __len__(self) -> int:
        return len(self._offers)

    def values(self) -> ValuesView[OfferState]:
        return _OfferValues(self)

    def __repr__(self) -> str:
        return f"OfferMap({len(self)} offers at {self._now})"


class _OfferValues(ValuesView[OfferState]):
    _mapping: OfferMap

    def __iter__(self) -> Iterator[OfferState]:
        self._mapping._sort()
        now = self._mapping._now
        open_, expired = OfferStatus.OPEN, OfferStatus.EXPIRED
        for offer in self._mapping._offers.values():
            if offer.status is open_:
                if now > offer.offer.expires_at:
                    yield at(offer, now)
                    continue
            elif offer.status is expired and now <= offer.offer.expires_at:
                yield at(offer, now)
                continue
            yield offer


def at(offer: OfferState, now: int) -> OfferState:
    """`offer` as it reads at `now`: the clock turns OPEN into EXPIRED and back."""
    if offer.status is OfferStatus.OPEN or offer.status is OfferStatus.EXPIRED:
        status = OfferStatus.EXPIRED if now > offer.offer.expires_at else OfferStatus.OPEN
        if status is not offer.status:
            return OfferState(
                id=offer.id,
                author=offer.author,
                offer=offer.offer,
                created_at=offer.created_at,
                status=status,
                forwards=offer.forwards,
                accepts=offer.accepts,
                handoffs=offer.handoffs,
                withdrawn=offer.withdrawn,
                value=offer.value,
            )
    return offer


_T = TypeVar("_T")


class SortedKeys(Generic[_T]):
    """Keys kept sorted by `rank`. Additions are merged when `keys` is next read, so
    a batch costs one sort, and none until someone reads. A key must keep its rank
    (the record it is looked up in) while it is listed."""

    __slots__ = ("_added", "_keys", "rank")

    def __init__(self, rank: Callable[[_T], tuple[int, bytes]]) -> None:
        self._keys: list[_T] = []
        self._added: dict[_T, None] = {}  # an ordered set
        self.rank = rank

    @property
    def keys(self) -> list[_T]:
        if self._added:
            if len(self._added) > 64:
                self._keys += self._added
                self._keys.sort(key=self.rank)
            else:
                for key in self._added:
                    insort(self._keys, key, key=self.rank)
            self._added.clear()
        return self._keys

    def add(self, key: _T) -> None:
        self._added[key] = None

    def remove(self, key: _T) -> None:
        if key in self._added:
            del self._added[key]
            return
        index = bisect_left(self._keys, self.rank(key), key=self.rank)
        assert self._keys[index] == key
        del self._keys[index]

    def between(self, low: tuple[int, bytes], high: tuple[int, bytes]) -> list[_T]:
        """The keys ranked from `low` (included) to `high` (excluded)."""
        keys = self.keys
        start = bisect_left(keys, low, key=self.rank)
        return keys[start : bisect_left(keys, high, lo=start, key=self.rank)]


class ExpiryIndex:
    """Offers by the hour their expiry falls in, for the offers a clock tick turns.

    Adding is O(1), so a first load of 100,000 offers sorts nothing; `between`
    reads only the hours between two clocks (or, for a jump of years, only the
    hours that hold offers) and sorts just what it found. Offers are never taken
    out: an offer stays an offer, and its expiry is in its signed body.
    """

    __slots__ = ("_hours", "expires")

    HOUR = 3600

    def __init__(self, expires: Callable[[RecordId], int]) -> None:
        self._hours: dict[int, list[RecordId]] = {}
        self.expires = expires  # an offer's expiry, unix seconds

    def add(self, offer: RecordId, expires_at: int) -> None:
        if (hour := self._hours.get(expires_at // self.HOUR)) is None:
            self._hours[expires_at // self.HOUR] = [offer]
        else:
            hour.append(offer)

    def between(self, low: int, high: int) -> list[RecordId]:
        """The offers expiring at `low` or later and before `high`, in (expiry, id) order."""
        if high <= low:
            return []
        first, last = low // self.HOUR, (high - 1) // self.HOUR
        hours = self._hours
        if last - first < len(hours):
            spans: Iterable[Iterable[RecordId]] = (hours.get(h, ()) for h in range(first, last + 1))
        else:
            spans = (offers for h, offers in hours.items() if first <= h <= last)
        expires = self.expires
        found = [(at, rid) for span in spans for rid in span if low <= (at := expires(rid)) < high]
        found.sort()
        return [rid for _, rid in found]


class ReceiptIndex:
    """The receipts of every partition, in (created_at, id) order."""

    __slots__ = ("_by_id", "_order", "_tuple")

    def __init__(self) -> None:
        self._by_id: dict[RecordId, Receipt] = {}
        self._order = SortedKeys[RecordId](lambda rid: receipt_order(self._by_id[rid]))
        self._tuple: tuple[Receipt, ...] | None = ()

    def all(self) -> tuple[Receipt, ...]:
        """All receipts, made into a tuple once after each change."""
        if self._tuple is None:
            self._tuple = tuple(self._by_id[rid] for rid in self._order.keys)
        return self._tuple

    def replace(self, old: tuple[Receipt, ...], new: tuple[Receipt, ...], change: Change) -> None:
        """Replace one partition's receipts `old` by `new`."""
        kept = set(new)
        for receipt in old:
            if receipt not in kept:
                self._order.remove(receipt.id)  # while it still has its rank
                del self._by_id[receipt.id]
                change.receipts_removed.append(receipt)
        before = set(old)
        for receipt in new:
            if receipt not in before:
                self._by_id[receipt.id] = receipt
                self._order.add(receipt.id)
                change.receipts_added.append(receipt)
        self._tuple = None


class VouchIndex:
    """The live vouches of every partition by voucher and subject, and the newest
    live one of each pair (the edges trust reads), in (created_at, id) order."""

    __slots__ = ("_edges", "_order", "_tuple", "pairs")

    def __init__(self) -> None:
        self.pairs: dict[tuple[bytes, bytes], dict[RecordId, VouchEdge]] = {}
        self._edges: dict[RecordId, VouchEdge] = {}  # the newest live vouch per pair
        self._order = SortedKeys[RecordId](lambda rid: edge_order(self._edges[rid]))
        self._tuple: tuple[VouchEdge, ...] | None = ()

    def newest(self) -> tuple[VouchEdge, ...]:
        """The newest live vouch per pair, made into a tuple once after each change."""
        if self._tuple is None:
            self._tuple = tuple(self._edges[rid] for rid in self._order.keys)
        return self._tuple

    def live(self, pair: tuple[bytes, bytes], vouch: RecordId) -> VouchEdge | None:
        return self.pairs.get(pair, {}).get(vouch)

    def put(
        self, pair: tuple[bytes, bytes], vouch: RecordId, edge: VouchEdge | None, change: Change
    ) -> None:
        """Make `edge` the live form of `vouch` (None: it is not live) and keep the
        newest live vouch of its pair among the edges."""
        vouches = self.pairs.setdefault(pair, {})
        newest = max(vouches.values(), key=edge_order, default=None)
        change.pairs.setdefault(pair, newest)
        if edge is None:
            del vouches[vouch]
        else:
            vouches[vouch] = edge
        now_newest = max(vouches.values(), key=edge_order, default=None)
        if not vouches:
            del self.pairs[pair]
        if now_newest == newest:
            return
        if newest is not None:
            self._order.remove(newest.id)  # while it still has its rank
            del self._edges[newest.id]
        if now_newest is not None:
            self._edges[now_newest.id] = now_newest
            self._order.add(now_newest.id)
        self._tuple = None


@dataclass(slots=True)
class Change:
    """What an apply changed, gathered partition by partition."""

    offers: set[RecordId] = field(default_factory=set)
    rejected: set[RecordId] = field(default_factory=set)
    pending: set[RecordId] = field(default_factory=set)
    receipts_added: list[Receipt] = field(default_factory=list)
    receipts_removed: list[Receipt] = field(default_factory=list)
    credit: bool = False
    pairs: dict[tuple[bytes, bytes], VouchEdge | None] = field(default_factory=dict)

    def delta(
        self,
        profiles: set[PublicKey],
        vouches: VouchIndex,
        rejected: Mapping[RecordId, str],
        pending: Mapping[RecordId, RecordId],
    ) -> LedgerDelta:
        """The delta, from what was gathered and the state's vouches, rejected and
        pending records after the apply."""
        added: list[VouchEdge] = []
        removed: list[VouchEdge] = []
        for pair, before in self.pairs.items():
            live = vouches.pairs.get(pair, {})
            after = max(live.values(), key=edge_order, default=None)
            if after != before:
                removed += [before] if before is not None else []
                added += [after] if after is not None else []
        return LedgerDelta(
            offers=frozenset(self.offers),
            profiles=frozenset(profiles),
            vouches_added=tuple(sorted(added, key=edge_order)),
            vouches_removed=tuple(sorted(removed, key=edge_order)),
            receipts_added=tuple(sorted(self.receipts_added, key=receipt_order)),
            receipts_removed=tuple(sorted(self.receipts_removed, key=receipt_order)),
            credit_changed=self.credit,
            rejected=frozenset(r for r in self.rejected if r in rejected),
            pending=frozenset(r for r in self.pending if r in pending),
        )


def edge_order(edge: VouchEdge) -> tuple[int, RecordId]:
    return (edge.created_at, edge.id)


def receipt_order(receipt: Receipt) -> tuple[int, RecordId]:
    return (receipt.created_at, receipt.id)
