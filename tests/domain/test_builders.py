"""builders.builder: feed rows and offer states made in bulk are the very objects
their classes' own __init__ makes, frozen all the same."""

from __future__ import annotations

import dataclasses

import pytest

from p2pshare.domain.builders import builder
from p2pshare.domain.ledger import OfferState, OfferStatus
from p2pshare.domain.views import FeedItem, feed_order
from protocol import Offer, PublicKey, RecordId

ROW = {
    "id": "ab" * 32,
    "title": "Keynote in Atlanta",
    "author": "m1",
    "author_name": "Ada",
    "author_display_name": "Ada",
    "status": "open",
    "skills": ("speaking",),
    "region": "Atlanta",
    "remote": False,
    "value": 1200,
    "currency": "USD",
    "created_at": 1_700_000_000,
    "expires_at": 1_702_592_000,
    "chain": ("m2",),
    "trust": 0.5,
    "standing": 0.25,
    "signal": 0.75,
    "stranger": False,
    "match": 1.0,
    "rank": 0.8,
    "mine": False,
    "for_me": True,
    "accepted": False,
    "handed_to_me": False,
    "accepts": 2,
    "muted": False,
}


def test_a_built_row_is_the_row_init_makes() -> None:
    built, made = builder(FeedItem)(**ROW), FeedItem(**ROW)  # type: ignore[arg-type]
    assert type(built) is FeedItem
    assert built == made
    assert hash(built) == hash(made)
    assert dataclasses.asdict(built) == ROW
    assert feed_order(built) == feed_order(made)
    assert dataclasses.replace(built, rank=0.1).rank == 0.1
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.rank = 1.0  # type: ignore[misc]


def test_an_offer_state_built_reads_as_made() -> None:
    body = Offer(
        title="t", description="", skills=(), region="", remote=True, value=0,
        currency="", expires_at=10, contact=b"",
    )  # fmt: skip
    fields = {
        "id": RecordId(bytes(32)), "author": PublicKey(bytes(32)), "offer": body,
        "created_at": 1, "status": OfferStatus.OPEN, "forwards": (), "accepts": (),
        "handoffs": (), "withdrawn": None, "value": 0,
    }  # fmt: skip
    built = builder(OfferState)(**fields)
    assert built == OfferState(**fields)  # type: ignore[arg-type]
    assert built.accepted_by(PublicKey(bytes(32))) is None


def test_every_field_must_be_named() -> None:
    build = builder(FeedItem)
    with pytest.raises(TypeError):
        build(**{k: v for k, v in ROW.items() if k != "rank"})
    with pytest.raises(TypeError):
        build(**ROW, colour="red")
    with pytest.raises(TypeError):
        build(*ROW.values())


def test_classes_that_check_or_differ_are_refused() -> None:
    with pytest.raises(TypeError, match="__post_init__"):
        builder(Offer)  # a record checks its fields: never built unchecked here

    @dataclasses.dataclass(frozen=True)
    class Plain:
        x: int

    with pytest.raises(TypeError, match="slotted"):
        builder(Plain)
