"""One member's view at one moment (`Viewpoint`), and who it knows of.

Every view (views.py, peer_views.py, activity.py, trust_report.py) is a pure
function of a Viewpoint, so it lives apart from all of them: the member builds
it (p2pshare.member.core), they only read it. Here too the one member-id cache
the views share, since a feed of 100,000 offers names a few hundred members.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import protocol
from p2pshare.domain.ledger import NETWORK

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from p2pshare.domain.ledger import Ledger, OfferState
    from p2pshare.domain.trust import TrustGraph
    from protocol import PublicKey, RecordId


@lru_cache(maxsize=16_384)
def member_id(key: PublicKey) -> str:
    """A member id; cached, as a feed of 100,000 offers names a few hundred authors."""
    return protocol.member_id(key) if key else ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Viewpoint:
    """One member's view at one moment: what every function here reads.

    Built by the member (p2pshare.member.actions.Member.viewpoint); the two
    callables open what is sealed to the member, whose keys stay over there.
    """

    me: PublicKey
    now: int
    ledger: Ledger
    trust: TrustGraph
    scores: Mapping[PublicKey, float]
    my_skills: tuple[str, ...]
    muted: frozenset[PublicKey] = frozenset()
    blocked: frozenset[PublicKey] = frozenset()
    open_contact: Callable[[OfferState], str] = lambda state: ""
    open_note: Callable[[OfferState, RecordId], str] = lambda state, link: ""
    # The keys that sign for a member now (its root, its devices): one for most.
    devices: Callable[[PublicKey], tuple[PublicKey, ...]] = lambda member: (member,)
    # The member a key signs for (records the ledger did not read: messages, declines).
    member_of: Callable[[PublicKey], PublicKey] = lambda key: key


def known_members(ledger: Ledger, me: PublicKey) -> set[PublicKey]:
    """Everyone the ledger names: profiles, authors, forwarders, accepters, vouchers."""
    known = set(ledger.profiles)
    for state in ledger.offers.values():
        known.add(state.author)
        known.update(link.author for link in state.forwards)
        known.update(link.to for link in state.forwards if link.to != NETWORK)
        known.update(accept.author for accept in state.accepts)
    for edge in ledger.vouches:
        known.update((edge.voucher, edge.subject))
    known.discard(me)
    return known
