"""Return on sharing (DESIGN §2): what a member passed on, and what came back.

A plain function over a Ledger, so every figure is as order-independent as the
ledger it reads. Values are summed per currency: adding euros to dollars would
be a number nobody could use.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from p2pshare.domain.ledger import Ledger, OfferStatus

if TYPE_CHECKING:
    from collections.abc import Mapping

    from protocol import PublicKey


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


def stats(ledger: Ledger, member: PublicKey) -> Stats:
    """The member's return on sharing, from everything in `ledger`. One pass, O(records)."""
    posted = forwarded = handed_off = fulfilled = 0
    direct = accepted = received = fulfilled_by = 0
    value_fulfilled: defaultdict[str, int] = defaultdict(int)
    value_earned: defaultdict[str, int] = defaultdict(int)
    fulfilled_to: Counter[PublicKey] = Counter()
    for state in ledger.offers.values():
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
    )
