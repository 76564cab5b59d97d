"""Test members: real keys and real signed records, without a home or a node.

Keys derive from the member's name, so a failing example names the same keys on
every run. Fixtures are session-scoped (members are immutable), which also makes
them usable from hypothesis tests.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from protocol import (
    Accept,
    Body,
    Credit,
    Envelope,
    Forward,
    Handoff,
    Offer,
    Outcome,
    Profile,
    PublicKey,
    RecordId,
    Revoke,
    Vouch,
    Withdraw,
    member_id,
    sign,
)

if TYPE_CHECKING:
    from collections.abc import Callable

T0 = 1_700_000_000  # a fixed "now" for tests: 2023-11-14
DAY = 86_400


@dataclass(frozen=True)
class Member:
    """A member for tests: signing and sealing keys, and one helper per record kind.

    Every helper takes `at` (the record's created_at) and returns the signed
    Envelope; records that refer to others take the referenced Envelope.
    """

    name: str
    key: Ed25519PrivateKey = field(repr=False)
    seal_key: X25519PrivateKey = field(repr=False)

    @classmethod
    def named(cls, name: str) -> Member:
        seed = hashlib.sha256(b"p2pshare-test-member\0" + name.encode()).digest()
        seal = hashlib.sha256(b"p2pshare-test-seal\0" + name.encode()).digest()
        return cls(
            name=name,
            key=Ed25519PrivateKey.from_private_bytes(seed),
            seal_key=X25519PrivateKey.from_private_bytes(seal),
        )

    @property
    def pub(self) -> PublicKey:
        return PublicKey(self.key.public_key().public_bytes_raw())

    @property
    def seal_pub(self) -> PublicKey:
        return PublicKey(self.seal_key.public_key().public_bytes_raw())

    @property
    def id(self) -> str:
        return member_id(self.pub)

    def sign(self, body: Body, *, at: int = T0) -> Envelope:
        return sign(body, key=self.key, created_at=at)

    def profile(self, *, at: int = T0, **fields: object) -> Envelope:
        values: dict[str, object] = {
            "name": self.name,
            "headline": "",
            "skills": (),
            "region": "",
            "available": True,
            "seal_key": self.seal_pub,
        }
        return self.sign(Profile(**{**values, **fields}), at=at)  # type: ignore[arg-type]

    def offer(self, *, at: int = T0, **fields: object) -> Envelope:
        values: dict[str, object] = {
            "title": f"work from {self.name}",
            "description": "",
            "skills": (),
            "region": "",
            "remote": True,
            "value": 0,
            "currency": "",
            "expires_at": at + 30 * DAY,
            "contact": b"",
        }
        return self.sign(Offer(**{**values, **fields}), at=at)  # type: ignore[arg-type]

    def forward(
        self,
        parent: Envelope,
        *,
        to: Member | None = None,
        note: str = "",
        at: int = T0,
        offer: RecordId | None = None,
    ) -> Envelope:
        """Forward `parent` (an offer or a forward) to `to`, or to the network."""
        if offer is None:
            offer = parent.id if isinstance(parent.body, Offer) else _offer_of(parent)
        body = Forward(
            offer=offer,
            parent=parent.id,
            to=to.pub if to is not None else PublicKey(b""),
            note=note,
            private_note=b"",
        )
        return self.sign(body, at=at)

    def accept(
        self, offer: Envelope, *, via: Envelope | None = None, note: str = "", at: int = T0
    ) -> Envelope:
        via_id = via.id if via is not None else offer.id
        return self.sign(Accept(offer=offer.id, via=via_id, note=note), at=at)

    def handoff(
        self, accept: Envelope, *, to: Member | None = None, at: int = T0, contact: bytes = b""
    ) -> Envelope:
        """Hand the accepted offer to the acceptor (or to `to`, to test a mismatch)."""
        assert isinstance(accept.body, Accept)
        recipient = to.pub if to is not None else accept.author
        body = Handoff(offer=accept.body.offer, accept=accept.id, to=recipient, contact=contact)
        return self.sign(body, at=at)

    def outcome(
        self,
        handoff: Envelope,
        *,
        fulfilled: bool = True,
        rating: int = 5,
        value: int = 0,
        note: str = "",
        at: int = T0,
    ) -> Envelope:
        assert isinstance(handoff.body, Handoff)
        body = Outcome(
            offer=handoff.body.offer,
            handoff=handoff.id,
            fulfilled=fulfilled,
            rating=rating,
            value=value,
            note=note,
        )
        return self.sign(body, at=at)

    def credit(self, handoff: Envelope, *forwarders: Member, at: int = T0) -> Envelope:
        """The offer's author credits these forwarders of a hand-off as connectors."""
        assert isinstance(handoff.body, Handoff)
        body = Credit(
            offer=handoff.body.offer,
            handoff=handoff.id,
            forwarders=tuple(m.pub for m in forwarders),
        )
        return self.sign(body, at=at)

    def withdraw(self, offer: Envelope, *, reason: str = "", at: int = T0) -> Envelope:
        return self.sign(Withdraw(offer=offer.id, reason=reason), at=at)

    def vouch(
        self, subject: Member, *, skills: tuple[str, ...] = (), note: str = "", at: int = T0
    ) -> Envelope:
        return self.sign(Vouch(subject=subject.pub, skills=skills, note=note), at=at)

    def revoke(self, vouch: Envelope, *, at: int = T0) -> Envelope:
        return self.sign(Revoke(vouch=vouch.id), at=at)


def _offer_of(record: Envelope) -> RecordId:
    offer: RecordId | None = getattr(record.body, "offer", None)
    if offer is None:
        raise TypeError(f"a {record.body.NAME} belongs to no offer")
    return offer


_MEMBERS: dict[str, Member] = {}


def get_member(name: str) -> Member:
    if name not in _MEMBERS:
        _MEMBERS[name] = Member.named(name)
    return _MEMBERS[name]


@pytest.fixture(scope="session")
def member() -> Callable[[str], Member]:
    """A factory: `member("zoe")` is the same Member every time in a session."""
    return get_member


@pytest.fixture(scope="session")
def alice() -> Member:
    return get_member("alice")


@pytest.fixture(scope="session")
def bob() -> Member:
    return get_member("bob")


@pytest.fixture(scope="session")
def carol() -> Member:
    return get_member("carol")


@pytest.fixture(scope="session")
def dave() -> Member:
    return get_member("dave")


@pytest.fixture(scope="session")
def erin() -> Member:
    return get_member("erin")
