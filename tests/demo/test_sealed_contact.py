"""The demo's flake, made deterministic: a clock that ticks while an offer is posted.

`tests/demo/test_demo_network.py` once saw Dana's `show --json` return an empty
contact after the hand-off. The cause: `Member.post_offer` seals the contact in the
`offer.contact` context of `now` (read once) but `_commit` signs the offer with
`created_at` read from the clock a second time. When a second boundary falls
between the two reads (a loaded machine makes that likely), the offer's own
author cannot open its contact any more, so the hand-off seals an empty text to
the acceptor. Here the clock ticks by one second on every read, so the two reads
always differ.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import pytest

from p2pshare.member import identity as ident
from p2pshare.member.actions import Member
from p2pshare.member.home import Home
from p2pshare.store import Store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from protocol import Envelope

START = 1_767_225_600
CONTACT = "ops@client.example"

# The fix belongs in p2pshare/member/actions.py (post_offer signs with the
# `created_at` its contact was sealed for); until it lands this test fails.


def _ticking() -> Iterator[int]:
    return itertools.count(START)


class _Pair:
    """Two members whose every record reaches the other at once."""

    def __init__(self, root: Path) -> None:
        clock = _ticking()
        self.members: list[Member] = []
        for slug in ("author", "taker"):
            home = Home(root / slug)
            member = Member(
                home, ident.create(home), Store.open(home.store_file), clock=lambda: next(clock)
            )
            self.members.append(member)

    def share(self, envelope: Envelope) -> None:
        for member in self.members:
            member.store.ingest(envelope.data, now=envelope.created_at)

    def close(self) -> None:
        for member in self.members:
            member.close()


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[_Pair]:
    made = _Pair(tmp_path)
    yield made
    made.close()


def test_the_author_opens_their_offers_contact_when_the_clock_ticks(pair: _Pair) -> None:
    author = pair.members[0]
    author.set_profile(name="Author")
    envelope = author.post_offer(title="UX audit", contact=CONTACT)
    assert author.open_contact(author.ledger().offers[envelope.id]) == CONTACT


def test_the_hand_off_contact_opens_for_its_recipient_when_the_clock_ticks(pair: _Pair) -> None:
    author, taker = pair.members
    pair.share(author.set_profile(name="Author"))
    pair.share(taker.set_profile(name="Taker"))
    offer = author.post_offer(title="UX audit", contact=CONTACT)
    pair.share(offer)
    pair.share(author.forward(author.ledger().offers[offer.id], to=taker.me))
    pair.share(taker.accept(taker.ledger().offers[offer.id]))
    pair.share(author.handoff(author.ledger().offers[offer.id], to=taker.me))
    assert taker.open_contact(taker.ledger().offers[offer.id]) == CONTACT


def test_a_steady_clock_opens_the_contact(tmp_path: Path) -> None:
    """The same story without a tick passes today: the clock read is the only fault."""
    homes = [Home(tmp_path / slug) for slug in ("author", "taker")]
    author, taker = (
        Member(h, ident.create(h), Store.open(h.store_file), clock=lambda: START) for h in homes
    )
    try:
        for envelope in (author.set_profile(name="Author"), taker.set_profile(name="Taker")):
            for member in (author, taker):
                member.store.ingest(envelope.data, now=START)
        offer = author.post_offer(title="UX audit", contact=CONTACT)
        taker.store.ingest(offer.data, now=START)
        accept = taker.accept(taker.ledger().offers[offer.id])
        author.store.ingest(accept.data, now=START)
        handoff = author.handoff(author.ledger().offers[offer.id], to=taker.me)
        taker.store.ingest(handoff.data, now=START)
        assert taker.open_contact(taker.ledger().offers[offer.id]) == CONTACT
    finally:
        author.close()
        taker.close()
