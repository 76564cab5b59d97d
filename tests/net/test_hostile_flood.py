"""A gossip flood does not crowd out what a node relays (issue 16 §2).

py-libp2p 0.8.1 sends an IDONTWANT for every message, its own and those it
relays, to every mesh peer, as control that leaves before any data. Under a
flood those crowded out the records themselves (`python -m bench attack flood`:
honest offers crossing the flooded node p95 4.7 s, 0.18-0.45 s without). The node's
router (gossip.Router) sends them only for messages of 1 KiB or more, as
go-libp2p does; a record is rarely that big.
"""

from __future__ import annotations

import time
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

import pytest
import trio
from signers import get_member

from .conftest import network, wait_until
from .test_hostile_clock import gossiper

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.network


def test_relayed_records_come_without_an_idontwant_each(tmp_path: Path) -> None:
    author = get_member("relayed")
    now = int(time.time())
    records = [author.offer(at=now, title=f"passed on {i}") for i in range(20)]

    async def main() -> None:
        async with network(tmp_path, ["b", "c"]) as (_, (b, c)), AsyncExitStack() as stack:
            told: list[Any] = []
            router: Any = c.node._pubsub.router
            original = router.handle_idontwant

            async def counting(message: Any, sender: Any) -> None:
                told.append(sender)
                await original(message, sender)

            router.handle_idontwant = counting
            _, pubsub = await gossiper(stack, b)
            b_router: Any = b.node._pubsub.router
            topic = b.node.topic
            # B relays to its mesh: wait until C is in it (heartbeats, 1 s)
            await wait_until(lambda: c.node._pubsub.my_id in b_router.mesh.get(topic, ()))
            for record in records:
                await pubsub.publish(topic, record.data)
            await wait_until(lambda: all(c.has(r.id) for r in records))
            assert told == [], f"{len(told)} IDONTWANTs for {len(records)} small records"

    trio.run(main)
