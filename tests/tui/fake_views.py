"""The fake node's reads: the NodePort views, built from its state in memory.

Owns `FakeViews`: the feed, one offer, the peers, a trust report, the stats (with
their by-month and by-peer breakdown), the activity inbox and the profile, each
shaped as the real views return it. Separate from the fake's actions
(fake_node.py): reading never changes the state, so these can be read alone.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from fake_state import FakeState
from fake_world import ME, month_of

from p2pshare.errors import NotFound

if TYPE_CHECKING:
    from p2pshare.domain.activity import ActivityItem
    from p2pshare.domain.views import FeedItem, PeerItem


class FakeViews(FakeState):
    """The NodePort's views over the fake's state."""

    async def feed(self, *, include_closed: bool = False) -> list[FeedItem]:
        blocked = {p.item.id for p in self._peers.values() if p.item.blocked}
        items = [
            self._feed_item(offer)
            for offer in self._offers.values()
            if offer.author not in blocked
            and offer.id not in self.declined
            and (include_closed or offer.status in ("open", "handed_off"))
        ]
        items.sort(key=lambda i: (-i.rank, -i.created_at, i.id))
        return items

    async def offer(self, offer_id: str) -> dict[str, Any]:
        matches = [o for o in self._offers.values() if o.id.startswith(offer_id)]
        if len(matches) != 1:
            raise NotFound(f"no offer {offer_id}")
        o = matches[0]
        return {
            "id": o.id,
            "title": o.title,
            "description": o.description,
            "author": self._who(o.author),
            "status": o.status,
            "skills": list(o.skills),
            "region": o.region,
            "remote": o.remote,
            "value": o.value,
            "currency": o.currency,
            "created_at": o.created_at,
            "expires_at": o.expires_at,
            "contact": o.contact if o.author == ME or self._handed_to_me(o) else "",
            "has_contact": bool(o.contact),
            "forwards": list(o.forwards),
            "accepts": list(o.accepts),
            "handoffs": list(o.handoffs),
            "withdrawn": o.withdrawn,
            "fulfilled_value": 0,
        }

    async def peers(self) -> list[PeerItem]:
        items = [
            replace(
                p.item,
                connected=p.item.id in self.status.connected,
                standing=self._standing(p.item.id),
                display_name=self._shown(p.item.id),
            )
            for p in self._peers.values()
        ]
        items.sort(key=lambda p: (-p.trust, p.name.casefold(), p.id))
        return items

    async def trust(self, member_id: str, *, explain: bool = True) -> dict[str, Any]:
        peer = self._peer(member_id)
        report: dict[str, Any] = {
            "id": peer.id,
            "name": peer.name,
            "display_name": self._shown(peer.id),
            "trust": peer.trust,
            "standing": self._standing(peer.id),
        }
        if explain:
            report["explanation"] = (
                [f"you vouch for {peer.name}"] if peer.vouched_by_me else ["no path from you"]
            )
        if explain and (paths := self.paths.get(member_id)):
            shares = sum(p["share"] for p in paths)
            report["paths"] = paths
            report["more_paths"] = {"count": 0, "share": round(max(0.0, 1.0 - shares), 6)}
            report["explanation"] = [
                f"{peer.name}: trust {peer.trust:.2f}",
                *(
                    "  you" + "".join(f" → {h['name']} ({h['relation']})" for h in p["hops"])
                    for p in paths
                ),
                *([f"  {self._evidence[member_id]}"] if member_id in self._evidence else []),
            ]
        return report

    async def stats(self) -> dict[str, Any]:
        mine = [o for o in self._offers.values() if o.author == ME]
        forwarded = [
            o for o in self._offers.values() if any(f["from"]["id"] == ME for f in o.forwards)
        ]
        return {
            "offers_posted": len(mine),
            "offers_forwarded": len(forwarded),
            "offers_handed_off": sum(1 for o in mine if o.handoffs),
            "offers_fulfilled": sum(1 for o in mine if o.status == "fulfilled"),
            "value_fulfilled": {},
            "fulfilled_to": [],
            "connector_credit": 0,
            "forwarded_to_me": sum(1 for o in self._offers.values() if self._for_me(o)),
            "offers_accepted": sum(1 for o in self._offers.values() if self._accepted(o)),
            "handoffs_received": sum(1 for o in self._offers.values() if self._handed_to_me(o)),
            "fulfilled_by_me": 0,
            "value_earned": {},
            **self._breakdown(),
        }

    def _breakdown(self) -> dict[str, Any]:
        """by_month and by_peer, shaped as domain.stats.breakdown_report: my offers and
        forwards (passed on), their fulfilled hand-offs and values, forwards to me (came back)."""
        months: dict[str, dict[str, Any]] = {}
        peers: dict[str, dict[str, Any]] = {}

        def tally(table: dict[str, dict[str, Any]], key: str) -> dict[str, Any]:
            empty = {"passed": 0, "fulfilled": 0, "value": {}, "came_back": 0, "earned": {}}
            return table.setdefault(key, empty)

        for o in self._offers.values():
            mine = o.author == ME
            if mine or any(f["from"]["id"] == ME for f in o.forwards):
                tally(months, month_of(o.created_at))["passed"] += 1
            for f in o.forwards:
                if f["from"]["id"] == ME and f["to"] is not None:
                    tally(peers, f["to"]["id"])["passed"] += 1
                if f["to"] is not None and f["to"]["id"] == ME:
                    tally(months, month_of(f["created_at"]))["came_back"] += 1
                    tally(peers, f["from"]["id"])["came_back"] += 1
            for h in o.handoffs if mine else ():
                peer = tally(peers, h["to"]["id"])
                peer["passed"] += 1
                outcome = h["outcome"]
                if outcome is not None and outcome["fulfilled"]:
                    for row in (tally(months, month_of(outcome["created_at"])), peer):
                        row["fulfilled"] += 1
                        row["value"][o.currency] = (
                            row["value"].get(o.currency, 0) + outcome["value"]
                        )
        return {
            "by_month": [{"month": m, **months[m]} for m in sorted(months)],
            "by_peer": [
                {"id": k, "name": self._name(k), **v}
                for k, v in sorted(peers.items(), key=lambda kv: -kv[1]["passed"])
            ],
        }

    async def activity(self) -> list[ActivityItem]:
        return sorted(self.inbox, key=lambda i: (-i.at, i.id))

    async def profile(self) -> dict[str, Any]:
        info = self.status.info
        return {
            "id": ME,
            **self.my_profile,
            "skills": list(self.my_profile["skills"]),
            "invite": info.invite if info else "",
            "addresses": list(info.addresses) if info else [],
        }
