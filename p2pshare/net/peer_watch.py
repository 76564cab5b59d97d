"""Who is connected, and who may not be: the swarm's connection set as events, and blocks.

py-libp2p has no connect/disconnect callbacks we can rely on, so the watch
polls the swarm's connected peers every 0.1 s and turns the difference into
`PeerConnected` / `PeerDisconnected` events and the node's own reactions
(`arrived`, `left`). A peer that keeps sending invalid records is blocked for
`block_seconds`: blacklisted in pubsub, disconnected, and disconnected again
whenever it comes back before its block ends. The standing it writes
(connected since, blocked until) is peer_standing.py's.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import trio
from libp2p.peer.id import ID

from p2pshare.events import PeerConnected, PeerDisconnected

if TYPE_CHECKING:
    from collections.abc import Callable

    from p2pshare.net.peer_standing import PeerStanding
    from p2pshare.net.refusals import Refusals

log = logging.getLogger(__name__)

POLL_SECONDS = 0.1


class PeerWatch:
    """Keeps `connected` (the node's set of connected member ids) true to the swarm."""

    def __init__(
        self,
        host: Any,
        pubsub: Any,
        standing: PeerStanding,
        connected: set[str],
        *,
        emit: Callable[[Any], None],
        refusals: Refusals,
        block_seconds: float,
        nursery: Callable[[], trio.Nursery | None],
        arrived: Callable[[str], None],
        left: Callable[[str], None],
    ) -> None:
        self._host = host
        self._pubsub = pubsub
        self._standing = standing
        self._connected = connected
        self._emit = emit
        self._refusals = refusals
        self._block_seconds = block_seconds
        self._nursery = nursery
        self._arrived = arrived
        self._left = left

    async def run(self) -> None:
        """Turn the swarm's connection set into events, syncs and peer exchanges."""
        host, blocked = self._host, self._standing.blocked
        while True:
            now_connected = {p.to_base58() for p in host.get_connected_peers()}
            for name in sorted(now_connected - self._connected):
                if name in blocked:
                    nursery = self._nursery()
                    assert nursery is not None
                    nursery.start_soon(self._disconnect, ID.from_base58(name))
                    continue
                self._connected.add(name)
                self._standing.since[name] = time.monotonic()
                self._emit(PeerConnected(member_id=name, connected=len(self._connected)))
                self._arrived(name)
            for name in sorted(self._connected - now_connected):
                self._connected.discard(name)
                self._standing.since.pop(name, None)
                self._left(name)
                self._emit(PeerDisconnected(member_id=name, connected=len(self._connected)))
            self._unblock_expired()
            self._refusals.tick()
            await trio.sleep(POLL_SECONDS)

    def block(self, name: str) -> None:
        """The door's verdict on a peer that keeps sending invalid records."""
        peer = ID.from_base58(name)
        seconds = self._block_seconds
        log.warning("blocking %s for %.0f s: repeated invalid records", name, seconds)
        self._standing.blocked[name] = time.monotonic() + self._block_seconds
        self._pubsub.add_to_blacklist(peer)
        if (nursery := self._nursery()) is not None:
            nursery.start_soon(self._disconnect, peer)

    async def _disconnect(self, peer: ID) -> None:
        with trio.move_on_after(2):
            try:
                await self._host.disconnect(peer)
            except Exception:
                log.debug("disconnecting %s failed", peer, exc_info=True)

    def _unblock_expired(self) -> None:
        now = time.monotonic()
        for name, until in list(self._standing.blocked.items()):
            if until <= now:
                del self._standing.blocked[name]
                self._pubsub.remove_from_blacklist(ID.from_base58(name))
