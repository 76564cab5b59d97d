"""Reachability: can this node be dialled from outside? Learned by dial-back.

Owns `/p2pshare/dialback/1.0.0` and the node's verdict (`public`, `private`,
`unknown`). A node asks each peer it holds a direct connection to: "dial me back
at the address you see me at, on my listening port". The peer opens a *fresh*
TCP connection from a new port to the IP it sees on that connection, and answers
whether the connection opened. Behind a NAT or a firewall it does not (the
router has no mapping for it, or drops unsolicited traffic), on a public address
it does.

Why not py-libp2p 0.8.1's AutoNAT: its server dials with `host.connect()`
(`host/autonat/autonat.py:396`), which returns the connection that already
exists, so a NATed node that advertises its observed address is told "public"
every time; and a node advertising its LAN addresses is refused with
E_DIAL_REFUSED, which the client counts as "private" for the wrong reason
(`autonat.py:459`); with one server the default `confirmations=4` never
decides (research/nat pitfalls 5-7).

Wire: the asker writes one frame, msgpack `[port, ...]` (its TCP listening
ports, at most 4); the answerer writes one frame, msgpack `[verdict, "ip:port"]`
with verdict 1 (a dial-back connected), 0 (none did) or 2 (cannot tell: the
connection is relayed, or the answerer is busy or was asked too recently).
A dial-back goes only to the IP the asker connected from, at most once per
asker per `ANSWER_EVERY`, a few at a time: it cannot be used to make a node
connect to third parties.

A success from a LAN or loopback address proves reachability on that LAN only:
it counts as "cannot tell".
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import time
from typing import TYPE_CHECKING, Any

import msgpack
import trio
from libp2p.custom_types import TProtocol

from p2pshare.net.framing import FramedStream
from p2pshare.net.relay import is_relayed

if TYPE_CHECKING:
    from collections.abc import Callable

    from libp2p.peer.id import ID

log = logging.getLogger(__name__)

PROTOCOL = TProtocol("/p2pshare/dialback/1.0.0")
PUBLIC, PRIVATE, UNKNOWN = "public", "private", "unknown"
NO, YES, CANNOT_TELL = 0, 1, 2
DIAL_TIMEOUT = 3.0  # a dial-back that does not connect within this is "no"
ASK_TIMEOUT = DIAL_TIMEOUT * 2 + 2
ANSWER_EVERY = 60.0  # seconds between two dial-backs for the same asker
MAX_CONCURRENT = 4
FRESH = 1800.0  # seconds a verdict counts
MAX_FRAME = 256

_LOCAL_NETS = [
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "169.254.0.0/16",
        "127.0.0.0/8",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
    )
]


def is_local(ip: str) -> bool:
    """A LAN, CGNAT, link-local or loopback address (reachable only nearby)."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return True
    return any(addr in net for net in _LOCAL_NETS if net.version == addr.version)


def remote_ip_port(conn: Any) -> tuple[str, int] | None:
    """The (ip, port) a direct swarm connection comes from, as this side sees it."""
    if is_relayed(conn):
        return None
    try:
        for addr in conn.get_transport_addresses():
            for proto in ("ip4", "ip6"):
                with contextlib.suppress(Exception):
                    return str(addr.value_for_protocol(proto)), int(addr.value_for_protocol("tcp"))
    except Exception:
        return None
    return None


