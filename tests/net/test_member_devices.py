"""One member, two devices, real nodes on loopback (issue 15).

M's first home is its root and first device; a second home (its own key, its
own libp2p peer) is certified by a device record. Both post, hand off and
report; every node shows one member with one trust row and one history. Then M
unlinks the second device: what that key signs afterwards is refused by every
node, by gossip, by a catch-up sync, and by a node that was offline all along
and learns the unlink and the stolen record in the same sync.

Each node's door asks the ledger of a Member over its own store (`judge`), as
`serve` does.
"""

from __future__ import annotations

import time
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING

import pytest
import trio
from signers import Member, get_member

import protocol as p
from p2pshare.domain import views
from p2pshare.domain.ledger import LedgerState, OfferStatus
from p2pshare.net.door import Door

from .conftest import Peer, connect, make_home, network, start_peer, wait_until
from .test_hostile_clock import gossiper

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

pytestmark = pytest.mark.network


def judged(peer: Peer) -> None:
    """The node's door asks the ledger, as `serve` does (a Member over its store)."""
    peer.node.judge = peer.member.judge


def certificate(root: Peer, device: Peer, *, at: int) -> p.Envelope:
    """`root` certifies `device` as a device of its member (the device consents)."""
    member = root.member.me
    body = p.Device(
        member=member,
        device=device.member.me,
        label="the second laptop",
        manage=False,
        consent=p.sign_consent(p.DEVICE_CONSENT, member, key=device.member.identity.signing_key),
    )
    return p.sign(body, key=root.member.identity.signing_key, created_at=at)


def publish(peer: Peer, envelope: p.Envelope) -> None:
    peer.member.store.add_own(envelope, now=int(time.time()))
    peer.node.kick()


async def sync_until(peer: Peer, other: Peer, done: Callable[[], bool]) -> None:
    """Sync `peer` with `other` until `done()`: on a busy machine a session's stream
    can fail to open (the node itself would try again at its next catch-up)."""
    with trio.fail_after(30):
        while not done():
            await peer.node.sync_with(other.id)
            with trio.move_on_after(3):
                await wait_until(done)


def row(peer: Peer, member: p.PublicKey) -> views.PeerItem:
    """`member`'s row on `peer`'s Peers screen; there must be exactly one."""
    rows = views.peers(peer.member.viewpoint())
    mine = [r for r in rows if r.id == p.member_id(member)]
    assert len(mine) == 1, [r.id for r in rows]
    return mine[0]


