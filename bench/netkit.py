"""Shared by the network benchmarks: p2pshare nodes and raw py-libp2p gossip nodes on loopback."""

from __future__ import annotations

import logging
import random
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import multiaddr
import trio
from libp2p.crypto.ed25519 import create_new_key_pair
from libp2p.peer.peerinfo import info_from_p2p_addr
from libp2p.tools.anyio_service import background_trio_service

from p2pshare.events import RecordsArrived
from p2pshare.member.actions import Member
from p2pshare.member.home import Home
from p2pshare.net import gossip
from p2pshare.net import host as hostmod
from p2pshare.net.node import Node, NodeConfig
from p2pshare.service.api import create_identity

if TYPE_CHECKING:
    from contextlib import AsyncExitStack

# logs (libp2p's ERRORs at close included) go to a file, never over the figures
logging.basicConfig(
    filename=str(Path(tempfile.gettempdir()) / "p2pshare-bench-net.log"), level=logging.WARNING
)

LOOPBACK = multiaddr.Multiaddr("/ip4/127.0.0.1/tcp/0")
# max_peers=0: the node dials only what the benchmark tells it to. Otherwise peer
# exchange fills every node up to 8 connections (a 20-node sparse graph of 29
# edges became ~100 connections), and the raw side would not have the same topology.
CONFIG = NodeConfig(listen=("/ip4/127.0.0.1/tcp/0",), mdns=False, sync_interval=3600.0, max_peers=0)


def sparse_graph(n: int, extra: float = 0.5, seed: int = 7) -> list[tuple[int, int]]:
    """A random spanning tree plus about extra*n random edges: connected and sparse."""
    rng = random.Random(seed)
    order = list(range(n))
    rng.shuffle(order)
    edges = {tuple(sorted((order[i], order[rng.randrange(i)]))) for i in range(1, n)}
    while len(edges) < n - 1 + int(extra * n):
        a, b = rng.sample(range(n), 2)
        edges.add(tuple(sorted((a, b))))
    return sorted(edges)  # type: ignore[arg-type]


class OurNet:
    """n p2pshare nodes; `arrivals[i][record id]` = perf_counter time it was stored on i."""

    def __init__(self, n: int, root: Path | None = None) -> None:
        self.n = n
        self.root = root or Path(tempfile.mkdtemp(prefix="p2pshare-bench-"))
        self.nodes: list[Node] = []
        self.members: list[Member] = []
        self.arrivals: list[dict[bytes, float]] = [{} for _ in range(n)]

    async def start(self, nursery: trio.Nursery, edges: list[tuple[int, int]]) -> None:
        for i in range(self.n):
            home = Home(self.root / f"n{i}").ensure()
            create_identity(home, name=f"n{i}")
            member = Member.open(home)
            self.members.append(member)

            def emit(event: Any, i: int = i) -> None:
                if isinstance(event, RecordsArrived):
                    now = time.perf_counter()
                    for rid in event.ids:
                        self.arrivals[i].setdefault(bytes(rid), now)

            node = Node(home, member.identity, CONFIG, emit=emit)
            await nursery.start(node.run)
            self.nodes.append(node)
        for a, b in edges:
            info = self.nodes[b].info  # a property: narrow a local
            assert info is not None
            await self.nodes[a].dial(info.addresses[0])
        await self.settle()

    async def settle(self) -> None:
        """Wait until every node's outbox (profiles) is out and the meshes formed."""
        with trio.fail_after(30):
            while any(m.store.outbox() for m in self.members):  # noqa: ASYNC110 -- no event for it
                await trio.sleep(0.05)
        await trio.sleep(1.5)  # a heartbeat or so for the meshes

    def close(self) -> None:
        for m in self.members:
            m.close()

    def post(self, origin: int, title: str) -> tuple[bytes, float]:
        t0 = time.perf_counter()
        env = self.members[origin].post_offer(title=title)
        self.arrivals[origin][bytes(env.id)] = time.perf_counter()
        self.nodes[origin].kick()
        return bytes(env.id), t0

    def everywhere(self, rid: bytes) -> bool:
        return all(rid in a for a in self.arrivals)

    def latest(self, rid: bytes) -> float:
        return max(a[rid] for a in self.arrivals)


class RawNet:
    """n bare py-libp2p hosts with the same GossipSub settings and no validator."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.hosts: list[Any] = []
        self.pubsubs: list[Any] = []
        self.arrivals: list[dict[bytes, float]] = [{} for _ in range(n)]
        self.topic = gossip.topic_for("bench")

    async def start(
        self, stack: AsyncExitStack, nursery: trio.Nursery, edges: list[tuple[int, int]]
    ) -> None:
        gossip.enlarge_queues()
        for i in range(self.n):
            host = hostmod.make_host(create_new_key_pair())
            router = gossip.make_router(gossip.score_params(lambda _: 0.0))
            pubsub = gossip.make_pubsub(host, router, self.topic)
            await stack.enter_async_context(host.run([LOOPBACK]))
            await stack.enter_async_context(background_trio_service(pubsub))
            await stack.enter_async_context(background_trio_service(router))
            await pubsub.wait_until_ready()
            sub = await pubsub.subscribe(self.topic)
            nursery.start_soon(self._read, i, sub)
            self.hosts.append(host)
            self.pubsubs.append(pubsub)
        for a, b in edges:
            await self.hosts[a].connect(info_from_p2p_addr(self.hosts[b].get_addrs()[0]))
        await trio.sleep(1.5)

    async def _read(self, i: int, sub: Any) -> None:
        while True:
            msg = await sub.get()
            self.arrivals[i].setdefault(bytes(msg.data[-32:]), time.perf_counter())

    async def post(self, origin: int, payload: bytes) -> tuple[bytes, float]:
        t0 = time.perf_counter()
        key = payload[-32:]
        await self.pubsubs[origin].publish(self.topic, payload)
        return key, t0

    def everywhere(self, key: bytes) -> bool:
        return all(key in a for a in self.arrivals)

    def latest(self, key: bytes) -> float:
        return max(a[key] for a in self.arrivals)


async def wait_for(cond: Any, timeout: float) -> bool:  # noqa: ASYNC109 -- polls any condition
    with trio.move_on_after(timeout):
        while not cond():  # noqa: ASYNC110 -- an arbitrary condition: no event
            await trio.sleep(0.002)
        return True
    return False
