"""The fake node's world: the fixed moment, its member, and the records it holds.

Owns the data the Pilot tests and the fake share: the one instant everything
happens at (`T0`, and `NOON` for dates on screen), this member's id (`ME`) and
second device (`PHONE`), and the plain dataclasses the fake keeps its offers,
peers and network status in. Separate from the fake's behaviour (fake_state.py
and the modules built on it) so a test can name the scene without the machinery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from protocol import RecordId

if TYPE_CHECKING:
    from p2pshare.domain.views import PeerItem
    from p2pshare.events import NodeInfo

T0 = 1_700_000_000
DAY = 86_400
ME = "12D3KooWme"
WORDS = ("acid", "brave", "cable", "dinner", "eagle", "fabric", "garden", "habit")
PHONE = "12D3KooWphone"  # my second device; the first is my own key (ME), the root
PAIRING_WORDS = "arctic-velvet-harbor"
PAIRING_TTL = 600  # a pairing code's life, in seconds, as the real node's
NOON = T0 - 10 * 3600  # 12:13 UTC that day: the same date on screen from UTC-11 to UTC+11


def fixed_clock() -> float:
    return float(T0)


def month_of(unix_seconds: int) -> str:
    return datetime.fromtimestamp(unix_seconds, tz=UTC).strftime("%Y-%m")


def offer_record_id(offer_id: str) -> RecordId:
    """The record id an offer's hex id stands for, as `Changed` carries it."""
    return RecordId(bytes.fromhex(offer_id))


@dataclass(slots=True)
class FakeStatus:
    state: str = "offline"
    reason: str = ""
    info: NodeInfo | None = None
    connected: set[str] = field(default_factory=set)
    syncing: set[str] = field(default_factory=set)
    reachability: str = "unknown"


@dataclass(slots=True, kw_only=True)
class FakeOffer:
    id: str
    title: str
    author: str
    skills: tuple[str, ...] = ()
    region: str = ""
    remote: bool = False
    value: int = 0
    currency: str = ""
    description: str = ""
    contact: str = ""
    created_at: int = T0
    expires_at: int = T0 + 30 * DAY
    status: str = "open"
    forwards: list[dict[str, Any]] = field(default_factory=list)
    accepts: list[dict[str, Any]] = field(default_factory=list)
    handoffs: list[dict[str, Any]] = field(default_factory=list)
    withdrawn: dict[str, Any] | None = None


@dataclass(slots=True, kw_only=True)
class FakePeer:
    item: PeerItem
    base_trust: float  # before my vouch


Call = tuple[str, dict[str, Any]]
