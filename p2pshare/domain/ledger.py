"""The offer ledger: everything a member sees, derived from a set of signed records.

Pure (DESIGN §3): no I/O and no clock, `now` is an argument. Order-independent:
records are deduplicated by id and every rule is applied in (created_at, id)
order, so two nodes holding the same records derive the same ledger whatever
order the records arrived in.

Each record ends in exactly one place: in the state, superseded by a newer
record of the same author (profiles, vouches, outcomes), `pending` on a record
that has not arrived yet, or `rejected` with a reason a person can read. The
trust engine gets only what survived, as evidence.VouchEdge and evidence.Receipt.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeVar

from p2pshare.domain.evidence import Receipt, VouchEdge
from protocol import (
    Accept,
    Envelope,
    Forward,
    Handoff,
    Offer,
    Outcome,
    Profile,
    PublicKey,
    RecordId,
    Revoke,
    Vouch,
    Withdraw,
)

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
    forwarders: tuple[PublicKey, ...]  # who earns connector credit, as in Receipt
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
    """Everything derived from one set of records at one moment (`now`)."""

    now: int
    offers: Mapping[RecordId, OfferState]  # in (created_at, id) order
    profiles: Mapping[PublicKey, ProfileView]
    vouches: tuple[VouchEdge, ...]  # live: unrevoked, the newest per voucher and subject
    revoked: Mapping[RecordId, RecordId]  # vouch -> the (earliest) revoke that took it back
    receipts: tuple[Receipt, ...]  # one per hand-off with a counted outcome
    connector_credit: Mapping[PublicKey, int]  # fulfilled hand-offs a member forwarded on
    rejected: Mapping[RecordId, str]  # record -> why it is kept out of the state
    pending: Mapping[RecordId, RecordId]  # record -> the missing record it waits for

    @classmethod
    def build(cls, records: Iterable[Envelope], *, now: int) -> Ledger:
        return _Derivation(records).ledger(now)


def _short(record: RecordId) -> str:
    return record.hex()[:8]


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def _order(env: Envelope) -> tuple[int, bytes]:
    return (env.created_at, env.id)


_B = TypeVar("_B", Offer, Forward, Accept, Handoff, Vouch)


@dataclass(slots=True)
class _Handed:
    """A valid hand-off while the derivation runs; outcomes are filled in later."""

    env: Envelope
    body: Handoff
    forwarders: tuple[PublicKey, ...]
    outcome: Envelope | None = None
    confirmation: Envelope | None = None


class _Derivation:
    """One pass over a record set. Phases run kind by kind, so a record is checked
    only after everything it may refer to has been decided."""

    def __init__(self, records: Iterable[Envelope]) -> None:
        unique = {env.id: env for env in records}
        self.by_id = unique
        self.sorted = sorted(unique.values(), key=_order)
        self.rejected: dict[RecordId, str] = {}
        self.pending: dict[RecordId, RecordId] = {}
        self.withdraws: dict[RecordId, Envelope] = {}  # offer -> the withdraw that counts
        self.links: dict[RecordId, ForwardLink] = {}
        self.link_offer: dict[RecordId, RecordId] = {}
        self.accepts: dict[RecordId, AcceptView] = {}
        self.accept_offer: dict[RecordId, RecordId] = {}
        self.handoffs: dict[RecordId, _Handed] = {}

    # -- references -------------------------------------------------------

    def _reject(self, env: Envelope, reason: str) -> None:
        self.rejected[env.id] = f"{env.body.NAME}: {reason}"

    def _ref(self, env: Envelope, target: RecordId, cls: type[_B], what: str) -> _B | None:
        """The body of the record `env` refers to, if it stands; else file `env` as
        pending (the target is missing, or waits itself) or rejected, and return None."""
        ref = self.by_id.get(target)
        if ref is None:
            self.pending[env.id] = target
            return None
        if not isinstance(ref.body, cls):
            found, wanted = _a(ref.body.NAME), _a(cls.NAME)
            self._reject(env, f"its {what} {_short(target)} is {found}, not {wanted}")
            return None
        if (missing := self.pending.get(target)) is not None:
            self.pending[env.id] = missing  # wait for what the target waits for
            return None
        if target in self.rejected:
            self._reject(env, f"its {what} {_short(target)} was rejected")
            return None
        return ref.body

    def _offer(self, env: Envelope, offer_id: RecordId) -> Envelope | None:
        if self._ref(env, offer_id, Offer, "offer") is None:
            return None
        return self.by_id[offer_id]

    def _closed(self, env: Envelope, offer: Envelope, body: Offer) -> bool:
        """Reject `env` if it came after the offer was withdrawn or expired."""
        withdraw = self.withdraws.get(offer.id)
        if withdraw is not None and withdraw.created_at <= env.created_at:
            self._reject(env, "the offer had been withdrawn")
            return True
        if env.created_at > body.expires_at:
            self._reject(env, "the offer had expired")
            return True
        return False

    def _dated_before(self, env: Envelope, target: RecordId, what: str) -> bool:
        """Reject `env` if its date is before that of a record it names (a skewed clock)."""
        if env.created_at < self.by_id[target].created_at:
            self._reject(env, f"dated before its {what}")
            return True
        return False

    # -- phases -----------------------------------------------------------

    def _withdraw(self, env: Envelope, body: Withdraw) -> None:
        offer = self._offer(env, body.offer)
        if offer is None:
            return
        if env.author != offer.author:
            self._reject(env, "only the offer's author can withdraw it")
        elif offer.id in self.withdraws:
            self._reject(env, "the offer was already withdrawn")
        elif not self._dated_before(env, offer.id, "offer"):
            self.withdraws[offer.id] = env

    def _forward_tree(self, env: Envelope) -> None:
        """Decide `env` and any undecided forwards above it, parents first.

        Iterative, so a hostile chain cannot exhaust the stack; the walk stops at
        the first decided or non-forward record, and a revisited id is a loop.
        """
        path = [env]
        seen = {env.id}
        while True:
            body = path[-1].body
            assert isinstance(body, Forward)
            parent = self.by_id.get(body.parent)
            if parent is None or not isinstance(parent.body, Forward) or self._decided(parent.id):
                break
            if parent.id in seen:
                for looped in path:
                    self._reject(looped, "its chain loops")
                return
            seen.add(parent.id)
            path.append(parent)
        for link in reversed(path):
            body = link.body
            assert isinstance(body, Forward)
            self._forward(link, body)

    def _decided(self, record: RecordId) -> bool:
        return record in self.links or record in self.rejected or record in self.pending

    def _forward(self, env: Envelope, body: Forward) -> None:
        if body.to == env.author:
            self._reject(env, "a member cannot forward to themselves")
            return
        offer = self._offer(env, body.offer)
        if offer is None:
            return
        assert isinstance(offer.body, Offer)
        if body.parent == body.offer:
            depth = 1
        else:
            if self._ref(env, body.parent, Forward, "parent") is None:
                return
            parent = self.links[body.parent]
            if self.link_offer[parent.id] != body.offer:
                self._reject(env, "its parent forward belongs to another offer")
                return
            if parent.to not in (NETWORK, env.author):
                self._reject(env, "its parent was forwarded to someone else")
                return
            depth = parent.depth + 1
            if depth > MAX_CHAIN:
                self._reject(env, f"the chain is longer than {MAX_CHAIN} forwards")
                return
        if self._dated_before(env, body.parent, "parent") or self._closed(env, offer, offer.body):
            return
        self.links[env.id] = ForwardLink(
            id=env.id,
            author=env.author,
            parent=body.parent,
            to=body.to,
            note=body.note,
            private_note=body.private_note,
            created_at=env.created_at,
            depth=depth,
        )
        self.link_offer[env.id] = body.offer

    def _chain(self, via: RecordId) -> tuple[PublicKey, ...]:
        authors: list[PublicKey] = []
        while (link := self.links.get(via)) is not None:
            authors.append(link.author)
            via = link.parent
        return tuple(reversed(authors))

    def _accept(self, env: Envelope, body: Accept, taken: set[tuple[RecordId, bytes]]) -> None:
        offer = self._offer(env, body.offer)
        if offer is None:
            return
        assert isinstance(offer.body, Offer)
        if env.author == offer.author:
            self._reject(env, "the offer's author cannot accept their own offer")
            return
        if body.via != body.offer:
            if self._ref(env, body.via, Forward, "forward") is None:
                return
            link = self.links[body.via]
            if self.link_offer[link.id] != body.offer:
                self._reject(env, "it came via a forward of another offer")
                return
            if link.to not in (NETWORK, env.author):
                self._reject(env, "it came via a forward to someone else")
                return
        if self._dated_before(env, body.via, "forward" if body.via != body.offer else "offer"):
            return
        if self._closed(env, offer, offer.body):
            return
        if (body.offer, env.author) in taken:
            self._reject(env, "already accepted by this member")
            return
        taken.add((body.offer, env.author))
        self.accepts[env.id] = AcceptView(
            id=env.id,
            author=env.author,
            via=body.via,
            note=body.note,
            created_at=env.created_at,
            chain=self._chain(body.via),
        )
        self.accept_offer[env.id] = body.offer

    def _handoff(self, env: Envelope, body: Handoff, given: set[tuple[RecordId, bytes]]) -> None:
        offer = self._offer(env, body.offer)
        if offer is None:
            return
        assert isinstance(offer.body, Offer)
        if env.author != offer.author:
            self._reject(env, "only the offer's author can hand it off")
            return
        accept = self._ref(env, body.accept, Accept, "accept")
        if accept is None:
            return
        if self.accept_offer[body.accept] != body.offer:
            self._reject(env, "its accept is for another offer")
            return
        if self.accepts[body.accept].author != body.to:
            self._reject(env, "it goes to someone other than the member who accepted")
            return
        if self._dated_before(env, body.accept, "accept") or self._closed(env, offer, offer.body):
            return
        if (body.offer, body.to) in given:
            self._reject(env, "the offer was already handed off to this member")
            return
        given.add((body.offer, body.to))
        chain = self.accepts[body.accept].chain
        forwarders = tuple(dict.fromkeys(k for k in chain if k not in (offer.author, body.to)))
        self.handoffs[env.id] = _Handed(env=env, body=body, forwarders=forwarders)

    def _outcome(self, env: Envelope, body: Outcome) -> None:
        offer = self._offer(env, body.offer)
        if offer is None:
            return
        if self._ref(env, body.handoff, Handoff, "hand-off") is None:
            return
        handed = self.handoffs[body.handoff]
        if handed.body.offer != body.offer:
            self._reject(env, "its hand-off is of another offer")
            return
        if self._dated_before(env, body.handoff, "hand-off"):
            return
        if env.author == offer.author:
            handed.outcome = env  # records run oldest first: the latest one counts
        elif env.author == handed.body.to:
            handed.confirmation = env
        else:
            self._reject(env, "only the offer's author or the hand-off's recipient can report it")

    def _vouches(self) -> tuple[tuple[VouchEdge, ...], dict[RecordId, RecordId]]:
        vouches: list[Envelope] = []
        revoked: dict[RecordId, RecordId] = {}
        for env in self.sorted:
            body = env.body
            if isinstance(body, Vouch):
                if body.subject == env.author:
                    self._reject(env, "a member cannot vouch for themselves")
                else:
                    vouches.append(env)
        for env in self.sorted:
            body = env.body
            if not isinstance(body, Revoke) or self._ref(env, body.vouch, Vouch, "vouch") is None:
                continue
            if env.author != self.by_id[body.vouch].author:
                self._reject(env, "only the vouch's author can revoke it")
            elif not self._dated_before(env, body.vouch, "vouch"):
                revoked.setdefault(body.vouch, env.id)
        newest: dict[tuple[bytes, bytes], VouchEdge] = {}
        for env in vouches:
            body = env.body
            assert isinstance(body, Vouch)
            if env.id not in revoked:
                newest[(env.author, body.subject)] = VouchEdge(
                    id=env.id,
                    voucher=env.author,
                    subject=body.subject,
                    skills=body.skills,
                    created_at=env.created_at,
                )
        edges = sorted(newest.values(), key=lambda e: (e.created_at, e.id))
        return tuple(edges), revoked

    # -- assembly ---------------------------------------------------------

    def ledger(self, now: int) -> Ledger:
        profiles: dict[PublicKey, ProfileView] = {}
        for env in self.sorted:
            if isinstance(env.body, Profile):
                profiles[env.author] = ProfileView(
                    id=env.id, author=env.author, created_at=env.created_at, profile=env.body
                )
        vouches, revoked = self._vouches()
        for env in self.sorted:
            if isinstance(env.body, Withdraw):
                self._withdraw(env, env.body)
        for env in self.sorted:
            if isinstance(env.body, Forward) and not self._decided(env.id):
                self._forward_tree(env)
        taken: set[tuple[RecordId, bytes]] = set()
        for env in self.sorted:
            if isinstance(env.body, Accept):
                self._accept(env, env.body, taken)
        given: set[tuple[RecordId, bytes]] = set()
        for env in self.sorted:
            if isinstance(env.body, Handoff):
                self._handoff(env, env.body, given)
        for env in self.sorted:
            if isinstance(env.body, Outcome):
                self._outcome(env, env.body)

        offers, receipts, credit = self._offers(now)
        rank = {env.id: i for i, env in enumerate(self.sorted)}
        return Ledger(
            now=now,
            offers=MappingProxyType(offers),
            profiles=MappingProxyType(dict(sorted(profiles.items()))),
            vouches=vouches,
            revoked=MappingProxyType(revoked),
            receipts=tuple(receipts),
            connector_credit=MappingProxyType(dict(sorted(credit.items()))),
            rejected=MappingProxyType(
                dict(sorted(self.rejected.items(), key=lambda i: rank[i[0]]))
            ),
            pending=MappingProxyType(dict(sorted(self.pending.items(), key=lambda i: rank[i[0]]))),
        )

    def _offers(
        self, now: int
    ) -> tuple[dict[RecordId, OfferState], list[Receipt], dict[PublicKey, int]]:
        forwards: defaultdict[RecordId, list[ForwardLink]] = defaultdict(list)
        for link in self.links.values():
            forwards[self.link_offer[link.id]].append(link)
        accepts: defaultdict[RecordId, list[AcceptView]] = defaultdict(list)
        for accept in self.accepts.values():
            accepts[self.accept_offer[accept.id]].append(accept)
        handoffs: defaultdict[RecordId, list[_Handed]] = defaultdict(list)
        for handed in self.handoffs.values():
            handoffs[handed.body.offer].append(handed)

        offers: dict[RecordId, OfferState] = {}
        receipts: list[Receipt] = []
        credit: defaultdict[PublicKey, int] = defaultdict(int)
        for env in self.sorted:
            body = env.body
            if not isinstance(body, Offer):
                continue
            views = []
            for handed in handoffs.get(env.id, ()):
                outcome = _outcome_view(handed.outcome)
                confirmation = _outcome_view(handed.confirmation)
                views.append(
                    HandoffView(
                        id=handed.env.id,
                        to=handed.body.to,
                        accept=handed.body.accept,
                        created_at=handed.env.created_at,
                        contact=handed.body.contact,
                        forwarders=handed.forwarders,
                        outcome=outcome,
                        confirmation=confirmation,
                        confirmed=outcome is not None
                        and confirmation is not None
                        and outcome.fulfilled == confirmation.fulfilled,
                    )
                )
                if outcome is None:
                    continue
                receipts.append(
                    Receipt(
                        id=outcome.id,
                        offer=env.id,
                        author=env.author,
                        fulfiller=handed.body.to,
                        forwarders=handed.forwarders,
                        fulfilled=outcome.fulfilled,
                        rating=outcome.rating,
                        created_at=outcome.created_at,
                    )
                )
                if outcome.fulfilled:
                    for member in handed.forwarders:
                        credit[member] += 1
            withdraw = self.withdraws.get(env.id)
            offers[env.id] = OfferState(
                id=env.id,
                author=env.author,
                offer=body,
                created_at=env.created_at,
                status=_status(views, withdraw is not None, now > body.expires_at),
                forwards=tuple(forwards.get(env.id, ())),
                accepts=tuple(accepts.get(env.id, ())),
                handoffs=tuple(views),
                withdrawn=_withdraw_view(withdraw),
                value=sum(h.outcome.value for h in views if h.outcome and h.outcome.fulfilled),
            )
        receipts.sort(key=lambda r: (r.created_at, r.id))
        return offers, receipts, credit


def _outcome_view(env: Envelope | None) -> OutcomeView | None:
    if env is None:
        return None
    body = env.body
    assert isinstance(body, Outcome)
    return OutcomeView(
        id=env.id,
        fulfilled=body.fulfilled,
        rating=body.rating,
        value=body.value,
        note=body.note,
        created_at=env.created_at,
    )


def _withdraw_view(env: Envelope | None) -> WithdrawView | None:
    if env is None:
        return None
    assert isinstance(env.body, Withdraw)
    return WithdrawView(id=env.id, reason=env.body.reason, created_at=env.created_at)


def _status(handoffs: list[HandoffView], withdrawn: bool, expired: bool) -> OfferStatus:
    if handoffs:
        if any(h.outcome is not None and h.outcome.fulfilled for h in handoffs):
            return OfferStatus.FULFILLED
        if all(h.outcome is not None for h in handoffs):
            return OfferStatus.NOT_FULFILLED
        return OfferStatus.HANDED_OFF
    if withdrawn:
        return OfferStatus.WITHDRAWN
    if expired:
        return OfferStatus.EXPIRED
    return OfferStatus.OPEN
