"""What follows a hand-off: its outcome (the receipt), the credit to the forwarders
who brought it about, and the recipient's reply to a "not fulfilled".

These are the records trust is computed from (domain/trust_edges.py), so each is
checked here against the one hand-off it speaks of: a member reports only on a
hand-off of theirs, and credits only forwarders on the chain that led to it.
Messages and declines, which change no trust, are in conversation.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import protocol
from p2pshare.errors import UserError
from p2pshare.member.bodies import build
from p2pshare.member.core import MemberCore
from protocol import Credit, Outcome

if TYPE_CHECKING:
    from collections.abc import Iterable

    from p2pshare.domain.ledger import OfferState
    from protocol import Envelope, PublicKey


class ReceiptActions(MemberCore):
    """The member's word on a hand-off (part of `Member`, actions.py)."""

    def outcome(
        self,
        offer: OfferState,
        *,
        fulfilled: bool,
        rating: int = 0,
        value: int = 0,
        to: PublicKey | None = None,
        note: str = "",
    ) -> Envelope:
        """Sign the receipt for a hand-off: mine as author, or my confirmation as recipient."""
        if offer.author == self.member_key:
            handoffs = [h for h in offer.handoffs if to is None or h.to == to]
        else:
            handoffs = [h for h in offer.handoffs if h.to == self.member_key]
        if not handoffs:
            raise UserError("this offer has no hand-off you can report on")
        if len(handoffs) > 1:
            raise UserError("this offer was handed to several members: say which with --to")
        body = build(
            Outcome,
            offer=offer.id,
            handoff=handoffs[0].id,
            fulfilled=fulfilled,
            rating=rating,
            value=value,
            note=note,
        )
        return self._commit(body)

    def credit(
        self, offer: OfferState, forwarders: Iterable[PublicKey], *, to: PublicKey | None = None
    ) -> Envelope:
        """Name the forwarders of my hand-off I credit as connectors (none: withhold it).

        Only members on the chain that brought the offer to the recipient can be
        named; the latest credit counts, and the outcome is left as it is.
        """
        if offer.author != self.member_key:
            raise UserError("only the offer's author can credit its forwarders")
        handoffs = [h for h in offer.handoffs if to is None or h.to == to]
        if not handoffs:
            raise UserError("this offer has no hand-off to credit")
        if len(handoffs) > 1:
            raise UserError("this offer was handed to several members: say which with --to")
        handoff = handoffs[0]
        named = tuple(dict.fromkeys(forwarders))
        if stray := [k for k in named if k not in handoff.forwarders]:
            who = ", ".join(protocol.member_id(k) for k in stray)
            raise UserError(f"not on the chain that brought the offer to its recipient: {who}")
        return self._commit(build(Credit, offer=offer.id, handoff=handoff.id, forwarders=named))

    def trusted_forwarders(
        self, offer: OfferState, *, to: PublicKey | None = None
    ) -> tuple[PublicKey, ...]:
        """The default credit for my hand-off: the forwarders on its chain I have a trust
        path to (an identity nobody I trust vouched for or worked with gets none)."""
        handoffs = [h for h in offer.handoffs if to is None or h.to == to]
        if len(handoffs) != 1:
            return ()
        scores = self.scores()
        return tuple(k for k in handoffs[0].forwarders if scores.get(k, 0.0) > 0.0)

    def reply(self, offer: OfferState, *, note: str, rating: int = 0) -> Envelope:
        """Answer the author's "not fulfilled" about my hand-off: my own outcome says
        fulfilled, with my side in `note`; it travels with the author's outcome."""
        handoff = offer.handoff_to(self.member_key)
        if handoff is None or handoff.outcome is None:
            raise UserError("there is no outcome about your hand-off to reply to")
        if handoff.outcome.fulfilled:
            raise UserError("the author reported it fulfilled: there is nothing to dispute")
        body = build(
            Outcome,
            offer=offer.id,
            handoff=handoff.id,
            fulfilled=True,
            rating=rating,
            value=0,
            note=note,
        )
        return self._commit(body)
