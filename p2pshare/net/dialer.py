"""Dialing peers: keeping up to `max_peers` connections we dialled, and redialing.

The dialer takes due peers from the book (discovery.PeerBook: its backoff,
relays first) whenever it is woken (a peer left, was learned or found, a relay
came back) and at least once a second, never more than the room left under
`max_peers`. A dial tries the direct addresses, then circuits (traversal.py).
When every address fails, the peer's backoff grows (capped low if only its
relay reservation was missing) and the community is asked where it is now
(`find`), at most once a minute per member. The owner's own `dial` goes through
here too, and names the peer: a trust path (peer_standing.py).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import trio
from libp2p.peer.id import ID

from p2pshare.errors import UserError
from p2pshare.net import host as hostmod
from p2pshare.net.discovery import BACKOFF_MAX
from p2pshare.net.invite import parse_peer
from p2pshare.net.relay import REDIAL_CAP

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from p2pshare.net.discovery import PeerBook
    from p2pshare.net.peer_standing import PeerStanding
    from p2pshare.net.traversal import Traversal

log = logging.getLogger(__name__)

FIND_EVERY = 60.0  # seconds between two community look-ups of one member


class Dialer:
    """Dials the book's due peers into the node's `connected` set."""

    def __init__(
        self,
        host: Any,
        traversal: Traversal,
        book: PeerBook,
        standing: PeerStanding,
        connected: set[str],
        *,
        member_id: str,
        max_peers: int,
        nursery: Callable[[], trio.Nursery | None],
        find: Callable[[str], Awaitable[list[str]]],
    ) -> None:
        self._host = host
        self._traversal = traversal
        self._book = book
        self._standing = standing
        self._connected = connected
        self._member_id = member_id
        self._max_peers = max_peers
        self._nursery = nursery
        self._find = find  # ask the connected peers where a member is (peer_sharing.py)
        self._wake = trio.Event()
        self._dialing: dict[str, trio.Event] = {}  # peer -> set when that dial ends
        self._looked_up: dict[str, float] = {}  # member -> when we last asked the community
        self._reserved_on: set[str] = set()  # relays holding a reservation for us

    def wake(self) -> None:
        """Look at the book now, not at the next second."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            with trio.move_on_after(1.0):
                await self._wake.wait()
            self._wake = trio.Event()
            room = self._max_peers - len(self._connected) - len(self._dialing)
            if room <= 0:
                continue
            exclude = self._connected | set(self._dialing) | set(self._standing.blocked)
            nursery = self._nursery()
            assert nursery is not None
            for peer in self._book.due(exclude)[:room]:
                nursery.start_soon(self.dial_peer, peer, self._book.addrs(peer))

    async def dial(self, address: str) -> None:
        """Connect to a multiaddr or invite now and remember it; UserError if it fails."""
        peer = parse_peer(address)
        if peer.member_id == self._member_id:
            raise UserError("that address is this node itself")
        self._book.add(peer.member_id, peer.addrs)
        self._standing.named.add(peer.member_id)
        with trio.move_on_after(10):
            if (dialing := self._dialing.get(peer.member_id)) is not None:
                await dialing.wait()  # the dialer is already at it
        if peer.member_id in self._connected or self._is_connected(peer.member_id):
            return
        if not await self.dial_peer(peer.member_id, list(peer.addrs)):
            raise UserError(f"could not connect to {peer.member_id}")

    async def dial_peer(self, peer: str, addrs: list[str]) -> bool:
        """One dial of `peer` at `addrs`; whether it connected."""
        if peer in self._dialing or peer == self._member_id:
            return False
        self._dialing[peer] = trio.Event()
        try:
            hostmod.unblock(self._host, ID.from_base58(peer))  # upstream keeps failed peers 60 s
            addr = await self._traversal.dial(addrs)  # direct addresses, then circuits
            if addr is not None:
                self._book.add(peer, [addr], seen=True)
                return True
            lost_relay = self._traversal.reservations.missed(peer)
            self._book.failed(peer, cap=REDIAL_CAP if lost_relay else BACKOFF_MAX)
            if (nursery := self._nursery()) is not None:  # every address failed: ask the community
                nursery.start_soon(self._find_after_failure, peer)
            return False
        finally:
            self._dialing.pop(peer).set()

    def _is_connected(self, member_id: str) -> bool:
        return any(p.to_base58() == member_id for p in self._host.get_connected_peers())

    async def _find_after_failure(self, member_id: str) -> None:
        now = time.monotonic()
        if now - self._looked_up.get(member_id, -FIND_EVERY) < FIND_EVERY:
            return
        self._looked_up[member_id] = now
        before = set(self._book.addrs(member_id))
        if set(await self._find(member_id)) - before:
            log.info("found fresh addresses of %s through the community", member_id)
            self._book.retry(member_id)
            self.wake()

    # -- what wakes it -----------------------------------------------------------------

    def on_mdns_peer(self, peer: str, addrs: list[str]) -> None:
        if self._book.add(peer, addrs):
            log.info("mDNS found %s", peer)
        self.wake()

    def relay_arrived(self, name: str) -> None:
        """A relay came (back): who is behind it is due now (discovery.VIA_WINDOW)."""
        if self._book.retry_via(name):
            self.wake()

    def reservations_changed(self, relays: list[str]) -> None:
        """The relays holding a reservation for us now."""
        for relay in relays:
            self._book.mark_relay(relay)  # dialled first after a restart or a drop
            # A reservation (again): circuits between us and the members behind
            # that relay work now if theirs is there too; redial them at once.
            if relay not in self._reserved_on and self._book.retry_via(relay):
                self.wake()
        self._reserved_on = set(relays)
