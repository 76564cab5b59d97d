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
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from p2pshare.domain.activity import ActivityItem
from p2pshare.domain.device_views import DeviceItem, Pairing
from p2pshare.domain.lookalike_names import fingerprints, lookalike_groups, shown_name
from p2pshare.domain.views import FeedItem, PeerItem
from p2pshare.errors import NotFound, UserError
from p2pshare.events import (
    Changed,
    DevicePaired,
    DevicePairingFailed,
    Event,
    NodeFailed,
    NodeInfo,
    NodeStarted,
    Notice,
)
from protocol import RecordId

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from pathlib import Path

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


class FakeNode:
    """A NodePort over a handful of offers and peers held in memory."""

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
        self.my_devices: list[DeviceItem] = [
            DeviceItem(
                device_id=ME,
                label="laptop",
                this_device=True,
                root=True,
                manage=True,
                linked_at=NOON - 90 * DAY,
                unlinked_from=None,
            ),
            DeviceItem(
                device_id=PHONE,
                label="phone",
                this_device=False,
                root=False,
                manage=False,
                linked_at=NOON - 30 * DAY,
                unlinked_from=None,
            ),
        ]
        self.pairing: Pairing | None = None  # the code offered, until a device joins with it
        self.clock: Callable[[], float] = fixed_clock  # when a code is offered, for its expiry
        self._pairing_manage = False
        self._seq = 0

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
        self._emit(Notice(text=f"{who} forwarded you “{title}”", offer=_rid(offer.id)))

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
            self._emit(Notice(text=text, offer=_rid(offer.id)))

    def complete_pairing(self, label: str = "desktop") -> str:
        """A new device joins with the code offered: certified, listed, `DevicePaired`."""
        assert self.pairing is not None, "no pairing was started"
        device_id = f"12D3KooW{label.lower()}"
        self.my_devices.append(
            DeviceItem(
                device_id=device_id,
                label=label,
                this_device=False,
                root=False,
                manage=self._pairing_manage,
                linked_at=NOON,
                unlinked_from=None,
            )
        )
        self.pairing = None
        self._emit(Changed(peers=True))
        self._emit(DevicePaired(device_id=device_id, label=label))
        return device_id

    def fail_pairing(self, reason: str = "a wrong code was typed: the code is used up") -> None:
        """A new device tries the code offered and does not pair: used up, `DevicePairingFailed`."""
        assert self.pairing is not None, "no pairing was started"
        self.pairing = None
        self._emit(DevicePairingFailed(reason=reason))

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

    # -- NodePort: views --------------------------------------------------------------------

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
        self._emit(Changed(offers=frozenset({_rid(offer_id)}), rows={offer_id: None}))
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
        self._emit(Changed(offers=frozenset({_rid(offer_id)}), rows={}))
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

    # -- NodePort: this member's devices ---------------------------------------------

    async def devices(self) -> list[DeviceItem]:
        return sorted(self.my_devices, key=lambda d: (not d.this_device, d.linked_at, d.device_id))

    async def start_pairing(self, *, manage: bool = False) -> Pairing:
        self._call("start_pairing", {"manage": manage})
        info = self.status.info
        if info is None:  # as NodeAPI: the pairing runs on the network
            raise UserError("the node is not running: a new device has nothing to dial")
        if not self._this_device().manage:
            raise UserError("this device may not add devices: pair it with manage first")
        self.pairing = Pairing(
            code=f"{self._seq % 9 + 1}-{PAIRING_WORDS}",
            addresses=info.addresses,
            expires_at=int(self.clock()) + PAIRING_TTL,
        )
        self._pairing_manage = manage
        self._seq += 1
        return self.pairing

    async def revoke_device(
        self, device_id: str, *, reason: str = "", since: int | None = None
    ) -> str:
        self._call("revoke_device", {"device_id": device_id, "reason": reason, "since": since})
        found = [d for d in self.my_devices if d.device_id == device_id]
        if not found:
            raise NotFound(f"no device {device_id} of yours")
        device = found[0]
        if device.root:
            raise UserError("the root key is rotated, never unlinked")
        if not (self._this_device().manage or device.this_device):
            raise UserError("this device may not revoke devices: pair it with manage first")
        until = T0 if since is None else since
        if until > T0:
            raise UserError("since: a date to come; an unlink reaches only the past")
        if device.unlinked_from is not None and device.unlinked_from <= until:
            until, reason = device.unlinked_from, device.reason  # the earliest holds
        index = self.my_devices.index(device)
        self.my_devices[index] = replace(device, unlinked_from=until, reason=reason)
        self._emit(Changed(peers=True))
        return self._new_id("unlink", device_id)

    def _this_device(self) -> DeviceItem:
        return next(d for d in self.my_devices if d.this_device)

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
        self._emit(Changed(offers=frozenset({_rid(offer_id)}), trust=trust, peers=True, rows=rows))

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


def _rid(offer_id: str) -> RecordId:
    return RecordId(bytes.fromhex(offer_id))


class FakeHome:
    """A HomePort with no disk behind it unless `path` is given (for the seen-offers file)."""

    def __init__(
        self,
        node: FakeNode,
        *,
        path: Path | None = None,
        identity: bool = True,
        community: str = "",
    ) -> None:
        self.fake = node
        self.path = path
        self.community = community
        self.identity = identity
        self.created: list[dict[str, Any]] = []
        self.opened_with: list[tuple[bytes | None, tuple[str, ...]]] = []

    def has_identity(self) -> bool:
        return self.identity

    def needs_passphrase(self) -> bool:
        return False

    def create_identity(
        self, *, name: str, headline: str, skills: Sequence[str], passphrase: bytes | None
    ) -> str:
        if len(name) > 64:
            raise UserError("name: longer than 64 characters")
        self.created.append(
            {"name": name, "headline": headline, "skills": list(skills), "passphrase": passphrase}
        )
        self.identity = True
        self.fake.my_profile.update(name=name, headline=headline, skills=list(skills))
        return ME

    def recovery_words(self, passphrase: bytes | None) -> list[str]:
        return [WORDS[i % len(WORDS)] for i in range(24)]

    def node(self, *, passphrase: bytes | None, peers: Sequence[str] = ()) -> FakeNode:
        self.opened_with.append((passphrase, tuple(peers)))
        return self.fake
