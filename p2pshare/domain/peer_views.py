"""The peers view: every member this home knows of, most trusted first.

One row per member (issue 15: a member's devices are listed inside its row, not
as peers of their own), with what the ledger says of them (vouches, receipts,
connector credit) and my trust in them; the running node fills in how it is
connected (service/node_views.py). Pure, like every view of a `Viewpoint`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from p2pshare.domain.member_names import MemberNames
from p2pshare.domain.trust_scale import standings
from p2pshare.domain.viewpoint import known_members
from p2pshare.domain.viewpoint import member_id as _mid

if TYPE_CHECKING:
    from p2pshare.domain.viewpoint import Viewpoint
    from protocol import PublicKey


@dataclass(frozen=True, slots=True, kw_only=True)
class PeerItem:
    id: str
    name: str  # as written in their profile ("you", or the end of their id, without one)
    display_name: str = ""  # as shown: escaped, with a fingerprint if it looks like another's
    headline: str
    skills: list[str]
    region: str
    available: bool
    trust: float  # raw, relative to my best-supported peer
    standing: float = 0.0  # percentile among members I know (trust_scale.py): no jumps
    vouches: int  # live vouches for them, by anyone
    vouched_by_me: str  # the id of my live vouch for them, or ""
    fulfilled: int
    failed: int
    disputed: int = 0  # of the failed: the recipient replied "fulfilled"
    connector_credit: int
    muted: bool
    blocked: bool
    connected: bool = False  # filled in by the API from the running node
    # What the running node refused from this peer, by reason (flood, invalid, held...)
    refusals: dict[str, int] = field(default_factory=dict)
    # How the running node reaches them: "direct", "relayed" (through a relay), or
    # None when not connected; and the addresses of those connections.
    connection: str | None = None
    addresses: list[str] = field(default_factory=list)
    # The member's device ids (its records' keys), theirs that I know; [id] for one key.
    devices: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def peers(view: Viewpoint) -> list[PeerItem]:
    """Every member this home knows of, most trusted first."""
    ledger, scores, me = view.ledger, view.scores, view.me
    names = MemberNames(view)
    muted, blocked = view.muted, view.blocked
    vouches: dict[PublicKey, int] = {}
    mine: dict[PublicKey, str] = {}
    for edge in ledger.vouches:
        vouches[edge.subject] = vouches.get(edge.subject, 0) + 1
        if edge.voucher == me:
            mine[edge.subject] = edge.id.hex()
    fulfilled: dict[PublicKey, int] = {}
    failed: dict[PublicKey, int] = {}
    disputed: dict[PublicKey, int] = {}
    for receipt in ledger.receipts:
        tally = fulfilled if receipt.fulfilled else failed
        tally[receipt.fulfiller] = tally.get(receipt.fulfiller, 0) + 1
        if receipt.disputed:
            disputed[receipt.fulfiller] = disputed.get(receipt.fulfiller, 0) + 1
    level = standings(scores)
    items = []
    for key in known_members(ledger, me):
        shown = ledger.profiles.get(key)
        p = shown.profile if shown else None
        items.append(
            PeerItem(
                id=_mid(key),
                name=names.name(key),
                display_name=names.shown(key),
                headline=p.headline if p else "",
                skills=list(p.skills) if p else [],
                region=p.region if p else "",
                available=p.available if p else False,
                trust=round(scores.get(key, 0.0), 6),
                standing=round(level.get(key, 0.0), 6),
                vouches=vouches.get(key, 0),
                vouched_by_me=mine.get(key, ""),
                fulfilled=fulfilled.get(key, 0),
                failed=failed.get(key, 0),
                disputed=disputed.get(key, 0),
                connector_credit=ledger.connector_credit.get(key, 0),
                muted=key in muted,
                blocked=key in blocked,
                devices=[_mid(device) for device in view.devices(key)],
            )
        )
    items.sort(key=lambda item: (-item.trust, item.name.casefold(), item.id))
    return items
