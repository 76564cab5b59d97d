"""An offer's conversation and "not for me" from a member's second device (issue 15).

Three real homes: the member's root device, a second device the root certified
(it holds the member's seal key, as a paired device does), and another member.
Records move between stores as sync would bring them. What the second device
says or declines is its member's: it may talk where its member takes part, the
other member reads it as the member's and can answer it, and the root device
shows it as its own. A device unlinked from before its message makes that
message nobody's.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import protocol as p
from p2pshare.member import conversation
from p2pshare.member import identity as ident
from p2pshare.member.actions import Member
from p2pshare.member.home import Home
from p2pshare.service.api import create_identity

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def share(envelopes: p.Envelope | list[p.Envelope], *members: Member) -> None:
    """What sync would do: the records land in the other stores."""
    for env in envelopes if isinstance(envelopes, list) else [envelopes]:
        for member in members:
            member.store.ingest(env.data, now=int(time.time()))


def profile_of(member: Member) -> p.Envelope:
    (env,) = member.store.by_author(member.me, p.Profile.KIND)
    return env


@pytest.fixture
def homes(tmp_path: Path) -> Iterator[tuple[Member, Member, Member]]:
    """(root device, second device of the same member, another member)."""
    for name in ("root", "other"):
        create_identity(Home(tmp_path / name).ensure(), name=name.title())
    root, other = Member.open(Home(tmp_path / "root")), Member.open(Home(tmp_path / "other"))
    second_home = Home(tmp_path / "second").ensure()
    device_key = Ed25519PrivateKey.generate()
    ident.restore(second_home, ident.Identity(device_key, root.identity.seal_key))
    second = Member.open(second_home)
    cert = p.sign(
        p.Device(
            member=root.me,
            device=second.me,
            label="second laptop",
            manage=False,
            consent=p.sign_consent(p.DEVICE_CONSENT, root.me, key=device_key),
        ),
        key=root.identity.signing_key,
        created_at=int(time.time()) - 60,
    )
    share([cert, profile_of(root), profile_of(other)], root, second, other)
    yield root, second, other
    for member in (root, second, other):
        member.close()


def test_a_second_device_talks_for_its_member(homes: tuple[Member, Member, Member]) -> None:
    root, second, other = homes
    posted = other.post_offer(title="Tax audit")
    share(posted, root, second)
    accept = second.accept(second.resolve_offer(posted.id.hex()))
    share(accept, root, other)

    sent = second.say(second.resolve_offer(posted.id.hex()), "Is the date fixed?")
    assert {env.body.to for env in sent if isinstance(env.body, p.Say)} == {other.me, root.me}
    share(sent, root, other)

    (heard,) = other.said(posted.id)
    assert (heard.author, heard.text) == (root.me, "Is the date fixed?")  # the member asked
    reply = other.say(other.resolve_offer(posted.id.hex()), "Yes: 12 March.")
    share(reply, root, second)

    for device in (root, second):  # both devices read both, the question as the member's own
        talk = {(s.author, s.text) for s in device.said(posted.id)}  # one second: any order
        assert talk == {(root.me, "Is the date fixed?"), (other.me, "Yes: 12 March.")}


def test_a_second_device_declines_a_forward_to_its_member(
    homes: tuple[Member, Member, Member],
) -> None:
    root, second, other = homes
    posted = other.post_offer(title="Move a piano")
    forward = other.forward(other.resolve_offer(posted.id.hex()), to=root.me)
    share([posted, forward], root, second)

    declined = second.decline(second.resolve_offer(posted.id.hex()), note="not my field")
    share(declined, root, other)

    (told,) = other.said(posted.id)
    assert (told.kind, told.author, told.text) == ("declined", root.me, "not my field")
    assert posted.id.hex() in conversation.declined_by_me(root)  # off every device's feed


def test_a_message_of_a_device_unlinked_from_before_it_counts_for_nobody(
    homes: tuple[Member, Member, Member],
) -> None:
    root, second, other = homes
    posted = other.post_offer(title="Paint a fence")
    share(posted, root, second)
    accept = root.accept(root.resolve_offer(posted.id.hex()))
    share(accept, second, other)
    sent = second.say(second.resolve_offer(posted.id.hex()), "Send the deposit here")
    share(sent, other)
    assert [s.text for s in other.said(posted.id)] == ["Send the deposit here"]

    stolen_from = sent[0].created_at
    unlink = p.sign(
        p.Unlink(member=root.me, device=second.me, valid_until=stolen_from, reason="stolen"),
        key=root.identity.signing_key,
        created_at=int(time.time()),
    )
    share(unlink, other)
    assert other.said(posted.id) == []
