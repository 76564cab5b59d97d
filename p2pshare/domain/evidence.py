"""The facts trust is computed from, as derived from records by the ledger.

The offer ledger (ledger.py) turns signed records into these after applying the
lifecycle rules, so the trust engine (trust.py) never sees an invalid hand-off,
a receipt by a non-author, or a revoked vouch. Both sides meet only here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from protocol import PublicKey, RecordId


@dataclass(frozen=True, slots=True, kw_only=True)
class VouchEdge:
    """A live (unrevoked) vouch: `voucher` endorses `subject`."""

    id: RecordId
    voucher: PublicKey
    subject: PublicKey
    skills: tuple[str, ...]
    created_at: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Receipt:
    """The outcome that counts for one hand-off, signed by the offer's author.

    `forwarders` are the members on the forward chain that brought the offer to
    the member it was handed to whom the author credits (a credit record names
    them), nearest the author first; they earn connector credit when the hand-off
    was fulfilled. `disputed`: the author reports not fulfilled and the recipient's
    own outcome (their reply) says fulfilled; the failure then weighs less.
    """

    id: RecordId  # the outcome record
    offer: RecordId
    author: PublicKey  # signed the receipt; handed the work off
    fulfiller: PublicKey  # the member the offer was handed to
    forwarders: tuple[PublicKey, ...]
    fulfilled: bool
    rating: int  # 0 = none, else 1..5
    created_at: int
    disputed: bool = False
