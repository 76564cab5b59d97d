"""Sync is no side door (issue 16 §2): what a peer pushes or draws by sync meets the
same door as gossip (budget, checks, strikes), and what a responder sends is paced.

The hostile peer is its own py-libp2p host (Noise + Yamux) that speaks the sync
protocol from an in-memory record source: it can serve anything, valid or not,
as fast as the node reads. Node B is a real node; it did not dial the attacker.
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, Any

import multiaddr
import pytest
import trio
from libp2p.crypto.ed25519 import create_new_key_pair
from libp2p.peer.id import ID
from libp2p.peer.peerinfo import info_from_p2p_addr
from signers import get_member

from p2pshare.events import SyncProgress
from p2pshare.net import host as hostmod
from p2pshare.net import sync_stream
from p2pshare.net.catchup import PROTOCOL as SYNC
from p2pshare.net.send_budget import SendLimits
from protocol.sync import MemorySource

from .conftest import Peer, connect, make_home, network, start_peer, wait_until, with_config

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

pytestmark = pytest.mark.network


@contextlib.asynccontextmanager
async def hostile(target: Peer, source: MemorySource | None = None) -> AsyncIterator[Any]:
    """A fresh-key host connected to `target`, answering sync from `source`."""
    host = hostmod.make_host(create_new_key_pair())
    async with host.run([multiaddr.Multiaddr("/ip4/127.0.0.1/tcp/0")]):
        if source is not None:

            async def serve(stream: Any) -> None:
                await _session(stream, source, initiator=False)

            host.set_stream_handler(SYNC, serve)
        with trio.fail_after(10):
            await host.connect(info_from_p2p_addr(multiaddr.Multiaddr(target.addr)))
        await wait_until(lambda: host.get_id().to_base58() in target.node.connected())
        try:
            yield host
        finally:
            with trio.CancelScope(shield=True), trio.move_on_after(2):
                await host.close()


async def _session(
    stream: Any, source: MemorySource, *, initiator: bool, got: list[bytes] | None = None
) -> sync_stream.SessionResult:
    async def on_records(datas: list[bytes]) -> None:
        if got is not None:
            got.extend(datas)

    return await sync_stream.run_session(
        stream, source, initiator=initiator, on_records=on_records, seconds=20
    )


async def push(host: Any, target: Peer, source: MemorySource) -> sync_stream.SessionResult:
    """Open a sync session with `target` and offer it everything in `source`."""
    with trio.fail_after(10):
        stream = await host.new_stream(ID.from_base58(target.id), [SYNC])
    return await _session(stream, source, initiator=True)


def offers(name: str, n: int, *, at: int | None = None) -> list[bytes]:
    m = get_member(name)
    when = int(time.time()) if at is None else at
    return [m.offer(at=when, title=f"{name} {i}").data for i in range(n)]


def memory(datas: list[bytes], at: int | None = None) -> MemorySource:
    when = int(time.time()) if at is None else at
    return MemorySource((when, d) for d in datas)


def stored_by(peer: Peer, author: str) -> int:
    assert peer.node.store is not None
    return len(peer.node.store.by_author(get_member(author).pub))


def test_sync_flood_from_a_fresh_key_gets_no_more_than_gossip_would(tmp_path: Path) -> None:
    """20,000 offers in one session used to be stored whole; now the strangers'
    budget of a peer (200 at once, 50/s) holds, as for gossip."""
    spam = offers("sync-flooder", 3000)

    async def main() -> None:
        async with network(tmp_path, ["b"]) as (_, (b,)):
            started = time.monotonic()
            async with hostile(b, memory(spam)) as host:
                # pushed by us, or pulled by b if it started a session on connect
                with contextlib.suppress(Exception):
                    await push(host, b, memory(spam))
                x = host.get_id().to_base58()
                await wait_until(
                    lambda: any(
                        isinstance(e, SyncProgress) and e.done and e.member_id == x
                        for e in b.events
                    )
                )
                elapsed = time.monotonic() - started
                admitted = stored_by(b, "sync-flooder")
                assert admitted <= 200 + 50 * (elapsed + 1), (admitted, elapsed)
                assert "flood" in b.node.refusals().get(x, {})

    trio.run(main)


def test_trusted_authors_ride_a_larger_budget_than_strangers(tmp_path: Path) -> None:
    """The same peer relays 1,000 offers by a member B trusts and 1,000 by a stranger:
    all the trusted member's are stored, the stranger's within the smaller budget."""
    friend = offers("friend", 1000)
    stranger = offers("stranger", 1000)
    friend_id = get_member("friend").id

    async def main() -> None:
        async with network(tmp_path, ["b"]) as (_, (b,)):
            b.node.trusted = lambda member_id: member_id == friend_id
            source = memory(friend + stranger)
            async with hostile(b, source) as host:
                started = time.monotonic()
                with trio.move_on_after(10):
                    # a session ends when a batch brings nothing admitted; b may be
                    # running one it started itself, then ours is refused: again
                    while stored_by(b, "friend") < 1000:
                        with contextlib.suppress(Exception):
                            await push(host, b, source)
                        await trio.sleep(0.05)
                elapsed = time.monotonic() - started
                assert stored_by(b, "friend") == 1000
                assert stored_by(b, "stranger") <= 200 + 50 * (elapsed + 1)

    trio.run(main)


def test_invalid_records_by_sync_are_strikes_and_get_the_sender_blocked(
    tmp_path: Path,
) -> None:
    m = get_member("forger")
    now = int(time.time())
    forged = []
    for i in range(10):
        data = bytearray(m.offer(at=now, title=f"forged {i}").data)
        data[-1] ^= 1  # a signature bit flipped
        forged.append(bytes(data))

    async def main() -> None:
        async with (
            network(tmp_path, ["b"]) as (_, (b,)),
            hostile(b, memory(forged)) as host,
        ):
            x = host.get_id().to_base58()
            # b may have started a session on connect and be blocking us already
            with contextlib.suppress(Exception):
                await push(host, b, memory(forged))
            await wait_until(lambda: x in b.node._blocked)
            await wait_until(lambda: x not in b.node.connected())
            assert b.node.refusals()[x]["invalid"] >= 5

    trio.run(main)


def test_responder_serves_one_session_per_peer_within_a_byte_budget(tmp_path: Path) -> None:
    """'I hold nothing' on four streams at once used to draw the whole store four
    times; now one session per peer runs, paced by its byte budget."""
    budget = 64 * 1024
    config = with_config(send=SendLimits(peer_bytes_per_minute=budget))
    held = offers("prolific", 800)  # about 200 KB

    async def main() -> None:
        async with network(tmp_path, ["b"], config=config) as (_, (b,)):
            assert b.node.store is not None
            b.node.store.ingest_many(held, now=int(time.time()))
            got: list[bytes] = []
            async with hostile(b) as host:

                async def ask() -> None:
                    with contextlib.suppress(Exception):
                        stream = await host.new_stream(ID.from_base58(b.id), [SYNC])
                        await _session(stream, MemorySource(), initiator=True, got=got)

                started = time.monotonic()
                with trio.move_on_after(3):
                    async with trio.open_nursery() as nursery:
                        for _ in range(4):
                            nursery.start_soon(ask)
                elapsed = time.monotonic() - started
            sent = sum(len(d) for d in got)
            # the budget, what refilled meanwhile, and one 64 KiB write in flight
            assert sent <= budget + budget / 60 * elapsed + 64 * 1024, sent
            x = host.get_id().to_base58()
            assert b.node.refusals()[x].get("sync-busy", 0) >= 3

    trio.run(main)


def test_honest_newcomer_still_catches_up_10000_records_in_seconds(tmp_path: Path) -> None:
    """The budgets leave room for a newcomer's catch-up from the peer it joined by."""
    now = int(time.time())
    records = [d for k in range(20) for d in offers(f"member{k}", 500, at=now - 3600)]

    async def main() -> None:
        async with network(tmp_path, ["b"]) as (nursery, (b,)):
            assert b.node.store is not None
            b.node.store.ingest_many(records, now=now)
            newcomer = await start_peer(nursery, make_home(tmp_path, "newcomer"))
            started = time.monotonic()
            await connect(newcomer, b)  # the newcomer dials b: the peer it joined by
            await wait_until(lambda: newcomer.count() >= len(records), 30)
            elapsed = time.monotonic() - started
            print(f"newcomer caught up {len(records)} records in {elapsed:.2f} s")
            assert elapsed < 15
            newcomer.close()

    trio.run(main)
