"""What the offer ledger shows: everything at one moment (`Ledger`), one offer as it
stands, with its chain, accepts, hand-offs and outcomes, and the newest profile of
a member.

Plain frozen dataclasses, built by the rules (ledger_rules.py) and read by
everyone (views, stats, the member, the app). No logic here beyond small lookups.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from protocol import Offer, Profile, PublicKey, RecordId

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from p2pshare.domain.evidence import Receipt, VouchEdge
    from protocol import Envelope

MAX_CHAIN = 64
"""Most forwards between an offer and its furthest link; longer chains are rejected."""

NETWORK = PublicKey(b"")
"""`Forward.to` of a forward to the whole network rather than one member."""


class OfferStatus(enum.StrEnum):
    OPEN = "open"
    HANDED_OFF = "handed_off"
    FULFILLED = "fulfilled"
    NOT_FULFILLED = "not_fulfilled"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True, kw_only=True)
class ProfileView:
    """The newest profile of a member."""

    id: RecordId
    author: PublicKey
    created_at: int
    profile: Profile


@dataclass(frozen=True, slots=True, kw_only=True)
class ForwardLink:
    """One valid link of an offer's chain; `depth` 1 continues the offer itself."""

    id: RecordId
    author: PublicKey
    parent: RecordId
    to: PublicKey  # NETWORK (b"") for a forward to everyone
    note: str
    private_note: bytes  # sealed to `to`, or b""
    created_at: int
    depth: int


@dataclass(frozen=True, slots=True, kw_only=True)
class AcceptView:
    """The accept that counts for its author (their earliest valid one)."""

    id: RecordId
    author: PublicKey
    via: RecordId  # the offer, or the forward it reached the acceptor through
    note: str
    created_at: int
    chain: tuple[PublicKey, ...]  # authors of the forwards down to `via`, author side first


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeView:
    id: RecordId
    fulfilled: bool
    rating: int  # 0 = none, else 1..5
    value: int
    note: str
    created_at: int


@dataclass(frozen=True, slots=True, kw_only=True)
class HandoffView:
    """A valid hand-off, with the outcome that counts and the recipient's own view."""

    id: RecordId
    to: PublicKey
    accept: RecordId
    created_at: int
    contact: bytes  # sealed to `to`, or b""
    forwarders: tuple[PublicKey, ...]  # the chain to `to`: who may be credited
    credited: tuple[PublicKey, ...]  # whom the author's latest credit names, as in Receipt
    outcome: OutcomeView | None  # the author's latest outcome: the one that counts
    confirmation: OutcomeView | None  # the recipient's latest outcome, if any
    confirmed: bool  # the recipient's confirmation agrees on `fulfilled`


@dataclass(frozen=True, slots=True, kw_only=True)
class WithdrawView:
    id: RecordId
    reason: str
    created_at: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OfferState:
    """One offer as it stands: its valid chain, accepts, hand-offs and outcomes.

    Tuples are in (created_at, id) order.
    """

    id: RecordId
    author: PublicKey
    offer: Offer
    created_at: int
    status: OfferStatus
    forwards: tuple[ForwardLink, ...]
    accepts: tuple[AcceptView, ...]
    handoffs: tuple[HandoffView, ...]
    withdrawn: WithdrawView | None
    value: int  # sum of the outcome values of fulfilled hand-offs

    def accepted_by(self, member: PublicKey) -> AcceptView | None:
        return next((a for a in self.accepts if a.author == member), None)

    def handoff_to(self, member: PublicKey) -> HandoffView | None:
        return next((h for h in self.handoffs if h.to == member), None)

    def forwarded_to(self, member: PublicKey) -> tuple[ForwardLink, ...]:
        """Forwards directed to `member` (not those to the whole network)."""
        return tuple(link for link in self.forwards if link.to == member)

    def forwarded_by(self, member: PublicKey) -> tuple[ForwardLink, ...]:
        return tuple(link for link in self.forwards if link.author == member)

    def path(self, link_id: RecordId) -> tuple[ForwardLink, ...]:
        """The links from the offer down to `link_id` (empty for the offer itself)."""
        links = {link.id: link for link in self.forwards}
        path: list[ForwardLink] = []
        while (link := links.get(link_id)) is not None:
            path.append(link)
            link_id = link.parent
        return tuple(reversed(path))

    def chain_to(self, member: PublicKey) -> tuple[ForwardLink, ...]:
        """How the offer reached `member`: the path to their accept's `via` if they
        accepted, else to the earliest forward directed to them; empty if neither."""
        if (accept := self.accepted_by(member)) is not None:
            return self.path(accept.via)
        if direct := self.forwarded_to(member):
            return self.path(direct[0].id)
        return ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Ledger:
    """Everything derived from one set of records at one moment (`now`).

    From `LedgerState.ledger(now)` the mappings are live views of the state: they
    show later applies too (do not read them while another thread applies). The
    tuples are fixed when the Ledger is made. Mappings iterate in a fixed order:
    offers, rejected and pending by their record's (created_at, id), revoked by the
    revoke's, profiles and connector_credit by key.
    """

    now: int
    offers: Mapping[RecordId, OfferState]
    profiles: Mapping[PublicKey, ProfileView]
    vouches: tuple[VouchEdge, ...]  # live: unrevoked, the newest per voucher and subject
    revoked: Mapping[RecordId, RecordId]  # vouch -> the (earliest) revoke that took it back
    receipts: tuple[Receipt, ...]  # one per hand-off with a counted outcome
    connector_credit: Mapping[PublicKey, int]  # fulfilled hand-offs a member forwarded on
    rejected: Mapping[RecordId, str]  # record -> why it is kept out of the state
    pending: Mapping[RecordId, RecordId]  # record -> the missing record it waits for

    @classmethod
    def build(cls, records: Iterable[Envelope], *, now: int) -> Ledger:
        """A full rebuild: a fresh state with every record applied."""
        from p2pshare.domain.ledger import LedgerState  # the state builds the view

        state = LedgerState(now=now)
        state.apply(records)
        return state.ledger(now)
