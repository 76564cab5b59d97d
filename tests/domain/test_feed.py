"""The feed's order as a member sees it: trust in whoever passed an offer on, not volume."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import protocol
from p2pshare.domain import views
from p2pshare.member import identity as ident
from p2pshare.member.actions import Member
from p2pshare.member.home import Home
from p2pshare.store import Store

if TYPE_CHECKING:
    from pathlib import Path

NOW = 1_800_000_000


def _member(root: Path, name: str, skills: tuple[str, ...] = ()) -> Member:
    home = Home(root / name)
    member = Member(home, ident.create(home), Store.open(home.store_file), clock=lambda: NOW)
    member.set_profile(name=name, skills=skills)
    return member


def _share(source: Member, *targets: Member) -> None:
    for env in list(source.store.all()):
        for target in targets:
            target.store.ingest(env.data, now=NOW)


def test_a_thousand_untrusted_forwards_do_not_lift_an_offer(tmp_path: Path) -> None:
    me = _member(tmp_path, "me", ("ux",))
    friend = _member(tmp_path, "friend")
    stranger = _member(tmp_path, "stranger")
    me.vouch(friend.me)
    _share(friend, me)
    _share(stranger, me)
    friend.post_offer(title="From a friend", skills=("ux",))
    spammed = stranger.post_offer(title="From a stranger", skills=("ux",))
    _share(friend, me)
    _share(stranger, me)

    def ranks() -> dict[str, float]:
        return {item.title: item.rank for item in views.feed(me.viewpoint())}

    before = ranks()
    offer = me.ledger().offers[spammed.id]
    for _ in range(1000):  # bought re-shares: fresh identities forward it to the network
        bot = Ed25519PrivateKey.generate()
        body = protocol.Forward(
            offer=offer.id,
            parent=offer.id,
            to=protocol.PublicKey(b""),
            note="wow",
            private_note=b"",
        )
        me.store.ingest(protocol.sign(body, key=bot, created_at=NOW).data, now=NOW)
    after = ranks()
    assert len(me.ledger().offers[spammed.id].forwards) == 1000
    assert after["From a stranger"] == before["From a stranger"]
    assert after["From a friend"] > after["From a stranger"]
    assert next(item.title for item in views.feed(me.viewpoint())) == "From a friend"


def test_muted_and_blocked_members(tmp_path: Path) -> None:
    me = _member(tmp_path, "me")
    other = _member(tmp_path, "other")
    other.post_offer(title="Hello")
    _share(other, me)
    me.marks.set("muted", other.me)
    assert [item.muted for item in views.feed(me.viewpoint())] == [True]
    me.marks.set("blocked", other.me)
    assert views.feed(me.viewpoint()) == []
    me.marks.set("blocked", other.me, False)
    assert len(views.feed(me.viewpoint())) == 1
