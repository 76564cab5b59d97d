"""What the ledger can judge at the door is judged there (issue 16 §5).

The node's owner gives it the ledger's verdict (`Node.judge`; here a real
LedgerState over the node's store). A correctly signed hand-off by someone who is
not the offer's author is refused and counts as a strike; an outcome whose
hand-off has not arrived waits, not stored, until it can be judged. The hostile
peer is its own py-libp2p host with GossipSub and no validator.
"""

from __future__ import annotations

import time
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING

import pytest
import trio
from signers import get_member

from p2pshare.domain.ledger import LedgerState

from .conftest import Peer, network, wait_until
from .test_hostile_clock import gossiper

if TYPE_CHECKING:
    from pathlib import Path

    from protocol import Envelope

pytestmark = pytest.mark.network


def give_ledger(peer: Peer) -> None:
    state = LedgerState(now=int(time.time()) + 60)

    def judge(envelope: Envelope) -> str | None:
        assert peer.node.store is not None
        state.apply(list(peer.node.store.all()))
        return state.check(envelope)

    peer.node.judge = judge


def test_a_hand_off_by_someone_not_the_author_is_refused_and_a_strike(tmp_path: Path) -> None:
    alice, bob, mallory = get_member("alice"), get_member("bob"), get_member("mallory")
    now = int(time.time()) - 30
    offer = alice.offer(at=now, title="a desk in Porto")
    accept = bob.accept(offer, at=now + 1)
    forged = [mallory.handoff(accept, at=now + 2 + i) for i in range(5)]

    async def main() -> None:
        async with network(tmp_path, ["b", "c"]) as (_, (b, c)), AsyncExitStack() as stack:
            give_ledger(b)
            host, pubsub = await gossiper(stack, b)
            x = host.get_id().to_base58()
            for record in (offer, accept):
                await pubsub.publish(b.node.topic, record.data)
            await wait_until(lambda: b.has(accept.id) and c.has(accept.id))
            for record in forged:
                await pubsub.publish(b.node.topic, record.data)
            await wait_until(lambda: x in b.node._blocked)
            assert not any(b.has(r.id) or c.has(r.id) for r in forged)
            assert b.node.refusals()[x]["ledger"] == 5

    trio.run(main)


def test_an_outcome_before_its_hand_off_waits_then_is_stored(tmp_path: Path) -> None:
    alice, bob = get_member("alice"), get_member("bob")
    now = int(time.time()) - 30
    offer = alice.offer(at=now, title="a bike for a week")
    accept = bob.accept(offer, at=now + 1)
    handoff = alice.handoff(accept, at=now + 2)
    outcome = bob.outcome(handoff, at=now + 3)

    async def main() -> None:
        async with network(tmp_path, ["b"]) as (_, (b,)), AsyncExitStack() as stack:
            give_ledger(b)
            host, pubsub = await gossiper(stack, b)
            x = host.get_id().to_base58()
            for record in (offer, accept, outcome):
                await pubsub.publish(b.node.topic, record.data)
            door = b.node._door
            assert door is not None
            # the door parks the outcome as it judges it; the accept it admitted
            # before is stored a moment later, on a worker thread: wait for both
            await wait_until(lambda: outcome.id in door.waiting and b.has(accept.id))
            assert not b.has(outcome.id)
            await pubsub.publish(b.node.topic, handoff.data)
            await wait_until(lambda: b.has(handoff.id) and b.has(outcome.id))
            assert door.strikes_of(x) == 0

    trio.run(main)
