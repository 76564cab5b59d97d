"""What the app asks the node to do: post, forward, accept, hand off, report, vouch...

Each resolves what the person typed (an offer id, a member's name) on the
store's worker thread. One that signs a record (p2pshare.member.actions) hands
it to the change feed, waits until the app has been told of it, and returns its
id, hex; a refusal is a UserError with the reason, and leaves nothing behind.
Marking a member and dialling a peer sign nothing. This member's devices
(issue 15): the list, a pairing code for a new one (net/pairing.py answers it),
and revoking one (an unlink record, then a new seal key and a profile naming it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import protocol
from p2pshare.domain.device_views import DeviceItem, Pairing
from p2pshare.errors import UserError
from p2pshare.events import Changed
from p2pshare.member import devices, pairing_codes
from p2pshare.service.node_core import NodeCore

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from p2pshare.member.actions import Member


class NodeActions(NodeCore):
    """The node's actions (part of `NodeAPI`, api.py)."""

    async def post_offer(self, **fields: Any) -> str:
        return await self._act(lambda m: m.post_offer(**fields))

    async def forward(self, offer_id: str, *, to: str | None, note: str = "") -> str:
        def act(m: Member) -> protocol.Envelope:
            target = m.resolve_member(to) if to else None
            return m.forward(self._offer(offer_id), to=target, note=note)

        return await self._act(act)

    async def accept(self, offer_id: str, *, note: str = "") -> str:
        return await self._act(lambda m: m.accept(self._offer(offer_id), note=note))

    async def handoff(self, offer_id: str, *, to: str) -> str:
        return await self._act(lambda m: m.handoff(self._offer(offer_id), to=m.resolve_member(to)))

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
        """Report a hand-off's outcome. A fulfilled one by the offer's author also names
        the forwarders it credits: `credit`, or by default those on the chain this
        member has a trust path to (a bot nobody trusts earns nothing)."""

        def act(m: Member) -> protocol.Envelope:
            target = m.resolve_member(to) if to else None
            return m.outcome(
                self._offer(offer_id),
                fulfilled=fulfilled,
                rating=rating,
                value=value,
                to=target,
                note=note,
            )

        record = await self._act(act)
        if fulfilled:

            def named(m: Member) -> tuple[protocol.PublicKey, ...]:
                state, target = self._offer(offer_id), (m.resolve_member(to) if to else None)
                if state.author != m.me:
                    return ()
                if credit is not None:
                    return tuple(m.resolve_member(k) for k in credit)
                return m.trusted_forwarders(state, to=target)

            if forwarders := await self._run(named, self.member):
                await self.credit(offer_id, [protocol.member_id(k) for k in forwarders], to=to)
        return record

    async def credit(
        self, offer_id: str, forwarders: Sequence[str], *, to: str | None = None
    ) -> str:
        """Name the forwarders of my hand-off I credit as connectors (none: withhold it)."""

        def act(m: Member) -> protocol.Envelope:
            target = m.resolve_member(to) if to else None
            keys = [m.resolve_member(k) for k in forwarders]
            return m.credit(self._offer(offer_id), keys, to=target)

        return await self._act(act)

    async def reply(self, offer_id: str, *, note: str, rating: int = 0) -> str:
        """Answer a "not fulfilled" about my hand-off: it travels with the author's outcome."""
        return await self._act(lambda m: m.reply(self._offer(offer_id), note=note, rating=rating))

    async def decline(self, offer_id: str, *, note: str = "") -> str:
        """ "Not for me": tells the forwarder (the note sealed to them); hides it from my feed."""

        def act(m: Member) -> protocol.Envelope:
            envelope = m.decline(self._offer(offer_id), note=note)
            self._feed_cache.declined_changed()  # read again with this one
            return envelope

        record = await self._act(act)
        state = await self._run(lambda: self._offer(offer_id))
        self._emit(Changed(offers=frozenset({state.id}), peers=False, rows={state.id.hex(): None}))
        return record

    async def say(self, offer_id: str, text: str) -> str:
        """A message in the offer's conversation; returns the id of my own copy."""

        def act() -> str:
            envelopes = self.member.say(self._offer(offer_id), text)
            self._changes.add(envelopes)
            mine = [e for e in envelopes if getattr(e.body, "to", b"") == self.member.me]
            return (mine or envelopes)[0].id.hex()

        record = await self._run(act)
        await self._changes.settled()
        return record

    async def withdraw(self, offer_id: str, *, reason: str = "") -> str:
        return await self._act(lambda m: m.withdraw(self._offer(offer_id), reason=reason))

    async def vouch(self, member_id: str, *, skills: Iterable[str] = (), note: str = "") -> str:
        return await self._act(
            lambda m: m.vouch(m.resolve_member(member_id), skills=skills, note=note)
        )

    async def revoke(self, vouch_id: str) -> str:
        return await self._act(lambda m: m.revoke(m.resolve_vouch(vouch_id)))

    async def set_profile(self, **fields: Any) -> str:
        return await self._act(lambda m: m.set_profile(**fields))

    async def mark(self, member_id: str, mark: str, on: bool = True) -> None:
        def act() -> None:
            self.member.marks.set(mark, self.member.resolve_member(member_id), on)
            self._feed_cache.rank_again()  # muted rows change, blocked ones go

        await self._run(act)
        self._emit(Changed(peers=True))

    async def dial(self, address: str) -> None:
        """Connect to a multiaddr or invite now (and remember it)."""
        if self._bridge is None or self._node is None:
            raise UserError("the node is not running")
        await self._bridge.call(self._node.dial, address, timeout=10)

    # -- this member's devices -----------------------------------------------------

    async def devices(self) -> list[DeviceItem]:
        """This member's devices: this one first, then by link date."""

        def read() -> list[DeviceItem]:
            membership = devices.load_membership(self.home, self.member.identity, self.member.store)
            return devices.device_items(devices.directory_of(self.member.store), membership)

        return await self._run(read)

    async def start_pairing(self, *, manage: bool = False) -> Pairing:
        """A one-time code for a new device; the running node pairs it (DevicePaired)."""
        info = self.status.info
        if self._node is None or info is None:
            raise UserError("the node is not running: a new device has nothing to dial")
        membership = await self._run(
            devices.load_membership, self.home, self.member.identity, self.member.store
        )
        if not membership.manage:
            raise UserError("this device may not add devices: pair from the root or a managing one")
        offered = await self._run(lambda: pairing_codes.offer_pairing(self.home, manage=manage))
        return Pairing(code=offered.code, addresses=info.addresses, expires_at=offered.expires_at)

    async def revoke_device(
        self, device_id: str, *, reason: str = "", since: int | None = None
    ) -> str:
        """Unlink one of this member's devices from `since` (default now); the record id."""

        def act(m: Member) -> protocol.Envelope:
            now = m.now()
            if since is not None and not 0 <= since <= now:
                raise UserError("a device is revoked from a date in the past, not the future")
            revoked = devices.revoke(
                m, device_id, reason=reason, since=now if since is None else since
            )
            if revoked.profile is not None:  # the new seal key's profile goes out too
                self._changes.add([revoked.profile])
            return revoked.unlink

        return await self._act(act)
