"""The ledger's offers kept in (created_at, id) order, cheaply, as they arrive.

Most offers arrive newest last (a first load reads them in order, gossip brings
new ones), so an offer is added at the end of the dict and nothing is sorted.
One that arrives older than the newest is noted as late; when the offers are
next read in order, only the offers newer than the oldest late one are taken
out from the end and put back merged with them: O(those), not O(offers).
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from p2pshare.domain.ledger_views import OfferState
    from protocol import RecordId

_rank = attrgetter("created_at", "id")


class OfferOrder:
    """Keeps `offers` (the ledger's dict, filled by it) in order on reading."""

    __slots__ = ("_late", "_newest", "offers")

    def __init__(self, offers: dict[RecordId, OfferState]) -> None:
        self.offers = offers
        self._newest: tuple[int, bytes] = (-1, b"")
        self._late: dict[RecordId, None] = {}  # offers that arrived older than the newest

    def added(self, key: RecordId, offer: OfferState) -> None:
        """`offer` was just put at the end of `offers`."""
        rank = (offer.created_at, key)
        if rank < self._newest:
            self._late[key] = None
        else:
            self._newest = rank

    def clear(self) -> None:
        """`offers` was emptied."""
        self._newest = (-1, b"")
        self._late.clear()

    def sort(self) -> None:
        """Put `offers` back in order, if late ones arrived since the last read."""
        if not self._late:
            return
        offers, late = self.offers, self._late
        moving = [offers[rid] for rid in late]
        lowest, most = min(map(_rank, moving)), max(1024, len(offers) // 16)
        for rid in reversed(offers):  # in order, late ones aside: stop at the first lower
            if rid not in late:
                if _rank(offers[rid]) < lowest:
                    break
                moving.append(offers[rid])
                if len(moving) > most:  # far back: one sort of everything is cheaper
                    ordered = sorted(offers.values(), key=_rank)
                    offers.clear()
                    offers.update({offer.id: offer for offer in ordered})
                    late.clear()
                    return
        for offer in moving:
            del offers[offer.id]
        offers.update({offer.id: offer for offer in sorted(moving, key=_rank)})
        late.clear()
