"""A few real nodes on 127.0.0.1: an offer posted on one appears on all."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import trio

from p2pshare.events import PeerConnected, RecordsArrived

from .conftest import network, wait_until

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.network


def test_offer_reaches_every_node(tmp_path: Path) -> None:
    async def main() -> None:
        async with network(tmp_path, ["a", "b", "c", "d"]) as (_, peers):
            a = peers[0]
            env = a.member.post_offer(title="Keynote in Atlanta", skills=["speaking"])
            a.node.kick()
            await wait_until(lambda: all(p.has(env.id) for p in peers))
            d = peers[-1]
            await wait_until(
                lambda: any(isinstance(e, RecordsArrived) and env.id in e.ids for e in d.events)
            )
            assert any(isinstance(e, PeerConnected) for e in d.events)
            assert a.member.store.outbox() == []  # published and marked

    trio.run(main)
