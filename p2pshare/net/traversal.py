"""Across NATs: composes reachability (reach.py), relays (relay.py), circuit
dialing (addresses.py) and DCUtR hole punching for one node; node.py holds one.

Owns which addresses this node hands out (direct ones, plus a circuit address
per relay holding a reservation for it), how each connected peer is reached
(`direct` or `relayed`), and the DCUtR service.

Upstream behaviours worked around here (site-packages/libp2p):

- DCUtR first dials the peer's private LAN addresses learned by identify and
  waits the whole `dial_timeout` (default 10 s) before it punches
  (`relay/circuit_v2/dcutr.py:488`, research/nat pitfall 4): we pass
  `dial_timeout=DCUTR_DIAL_TIMEOUT` (2 s), which gets a direct connection about
  3 s after the circuit behind endpoint-independent NATs.
- After a successful punch upstream closes the relayed connection after a 60 s
  grace bound as a default argument (`dcutr.py:959`, no knob); we leave it: both
  connections work, new streams prefer the direct one (`network/swarm.py:1775`).
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Any

import trio
from libp2p.peer.id import ID
from libp2p.relay.circuit_v2.dcutr import DCUtRProtocol
from libp2p.tools.anyio_service import background_trio_service

from p2pshare.net import addresses
from p2pshare.net.reach import PROTOCOL as DIALBACK
from p2pshare.net.reach import PUBLIC, Reachability
from p2pshare.net.relay import Reservations, is_relayed, relay_protocol

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger(__name__)

DCUTR_DIAL_TIMEOUT = 2  # seconds (upstream default 10, see the module docstring)
ASK_INTERVAL = 2.0  # how often new direct connections are asked for a dial-back


class Traversal:
    """Run `run()` in the node's nursery once the host listens."""

    def __init__(
        self,
        host: Any,
        *,
        relay: bool,
        on_change: Callable[[], None] = lambda: None,
        dcutr: bool = True,
    ) -> None:
        self._host = host
        self.relaying = relay
        self._on_change = on_change
        self._protocol = relay_protocol(host, hop=relay)
        self.transport = addresses.circuit_transport(host, self._protocol)
        self.reach = Reachability(host, self._listen_ports, on_change=self._reach_changed)
        self.reservations = Reservations(
            host, wanted=lambda: self.reach.verdict != PUBLIC, on_change=on_change
        )
        self._dcutr = DCUtRProtocol(host, dial_timeout=DCUTR_DIAL_TIMEOUT) if dcutr else None
        host.set_stream_handler(DIALBACK, self.reach.on_stream)

    def _reach_changed(self, verdict: str) -> None:
        self.reservations.wake()
        self._on_change()

    def _listen_ports(self) -> list[int]:
        ports = []
        for addr in self._host.get_transport_addrs():
            with contextlib.suppress(Exception):
                ports.append(int(addr.value_for_protocol("tcp")))
        return list(dict.fromkeys(ports))

    async def run(self, *, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
        async with contextlib.AsyncExitStack() as stack:
            await stack.enter_async_context(background_trio_service(self._protocol))
            if self._dcutr is not None:
                await stack.enter_async_context(background_trio_service(self._dcutr))
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self.reservations.run)
                nursery.start_soon(self._ask_loop)
                task_status.started()

    async def _ask_loop(self) -> None:
        while True:
            await trio.sleep(ASK_INTERVAL)
            try:
                await self.reach.ask_new_peers()
            except Exception:
                log.exception("asking for dial-backs failed")

    # -- what the node shows and hands out ----------------------------------------

    def circuit_addrs(self) -> list[str]:
        """A circuit address through each relay holding a reservation for us: the
        relay's address as we reached it (our connection's remote address)."""
        me = self._host.get_id().to_base58()
        out: list[str] = []
        for relay in self.reservations.relays():
            for conn in self._host.get_network().get_connections(ID.from_base58(relay)):
                if is_relayed(conn):
                    continue
                for addr in conn.get_transport_addresses():
                    out.append(addresses.circuit_addr(f"{addr}/p2p/{relay}", me))
                    break
                break
        return out

    async def dial(self, addrs: list[str]) -> str | None:
        """Connect through the first of `addrs` that works (direct ones first)."""
        return await addresses.connect(self._host, self.transport, addrs)

    def connection(self, peer: ID) -> str | None:
        """`direct` if any connection to `peer` is direct, `relayed` if all go
        through relays, None if there is none."""
        conns = self._host.get_network().get_connections(peer)
        if not conns:
            return None
        return "relayed" if all(is_relayed(c) for c in conns) else "direct"

    def connection_addrs(self, peer: ID) -> list[str]:
        out: list[str] = []
        for conn in self._host.get_network().get_connections(peer):
            with contextlib.suppress(Exception):
                out.extend(str(a) for a in conn.get_transport_addresses())
        return out

    def snapshot(self) -> dict[str, Any]:
        """For node.json (read by `id --json` and `peers --json`)."""
        return {
            "reachability": self.reach.verdict,
            "relaying": self.relaying,
            "relays": self.reservations.relays(),
        }
