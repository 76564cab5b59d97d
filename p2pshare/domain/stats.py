"""Return on sharing (DESIGN §2): what a member passed on, and what came back.

A plain function over a Ledger, so every figure is as order-independent as the
ledger it reads. Values are summed per currency: adding euros to dollars would
be a number nobody could use. Besides the totals, the same figures by month and
by peer (`Figures`), for the profile's charts: a month is the UTC calendar month
of the signed date of what it counts, so every member's copy draws the same chart.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import protocol
from p2pshare.domain.ledger import NETWORK, Ledger, OfferStatus

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from p2pshare.domain.ledger_views import HandoffView, OfferState
    from protocol import PublicKey


@dataclass(frozen=True, slots=True, kw_only=True)
class Figures:
    """What went out and what came back, over one month or between the member and one peer."""

    passed: int  # offers the member passed on (by month) or passed to the peer
    fulfilled: int  # fulfilled hand-offs of those: of the member's offers, or credited to them
    value: Mapping[str, int]  # currency -> outcome values of those fulfilled hand-offs
    came_back: int  # offers forwarded directly or handed off to the member (by the peer)
    earned: Mapping[str, int]  # currency -> outcome values of fulfilled hand-offs to the member


@dataclass(frozen=True, slots=True, kw_only=True)
class Stats:
    member: PublicKey
    # what the member passed on
    offers_posted: int
    offers_forwarded: int  # distinct offers (anyone's) with a valid forward by the member
    offers_handed_off: int  # own offers with at least one hand-off
    offers_fulfilled: int  # own offers whose status is fulfilled
    value_fulfilled: Mapping[str, int]  # currency -> outcome values of own fulfilled hand-offs
    fulfilled_to: Mapping[PublicKey, int]  # member -> fulfilled hand-offs of own offers
    connector_credit: int  # fulfilled hand-offs the member was a forwarder on
    # what came back
    forwarded_to_member: int  # distinct offers forwarded directly to the member
    offers_accepted: int
    handoffs_received: int
    fulfilled_by_member: int  # hand-offs to the member whose counted outcome is fulfilled
    value_earned: Mapping[str, int]  # currency -> outcome values of those
    # the same, broken down; only months and peers with something to count, in order
    by_month: Mapping[str, Figures]  # "2023-11" -> figures, oldest first
    by_peer: Mapping[PublicKey, Figures]


def month_of(unix_seconds: int) -> str:
    """'2023-11': the UTC calendar month of a signed date."""
    return datetime.fromtimestamp(unix_seconds, tz=UTC).strftime("%Y-%m")


@dataclass(slots=True)
class _Tally:
    """Figures while they are being counted: sets of offers, so each counts once."""

    passed: set[bytes] = field(default_factory=set)  # offer ids
    fulfilled: int = 0
    value: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    came_back: set[bytes] = field(default_factory=set)
    earned: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))

    def figures(self) -> Figures:
        return Figures(
            passed=len(self.passed),
            fulfilled=self.fulfilled,
            value=MappingProxyType(dict(sorted(self.value.items()))),
            came_back=len(self.came_back),
            earned=MappingProxyType(dict(sorted(self.earned.items()))),
        )


class _Breakdown:
    """The by-month and by-peer tallies of one member, filled offer by offer."""

    def __init__(self, member: PublicKey) -> None:
        self.member = member
        self.months: defaultdict[str, _Tally] = defaultdict(_Tally)
        self.peers: defaultdict[PublicKey, _Tally] = defaultdict(_Tally)

    def add(self, state: OfferState) -> None:
        member, offer = self.member, bytes(state.id)
        mine = state.author == member
        passed = [link.created_at for link in state.forwards if link.author == member]
        passed += [state.created_at] if mine else []
        back = [link.created_at for link in state.forwards if link.to == member]
        back += [h.created_at for h in state.handoffs if h.to == member and not mine]
        # each offer counted once, in the month the member first passed it on or got it
        if passed:
            self.months[month_of(min(passed))].passed.add(offer)
        if back:
            self.months[month_of(min(back))].came_back.add(offer)
        for link in state.forwards:
            if link.author == member and link.to not in (member, NETWORK):
                self.peers[link.to].passed.add(offer)
            if link.to == member and link.author != member:
                self.peers[link.author].came_back.add(offer)
        for handoff in state.handoffs:
            self._handoff(state, handoff)

    def _handoff(self, state: OfferState, handoff: HandoffView) -> None:
        member, offer, currency = self.member, bytes(state.id), state.offer.currency
        mine = state.author == member
        if mine and handoff.to != member:
            self.peers[handoff.to].passed.add(offer)
        if handoff.to == member and not mine:
            self.peers[state.author].came_back.add(offer)
        outcome = handoff.outcome
        if outcome is None or not outcome.fulfilled:
            return
        month = self.months[month_of(outcome.created_at)]
        if handoff.to == member:
            month.earned[currency] += outcome.value
            if not mine:
                self.peers[state.author].earned[currency] += outcome.value
        if mine or member in handoff.credited:
            month.fulfilled += 1
            month.value[currency] += outcome.value
            if handoff.to != member:
                peer = self.peers[handoff.to]
                peer.fulfilled += 1
                peer.value[currency] += outcome.value

    def by_month(self) -> Mapping[str, Figures]:
        return MappingProxyType({m: t.figures() for m, t in sorted(self.months.items())})

    def by_peer(self) -> Mapping[PublicKey, Figures]:
        return MappingProxyType({k: t.figures() for k, t in sorted(self.peers.items())})


def stats(ledger: Ledger, member: PublicKey) -> Stats:
    """The member's return on sharing, from everything in `ledger`. One pass, O(records)."""
    posted = forwarded = handed_off = fulfilled = 0
    direct = accepted = received = fulfilled_by = 0
    value_fulfilled: defaultdict[str, int] = defaultdict(int)
    value_earned: defaultdict[str, int] = defaultdict(int)
    fulfilled_to: Counter[PublicKey] = Counter()
    breakdown = _Breakdown(member)
    for state in ledger.offers.values():
        breakdown.add(state)
        currency = state.offer.currency
        if state.author == member:
            posted += 1
            handed_off += bool(state.handoffs)
            fulfilled += state.status is OfferStatus.FULFILLED
            for handoff in state.handoffs:
                if handoff.outcome is not None and handoff.outcome.fulfilled:
                    fulfilled_to[handoff.to] += 1
                    value_fulfilled[currency] += handoff.outcome.value
        forwarded += any(link.author == member for link in state.forwards)
        direct += any(link.to == member for link in state.forwards)
        accepted += any(accept.author == member for accept in state.accepts)
        for handoff in state.handoffs:
            if handoff.to != member:
                continue
            received += 1
            if handoff.outcome is not None and handoff.outcome.fulfilled:
                fulfilled_by += 1
                value_earned[currency] += handoff.outcome.value
    return Stats(
        member=member,
        offers_posted=posted,
        offers_forwarded=forwarded,
        offers_handed_off=handed_off,
        offers_fulfilled=fulfilled,
        value_fulfilled=MappingProxyType(dict(sorted(value_fulfilled.items()))),
        fulfilled_to=MappingProxyType(dict(sorted(fulfilled_to.items()))),
        connector_credit=ledger.connector_credit.get(member, 0),
        forwarded_to_member=direct,
        offers_accepted=accepted,
        handoffs_received=received,
        fulfilled_by_member=fulfilled_by,
        value_earned=MappingProxyType(dict(sorted(value_earned.items()))),
        by_month=breakdown.by_month(),
        by_peer=breakdown.by_peer(),
    )


def breakdown_report(s: Stats, name: Callable[[PublicKey], str]) -> dict[str, Any]:
    """`by_month` and `by_peer` as plain JSON, for views.stats_report: months oldest first,
    peers with the most between them and the member first."""

    def plain(f: Figures) -> dict[str, Any]:
        return {
            "passed": f.passed,
            "fulfilled": f.fulfilled,
            "value": dict(f.value),
            "came_back": f.came_back,
            "earned": dict(f.earned),
        }

    def weight(key: PublicKey) -> tuple[int, str, bytes]:
        f = s.by_peer[key]
        return (-(f.passed + f.fulfilled + f.came_back), name(key).casefold(), bytes(key))

    return {
        "by_month": [{"month": m, **plain(f)} for m, f in s.by_month.items()],
        "by_peer": [
            {"id": protocol.member_id(k), "name": name(k), **plain(s.by_peer[k])}
            for k in sorted(s.by_peer, key=weight)
        ],
    }
