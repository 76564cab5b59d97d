"""A member's actions on offers and peers, as typed values a screen hands the app.

A screen collects what an action needs (a dialog's answer), wraps it in one of
these and posts `messages.ActionRequested`; the app sends it to the node in a
worker and tells the member how it went. Each knows the node call it makes,
so there is no dispatch on method names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from collections.abc import Sequence

    from p2pshare.service.port import NodePort


@dataclass(frozen=True, slots=True, kw_only=True)
class AcceptOffer:
    VERB: ClassVar[str] = "accept"
    offer_id: str
    note: str = ""

    @property
    def done(self) -> str:
        return "Accepted"

    async def send(self, node: NodePort) -> str:
        return await node.accept(self.offer_id, note=self.note)


@dataclass(frozen=True, slots=True, kw_only=True)
class ForwardOffer:
    VERB: ClassVar[str] = "forward"
    offer_id: str
    to: str | None  # a member id, or None for the whole network
    note: str = ""

    @property
    def done(self) -> str:
        return "Forwarded"

    async def send(self, node: NodePort) -> str:
        return await node.forward(self.offer_id, to=self.to, note=self.note)


@dataclass(frozen=True, slots=True, kw_only=True)
class HandOff:
    VERB: ClassVar[str] = "handoff"
    offer_id: str
    to: str

    @property
    def done(self) -> str:
        return "Handed off: the contact is sealed to them"

    async def send(self, node: NodePort) -> str:
        return await node.handoff(self.offer_id, to=self.to)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportOutcome:
    VERB: ClassVar[str] = "outcome"
    offer_id: str
    fulfilled: bool
    rating: int = 0
    value: int = 0
    to: str | None = None  # which hand-off (the author's report); None for the fulfiller's
    note: str = ""

    @property
    def done(self) -> str:
        return "Outcome reported"

    async def send(self, node: NodePort) -> str:
        return await node.outcome(
            self.offer_id,
            fulfilled=self.fulfilled,
            rating=self.rating,
            value=self.value,
            to=self.to,
            note=self.note,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class WithdrawOffer:
    VERB: ClassVar[str] = "withdraw"
    offer_id: str
    reason: str = ""

    @property
    def done(self) -> str:
        return "Withdrawn"

    async def send(self, node: NodePort) -> str:
        return await node.withdraw(self.offer_id, reason=self.reason)


@dataclass(frozen=True, slots=True, kw_only=True)
class VouchFor:
    VERB: ClassVar[str] = "vouch"
    member_id: str
    name: str  # for the confirmation only
    skills: Sequence[str] = ()
    note: str = ""

    @property
    def done(self) -> str:
        return f"Vouched for {self.name}"

    async def send(self, node: NodePort) -> str:
        return await node.vouch(self.member_id, skills=self.skills, note=self.note)


@dataclass(frozen=True, slots=True, kw_only=True)
class RevokeVouch:
    VERB: ClassVar[str] = "revoke"
    vouch_id: str

    @property
    def done(self) -> str:
        return "Vouch revoked"

    async def send(self, node: NodePort) -> str:
        return await node.revoke(self.vouch_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class DeclineOffer:
    """ "Not for me": tells the forwarder (the note sealed to them); hides the offer."""

    VERB: ClassVar[str] = "decline"
    offer_id: str
    note: str = ""

    @property
    def done(self) -> str:
        return "Declined: the forwarder is told, and it is off your feed"

    async def send(self, node: NodePort) -> str:
        return await node.decline(self.offer_id, note=self.note)


@dataclass(frozen=True, slots=True, kw_only=True)
class SayMessage:
    """A message in the offer's conversation, sealed to each participant."""

    VERB: ClassVar[str] = "say"
    offer_id: str
    text: str

    @property
    def done(self) -> str:
        return "Message sent (sealed to the offer's participants)"

    async def send(self, node: NodePort) -> str:
        return await node.say(self.offer_id, self.text)


Action = (
    AcceptOffer
    | ForwardOffer
    | HandOff
    | ReportOutcome
    | WithdrawOffer
    | VouchFor
    | RevokeVouch
    | DeclineOffer
    | SayMessage
)
