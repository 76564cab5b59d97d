"""What the node thinks of each peer: its trust paths, how long it stayed, its block.

Three parts of the node ask the same questions about a peer, and must get the
same answers: the record door (a trust path rides the larger budget, door.py),
gossip's own score of a peer (P6, gossip.py), and the connection manager (whom
it never trims, connections.py). A block overrides every trust path. The
answers are kept here as plain sets and dicts; who connects and who gets
blocked is decided elsewhere (peer_watch.py) and written here.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from libp2p.peer.id import ID


class PeerStanding:
    """Per member id: blocked until when, configured, named by the owner, connected since."""

    def __init__(self, trusted: Callable[[str], bool]) -> None:
        self._trusted = trusted  # the owner's members it trusts (Node.trusted)
        self.blocked: dict[str, float] = {}  # member -> until when (monotonic)
        self.configured: set[str] = set()  # peers from config: never trimmed
        self.named: set[str] = set()  # peers the owner dialled (`dial`): a trust path
        self.since: dict[str, float] = {}  # connected peers: since when (monotonic)

    def is_protected(self, member_id: str) -> bool:
        """Kept when the connection manager trims (it keeps peers we dialled too):
        peers from the config and members the owner's `trusted` names."""
        if member_id in self.blocked:
            return False
        return member_id in self.configured or self._trusted(member_id)

    def is_named(self, member_id: str) -> bool:
        """A trust path for the door: a peer from the config or dialled by the owner,
        or a member the owner trusts (its records ride the larger budget)."""
        if member_id in self.blocked:
            return False
        return member_id in self.configured or member_id in self.named or self._trusted(member_id)

    def app_score(self, peer: ID) -> float:
        """P6, our own view of a peer: blocked sinks it; a trust path (named, configured,
        trusted) and time connected lift it, so an over-full mesh is pruned of the
        churning newcomers first, not of the members who stayed (issue 16 §3)."""
        name = peer.to_base58()
        if name in self.blocked:
            return -100.0
        score = 20.0 if self.is_named(name) else 0.0
        if (since := self.since.get(name)) is not None:
            score += min((time.monotonic() - since) / 6.0, 10.0)
        return score
