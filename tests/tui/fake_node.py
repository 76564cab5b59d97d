"""An in-memory node for the app's Pilot tests: a few offers and peers, events at once.

`FakeNode` implements `p2pshare.service.port.NodePort` the simplest way that keeps
the app honest: views are built from plain Python state, every action records
its call, changes that state and emits `Changed` (and a `Notice` where the real
node would) synchronously, before the call returns. So a test waits for a
repaint, never for the real API's store poll or a thread. `FakeHome` is the
matching `HomePort`. Records that "arrive from the network" are the `arrive_*`
methods. What the fake does not model (signatures, sealing, the ledger's rules)
is covered by the tests that drive the real NodeAPI (test_tui_integration.py).
The member has two devices, this one (its root) and a phone; `complete_pairing`
is the new device that joins with the code `start_pairing` offered.

This module holds `FakeNode` itself: setting the scene, records arriving from the
network, the lifecycle and the actions. Its parts: fake_world.py (the fixed
moment, the member, the records as dataclasses), fake_state.py (the state, events
and shaping they share), fake_views.py (the reads), fake_devices.py (the member's
devices and pairing), fake_home.py (the HomePort).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from fake_devices import FakeDevices
from fake_views import FakeViews
from fake_world import DAY, ME, T0, FakeOffer, FakePeer, offer_record_id

from p2pshare.domain.activity import ActivityItem
from p2pshare.domain.views import PeerItem
from p2pshare.errors import UserError
from p2pshare.events import Changed, NodeFailed, NodeInfo, NodeStarted, Notice

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from p2pshare.events import Event


class FakeNode(FakeDevices, FakeViews):
    """A NodePort over a handful of offers and peers held in memory."""

    # -- setting the scene (synchronous, no events) -------------------------------

    def add_peer(
        self,
        name: str,
        *,
        skills: Sequence[str] = (),
        trust: float = 0.0,
        headline: str = "",
        region: str = "",
        member_id: str = "",
        devices: Sequence[str] = (),
    ) -> str:
        """A peer; `member_id` defaults to one made from the name (give one to add two
        members of the same name); `devices` to the member's own key alone."""
        member_id = member_id or f"12D3KooW{name.lower()}"
        item = PeerItem(
            id=member_id,
            name=name,
            headline=headline,
            skills=list(skills),
            region=region,
            available=True,
            trust=trust,
            vouches=0,
            vouched_by_me="",
            fulfilled=0,
            failed=0,
            connector_credit=0,
            muted=False,
            blocked=False,
            devices=list(devices) or [member_id],
        )
        self._peers[member_id] = FakePeer(item=item, base_trust=trust)
        return member_id

    def add_offer(self, title: str, *, by: str = ME, **fields: Any) -> str:
        """An offer by `by` (a member id; mine by default); returns its id (hex)."""
        offer_id = self._new_id("offer", title)
        self._offers[offer_id] = FakeOffer(id=offer_id, title=title, author=by, **fields)
        return offer_id

    def id_of(self, title: str) -> str:
        return next(o.id for o in self._offers.values() if o.title == title)

    def offer_state(self, title: str) -> FakeOffer:
        return self._offers[self.id_of(title)]

    def peer(self, name: str) -> PeerItem:
        return next(p.item for p in self._peers.values() if p.item.name == name)

    def add_trust_path(self, *hops: tuple[str, str, int], share: float, evidence: str = "") -> None:
        """A path from me, as the trust report gives it: hops of (member id, relation,
        fulfilled hand-offs), the last one the member it explains; `evidence` is the line the
        real explanation adds about them."""
        to = hops[-1][0]
        path = {
            "share": share,
            "hops": [
                {"id": m, "name": self._name(m), "relation": r, "fulfilled": n, "forwarded": 0}
                for m, r, n in hops
            ],
        }
        self.paths.setdefault(to, []).append(path)
        if evidence:
            self._evidence[to] = evidence

    def refuse(self, method: str, reason: str) -> None:
        """The next call of `method` raises UserError(reason), like a rule of the ledger."""
        self._refusals[method] = reason

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        return [args for name, args in self.calls if name == method]

    # -- records from the network ---------------------------------------------------

    def arrive_offer(self, title: str, *, by: str, **fields: Any) -> str:
        offer_id = self.add_offer(title, by=by, **fields)
        self._changed(offer_id)
        return offer_id

    def arrive_forward_to_me(self, title: str, *, by: str, note: str = "") -> None:
        offer = self.offer_state(title)
        offer.forwards.append(self._link(by, ME, note))
        self._changed(offer.id)
        who = self._name(by)
        self._emit(Notice(text=f"{who} forwarded you “{title}”", offer=offer_record_id(offer.id)))

    def arrive_accept(self, title: str, *, by: str, note: str = "") -> None:
        offer = self.offer_state(title)
        accept = self._accept(by, note)
        offer.accepts.append(accept)
        if offer.author == ME:
            text = f"{self._name(by)} accepted your offer “{title}”"
            self.add_activity(
                "accepted",
                title,
                by=by,
                text=text,
                needs_you=True,
                action="handoff",
                record=accept["id"],
            )
        self._changed(offer.id)
        if offer.author == ME:
            self._emit(Notice(text=text, offer=offer_record_id(offer.id)))

    def add_activity(
        self,
        kind: str,
        title: str,
        *,
        by: str,
        text: str,
        needs_you: bool = False,
        action: str = "open",
        outcome: dict[str, Any] | None = None,
        record: str = "",
        at: int = T0,
    ) -> ActivityItem:
        """An item of the activity inbox, as domain.activity would make it."""
        item = ActivityItem(
            who_display_name=self._shown(by),
            id=record or self._new_id("activity", text),
            kind=kind,
            at=at,
            offer=self.id_of(title) if title else "",
            offer_title=title,
            who=by,
            who_name=self._name(by),
            text=text,
            needs_you=needs_you,
            action=action if title else "",
            outcome=outcome,
        )
        self.inbox.append(item)
        return item

    # -- NodePort: lifecycle and events ------------------------------------------------

    def subscribe(self, listener: Callable[[Event], None]) -> None:
        self._listeners.append(listener)

    async def open(self) -> None:
        self.opened = True

    async def start_network(self) -> NodeInfo:
        self.status.state = "starting"
        if self.network_failure:
            self.status.state, self.status.reason = "failed", self.network_failure
            self._emit(NodeFailed(reason=self.network_failure))
            raise UserError(self.network_failure)
        info = NodeInfo(
            member_id=ME,
            addresses=(f"/ip4/127.0.0.1/tcp/4001/p2p/{ME}",),
            invite=f"p2pshare:invite:{ME}",
            community="",
        )
        self.status.state, self.status.info = "online", info
        self._emit(NodeStarted(info=info))
        return info

    async def close(self) -> None:
        self.closed = True
        self.status.state = "offline"

    # -- NodePort: actions ----------------------------------------------------------------

    async def post_offer(self, **fields: Any) -> str:
        self._call("post_offer", fields)
        amount, _, currency = str(fields.get("value", "")).partition(" ")
        offer_id = self.add_offer(
            fields["title"],
            description=fields.get("description", ""),
            skills=tuple(fields.get("skills", ())),
            region=fields.get("region", ""),
            remote=bool(fields.get("remote", False)),
            value=int(amount) if amount.isdigit() else 0,
            currency=currency,
            contact=fields.get("contact", ""),
            expires_at=T0 + int(fields.get("expires_days", 30)) * DAY,
        )
        self._changed(offer_id)
        return offer_id

    async def forward(self, offer_id: str, *, to: str | None, note: str = "") -> str:
        self._call("forward", {"offer_id": offer_id, "to": to, "note": note})
        link = self._link(ME, to, note)
        self._offers[offer_id].forwards.append(link)
        self._changed(offer_id)
        return str(link["id"])

    async def accept(self, offer_id: str, *, note: str = "") -> str:
        self._call("accept", {"offer_id": offer_id, "note": note})
        accept = self._accept(ME, note)
        self._offers[offer_id].accepts.append(accept)
        self._changed(offer_id)
        return str(accept["id"])

    async def handoff(self, offer_id: str, *, to: str) -> str:
        self._call("handoff", {"offer_id": offer_id, "to": to})
        offer = self._offers[offer_id]
        handoff_id = self._new_id("handoff", offer_id + to)
        offer.handoffs.append(
            {
                "id": handoff_id,
                "to": self._who(to),
                "created_at": T0,
                "outcome": None,
                "confirmation": None,
                "confirmed": False,
            }
        )
        offer.status = "handed_off"
        self._changed(offer_id)
        return handoff_id

    async def outcome(
        self,
        offer_id: str,
        *,
        fulfilled: bool,
        rating: int = 0,
        value: int = 0,
        to: str | None = None,
        note: str = "",
        credit: Sequence[str] | None = None,
    ) -> str:
        args = {"fulfilled": fulfilled, "rating": rating, "value": value, "to": to, "note": note}
        self._call("outcome", {"offer_id": offer_id, **args})
        offer = self._offers[offer_id]
        outcome_id = self._new_id("outcome", offer_id)
        for handoff in offer.handoffs:
            if to is None or handoff["to"]["id"] == to:
                handoff["outcome"] = {
                    "id": outcome_id,
                    "fulfilled": fulfilled,
                    "rating": rating,
                    "value": value,
                    "note": note,
                    "created_at": T0,
                }
        offer.status = "fulfilled" if fulfilled else "not_fulfilled"
        self._changed(offer_id, trust=True)
        return outcome_id

    async def credit(
        self, offer_id: str, forwarders: Sequence[str], *, to: str | None = None
    ) -> str:
        self._call("credit", {"offer_id": offer_id, "forwarders": list(forwarders), "to": to})
        self._changed(offer_id, trust=True)
        return self._new_id("credit", offer_id)

    async def reply(self, offer_id: str, *, note: str, rating: int = 0) -> str:
        self._call("reply", {"offer_id": offer_id, "note": note, "rating": rating})
        self._changed(offer_id, trust=True)
        return self._new_id("reply", offer_id)

    async def decline(self, offer_id: str, *, note: str = "") -> str:
        self._call("decline", {"offer_id": offer_id, "note": note})
        self.declined.add(offer_id)
        self._emit(Changed(offers=frozenset({offer_record_id(offer_id)}), rows={offer_id: None}))
        return self._new_id("decline", offer_id)

    async def say(self, offer_id: str, text: str) -> str:
        self._call("say", {"offer_id": offer_id, "text": text})
        self.talk.setdefault(offer_id, []).append(
            {
                "id": self._new_id("say", text),
                "at": T0,
                "who": ME,
                "who_name": "you",
                "text": text,
                "mine": True,
            }
        )
        self._emit(Changed(offers=frozenset({offer_record_id(offer_id)}), rows={}))
        return self._new_id("say", text)

    async def conversation(self, offer_id: str) -> list[dict[str, Any]]:
        return list(self.talk.get(offer_id, []))

    async def withdraw(self, offer_id: str, *, reason: str = "") -> str:
        self._call("withdraw", {"offer_id": offer_id, "reason": reason})
        offer = self._offers[offer_id]
        offer.status, offer.withdrawn = "withdrawn", {"reason": reason, "created_at": T0}
        self._changed(offer_id)
        return self._new_id("withdraw", offer_id)

    async def vouch(self, member_id: str, *, skills: Iterable[str] = (), note: str = "") -> str:
        self._call("vouch", {"member_id": member_id, "skills": list(skills), "note": note})
        peer = self._peers[member_id]
        vouch_id = self._new_id("vouch", member_id)
        item = peer.item
        peer.item = replace(
            item, vouched_by_me=vouch_id, vouches=item.vouches + 1, trust=max(item.trust, 0.8)
        )
        self._emit(Changed(trust=True, peers=True))
        return vouch_id

    async def revoke(self, vouch_id: str) -> str:
        self._call("revoke", {"vouch_id": vouch_id})
        peer = next(p for p in self._peers.values() if p.item.vouched_by_me == vouch_id)
        item = peer.item
        peer.item = replace(item, vouched_by_me="", vouches=item.vouches - 1, trust=peer.base_trust)
        self._emit(Changed(trust=True, peers=True))
        return self._new_id("revoke", vouch_id)

    async def set_profile(self, **fields: Any) -> str:
        self._call("set_profile", fields)
        self.my_profile.update(fields)
        self._emit(Changed(peers=True))
        return self._new_id("profile", repr(sorted(fields.items())))

    async def mark(self, member_id: str, mark: str, on: bool = True) -> None:
        self._call("mark", {"member_id": member_id, "mark": mark, "on": on})
        peer = self._peers[member_id]
        if mark == "muted":
            peer.item = replace(peer.item, muted=on)
        elif mark == "blocked":
            peer.item = replace(peer.item, blocked=on)
        else:
            raise UserError(f"unknown mark {mark!r}")
        self._emit(Changed(peers=True))