def test_two_devices_are_one_member_and_an_unlinked_device_is_refused_everywhere(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        async with (
            network(tmp_path, ["m1", "m2", "o"]) as (nursery, (m1, m2, o)),
            AsyncExitStack() as stack,
        ):
            for peer in (m1, m2, o):
                judged(peer)
            M, laptop = m1.member.me, m2.member.me
            start = int(time.time()) - 60
            cert = certificate(m1, m2, at=start)
            publish(m1, cert)
            await wait_until(lambda: m2.has(cert.id) and o.has(cert.id))
            assert m2.member.member_key == M

            # M posts from its second laptop, hands off from its first, reports from
            # the second again; o accepts, and vouches for the laptop's key.
            offer = m2.member.post_offer(title="a van for Saturday")
            m2.node.kick()
            await wait_until(lambda: o.has(offer.id) and m1.has(offer.id))
            accept = o.member.accept(o.member.resolve_offer(offer.id.hex()))
            o.node.kick()
            await wait_until(lambda: m1.has(accept.id))
            state = m1.member.resolve_offer(offer.id.hex())
            assert state.author == M
            handoff = m1.member.handoff(state, to=o.member.me)
            m1.node.kick()
            await wait_until(lambda: m2.has(handoff.id) and o.has(handoff.id))
            outcome = m2.member.outcome(m2.member.resolve_offer(offer.id.hex()), fulfilled=True)
            m2.node.kick()
            vouch = o.member.vouch(laptop)
            o.node.kick()
            everyone = (m1, m2, o)
            await wait_until(lambda: all(x.has(outcome.id) and x.has(vouch.id) for x in everyone))

            for peer in everyone:
                ledger = peer.member.ledger()
                assert ledger.offers[offer.id].status is OfferStatus.FULFILLED
                assert [(r.author, r.fulfiller) for r in ledger.receipts] == [(M, o.member.me)]
            seen = row(o, M)  # one row for the member, its two keys inside
            assert seen.devices == [p.member_id(M), p.member_id(laptop)]
            assert seen.vouches == 1
            assert seen.trust > 0.0
            ids = {r.id for r in views.peers(o.member.viewpoint())}
            assert p.member_id(laptop) not in ids
            for device in (m1, m2):  # the offer is "mine" on both of M's devices
                feed = views.feed(device.member.viewpoint(), include_closed=True)
                (item,) = [i for i in feed if i.id == offer.id.hex()]
                assert item.mine
                assert row(device, o.member.me).fulfilled == 1

            # M unlinks the second laptop; its key signs on (a thief has it).
            lost = int(time.time()) + 1  # after the laptop's last honest record
            unlink = p.sign(
                p.Unlink(member=M, device=laptop, valid_until=lost, reason="stolen"),
                key=m1.member.identity.signing_key,
                created_at=lost,
            )
            publish(m1, unlink)
            await wait_until(lambda: m2.has(unlink.id) and o.has(unlink.id))
            key = m2.member.identity.signing_key
            stolen = p.sign(
                p.Offer(
                    title="send a deposit first",
                    description="",
                    skills=(),
                    region="",
                    remote=True,
                    value=0,
                    currency="",
                    expires_at=lost + 86_400,
                    contact=b"",
                ),
                key=key,
                created_at=lost + 1,
            )
            # By gossip, straight to o: refused, and no strike (o's neighbours
            # may not have the unlink yet and relay in good faith).
            host, pubsub = await gossiper(stack, o)
            thief = host.get_id().to_base58()
            await pubsub.publish(o.node.topic, stolen.data)
            await wait_until(lambda: o.node.refusals().get(thief, {}).get("member", 0) >= 1)
            assert o.node._door is not None
            assert o.node._door.strikes_of(thief) == 0

            # Kept in the laptop's own store, it reaches nobody by sync either.
            assert m2.member.store.ingest(stolen.data, now=lost + 1).envelope is not None
            await m1.node.sync_with(m2.id)
            await o.node.sync_with(m2.id)
            assert not m1.has(stolen.id)
            assert not o.has(stolen.id)

            # A node offline all along learns everything from the laptop in one sync.
            late = await start_peer(nursery, make_home(tmp_path, "late"))
            judged(late)
            try:
                await connect(late, m2)
                await sync_until(
                    late,
                    m2,
                    lambda: (
                        late.has(unlink.id)
                        and late.has(outcome.id)
                        and late.node.refusals().get(m2.id, {}).get("member", 0) >= 1
                    ),
                )
                assert not late.has(stolen.id)
                seen = row(late, M)
                assert seen.devices == [p.member_id(M)]  # the laptop is unlinked
                assert seen.vouches == 1
                ledger = late.member.ledger()
                assert ledger.offers[offer.id].author == M
                assert stolen.id not in ledger.offers
            finally:
                late.close()

    trio.run(main)


def test_the_door_lets_a_record_wait_for_its_certificate_and_refuses_an_unlinked_key_freely() -> (
    None
):
    """No network: the door with a ledger as its judge, as a node has. A record whose
    certificate chain is not all here waits (no strike) and is taken once it is; an
    unlinked device's later record is refused as "member", no strike either; in a
    sync batch, a record signed by a key the batch's own unlink names waits for it."""
    ana, phone, tablet = get_member("ana"), get_member("ana-phone"), get_member("ana-tablet")
    now = int(time.time())
    state = LedgerState(now=now)
    door = Door(lambda record: record in state, judge=state.check, clock=lambda: float(now))

    def device(author: Member, key: Member, at: int, *, manage: bool = False) -> p.Envelope:
        body = p.Device(
            member=ana.pub,
            device=key.pub,
            label=key.name,
            manage=manage,
            consent=p.sign_consent(p.DEVICE_CONSENT, ana.pub, key=key.key),
        )
        return author.sign(body, at=at)

    state.apply([device(phone, tablet, now - 50)])  # the phone's own certificate: not yet
    offer = tablet.offer(at=now - 40)
    verdict = door.check("relay", offer.data, live=True)
    assert verdict.kind == "waiting"
    state.apply([device(ana, phone, now - 60, manage=True)])
    ready, refused = door.waiting.judge(state.check)
    assert [env.id for env, _ in ready] == [offer.id]
    assert refused == []

    lost = now - 10
    state.apply(
        [
            ana.sign(
                p.Unlink(member=ana.pub, device=tablet.pub, valid_until=lost, reason=""), at=lost
            )
        ]
    )
    later = tablet.offer(at=now - 5, title="later")
    verdict = door.check("relay", later.data, live=True)
    assert verdict.kind == "member"
    assert not verdict.invalid
    assert door.strikes_of("relay") == 0

    other = get_member("ana-other")
    unlink = ana.sign(
        p.Unlink(member=ana.pub, device=other.pub, valid_until=lost, reason=""), at=lost
    )
    record = other.offer(at=now - 5, title="in the same batch")

    async def sync() -> list[str]:
        verdicts = await door.admit_batch("peer", [record.data, unlink.data])
        return [v.kind for v in verdicts]

    assert trio.run(sync) == ["waiting", "ok"]