class Reachability:
    """The node's verdict from its peers' dial-back answers; serves the protocol too."""

    def __init__(
        self,
        host: Any,
        listen_ports: Callable[[], list[int]],
        *,
        on_change: Callable[[str], None] = lambda verdict: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._host = host
        self._ports = listen_ports
        self._on_change = on_change
        self._clock = clock
        self._answers: dict[str, tuple[int, float]] = {}  # peer -> (YES/NO, when)
        self._asked: dict[str, int] = {}  # peer -> connection id we asked on
        self._answered: dict[str, float] = {}  # peer -> when we last dialled back
        self._busy = trio.Semaphore(MAX_CONCURRENT)
        self.verdict = UNKNOWN
        self.dialbacks = 0  # dial-backs this node made for others

    # -- the verdict ------------------------------------------------------------

    def record(self, peer: str, answer: int) -> None:
        if answer in (YES, NO):
            self._answers[peer] = (answer, self._clock())
        self._decide()

    def _decide(self) -> None:
        now = self._clock()
        fresh = [a for a, when in self._answers.values() if now - when < FRESH]
        verdict = PUBLIC if YES in fresh else PRIVATE if NO in fresh else UNKNOWN
        if verdict != self.verdict:
            log.info("reachability: %s (was %s)", verdict, self.verdict)
            self.verdict = verdict
            self._on_change(verdict)

    # -- asking -------------------------------------------------------------------

    async def ask_new_peers(self) -> None:
        """Ask every peer we hold a new direct connection to (once per connection)."""
        host = self._host
        async with trio.open_nursery() as nursery:
            for peer in host.get_connected_peers():
                name = peer.to_base58()
                conns = [c for c in host.get_network().get_connections(peer) if not is_relayed(c)]
                if not conns or self._asked.get(name) == id(conns[0]):
                    continue
                if PROTOCOL not in _protocols(host, peer):
                    continue  # identify has not told yet, or not a p2pshare node
                self._asked[name] = id(conns[0])
                nursery.start_soon(self.ask, peer)
        self._decide()  # verdicts age out

    async def ask(self, peer: ID) -> int:
        """Ask `peer` to dial us back; its answer (YES, NO or CANNOT_TELL)."""
        ports = [p for p in self._ports() if p][:4]
        if not ports:
            return CANNOT_TELL
        answer, where = CANNOT_TELL, ""
        try:
            with trio.fail_after(ASK_TIMEOUT):
                stream = await self._host.new_stream(peer, [PROTOCOL])
                framed = FramedStream(stream, max_frame=MAX_FRAME)
                try:
                    await framed.write_frame(msgpack.packb(ports))
                    await framed.flush()
                    frame = await framed.read_frame()
                finally:
                    with (
                        trio.CancelScope(shield=True),
                        trio.move_on_after(0.5),
                        contextlib.suppress(Exception),
                    ):
                        await stream.close()
            if frame is not None:
                verdict, where = msgpack.unpackb(frame, max_array_len=2, max_str_len=64)
                answer = int(verdict) if verdict in (YES, NO) else CANNOT_TELL
                if answer == YES and is_local(str(where).rsplit(":", 1)[0]):
                    answer = CANNOT_TELL  # reachable on a LAN only
        except Exception as exc:
            log.debug("dial-back by %s failed: %s", peer, exc)
            return CANNOT_TELL
        log.info("dial-back by %s at %s: %s", peer, where, {YES: "yes", NO: "no"}.get(answer, "?"))
        self.record(peer.to_base58(), answer)
        return answer

    # -- answering ----------------------------------------------------------------

    async def on_stream(self, stream: Any) -> None:
        framed = FramedStream(stream, max_frame=MAX_FRAME)
        try:
            with trio.move_on_after(ASK_TIMEOUT):
                frame = await framed.read_frame()
                if frame is None:
                    return
                ports = msgpack.unpackb(frame, max_array_len=4)
                if not isinstance(ports, list) or not all(
                    isinstance(p, int) and 0 < p < 65536 for p in ports
                ):
                    return
                verdict, where = await self._dial_back(stream.muxed_conn.peer_id, ports)
                await framed.write_frame(msgpack.packb([verdict, where]))
                await framed.flush()
        except Exception as exc:
            log.debug("answering a dial-back request failed: %s", exc)
        finally:
            with (
                trio.CancelScope(shield=True),
                trio.move_on_after(0.5),
                contextlib.suppress(Exception),
            ):
                await stream.close()

    async def _dial_back(self, peer: ID, ports: list[int]) -> tuple[int, str]:
        name, now = peer.to_base58(), self._clock()
        if now - self._answered.get(name, -ANSWER_EVERY) < ANSWER_EVERY:
            return CANNOT_TELL, ""
        conns = self._host.get_network().get_connections(peer)
        seen = next((a for c in conns if (a := remote_ip_port(c)) is not None), None)
        if seen is None:
            return CANNOT_TELL, ""  # relayed: we do not know where it is
        if self._busy.value == 0:
            return CANNOT_TELL, ""
        self._answered[name] = now
        if len(self._answered) > 4096:
            self._answered.clear()
        host = seen[0]
        async with self._busy:
            for port in ports:
                self.dialbacks += 1
                with trio.move_on_after(DIAL_TIMEOUT):
                    try:
                        sock = await trio.open_tcp_stream(host, port)
                    except OSError:
                        continue
                    with trio.CancelScope(shield=True), trio.move_on_after(0.5):
                        await sock.aclose()
                    return YES, f"{host}:{port}"
        return NO, f"{host}:{ports[0]}"


def _protocols(host: Any, peer: ID) -> list[str]:
    try:
        return list(host.get_peerstore().get_protocols(peer))
    except Exception:
        return []
