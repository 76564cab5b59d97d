"""The member and every action they sign: what the CLI, the node and the app call.

`Member` is put together here from one part per kind of action, each in its own
module over `MemberCore` (core.py: identity, store, derived state, and `commit`,
which signs, checks against the ledger's rules and stores):

- offer_actions.py: post, forward, accept, hand off, withdraw;
- receipts.py: a hand-off's outcome, the credit to its forwarders, a reply;
- vouches.py: vouch and revoke;
- conversation.py: messages and "not for me" (functions; delegated to below).

Callers import `Member`, `create_member` and `Absorbed` from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import protocol
from p2pshare.member import conversation
from p2pshare.member import identity as ident
from p2pshare.member.bodies import build
from p2pshare.member.core import Absorbed
from p2pshare.member.offer_actions import OfferActions
from p2pshare.member.receipts import ReceiptActions
from p2pshare.member.vouches import VouchActions
from p2pshare.store import Store
from protocol import Profile

if TYPE_CHECKING:
    from collections.abc import Iterable

    from p2pshare.domain.activity import Said
    from p2pshare.domain.ledger import OfferState
    from p2pshare.member.home import Home
    from p2pshare.member.identity import Identity
    from protocol import Envelope, RecordId

__all__ = ["Absorbed", "Member", "create_member"]


def create_member(
    home: Home,
    *,
    name: str,
    headline: str = "",
    skills: Iterable[str] = (),
    region: str = "",
    passphrase: bytes | None = None,
) -> Identity:
    """First run: make the keys and sign the first profile. A bad profile writes nothing."""
    skills = protocol.normalize_skills(skills)
    fields = {"name": name.strip(), "headline": headline, "skills": skills, "region": region}
    build(Profile, **fields, available=True, seal_key=bytes(32))  # validate before any key
    identity = ident.create(home, passphrase=passphrase)
    with Store.open(home.store_file) as store:
        Member(home, identity, store).set_profile(**fields, available=True)  # type: ignore[arg-type]
    return identity


class Member(OfferActions, ReceiptActions, VouchActions):
    """The member behind a home: their identity, their store and what follows from it."""

    # -- "not for me" and the conversation (member/conversation.py) -------------

    def decline(self, offer: OfferState, *, note: str = "") -> Envelope:
        """Turn down the forward of `offer` to me; the note is sealed to its forwarder."""
        return conversation.decline(self, offer, note)

    def say(self, offer: OfferState, text: str) -> list[Envelope]:
        """A message to the offer's participants: one sealed copy per reader."""
        return conversation.say(self, offer, text)

    def said(self, offer: RecordId | None = None) -> list[Said]:
        """Messages and declines this member can read, oldest first."""
        return conversation.said(self, offer)
