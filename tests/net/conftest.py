"""Real nodes on 127.0.0.1 in one trio run: homes, a node group, bounded waits.

Tests are plain functions calling trio.run (pytest-trio is not a dependency).
Every wait polls a condition under trio.fail_after; none sleeps and hopes.
"""

from __future__ import annotations

import contextlib
import socket
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import trio

from p2pshare.member.actions import Member
from p2pshare.member.home import Home
from p2pshare.net.node import Node, NodeConfig
from p2pshare.service.api import create_identity

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Sequence
    from pathlib import Path

LOOPBACK = ("/ip4/127.0.0.1/tcp/0",)
TEST_CONFIG = NodeConfig(listen=LOOPBACK, mdns=False, sync_interval=3600.0)


def make_home(root: Path, name: str) -> Home:
    home = Home(root / name).ensure()
    create_identity(home, name=name)
    return home


@dataclass
class Peer:
    """A node under test, with its home, its events and a Member for acting on it."""

    name: str
    home: Home
    node: Node
    events: list[Any] = field(default_factory=list)
    scope: trio.CancelScope | None = None
    _member: Member | None = None

    @property
    def member(self) -> Member:
        if self._member is None:
            self._member = Member.open(self.home)
        return self._member

    @property
    def addr(self) -> str:
        assert self.node.info is not None
        return self.node.info.addresses[0]

    @property
    def id(self) -> str:
        return self.node.member_id

    def has(self, record_id: bytes) -> bool:
        assert self.node.store is not None
        return self.node.store.has(record_id)  # type: ignore[arg-type]

    def count(self) -> int:
        assert self.node.store is not None
        return self.node.store.count()

    def close(self) -> None:
        if self._member is not None:
            self._member.close()
            self._member = None


async def start_peer(nursery: trio.Nursery, home: Home, config: NodeConfig = TEST_CONFIG) -> Peer:
    member = Member.open(home)
    identity = member.identity
    member.close()
    events: list[Any] = []
    node = Node(home, identity, config, emit=events.append)
    peer = Peer(home.path.name, home, node, events)

    async def run(task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
        with trio.CancelScope() as scope:
            peer.scope = scope
            await node.run(task_status=task_status)

    await nursery.start(run)
    return peer


async def stop_peer(peer: Peer) -> None:
    assert peer.scope is not None
    peer.scope.cancel()
    with trio.fail_after(3):
        while peer.node.home.node_file.exists():  # noqa: ASYNC110 -- a file: no event
            await trio.sleep(0.01)


@contextlib.asynccontextmanager
async def network(
    root: Path,
    names: Sequence[str],
    *,
    config: NodeConfig = TEST_CONFIG,
    links: Sequence[tuple[int, int]] | str = "line",
) -> AsyncIterator[tuple[trio.Nursery, list[Peer]]]:
    """Start one node per name, connect them (`line`, `none` or explicit pairs)."""
    async with trio.open_nursery() as nursery:
        peers = [await start_peer(nursery, make_home(root, n), config) for n in names]
        pairs: list[tuple[int, int]]
        if isinstance(links, str):
            assert links in ("line", "none"), links
            pairs = [(i, i + 1) for i in range(len(peers) - 1)] if links == "line" else []
        else:
            pairs = list(links)
        for a, b in pairs:
            await connect(peers[a], peers[b])
        try:
            yield nursery, peers
        finally:
            for p in peers:
                p.close()
            nursery.cancel_scope.cancel()


async def connect(a: Peer, b: Peer) -> None:
    with trio.fail_after(10):
        await a.node.dial(b.addr)
    await wait_until(lambda: b.id in a.node.connected() and a.id in b.node.connected())
    await wait_until(lambda: _subscribed(a, b) and _subscribed(b, a))


def _subscribed(a: Peer, b: Peer) -> bool:
    pubsub: Any = a.node._pubsub
    return any(p.to_base58() == b.id for p in pubsub.peer_topics.get(a.node.topic, ()))


async def wait_until(
    cond: Callable[[], bool],
    timeout: float = 30.0,  # noqa: ASYNC109 -- a bound, not a wait: a busy CI machine is slow
    what: str = "",
) -> None:
    with trio.fail_after(timeout):
        while not cond():  # noqa: ASYNC110 -- an arbitrary condition: no event
            await trio.sleep(0.02)


def port_free(port: int) -> bool:
    """Nothing listens on 127.0.0.1:port (SO_REUSEADDR: TIME_WAIT does not count)."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def with_config(**changes: Any) -> NodeConfig:
    return replace(TEST_CONFIG, **changes)
