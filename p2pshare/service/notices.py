"""What a member wants to be told about new records: a toast in the app.

A forward or a hand-off to them, an accept of their offer, an outcome of a job
handed to them; their own records and what does not concern them, nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import protocol
from p2pshare.events import ClockSkew, Notice
from protocol import Accept, Forward, Handoff, Outcome, RecordId

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from p2pshare.member.actions import Member
    from protocol import Envelope, PublicKey

TRUSTED_PEERS = 256  # members the node keeps connections to first (see trusted_ids)


def notices_for(member: Member, fresh: Iterable[Envelope]) -> list[Notice]:
    """The notices new records call for, in the order they came."""
    me = member.member_key  # records are about members, whichever device signed
    ledger = member.ledger()
    notices: list[Notice] = []
    for env in fresh:
        body = env.body
        offer_id: RecordId | None = getattr(body, "offer", None)
        if env.kind == protocol.Offer.KIND:
            offer_id = env.id
        author = member.member_of(env.author)
        if author == me or offer_id is None:
            continue
        state = ledger.offers.get(offer_id)
        if state is None:
            continue
        who, title = member.name_of(author), state.offer.title
        if isinstance(body, Forward) and member.member_of(body.to) == me:
            notices.append(Notice(text=f"{who} forwarded you “{title}”", offer=offer_id))
        elif isinstance(body, Handoff) and member.member_of(body.to) == me:
            notices.append(Notice(text=f"{who} handed you “{title}”", offer=offer_id))
        elif isinstance(body, Accept) and state.author == me:
            notices.append(Notice(text=f"{who} accepted your offer “{title}”", offer=offer_id))
        elif isinstance(body, Outcome) and state.handoff_to(me) is not None:
            word = "fulfilled" if body.fulfilled else "not fulfilled"
            notices.append(Notice(text=f"{who} reported “{title}”: {word}", offer=offer_id))
    return notices


def trusted_ids(scores: Mapping[PublicKey, float]) -> frozenset[str]:
    """The member ids of the most trusted members (trust > 0): the node keeps them
    connected when it trims, and never lets strangers crowd them out."""
    best = sorted((s, k) for k, s in scores.items() if s > 0)[-TRUSTED_PEERS:]
    return frozenset(protocol.member_id(key) for _, key in best)


def clock_notice(skew: ClockSkew) -> Notice:
    """Tell a member whose clock looks wrong: peers hold their records dated ahead."""
    minutes = abs(skew.offset) // 60
    way = "slow" if skew.offset > 0 else "fast"
    return Notice(
        text=f"Your clock looks {minutes} min {way} (records of {skew.authors} members"
        " say so): set it right, or peers will hold what you post until its time comes",
        severity="warning",
    )
