"""An offer's whole life travels the network; every node derives the same state."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
import trio

from p2pshare.domain.ledger import Ledger

from .conftest import Peer, network, wait_until

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.network


def _ledger(peer: Peer, now: int) -> Ledger:
    assert peer.node.store is not None
    return Ledger.build(peer.node.store.all(), now=now)


async def _everywhere(peers: list[Peer], record_id: bytes) -> None:
    await wait_until(lambda: all(p.has(record_id) for p in peers))


def test_lifecycle_same_state_everywhere(tmp_path: Path) -> None:
    async def main() -> None:
        async with network(tmp_path, ["ann", "bob", "cat", "dan", "eve"]) as (_, peers):
            ann, bob, cat = peers[0], peers[1], peers[2]
            offer = ann.member.post_offer(
                title="Two-day workshop", skills=["facilitation"], contact="ann@example.org"
            )
            await _everywhere(peers, offer.id)
            # bob forwards it to cat, cat accepts, ann hands off (contact sealed to cat)
            state = bob.member.ledger().offers[offer.id]
            fwd = bob.member.forward(state, to=cat.member.me, note="you'd be great")
            await _everywhere(peers, fwd.id)
            acc = cat.member.accept(cat.member.ledger().offers[offer.id], note="yes!")
            await _everywhere(peers, acc.id)
            hand = ann.member.handoff(ann.member.ledger().offers[offer.id], to=cat.member.me)
            await _everywhere(peers, hand.id)
            assert cat.member.open_contact(cat.member.ledger().offers[offer.id]) == (
                "ann@example.org"
            )
            out = ann.member.outcome(ann.member.ledger().offers[offer.id], fulfilled=True, rating=5)
            vouch = ann.member.vouch(cat.member.me, skills=["facilitation"])
            await _everywhere(peers, out.id)
            await _everywhere(peers, vouch.id)
            now = int(time.time())
            ledgers = [_ledger(p, now) for p in peers]
            assert all(ledger == ledgers[0] for ledger in ledgers[1:])
            final = ledgers[0].offers[offer.id]
            assert final.handoff_to(cat.member.me) is not None
            assert ledgers[0].receipts
            assert ledgers[0].vouches

    trio.run(main)
