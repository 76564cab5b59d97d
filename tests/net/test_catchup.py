"""Catch-up sync: what a node missed (offline, or gossip dropped) arrives over a stream."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import trio

from p2pshare.events import SyncProgress

from .conftest import connect, make_home, network, start_peer, wait_until, with_config

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.network


def _post_many(peer: Any, n: int) -> list[bytes]:
    return [peer.member.post_offer(title=f"offer {i}").id for i in range(n)]


def test_offline_node_catches_up_on_reconnect(tmp_path: Path) -> None:
    async def main() -> None:
        async with network(tmp_path, ["a", "b"]) as (nursery, (a, b)):
            late_home = make_home(tmp_path, "late")
            ids = _post_many(a, 500)
            a.node.kick()
            # b gets them by gossip, plus sync for what its rate limit refused
            await wait_until(lambda: all(b.has(i) for i in ids), 30)
            late = await start_peer(nursery, late_home)
            await connect(late, b)
            await wait_until(lambda: all(late.has(i) for i in ids))

            # most come by sync; gossip's message cache (IHAVE/IWANT) may bring
            # the last few seconds' worth too. The session reports itself done
            # after its last records are stored, so wait for that report.
            def synced() -> int:
                return sum(
                    e.received for e in late.events if isinstance(e, SyncProgress) and e.done
                )

            await wait_until(lambda: synced() > 0)
            late.close()

    trio.run(main)


def test_node_that_missed_gossip_gets_records_by_sync(tmp_path: Path) -> None:
    async def main() -> None:
        async with network(tmp_path, ["a", "b"]) as (nursery, (a, b)):
            deaf = await start_peer(
                nursery, make_home(tmp_path, "deaf"), with_config(sync_interval=1.0)
            )
            # drop every gossip message on purpose: only sync can bring records
            deaf.node._pubsub.set_topic_validator(deaf.node.topic, lambda *_: False, False)
            await connect(deaf, a)
            ids = _post_many(a, 20)
            a.node.kick()
            await wait_until(lambda: all(b.has(i) for i in ids))
            await wait_until(lambda: all(deaf.has(i) for i in ids))
            assert deaf.node._gate is not None
            assert deaf.node._gate.stats.accepted == 0
            deaf.close()

    trio.run(main)
