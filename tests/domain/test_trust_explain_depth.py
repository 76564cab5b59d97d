"""Explanations that are true at any depth and cover the score (issue 12 §4).

Through the real path: signed records → Ledger → TrustGraph → views.trust_report.
"""

from __future__ import annotations

import random
import statistics

from world import World, member, small_world

from p2pshare.domain import views
from p2pshare.domain.trust_explain import MAX_LISTED


def test_members_twelve_links_down_a_chain_are_explained() -> None:
    world = World()
    viewer = member("v")
    chain = [member(f"c{i}") for i in range(1, 13)]
    prev = viewer
    for i, m in enumerate(chain):
        world.vouch(prev, m)
        if i % 3 == 2:  # side branches, and vouches back up the chain: loops
            world.vouch(m, member(f"side{i}"))
            world.vouch(m, chain[i - 2])
        prev = m
    view = world.view(viewer)
    for depth, m in enumerate(chain, start=1):
        assert view.scores[m.pub] > 0.0
        report = views.trust_report(view, m.pub, explain=True)
        assert report["paths"], f"depth {depth}: no path listed"  # HEAD: none past 6 hops
        assert len(report["paths"][0]["hops"]) == depth
        covered = sum(p["share"] for p in report["paths"])
        assert covered + report["more_paths"]["share"] >= 0.9
        assert covered <= 1.0 + 1e-9
        text = "\n".join(report["explanation"])
        assert "no path from you" not in text


def test_paths_and_the_grouped_rest_account_for_every_score() -> None:
    world = World()
    people = small_world(world, random.Random(21), 80)
    view = world.view(people[0])
    covered = []
    for m in people[1:41]:
        ex = view.trust.explain(view.me, m.pub)
        assert ex.paths
        listed = sum(p.share for p in ex.paths)
        assert abs(listed + ex.more_share - 1.0) < 1e-9
        covered.append(listed)
        # listed paths until they cover 90 %, or the most a reader can take
        assert listed >= 0.9 or len(ex.paths) == MAX_LISTED
    assert statistics.median(covered) > 0.15


def test_the_tail_is_grouped_in_the_text() -> None:
    world = World()
    people = small_world(world, random.Random(22), 60)
    view = world.view(people[0])
    far = max(people[1:], key=lambda m: -view.scores[m.pub])
    lines = views.trust_report(view, far.pub, explain=True)["explanation"]
    assert any(line.strip().startswith("and other paths") and line.endswith("%") for line in lines)
