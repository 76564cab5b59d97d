"""Addresses that reach a member: direct ones first, then circuits through relays.

Owns what an address *is* for dialing (direct or `/p2p-circuit`), the circuit
addresses a node hands out for itself, and `connect()`, the one way the node
dials a peer given its addresses.

Upstream behaviours worked around here (site-packages/libp2p):

- `host.connect()` never dials a `/p2p-circuit` address: `network/swarm.py:824`
  drops relay addresses ("this node has no relay transport") even when a
  CircuitV2Transport exists; with only unreachable direct addresses it retries
  them for seconds. So `connect()` dials direct addresses with `host.connect()`
  (bounded), then circuits with `CircuitV2Transport.dial()` itself.
- Circuit addresses are never announced through the host's `addrs_factory`:
  `host/basic_host.py:533-538` strips "the" `/p2p/` part, which for
  `/ip4/R/tcp/P/p2p/RELAY/p2p-circuit` removes the relay id and everything after
  it (research/nat pitfall 8). They travel as application data instead: in
  invites (invite.py) and in peer exchange (peer_exchange.py).
- The receiving side of a circuit sees `/p2p/<itself>/p2p-circuit/p2p/<remote>`
  (`relay/circuit_v2/protocol.py:470` uses its own id as the relay's): never
  parse a connection's address for the relay; use `is_relayed` only.
"""

from __future__ import annotations

import logging
from typing import Any

import multiaddr
import trio
from libp2p.peer.id import ID
from libp2p.peer.peerinfo import info_from_p2p_addr
from libp2p.relay.circuit_v2.config import RelayConfig, RelayRole
from libp2p.relay.circuit_v2.transport import CircuitV2Transport

from p2pshare.net.host import unblock
from p2pshare.net.relay import RELAY_LIMITS

log = logging.getLogger(__name__)

CIRCUIT = "/p2p-circuit"
DIRECT_TIMEOUT = 4.0  # all direct addresses of one peer together
CIRCUIT_TIMEOUT = 10.0  # one circuit dial (relay connect + HOP CONNECT + handshake)


def is_circuit(addr: str) -> bool:
    return CIRCUIT + "/" in addr or addr.endswith(CIRCUIT)


def split(addrs: list[str]) -> tuple[list[str], list[str]]:
    """(direct, circuit) addresses, each in the order given."""
    direct = [a for a in addrs if not is_circuit(a)]
    return direct, [a for a in addrs if is_circuit(a)]


def circuit_addr(relay_addr: str, member: str) -> str:
    """`<relay's full address>/p2p-circuit/p2p/<member>`."""
    return f"{relay_addr}{CIRCUIT}/p2p/{member}"


def relay_of(circuit: str) -> str:
    """The relay's full address (`.../p2p/<relay>`) in a circuit address."""
    return circuit.split(CIRCUIT)[0]


def circuit_transport(host: Any, protocol: Any) -> CircuitV2Transport:
    """A transport that dials circuits (STOP role only: the dial itself does not
    reserve; relay.Reservations keeps our reservations)."""
    return CircuitV2Transport(
        host, protocol, RelayConfig(roles=RelayRole.STOP, limits=RELAY_LIMITS)
    )


async def connect(host: Any, transport: CircuitV2Transport | None, addrs: list[str]) -> str | None:
    """Connect to the peer these full addresses name: direct ones first, then
    circuits. The address that worked, or None (each failure is logged)."""
    direct, circuits = split(addrs)
    with trio.move_on_after(DIRECT_TIMEOUT):
        for addr in direct:
            try:
                await host.connect(info_from_p2p_addr(multiaddr.Multiaddr(addr)))
            except Exception as exc:
                log.info("dial %s failed: %s", addr, exc)
                continue
            return addr
    if transport is None:
        return None
    for addr in circuits:
        relay = relay_of(addr)
        try:
            with trio.fail_after(CIRCUIT_TIMEOUT):
                peer = ID.from_base58(addr.rsplit("/p2p/", 1)[1])
                if host.get_network().get_connections(peer):
                    return addr  # a connection came meanwhile (the peer dialled us)
                # Upstream keeps a peer whose dial failed in a 60 s negative cache
                # (swarm `_negative_peer_cache`): a relay that was down a moment ago
                # would be refused without a try.
                unblock(host, ID.from_base58(relay.rsplit("/p2p/", 1)[1]))
                await transport.dial(multiaddr.Multiaddr(addr))
        except Exception as exc:
            log.info("dial through relay %s failed: %s", relay, exc)
            continue
        return addr
    return None
