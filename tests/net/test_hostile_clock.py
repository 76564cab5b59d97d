"""A fast clock is not an attack (issue 16 §4): records dated too far ahead are held
(not stored as live, not relayed, not a strike) until their time comes, in a
bounded queue; a node whose own clock looks wrong says so (ClockSkew).

The peer with the fast clock is its own py-libp2p host with GossipSub on the
community topic and no validator: it publishes whatever the test signs.
"""

from __future__ import annotations

import time
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

import multiaddr
import pytest
import trio
from libp2p.crypto.ed25519 import create_new_key_pair
from libp2p.peer.peerinfo import info_from_p2p_addr
from libp2p.tools.anyio_service import background_trio_service
from signers import get_member

from p2pshare.events import ClockSkew
from p2pshare.net import gossip
from p2pshare.net import host as hostmod
from p2pshare.net.connections import close_all

from .conftest import Peer, network, wait_until, with_config

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.network


async def gossiper(stack: AsyncExitStack, target: Peer) -> tuple[Any, Any]:
    """A fresh-key host subscribed to `target`'s topic and meshed with it."""
    host = hostmod.make_host(create_new_key_pair())
    router = gossip.make_router(gossip.score_params(lambda _: 0.0))
    pubsub = gossip.make_pubsub(host, router, target.node.topic)
    await stack.enter_async_context(host.run([multiaddr.Multiaddr("/ip4/127.0.0.1/tcp/0")]))
    await stack.enter_async_context(background_trio_service(pubsub))
    await stack.enter_async_context(background_trio_service(router))
    stack.push_async_callback(leave, host)  # runs first when the stack unwinds
    await pubsub.wait_until_ready()
    await pubsub.subscribe(target.node.topic)
    with trio.fail_after(10):
        await host.connect(info_from_p2p_addr(multiaddr.Multiaddr(target.addr)))
    topic = target.node.topic
    await wait_until(
        lambda: target.id in {p.to_base58() for p in pubsub.peer_topics.get(topic, ())}
    )
    return host, pubsub


async def leave(host: Any) -> None:
    """Close the host's connections while its pubsub still runs, as the node does
    (lifecycle.close_connections). Upstream: a stream the target opens while pubsub
    stops makes pubsub start a reader in its closing nursery ("Nursery is closed to
    new arrivals"), an error of the hostile peer's teardown, not of the node."""
    with trio.CancelScope(deadline=trio.current_time() + 5, shield=True):
        await close_all(host)


def test_records_from_a_fast_clock_are_held_then_stored_and_nobody_is_blocked(
    tmp_path: Path,
) -> None:
    """A member whose clock runs ahead of max_skew: before, five of its records and
    every honest peer blocked it. Now they wait at B, unrelayed, and land when due."""
    config = with_config(max_skew=5)  # 5 s, so "its time comes" within the test
    fast = get_member("fast-clock")

    async def main() -> None:
        async with (
            network(tmp_path, ["b", "c"], config=config) as (_, (b, c)),
            AsyncExitStack() as stack,
        ):
            host, pubsub = await gossiper(stack, b)
            x = host.get_id().to_base58()
            ahead = int(time.time()) + 5 + 4  # 4 s beyond what is live
            records = [fast.offer(at=ahead, title=f"early {i}") for i in range(10)]
            for r in records:
                await pubsub.publish(b.node.topic, r.data)
            door = b.node._door
            assert door is not None
            await wait_until(lambda: len(door.held) == 10)
            assert not any(b.has(r.id) or c.has(r.id) for r in records)
            assert x not in b.node._blocked
            assert door.strikes_of(x) == 0
            # their time comes: stored at B, still no strike
            await wait_until(lambda: all(b.has(r.id) for r in records))
            assert x not in b.node._blocked
            assert door.strikes_of(x) == 0
            assert b.node.refusals()[x].get("held") == 10

    trio.run(main)


def test_the_held_queue_is_bounded_per_peer(tmp_path: Path) -> None:
    fast = get_member("far-ahead")

    async def main() -> None:
        async with network(tmp_path, ["b"]) as (_, (b,)), AsyncExitStack() as stack:
            host, pubsub = await gossiper(stack, b)
            x = host.get_id().to_base58()
            ahead = int(time.time()) + 3600
            for i in range(150):
                await pubsub.publish(b.node.topic, fast.offer(at=ahead, title=f"{i}").data)
            door = b.node._door
            assert door is not None
            refusals = b.node.refusals
            # every one of the 150 judged: held, or refused as the queue is full (gossip
            # may bring a held record again: a "duplicate", which does not count here)
            await wait_until(
                lambda: sum(refusals().get(x, {}).get(k, 0) for k in ("held", "held-full")) >= 150
            )
            assert len(door.held) == door.held.per_peer == 100, refusals()[x]
            assert refusals()[x]["held-full"] == 50
            assert x not in b.node._blocked
            assert door.strikes_of(x) == 0

    trio.run(main)


def test_a_node_whose_clock_is_slow_is_told(tmp_path: Path) -> None:
    """Five authors' live records all dated 15 minutes after B's clock: B's clock is
    the odd one, and B emits ClockSkew for its app to show."""

    async def main() -> None:
        async with network(tmp_path, ["b"]) as (_, (b,)), AsyncExitStack() as stack:
            _, pubsub = await gossiper(stack, b)
            ahead = int(time.time()) + 900
            for k in range(5):
                author = get_member(f"punctual-{k}")
                await pubsub.publish(b.node.topic, author.offer(at=ahead, title="now").data)
            await wait_until(lambda: any(isinstance(e, ClockSkew) for e in b.events))
            skew = next(e for e in b.events if isinstance(e, ClockSkew))
            assert skew.suspect
            assert 880 <= skew.offset <= 905
            assert skew.authors == 5

    trio.run(main)
