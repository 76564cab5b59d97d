"""What the app reads from the node: the feed, an offer, peers, trust, activity, profile.

Each view is computed on the store's worker thread from the member's viewpoint
(p2pshare.domain.views) and returned as the plain dataclasses and dicts the port
(port.py) names; none changes anything. Peers and reachability also read the
running node's own view of its connections.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from p2pshare.domain import views
from p2pshare.domain.activity import ActivityItem, activity
from p2pshare.service.node_core import NodeCore
from protocol import member_id


class NodeViews(NodeCore):
    """The node's views (part of `NodeAPI`, api.py)."""

    async def feed(self, *, include_closed: bool = False) -> list[views.FeedItem]:
        def read() -> list[views.FeedItem]:
            return self._feed_cache.items(self.member, include_closed=include_closed)

        return await self._run(read)

    async def offer(self, offer_id: str) -> dict[str, Any]:
        member = self.member
        return await self._run(
            lambda: views.offer_detail(member.viewpoint(), self._offer(offer_id))
        )

    async def peers(self) -> list[views.PeerItem]:
        """Every member known, with how the running node reaches each one now.

        `connected`, `connection` and `addresses` come from the node's own view of
        its connections (Node.peer_links), not from the events: a peer whose
        connection events were missed (or that never sent a profile) still shows."""
        items = await self._run(lambda: views.peers(self.member.viewpoint()))
        links: dict[str, dict[str, Any]] = {}
        refused: dict[str, dict[str, int]] = {}
        if self._node is not None and self._bridge is not None and self._bridge.running:
            links = self._node.peer_links()  # the trio guest runs on this thread
            self.status.reachability = self._node.reachability
            refused = self._node.refusals()  # what it refused, per peer and reason
        online = self.status.connected | set(links)
        rows = []
        for item in items:
            # a member is reached through any of its devices (each is its own peer)
            keys = [item.id, *(d for d in item.devices if d != item.id)]
            reached = [links[k] for k in keys if k in links]
            counts: dict[str, int] = {}
            for key in keys:
                for reason, count in refused.get(key, {}).items():
                    counts[reason] = counts.get(reason, 0) + count
            rows.append(
                replace(
                    item,
                    connected=any(k in online for k in keys),
                    connection=reached[0].get("connection") if reached else None,
                    addresses=[a for link in reached for a in link.get("addresses", [])],
                    refusals=counts,
                )
            )
        return rows

    def reachability(self) -> str:
        """public | private | unknown: whether others can dial this node (status bar)."""
        if self._node is not None and self._bridge is not None and self._bridge.running:
            self.status.reachability = self._node.reachability
        return self.status.reachability

    async def trust(self, member_id: str, *, explain: bool = True) -> dict[str, Any]:
        def report() -> dict[str, Any]:
            key = self.member.resolve_member(member_id)
            return views.trust_report(self.member.viewpoint(), key, explain=explain)

        return await self._run(report)

    async def stats(self) -> dict[str, Any]:
        return await self._run(lambda: views.stats_report(self.member.viewpoint()))

    async def activity(self) -> list[ActivityItem]:
        """What needs the member and what became of what they passed on, newest first."""
        return await self._run(lambda: activity(self.member.viewpoint(), self.member.said()))

    async def conversation(self, offer_id: str) -> list[dict[str, Any]]:
        """The offer's messages I can read, oldest first: {id, at, who, who_name, text, mine}."""

        def read() -> list[dict[str, Any]]:
            m = self.member
            state = self._offer(offer_id)
            me = m.member_key  # a message from another of my devices is mine too
            out = []
            for said in m.said(state.id):
                if said.kind != "message":
                    continue
                who = m.member_of(said.author)
                out.append(
                    {
                        "id": said.id,
                        "at": said.created_at,
                        "who": member_id(who),
                        "who_name": m.name_of(who) if who != me else "you",
                        "text": said.text,
                        "mine": who == me,
                    }
                )
            return out

        return await self._run(read)

    async def profile(self) -> dict[str, Any]:
        def read() -> dict[str, Any]:
            p = self.member.profile()
            return {
                "id": self.member_id,
                "name": p.name if p else "",
                "headline": p.headline if p else "",
                "skills": list(p.skills) if p else [],
                "region": p.region if p else "",
                "available": p.available if p else True,
                "invite": self.status.info.invite if self.status.info else "",
                "addresses": list(self.status.info.addresses) if self.status.info else [],
            }

        return await self._run(read)
