"""The node's side of peer exchange and find: what it tells peers, and what it learns.

On every new connection, and whenever our own addresses change, the node and
the peer swap listings over /p2pshare/peers/1.0.0: where each listens and
whom it is connected to (peer_exchange.py carries it). What is learned goes to
the book and wakes the dialer. Over /p2pshare/find/1.0.0 the node asks its
connected peers where one member is (after every dial of it failed, or when
asked) and answers the same question from its book.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import trio
from libp2p.custom_types import TProtocol
from libp2p.peer.id import ID

from p2pshare.net import peer_exchange

if TYPE_CHECKING:
    from collections.abc import Callable

    from p2pshare.net.discovery import PeerBook

log = logging.getLogger(__name__)

PEERS_PROTOCOL = TProtocol(peer_exchange.PROTOCOL)
FIND_PROTOCOL = TProtocol(peer_exchange.FIND_PROTOCOL)
FIND_ASKS = 8  # connected peers asked at once where a member is


class PeerSharing:
    """Peer exchange and find for one host; `install()` registers both protocols."""

    def __init__(
        self,
        host: Any,
        book: PeerBook,
        connected: set[str],
        *,
        member_id: str,
        own_addresses: Callable[[], list[str]],
        wake_dialer: Callable[[], None],
        nursery: Callable[[], trio.Nursery | None],
    ) -> None:
        self._host = host
        self._book = book
        self._connected = connected
        self._member_id = member_id
        self._own_addresses = own_addresses  # where this node listens now (NodeInfo)
        self._wake_dialer = wake_dialer
        self._nursery = nursery

    def install(self) -> None:
        self._host.set_stream_handler(PEERS_PROTOCOL, self._on_peers_stream)
        self._host.set_stream_handler(FIND_PROTOCOL, self._on_find_stream)

    # -- peer exchange ---------------------------------------------------------------

    async def exchange(self, name: str) -> None:
        """Swap listings with the connected peer `name`."""
        try:
            with trio.fail_after(5):
                stream = await self._host.new_stream(ID.from_base58(name), [PEERS_PROTOCOL])
        except Exception as exc:
            log.debug("no peer exchange with %s: %s", name, exc)
            return
        got = await peer_exchange.exchange(stream, self._listing(), name, initiator=True)
        self._learn(name, got)

    def announce(self) -> None:
        """Our addresses changed: tell every connected peer."""
        if (nursery := self._nursery()) is not None:
            for name in sorted(self._connected):
                nursery.start_soon(self.exchange, name)

    def _listing(self) -> bytes:
        own = self._own_addresses()
        peers = [(p, self._book.addrs(p)) for p in sorted(self._connected)]
        return peer_exchange.encode(own, [(p, a) for p, a in peers if a])

    def _learn(self, remote: str, listing: peer_exchange.Listing) -> None:
        own, learned = listing
        if own:
            self._book.add(remote, own, seen=True, own=True)
        for peer, addrs in learned:
            self._book.add(peer, addrs)
        if learned:
            self._wake_dialer()

    async def _on_peers_stream(self, stream: Any) -> None:
        name = stream.muxed_conn.peer_id.to_base58()
        got = await peer_exchange.exchange(stream, self._listing(), name, initiator=False)
        self._learn(name, got)

    # -- finding a member by id --------------------------------------------------------

    async def find(self, member_id: str) -> list[str]:
        """Ask the connected peers where `member_id` is; fresh addresses go to the
        book (first). Every address learned, [] if nobody knows."""
        found: list[str] = []

        async def ask(peer: str) -> None:
            try:
                with trio.fail_after(5):
                    stream = await self._host.new_stream(ID.from_base58(peer), [FIND_PROTOCOL])
            except Exception as exc:
                log.debug("no find stream to %s: %s", peer, exc)
                return
            found.extend(await peer_exchange.ask_find(stream, member_id))

        async with trio.open_nursery() as nursery:
            for peer in sorted(self._connected - {member_id})[:FIND_ASKS]:
                nursery.start_soon(ask, peer)
        found = list(dict.fromkeys(found))
        if found:
            self._book.add(member_id, found)
        return found

    def _whereabouts(self, member_id: str) -> list[str]:
        """What this node tells others about where `member_id` is."""
        if member_id == self._member_id:
            return self._own_addresses()
        return self._book.addrs(member_id)

    async def _on_find_stream(self, stream: Any) -> None:
        await peer_exchange.answer_find(stream, self._whereabouts)
