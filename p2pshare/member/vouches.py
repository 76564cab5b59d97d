"""Vouching for a member, and taking a vouch back.

A vouch is trust given without a job done together (domain/trust_edges.py weighs
it); of one voucher's vouches for a subject the newest counts, unless revoked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import protocol
from p2pshare.errors import UserError
from p2pshare.member.bodies import build
from p2pshare.member.core import MemberCore
from protocol import Revoke, Vouch

if TYPE_CHECKING:
    from collections.abc import Iterable

    from protocol import Envelope, PublicKey


class VouchActions(MemberCore):
    """The member's vouches (part of `Member`, actions.py)."""

    def vouch(self, subject: PublicKey, *, skills: Iterable[str] = (), note: str = "") -> Envelope:
        if self._derived.member_of(subject) == self.member_key:
            raise UserError("you cannot vouch for yourself")
        body = build(Vouch, subject=subject, skills=protocol.normalize_skills(skills), note=note)
        return self._commit(body)

    def revoke(self, vouch: Envelope) -> Envelope:
        if self._derived.member_of(vouch.author) != self.member_key:
            raise UserError("you can only revoke your own vouches")
        self._derived.ensure_vouch(vouch.id)
        if vouch.id in self._view().revoked:
            raise UserError("this vouch is already revoked")
        return self._commit(build(Revoke, vouch=vouch.id))
