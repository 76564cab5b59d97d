"""A feed led by trust, and scores that do not jump (issue 12 §2, §6).

Through the real path: signed records → Ledger → TrustGraph → views.feed/peers.
"""

from __future__ import annotations

import random

from world import NOW, World, member, small_world

from p2pshare.domain import views

SKILLS = ("ux", "research")


def test_strangers_never_outrank_offers_brought_by_someone_i_trust() -> None:
    world = World()
    people = small_world(world, random.Random(5), 60)
    viewer = people[0]
    rng = random.Random(6)
    for author in rng.sample(people[1:], 20):  # older offers, half my skills
        world.post(author, skills=("ux", "legal"), at=NOW - 5 * 86_400)
    strangers = [member(f"stranger{i}") for i in range(8)]
    for s in strangers:  # fresh, exactly my skills, nobody vouched for them
        world.post(s, skills=SKILLS, at=NOW - 600)
    feed = views.feed(world.view(viewer, skills=SKILLS))
    top = feed[:10]
    from_strangers = [item for item in top if item.trust == 0.0 and not item.mine]
    assert len(from_strangers) <= 1  # HEAD: 8 of the top 10
    flagged = [item.stranger for item in feed]
    assert sum(flagged) == 8
    assert flagged == sorted(flagged)  # every stranger after every trusted offer
    assert all(item.signal == 0.0 for item in feed if item.stranger)


def test_a_trusted_forward_brings_a_strangers_offer_in() -> None:
    world = World()
    viewer, friend, stranger = member("v"), member("friend"), member("stranger")
    world.vouch(viewer, friend)
    offer = world.post(stranger, skills=SKILLS)
    world.add(friend.forward(offer, at=world.at()))
    (item,) = views.feed(world.view(viewer, skills=SKILLS))
    assert not item.stranger
    assert item.signal == 1.0  # friend is the best (only) member I trust


def test_my_own_forward_does_not_make_an_offer_trusted() -> None:
    world = World()
    viewer, friend, stranger = member("v"), member("friend"), member("stranger")
    world.vouch(viewer, friend)
    offer = world.post(stranger, skills=SKILLS)
    before = views.feed(world.view(viewer, skills=SKILLS))[0]
    world.add(viewer.forward(offer, at=world.at()))
    after = views.feed(world.view(viewer, skills=SKILLS))[0]
    assert after.signal == before.signal == 0.0  # HEAD: my forward set it to 1.00
    assert after.stranger


def test_standing_does_not_jump_when_a_new_best_peer_appears() -> None:
    world = World()
    people = small_world(world, random.Random(7), 40)
    viewer = people[0]
    view = world.view(viewer)
    before = {p.id: p for p in views.peers(view)}
    reached = sum(1 for p in before.values() if p.trust > 0.0)
    # a newcomer becomes the best supported peer: I vouch and hand them jobs
    newcomer = member("newcomer")
    world.vouch(viewer, newcomer)
    for _ in range(30):
        world.job(viewer, newcomer)
        after = {p.id: p for p in views.peers(world.view(viewer))}
        if after[newcomer.id].trust == 1.0:
            break
    assert after[newcomer.id].trust == after[newcomer.id].standing == 1.0
    level_moves = [abs(after[k].standing - p.standing) for k, p in before.items() if p.trust > 0]
    # everyone else's standing moves by one place at most (HEAD: no standing at all)
    assert max(level_moves) <= 1.0 / reached + 1e-6
    report = views.trust_report(world.view(viewer), people[1].pub, explain=False)
    assert report["standing"] == after[people[1].id].standing
    assert report["trust"] == after[people[1].id].trust  # --json keeps the raw score


def test_standing_is_a_percentile_of_the_members_reached() -> None:
    world = World()
    viewer, a, b, c, stranger = (member(n) for n in ("v", "a", "b", "c", "stranger"))
    world.vouch(viewer, a)
    world.vouch(a, b)
    world.vouch(b, c)
    world.vouch(stranger, viewer)  # a stranger who vouches for me is still unreached
    peers = {p.id: p for p in views.peers(world.view(viewer))}
    assert peers[a.id].standing == 1.0
    assert peers[b.id].standing == round(2 / 3, 6)
    assert peers[c.id].standing == round(1 / 3, 6)
    assert peers[stranger.id].standing == 0.0
