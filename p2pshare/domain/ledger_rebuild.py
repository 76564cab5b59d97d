"""What a rebuild of the ledger changed: the state before, the state after, the delta.

The ledger re-reads every record when member records change whom a key signs
for (ledger.py, attribution.py). Its callers (the member's trust graph, the
app's feed) still want a `LedgerDelta`, as after any apply: which offers,
profiles, vouches and receipts differ. `Snapshot` copies what they read before
the rebuild; `delta` compares it with the state after.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, TypeVar

from p2pshare.domain.ledger_collections import LedgerDelta

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from p2pshare.domain.evidence import Receipt, VouchEdge
    from p2pshare.domain.ledger_views import OfferState, ProfileView
    from protocol import PublicKey, RecordId

_K = TypeVar("_K")
_V = TypeVar("_V")
_by_order = attrgetter("created_at", "id")


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """What a LedgerDelta is made of, copied (the state is emptied in place)."""

    offers: dict[RecordId, OfferState]
    profiles: dict[PublicKey, ProfileView]
    vouches: frozenset[VouchEdge]
    receipts: frozenset[Receipt]
    credit: dict[PublicKey, int]
    rejected: frozenset[RecordId]
    pending: frozenset[RecordId]

    @classmethod
    def of(
        cls,
        *,
        offers: Mapping[RecordId, OfferState],
        profiles: Mapping[PublicKey, ProfileView],
        vouches: Iterable[VouchEdge],
        receipts: Iterable[Receipt],
        credit: Mapping[PublicKey, int],
        rejected: Iterable[RecordId],
        pending: Iterable[RecordId],
    ) -> Snapshot:
        return cls(
            offers=dict(offers),
            profiles=dict(profiles),
            vouches=frozenset(vouches),
            receipts=frozenset(receipts),
            credit=dict(credit),
            rejected=frozenset(rejected),
            pending=frozenset(pending),
        )


def delta(before: Snapshot, after: Snapshot) -> LedgerDelta:
    """The change from `before` to `after`, flagged as a change of members."""
    return LedgerDelta(
        offers=_changed(before.offers, after.offers),
        profiles=_changed(before.profiles, after.profiles),
        vouches_added=tuple(sorted(after.vouches - before.vouches, key=_by_order)),
        vouches_removed=tuple(sorted(before.vouches - after.vouches, key=_by_order)),
        receipts_added=tuple(sorted(after.receipts - before.receipts, key=_by_order)),
        receipts_removed=tuple(sorted(before.receipts - after.receipts, key=_by_order)),
        credit_changed=before.credit != after.credit,
        rejected=after.rejected - before.rejected,
        pending=after.pending - before.pending,
        members_changed=True,
    )


def _changed(before: dict[_K, _V], after: dict[_K, _V]) -> frozenset[_K]:
    return frozenset(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
