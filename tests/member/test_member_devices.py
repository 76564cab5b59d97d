"""A member's actions from any of its devices (issue 15), through real homes and stores.

Two homes are one member once the first certifies the second; a third is
someone else. Records move between stores as sync would bring them. What a
command does on the second device is what it does on the first: the
member's offer is its own there (withdraw it, hand it off), vouching for its
own member is refused, and once the device is unlinked it can sign nothing
that counts.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

import protocol as p
from p2pshare.domain import views
from p2pshare.domain.ledger import OfferStatus
from p2pshare.errors import UserError
from p2pshare.member.actions import Member
from p2pshare.member.home import Home
from p2pshare.service.api import create_identity

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def open_member(root: Path, name: str) -> Member:
    home = Home(root / name).ensure()
    create_identity(home, name=name)
    return Member.open(home)


def share(envelope: p.Envelope, *members: Member) -> None:
    """What sync would do: the record lands in the other stores."""
    for member in members:
        member.store.ingest(envelope.data, now=int(time.time()))


@pytest.fixture
def trio_of_homes(tmp_path: Path) -> Iterator[tuple[Member, Member, Member]]:
    first, second, other = (open_member(tmp_path, n) for n in ("first", "second", "other"))
    member = first.me
    cert = p.sign(
        p.Device(
            member=member,
            device=second.me,
            label="second laptop",
            manage=False,
            consent=p.sign_consent(p.DEVICE_CONSENT, member, key=second.identity.signing_key),
        ),
        key=first.identity.signing_key,
        created_at=int(time.time()) - 60,
    )
    share(cert, first, second, other)
    yield first, second, other
    for m in (first, second, other):
        m.close()


def test_the_second_device_acts_as_its_member(
    trio_of_homes: tuple[Member, Member, Member],
) -> None:
    first, second, other = trio_of_homes
    assert second.member_key == first.me
    assert first.member_key == first.me
    assert second.me != first.me  # its own key, which signs

    posted = first.post_offer(title="two chairs")
    share(posted, second, other)
    accept = other.accept(other.resolve_offer(posted.id.hex()))
    share(accept, first, second)
    handoff = second.handoff(second.resolve_offer(posted.id.hex()), to=other.me)
    assert handoff.author == second.me
    share(handoff, first, other)
    assert first.resolve_offer(posted.id.hex()).status is OfferStatus.HANDED_OFF

    other_offer = first.post_offer(title="a ladder")
    share(other_offer, second, other)
    withdraw = second.withdraw(second.resolve_offer(other_offer.id.hex()))
    share(withdraw, first, other)
    assert other.resolve_offer(other_offer.id.hex()).status is OfferStatus.WITHDRAWN

    with pytest.raises(UserError, match="yourself"):
        second.vouch(first.me)
    feed = views.feed(second.viewpoint(), include_closed=True)
    assert {item.id for item in feed if item.mine} == {posted.id.hex(), other_offer.id.hex()}
    rows = views.peers(other.viewpoint())
    (row,) = rows
    assert row.id == p.member_id(first.me)
    assert row.devices == [p.member_id(first.me), p.member_id(second.me)]


def test_an_unlinked_device_can_sign_nothing_that_counts(
    trio_of_homes: tuple[Member, Member, Member],
) -> None:
    first, second, _ = trio_of_homes
    lost = int(time.time())
    unlink = p.sign(
        p.Unlink(member=first.me, device=second.me, valid_until=lost, reason="stolen"),
        key=first.identity.signing_key,
        created_at=lost,
    )
    share(unlink, second)
    with pytest.raises(UserError, match="unlinked"):
        second.post_offer(title="send a deposit first")
    assert second.store.by_kind(p.Offer.KIND) == []  # refused before it was stored
