"""What every part of the fake node shares: its state, its events, and its shaping.

Owns `FakeState`, the base of `FakeNode` (fake_node.py): the offers, peers and
profile held in memory; the plumbing every call goes through (recording the call
or refusing it, numbering ids, emitting events to subscribers at once); and the
shaping of members and offers into what the real views return (names told apart
from look-alikes, standings, feed rows). Separate so the fake's reads
(fake_views.py), its devices (fake_devices.py) and its actions (fake_node.py)
each stay one concept, over one state.
"""

from __future__ import annotations

import hashlib
import math
from typing import TYPE_CHECKING, Any

from fake_world import DAY, ME, T0, Call, FakeOffer, FakePeer, FakeStatus, offer_record_id

from p2pshare.domain.lookalike_names import fingerprints, lookalike_groups, shown_name
from p2pshare.domain.views import FeedItem, PeerItem
from p2pshare.errors import NotFound, UserError
from p2pshare.events import Changed

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from p2pshare.domain.activity import ActivityItem
    from p2pshare.events import Event


class FakeState:
    """The fake node's state in memory, and the helpers its parts share."""

    def __init__(self, *, name: str = "Me", skills: Sequence[str] = ()) -> None:
        self.member_id = ME
        self.status = FakeStatus()
        self.inbox: list[ActivityItem] = []  # what activity() returns
        self.declined: set[str] = set()
        self.talk: dict[str, list[dict[str, Any]]] = {}  # offer id -> its conversation
        self.calls: list[Call] = []  # every action, in order: (method, arguments)
        self.opened = False
        self.closed = False
        self.network_failure = ""  # start_network fails with this reason when set
        self._refusals: dict[str, str] = {}
        self._evidence: dict[str, str] = {}
        self._listeners: list[Callable[[Event], None]] = []
        self._offers: dict[str, FakeOffer] = {}
        self._peers: dict[str, FakePeer] = {}
        self.paths: dict[str, list[dict[str, Any]]] = {}  # member id -> trust paths to them
        self.my_profile: dict[str, Any] = {
            "name": name,
            "headline": "",
            "skills": list(skills),
            "region": "",
            "available": True,
        }
        self._seq = 0

    # -- plumbing ---------------------------------------------------------------------------

    def _emit(self, event: Event) -> None:
        for listener in list(self._listeners):
            listener(event)

    def _changed(self, offer_id: str, *, trust: bool = False) -> None:
        """Like NodeAPI: the changed rows, unless trust moved (then the feed is read again)."""
        rows: dict[str, FeedItem | None] | None = None
        if not trust:
            o = self._offers[offer_id]
            blocked = {p.item.id for p in self._peers.values() if p.item.blocked}
            shown = o.author not in blocked and o.status in ("open", "handed_off")
            rows = {offer_id: self._feed_item(o) if shown else None}
        self._emit(
            Changed(
                offers=frozenset({offer_record_id(offer_id)}), trust=trust, peers=True, rows=rows
            )
        )

    def _call(self, method: str, args: dict[str, Any]) -> None:
        if (reason := self._refusals.pop(method, None)) is not None:
            raise UserError(reason)
        self.calls.append((method, dict(args)))

    def _new_id(self, kind: str, text: str) -> str:
        self._seq += 1
        return hashlib.sha256(f"{kind}\0{text}\0{self._seq}".encode()).hexdigest()

    def _peer(self, member_id: str) -> PeerItem:
        if member_id in self._peers:
            return self._peers[member_id].item
        raise NotFound(f"no member {member_id}")

    def _name(self, member_id: str) -> str:
        if member_id == ME:
            return str(self.my_profile["name"])
        return self._peer(member_id).name

    def _trust(self, member_id: str) -> float:
        return 1.0 if member_id == ME else self._peer(member_id).trust

    def _who(self, member_id: str) -> dict[str, Any]:
        return {
            "id": member_id,
            "name": self._name(member_id),
            "display_name": self._shown(member_id),
            "trust": self._trust(member_id),
            "standing": self._standing(member_id),
        }

    def _standing(self, member_id: str) -> float:
        """As trust_scale.standings: the share of peers with a trust at most theirs."""
        if member_id == ME:
            return 1.0
        mine = self._trust(member_id)
        reached = [p.item.trust for p in self._peers.values() if p.item.trust > 0.0]
        if mine <= 0.0 or not reached:
            return 0.0
        return round(sum(1 for t in reached if t <= mine) / len(reached), 6)

    def _shown(self, member_id: str) -> str:
        """The name as views.MemberNames shows it: told apart from look-alikes."""
        if member_id == ME:
            return "you"
        names = {m: p.item.name for m, p in self._peers.items()}
        names[ME] = str(self.my_profile["name"])
        tags = fingerprints(lookalike_groups(names), lambda m: m)
        return shown_name(self._name(member_id), tags.get(member_id, ""))

    def _link(self, by: str, to: str | None, note: str) -> dict[str, Any]:
        return {
            "id": self._new_id("forward", f"{by}{to}"),
            "from": self._who(by),
            "to": self._who(to) if to else None,
            "depth": 0,
            "note": note,
            "created_at": T0,
        }

    def _accept(self, by: str, note: str) -> dict[str, Any]:
        return {
            "id": self._new_id("accept", by),
            "member": self._who(by),
            "chain": [],
            "note": note,
            "created_at": T0,
        }

    def _for_me(self, o: FakeOffer) -> bool:
        return any(f["to"] is not None and f["to"]["id"] == ME for f in o.forwards)

    def _accepted(self, o: FakeOffer) -> bool:
        return any(a["member"]["id"] == ME for a in o.accepts)

    def _handed_to_me(self, o: FakeOffer) -> bool:
        return any(h["to"]["id"] == ME for h in o.handoffs)

    def _feed_item(self, o: FakeOffer) -> FeedItem:
        mine = o.author == ME
        trust = self._trust(o.author)
        chain = tuple(f["from"]["id"] for f in o.forwards if f["to"] is None or f["to"]["id"] == ME)
        signal = max([0.0 if mine else trust, *(self._trust(m) for m in chain if m != ME)])
        my_skills = set(self.my_profile["skills"])
        match = len(my_skills & set(o.skills)) / len(o.skills) if o.skills else 0.0
        freshness = math.exp(-max(0, T0 - o.created_at) / DAY / 7)
        author = self._peers.get(o.author)
        return FeedItem(
            id=o.id,
            title=o.title,
            author=o.author,
            author_name=self._name(o.author),
            author_display_name=self._shown(o.author),
            status=o.status,
            skills=o.skills,
            region=o.region,
            remote=o.remote,
            value=o.value,
            currency=o.currency,
            created_at=o.created_at,
            expires_at=o.expires_at,
            chain=chain,
            trust=trust,
            standing=self._standing(o.author),
            signal=round(signal, 6),
            match=round(match, 6),
            rank=round(0.6 * signal + 0.3 * match + 0.1 * freshness, 6),
            mine=mine,
            for_me=self._for_me(o),
            accepted=self._accepted(o),
            handed_to_me=self._handed_to_me(o),
            accepts=len(o.accepts),
            muted=author is not None and author.item.muted,
        )
