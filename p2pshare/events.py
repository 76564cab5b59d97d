"""What the node and the API tell their listeners. Plain data: no libp2p or trio types.

The node (trio side) emits the network events; the API (asyncio side) adds the
ones a member cares about, derived from records that arrived.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from p2pshare.domain.views import FeedItem
    from protocol import Envelope, RecordId


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeInfo:
    member_id: str
    addresses: tuple[str, ...]  # full multiaddrs with /p2p/<member id>
    invite: str
    community: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeStarted:
    info: NodeInfo


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeFailed:
    reason: str  # one line a person can act on


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeStopped:
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class PeerConnected:
    member_id: str
    connected: int  # peers connected now


@dataclass(frozen=True, slots=True, kw_only=True)
class PeerDisconnected:
    member_id: str
    connected: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordsArrived:
    """Records the node just stored from the network (gossip or sync): the verified
    envelopes themselves, so nobody downstream reads or parses them again."""

    records: tuple[Envelope, ...]
    seqs: tuple[int, ...] = ()  # their places in the store's change feed (Store.changes_since)
    source: str = ""  # member id of the peer, "" when unknown or local

    @property
    def ids(self) -> tuple[RecordId, ...]:
        return tuple(env.id for env in self.records)


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncProgress:
    member_id: str
    received: int
    sent: int
    done: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordRejected:
    member_id: str  # who sent it
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ClockSkew:
    """This member's clock looks wrong (or right again): most peers' live records are
    dated `offset` seconds after it (positive: ours is slow; negative: ours is fast).
    Its records dated too far ahead are held by every peer until their time comes."""

    suspect: bool
    offset: int
    authors: int  # how many authors' records the verdict rests on


@dataclass(frozen=True, slots=True, kw_only=True)
class Changed:
    """Derived state changed: these offers, and/or trust scores (API-level event)."""

    offers: frozenset[RecordId] = field(default_factory=frozenset)
    trust: bool = False
    peers: bool = False
    # The feed's new rows for `offers` (offer id hex -> row, None: no longer shown),
    # for a screen to patch in place; None when the whole feed must be read again.
    rows: Mapping[str, FeedItem | None] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Notice:
    """Something a member wants to be told about (a toast in the app)."""

    text: str
    offer: RecordId | None = None
    severity: str = "information"  # information | warning


@dataclass(frozen=True, slots=True, kw_only=True)
class DevicePaired:
    """A new device of this member joined with a pairing code and is certified."""

    device_id: str
    label: str
    code: str = ""  # the code it used (used up now): whose dialog this ends


@dataclass(frozen=True, slots=True, kw_only=True)
class DevicePairingFailed:
    """A new device tried a pairing code of this member and did not pair: the code is
    used up (one attempt each). `reason` is the node's one line: "wrong code", …"""

    reason: str
    code: str = ""  # the code tried (used up now): whose dialog this ends


Event = (
    NodeStarted
    | NodeFailed
    | NodeStopped
    | PeerConnected
    | PeerDisconnected
    | RecordsArrived
    | SyncProgress
    | RecordRejected
    | ClockSkew
    | Changed
    | Notice
    | DevicePaired
    | DevicePairingFailed
)
