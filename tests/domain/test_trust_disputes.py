"""Disputes: a reply that travels with the outcome, failures that weigh less and less
(issue 12 §3). Through the real path: signed records → Ledger → TrustGraph → views.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from world import World, member, small_world

from p2pshare.domain import views

if TYPE_CHECKING:
    from signers import Member


def _established() -> tuple[World, list[Member], Member, Member]:
    """An honest world; `victim` has vouches and fulfilled work; `smearer` is the
    viewer's most trusted member."""
    world = World()
    people = small_world(world, random.Random(11), 40)
    viewer, smearer, victim = people[0], member("smearer"), member("victim")
    world.vouch(viewer, smearer)
    for _ in range(4):
        world.job(viewer, smearer)
    for p in people[1:5]:
        world.vouch(p, victim)
        world.job(p, victim)
    world.vouch(smearer, victim)
    return world, people, smearer, victim


def _score(world: World, viewer: Member, victim: Member) -> float:
    return world.view(viewer).scores[victim.pub]


def test_repeated_failures_from_one_reporter_weigh_less_and_less() -> None:
    world, people, smearer, victim = _established()
    viewer = people[0]
    before = _score(world, viewer, victim)
    world.job(smearer, victim, fulfilled=False)
    one = _score(world, viewer, victim)
    for _ in range(9):
        world.job(smearer, victim, fulfilled=False)
    ten = _score(world, viewer, victim)
    assert one < before
    assert before - one > one - ten  # nine more failures cost less than the first
    assert ten >= 0.4 * before  # HEAD: ten cut the score by 84 %


def test_a_disputed_failure_weighs_less_and_the_reply_is_shown() -> None:
    plain, people, smearer, victim = _established()
    disputed, _, _, _ = _established()
    viewer = people[0]
    for _ in range(3):
        plain.job(smearer, victim, fulfilled=False)
        job = disputed.job(smearer, victim, fulfilled=False, reply="Delivered on time: photos sent")
    assert _score(disputed, viewer, victim) > _score(plain, viewer, victim)
    view = disputed.view(viewer)
    receipt = next(r for r in view.ledger.receipts if r.id == job["outcome"].id)
    assert receipt.disputed
    assert not receipt.fulfilled
    detail = views.offer_detail(view, view.ledger.offers[job["offer"].id])
    (handoff,) = detail["handoffs"]
    assert handoff["disputed"]
    assert handoff["confirmation"]["note"] == "Delivered on time: photos sent"
    peer = next(p for p in views.peers(view) if p.id == victim.id)
    assert (peer.failed, peer.disputed) == (3, 3)
    report = views.trust_report(view, victim.pub, explain=True)
    assert report["evidence"]["disputed"] == 3
    assert any("3 failed (3 disputed)" in line for line in report["explanation"])


def test_only_the_recipient_can_reply() -> None:
    world = World()
    alice, bob, carol, viewer = (member(n) for n in ("alice", "bob", "carol", "v"))
    world.vouch(viewer, alice)
    job = world.job(alice, bob, fulfilled=False)
    fake = carol.outcome(job["handoff"], fulfilled=True, note="not mine", at=world.at())
    view = world.view(viewer, extra=[fake])
    (receipt,) = view.ledger.receipts
    assert not receipt.disputed
    assert fake.id in view.ledger.rejected
