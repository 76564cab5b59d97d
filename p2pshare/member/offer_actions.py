"""An offer's way through the network, as one member acts on it: post, forward,
accept, hand off, withdraw.

Each signs one record through `MemberCore._commit`. A forward or an accept
continues the chain by which the offer reached this member; private text (a
forward's note to one member, the contact handed to whoever takes the job) is
sealed to its one reader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import protocol
from p2pshare.domain.ledger import NETWORK
from p2pshare.errors import UserError
from p2pshare.member import sealing
from p2pshare.member.bodies import build, parse_value
from p2pshare.member.core import MemberCore
from protocol import Accept, Forward, Handoff, Offer, Withdraw

if TYPE_CHECKING:
    from collections.abc import Iterable

    from p2pshare.domain.ledger import OfferState
    from protocol import Envelope, PublicKey, RecordId

DAY = 86_400


class OfferActions(MemberCore):
    """The member's actions along an offer's chain (part of `Member`, actions.py)."""

    def post_offer(
        self,
        *,
        title: str,
        description: str = "",
        skills: Iterable[str] = (),
        region: str = "",
        remote: bool = False,
        value: str | tuple[int, str] = "",
        expires_days: int = 30,
        contact: str = "",
    ) -> Envelope:
        amount, currency = parse_value(value) if isinstance(value, str) else value
        if expires_days < 1:
            raise UserError("an offer must stay open at least one day (--expires 1 or more)")
        now = self.now()
        sealed = b""
        if contact:
            sealed = sealing.seal_text(
                contact,
                self.identity.seal_public,
                protocol.offer_contact_context(self.member_key, now),
            )
        body = build(
            Offer,
            title=title.strip(),
            description=description,
            skills=protocol.normalize_skills(skills),
            region=region.strip(),
            remote=remote,
            value=amount,
            currency=currency,
            expires_at=now + expires_days * DAY,
            contact=sealed,
        )
        return self._commit(body, created_at=now)  # the date the contact was sealed for

    def _reached_me(self, state: OfferState) -> RecordId:
        """Where my forward or accept continues the chain: how the offer reached me."""
        chain = state.chain_to(self.member_key)
        return chain[-1].id if chain else state.id

    def forward(self, offer: OfferState, *, to: PublicKey | None, note: str = "") -> Envelope:
        """Pass an offer to one member (note sealed to them) or to the whole network."""
        parent = self._reached_me(offer)
        private = b""
        public_note = note
        if to is not None:
            if to == self.member_key:
                raise UserError("you cannot forward an offer to yourself")
            if note:
                context = protocol.forward_note_context(self.member_key, parent, to)
                private = sealing.seal_text(note, self._seal_key_of(to), context)
                public_note = ""
        body = build(
            Forward,
            offer=offer.id,
            parent=parent,
            to=to if to is not None else NETWORK,
            note=public_note,
            private_note=private,
        )
        return self._commit(body)

    def accept(self, offer: OfferState, *, note: str = "") -> Envelope:
        body = build(Accept, offer=offer.id, via=self._reached_me(offer), note=note)
        return self._commit(body)

    def handoff(self, offer: OfferState, *, to: PublicKey) -> Envelope:
        """Give my offer to a member who accepted it, with the contact sealed to them."""
        if offer.author != self.member_key:
            raise UserError("only the offer's author can hand it off")
        accept = offer.accepted_by(to)
        if accept is None:
            raise UserError(f"{self.name_of(to)} has not accepted this offer")
        contact = b""
        if offer.offer.contact:
            text = self.open_contact(offer)
            context = protocol.handoff_contact_context(self.member_key, offer.id, to)
            contact = sealing.seal_text(text, self._seal_key_of(to), context)
        body = build(Handoff, offer=offer.id, accept=accept.id, to=to, contact=contact)
        return self._commit(body)

    def withdraw(self, offer: OfferState, *, reason: str = "") -> Envelope:
        if offer.author != self.member_key:
            raise UserError("only the offer's author can withdraw it")
        if offer.withdrawn is not None:
            raise UserError("this offer is already withdrawn")
        return self._commit(build(Withdraw, offer=offer.id, reason=reason))
