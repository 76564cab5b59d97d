"""The demo's seeded history gives the trust picture the walkthrough promises."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from p2pshare.demo.storyline import PERSONAS, RING_LEADER
from p2pshare.demo.world import NEWCOMER, World
from p2pshare.domain import views
from p2pshare.member.actions import Member

if TYPE_CHECKING:
    from pathlib import Path


def test_seeded_history_ranks_the_fake_ring_below_every_honest_persona(tmp_path: Path) -> None:
    world = World(tmp_path / "demo")
    world.seed(6, int(time.time()), newcomer_name="Newbie")
    assert world.slugs() == [p.slug for p in PERSONAS[:6]]
    member = Member.open(world.home(NEWCOMER))
    try:
        peers = {p.name: p for p in views.peers(member.viewpoint())}
        honest = [peers[p.name] for p in PERSONAS[:6]]
        rex = peers[RING_LEADER.name]
        assert rex.vouches >= 8
        assert rex.trust == 0.0  # lots of evidence, all worthless
        assert all(p.trust > rex.trust for p in honest)
        assert all(p.trust > 0 for p in honest), {p.name: p.trust for p in honest}
        ring = [p for name, p in peers.items() if name.startswith("Lead Booster")]
        assert len(ring) == 8
        assert all(p.trust == 0.0 for p in ring)
        explained = views.trust_report(
            member.viewpoint(), member.resolve_member("Rex"), explain=True
        )
        assert explained["evidence"]["ignored"] > 0
        # the history is real: every record verifies and nothing was rejected
        assert member.ledger().rejected == {}
        titles = [item.title for item in views.feed(member.viewpoint())]
        assert len(titles) >= 4
        assert not any("Lead generation" in t for t in titles[:4])
    finally:
        member.close()
