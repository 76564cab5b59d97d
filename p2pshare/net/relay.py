"""Circuit relay v2: relaying for others (`serve --relay`) and keeping reservations.

Owns both sides of py-libp2p 0.8.1's circuit relay v2:

- `relay_protocol`: the HOP service a public member runs with `serve --relay`,
  with `RELAY_LIMITS` (the relay owner's protection), and the STOP handler every
  node runs so that circuits can reach it.
- `Reservations`: a private node keeps a reservation on up to `WANTED` relays
  chosen among the peers it is connected to that speak HOP (identify tells),
  renews them, and moves to another relay when one goes away or restarts.

Upstream behaviours worked around here (paths in site-packages/libp2p):

- `relay/circuit_v2/discovery.py` (RelayDiscovery) does its first pass when it
  starts (nothing connected yet), the next one 300 s later (`config.py:24`), and
  caches an empty protocol list fetched before identify finished (`discovery.py:222`),
  after which the relay is "not a relay" for good (research/nat pitfall 2). We do
  not run it: `Reservations` sends RESERVE itself (the same HopMessage upstream's
  `CircuitV2Transport._make_reservation` sends) whenever a connected peer lists HOP
  and has no live reservation from us on *its current connection*.
- A relay forgets reservations when it restarts; a client learns it only when a
  dial through it fails with NO_RESERVATION. We key a reservation by the
  connection it was made on: a new connection to the relay means a new RESERVE.
- Upstream's defaults (`config.py:26-30`) allow 4 reservations per relay; see
  `RELAY_LIMITS` for ours.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import trio
from libp2p.peer.id import ID
from libp2p.relay.circuit_v2.pb.circuit_pb2 import HopMessage
from libp2p.relay.circuit_v2.pb.circuit_pb2 import PeerId as CircuitPeerId
from libp2p.relay.circuit_v2.protocol import PROTOCOL_ID as HOP_PROTOCOL
from libp2p.relay.circuit_v2.protocol import CircuitV2Protocol
from libp2p.relay.circuit_v2.protocol_buffer import StatusCode
from libp2p.relay.circuit_v2.resources import RelayLimits
from libp2p.relay.circuit_v2.utils import read_delimited_msg, write_delimited_msg

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger(__name__)

# What a member's relay grants (documented in the README, "Across the internet").
# A relayed connection carries gossip and catch-up between two members who cannot
# reach each other otherwise (symmetric NAT), so circuits are not the 2-minute,
# 128 KiB "just enough for hole punching" circuits of go-libp2p's defaults.
RELAY_LIMITS = RelayLimits(
    duration=3600,  # seconds one circuit may live; the members redial after
    data=64 * 1024 * 1024,  # bytes one circuit may carry (both ways together)
    max_circuit_conns=16,  # concurrent circuits to one reserved member
    max_reservations=64,  # members holding a reservation at once
    reservation_ttl=3600,  # seconds a reservation lasts unless renewed
)
# The STOP side (circuits to this node) takes the same limits object; it does not
# enforce them (only a relay does), upstream requires one.
WANTED = 3  # relays a private node keeps a reservation on
RENEW_BEFORE = 600.0  # renew a reservation this many seconds before it expires
CHECK_INTERVAL = 2.0  # how often the keeper looks at its relays
RESERVE_TIMEOUT = 5.0
RETRY_AFTER = 30.0  # a relay that refused: ask again on that connection after this long
REDIAL_CAP = 4.0  # seconds at most between redials of a relay we lost (discovery backoff)


def relay_protocol(host: Any, *, hop: bool) -> CircuitV2Protocol:
    """The circuit v2 service: STOP always (circuits can reach this node), HOP if
    `hop` (this node relays for others within RELAY_LIMITS). Run it as a service."""
    return CircuitV2Protocol(host, limits=RELAY_LIMITS, allow_hop=hop)


def speaks_hop(host: Any, peer: ID) -> bool:
    """Whether identify said `peer` relays (lists the HOP protocol)."""
    try:
        return HOP_PROTOCOL in host.get_peerstore().get_protocols(peer)
    except Exception:
        return False


def _connection_key(host: Any, peer: ID) -> int | None:
    """Which connection we hold to `peer` (its id), None if there is none."""
    conns = host.get_network().get_connections(peer)
    return id(conns[0]) if conns else None


@dataclass(slots=True)
class Reservation:
    relay: str
    expires: float  # unix time
    connection: int  # id() of the connection it was made on


async def reserve(host: Any, relay: ID) -> float | None:
    """Send RESERVE to `relay`; its expiry (unix time) if granted, else None."""
    with trio.move_on_after(RESERVE_TIMEOUT):
        stream = await host.new_stream(relay, [HOP_PROTOCOL])
        try:
            msg = HopMessage(
                type=HopMessage.RESERVE, peer=CircuitPeerId(id=host.get_id().to_bytes())
            )
            await write_delimited_msg(stream, msg)
            resp = await read_delimited_msg(stream, HopMessage)
        finally:
            with (
                trio.CancelScope(shield=True),
                trio.move_on_after(0.5),
                contextlib.suppress(Exception),
            ):
                await stream.close()
        status = StatusCode(resp.status) if resp.HasField("status") else StatusCode.OK
        if status != StatusCode.OK:
            log.info("relay %s refused a reservation: %s", relay, status.name)
            return None
        expires = float(resp.reservation.expire) if resp.HasField("reservation") else 0.0
        return expires or time.time() + RELAY_LIMITS.reservation_ttl
    log.info("relay %s did not answer RESERVE in time", relay)
    return None


class Reservations:
    """Keeps reservations on up to `WANTED` connected relays while `wanted()` says so."""

    def __init__(
        self,
        host: Any,
        *,
        wanted: Callable[[], bool],
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self._host = host
        self._wanted = wanted
        self._on_change = on_change
        self.held: dict[str, Reservation] = {}
        self.lost: set[str] = set()  # relays we held a reservation on, now gone
        # relay -> (the connection it refused on, monotonic time to ask again on it)
        self._refused: dict[str, tuple[int, float]] = {}
        self._wake = trio.Event()

    def relays(self) -> list[str]:
        """The relays holding a reservation for us now (member ids), oldest first."""
        return list(self.held)

    def missed(self, relay: str) -> bool:
        """A relay we lost and still want back (the node redials it without the
        usual long backoff: circuits to us need it)."""
        return relay in self.lost and self._wanted() and len(self.held) < WANTED

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            with trio.move_on_after(CHECK_INTERVAL):
                await self._wake.wait()
            self._wake = trio.Event()
            try:
                await self.check()
            except Exception:
                log.exception("keeping relay reservations failed")

    async def check(self) -> None:
        """Drop reservations whose connection is gone; renew; reserve on new relays."""
        host, changed = self._host, False
        for name, held in list(self.held.items()):
            key = _connection_key(host, ID.from_base58(name))
            if key != held.connection or held.expires <= time.time():
                del self.held[name]  # gone, restarted (new connection) or expired
                self.lost.add(name)
                changed = True
                log.info("reservation on relay %s lost", name)
        if not self._wanted():
            if self.held:
                self.held.clear()  # reachable directly: circuits are not needed
                changed = True
        else:
            now = time.time()
            for name, held in list(self.held.items()):
                if held.expires - now < RENEW_BEFORE:
                    changed |= await self._reserve(ID.from_base58(name))
            if len(self.held) < WANTED:
                for peer in self._candidates():
                    if len(self.held) >= WANTED:
                        break
                    changed |= await self._reserve(peer)
        if changed:
            self._on_change()

    def _candidates(self) -> list[ID]:
        host, now = self._host, time.monotonic()
        out = []
        for peer in host.get_connected_peers():
            name = peer.to_base58()
            if name in self.held or self._refused_on(name, _connection_key(host, peer), now):
                continue
            if speaks_hop(host, peer) and not _relayed_only(host, peer):
                out.append(peer)
        return sorted(out, key=lambda p: p.to_base58())

    def _refused_on(self, name: str, connection: int | None, now: float) -> bool:
        """Whether `name` refused us on this very connection less than RETRY_AFTER ago.
        A new connection (the relay restarted, or we reconnected) asks again at once."""
        refused = self._refused.get(name)
        return refused is not None and refused[0] == connection and refused[1] > now

    async def _reserve(self, peer: ID) -> bool:
        name = peer.to_base58()
        key = _connection_key(self._host, peer)
        try:
            expires = await reserve(self._host, peer)
        except Exception as exc:
            log.info("reservation on %s failed: %s", name, exc)
            expires = None
        if expires is None or key is None:
            # Not again on this connection for a while. A RESERVE that failed because
            # the connection went (the relay stopping) costs nothing: under load the
            # keeper often reserves on a relay's dying connection, then fails on the
            # next check; a 30 s penalty from that outlived the relay's return.
            if key is not None and key == _connection_key(self._host, peer):
                self._refused[name] = (key, time.monotonic() + RETRY_AFTER)
            return False
        fresh = name not in self.held
        self.held[name] = Reservation(name, expires, key)
        self.lost.discard(name)
        if fresh:
            log.info("reserved a slot on relay %s", name)
        return fresh


def _relayed_only(host: Any, peer: ID) -> bool:
    """A relay reached through another relay is no use as a relay."""
    conns = host.get_network().get_connections(peer)
    return bool(conns) and all(is_relayed(c) for c in conns)


def is_relayed(conn: Any) -> bool:
    """Whether a swarm connection goes through a relay (its address has /p2p-circuit)."""
    try:
        addrs = conn.get_transport_addresses()
    except Exception:
        return False
    return any("/p2p-circuit" in str(a) for a in addrs)
