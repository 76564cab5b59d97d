"""Connector credit only for a route the offer's author attests (issue 12 §1).

Through the real path: signed records → Ledger → TrustGraph → views. A bot that
nobody trusts forwards genuine offers straight to the members who take them; the
takers' accepts name the bot as their route.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from world import NOW, World, member, rank_of, small_world

from p2pshare.domain import views

if TYPE_CHECKING:
    from signers import Member


def _bot_world(*, credit_bot: bool) -> tuple[World, list[Member], Member]:
    world = World()
    people = small_world(world, random.Random(3), 40)
    bot = member("bot")
    rng = random.Random(4)
    for _ in range(40):  # the bot in 40 genuine fulfilled chains
        author, taker = rng.sample(people, 2)
        world.job(author, taker, via=[bot], credit=[bot] if credit_bot else None)
    return world, people, bot


def test_a_bot_in_forty_fulfilled_chains_gains_nothing_unless_credited() -> None:
    world, people, bot = _bot_world(credit_bot=False)
    viewer = people[0]
    view = world.view(viewer)
    assert view.scores.get(bot.pub, 0.0) == 0.0  # HEAD: ranked about 12th of 41
    peer = next(p for p in views.peers(view) if p.id == bot.id)
    assert (peer.trust, peer.standing, peer.connector_credit) == (0.0, 0.0, 0)
    report = views.trust_report(view, bot.pub, explain=True)
    assert report["trust"] == 0.0
    assert report["paths"] == []


def test_credit_the_author_names_counts() -> None:
    world, people, bot = _bot_world(credit_bot=True)
    view = world.view(people[0])
    assert view.scores[bot.pub] > 0.0  # the authors vouched for the route themselves
    assert view.ledger.connector_credit[bot.pub] == 40
    assert rank_of(dict(view.scores), bot.pub) <= 41


def test_the_author_withholds_credit_without_touching_the_outcome() -> None:
    world = World()
    alice, helper, bot, carol, viewer = (
        member(n) for n in ("alice", "helper", "bot", "carol", "v")
    )
    world.vouch(viewer, alice)
    world.vouch(alice, helper)
    job = world.job(alice, carol, via=[helper, bot], credit=[helper, bot])
    view = world.view(viewer)
    assert set(view.ledger.connector_credit) == {helper.pub, bot.pub}
    assert view.scores[bot.pub] > 0.0
    # alice takes the bot's credit back: a newer credit record, the outcome stays
    handoff = job["handoff"]
    again = alice.credit(handoff, helper, at=world.at() + 100)
    view = world.view(viewer, extra=[again])
    assert dict(view.ledger.connector_credit) == {helper.pub: 1}
    (receipt,) = view.ledger.receipts
    assert receipt.fulfilled
    assert receipt.forwarders == (helper.pub,)
    assert view.scores.get(bot.pub, 0.0) == 0.0
    assert view.scores[carol.pub] > 0.0
    state = view.ledger.offers[job["offer"].id]
    assert state.status.value == "fulfilled"
    detail = views.offer_detail(view, state)
    assert detail["handoffs"][0]["credited"] == [helper.id]
    assert detail["handoffs"][0]["forwarders"] == [helper.id, bot.id]


def test_no_credit_record_no_credit() -> None:
    world = World()
    alice, helper, carol, viewer = (member(n) for n in ("alice", "helper", "carol", "v"))
    world.vouch(viewer, alice)
    world.job(alice, carol, via=[helper])
    view = world.view(viewer)
    assert dict(view.ledger.connector_credit) == {}
    assert view.scores.get(helper.pub, 0.0) == 0.0
    assert NOW > 0
