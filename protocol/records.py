"""The record bodies (docs/PROTOCOL.md §Records).

A body is what its author says; the envelope (envelope.py) says who said it,
when, and signs it. Field order here is the wire order: never reorder fields
of an existing kind, add a new kind or format version instead.
"""

# The field helpers in fields.py return dataclasses.field() objects, which RUF009
# cannot see through.
# ruff: noqa: RUF009
from __future__ import annotations

from dataclasses import Field, dataclass, fields
from typing import Any, ClassVar, NewType

from . import fields as f
from .consent import DEVICE_CONSENT, ROOT_CONSENT, check_consent
from .errors import MalformedRecord
from .limits import (
    ID_BYTES,
    MAX_BODY,
    MAX_CURRENCY,
    MAX_HEADLINE,
    MAX_LABEL,
    MAX_NAME,
    MAX_NOTE,
    MAX_RATING,
    MAX_REASON,
    MAX_REGION,
    MAX_SEALED,
    MAX_TIMESTAMP,
    MAX_TITLE,
    MAX_VALUE,
    SIGNATURE_BYTES,
)

PublicKey = NewType("PublicKey", bytes)
"""A raw 32-byte Ed25519 (member) or X25519 (sealing) public key."""

RecordId = NewType("RecordId", bytes)
"""SHA-256 of a record's signed encoding."""


class _Body:
    """Shared behaviour of bodies: validation on construction, wire order."""

    KIND: ClassVar[int]
    NAME: ClassVar[str]
    __slots__ = ()

    def __post_init__(self) -> None:
        f.validate_fields(self, _fields(type(self)))

    def check_envelope(self, author: bytes, created_at: int) -> None:
        """The kind's rules that also read the envelope (docs/PROTOCOL.md §Decoding,
        step 10); raise MalformedRecord. Most kinds have none."""

    def to_wire(self) -> list[object]:
        return [
            list(value) if isinstance(value, tuple) else value
            for value in (getattr(self, name) for name in field_names(type(self)))
        ]


_FIELDS: dict[type, tuple[Field[Any], ...]] = {}
_NAMES: dict[type, tuple[str, ...]] = {}


def _fields(cls: type) -> tuple[Field[Any], ...]:
    # dataclasses.fields() rebuilds its tuple on every call: a third of a decode
    if (found := _FIELDS.get(cls)) is None:
        found = _FIELDS[cls] = fields(cls)
    return found


def field_names(cls: type) -> tuple[str, ...]:
    """A body type's field names, in wire order."""
    if (found := _NAMES.get(cls)) is None:
        found = _NAMES[cls] = tuple(x.name for x in _fields(cls))
    return found


def _id() -> Any:
    return f.blob(sizes=(ID_BYTES,))


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile(_Body):
    """What a member offers the network. The newest profile of an author wins."""

    KIND: ClassVar[int] = 1
    NAME: ClassVar[str] = "profile"
    name: str = f.text(MAX_NAME, min_len=1)
    headline: str = f.text(MAX_HEADLINE)
    skills: tuple[str, ...] = f.skills()
    region: str = f.text(MAX_REGION)
    available: bool = f.boolean()
    seal_key: PublicKey = f.key()  # X25519: where others seal private fields to


@dataclass(frozen=True, slots=True, kw_only=True)
class Offer(_Body):
    """An opportunity its author cannot serve. Forwarders never re-sign it."""

    KIND: ClassVar[int] = 2
    NAME: ClassVar[str] = "offer"
    title: str = f.text(MAX_TITLE, min_len=1)
    description: str = f.text(MAX_BODY, multiline=True)
    skills: tuple[str, ...] = f.skills()
    region: str = f.text(MAX_REGION)
    remote: bool = f.boolean()
    value: int = f.integer(0, MAX_VALUE)  # rough value, whole units; 0 = not said
    currency: str = f.text(MAX_CURRENCY)
    expires_at: int = f.integer(0, MAX_TIMESTAMP)
    contact: bytes = f.blob(max_len=MAX_SEALED)  # sealed to the author's own key, or b""


@dataclass(frozen=True, slots=True, kw_only=True)
class Forward(_Body):
    """One link of an offer's chain: to one member (`to`), or to the network (b"")."""

    KIND: ClassVar[int] = 3
    NAME: ClassVar[str] = "forward"
    offer: RecordId = _id()
    parent: RecordId = _id()  # the offer itself, or the forward this one continues
    to: PublicKey = f.member_key(optional=True)
    note: str = f.text(MAX_NOTE, multiline=True)  # public
    private_note: bytes = f.blob(max_len=MAX_SEALED)  # sealed to `to`, or b""


@dataclass(frozen=True, slots=True, kw_only=True)
class Accept(_Body):
    """ "I'll take it": asks the offer's author for the hand-off."""

    KIND: ClassVar[int] = 4
    NAME: ClassVar[str] = "accept"
    offer: RecordId = _id()
    via: RecordId = _id()  # the forward it reached the acceptor through, or the offer
    note: str = f.text(MAX_NOTE, multiline=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class Handoff(_Body):
    """The author gives the offer to one acceptor, with the contact sealed to them."""

    KIND: ClassVar[int] = 5
    NAME: ClassVar[str] = "handoff"
    offer: RecordId = _id()
    accept: RecordId = _id()
    to: PublicKey = f.member_key()
    contact: bytes = f.blob(max_len=MAX_SEALED)  # sealed to `to`'s seal_key, or b""


@dataclass(frozen=True, slots=True, kw_only=True)
class Withdraw(_Body):
    """The author takes the offer back; nothing but outcomes follows it."""

    KIND: ClassVar[int] = 6
    NAME: ClassVar[str] = "withdraw"
    offer: RecordId = _id()
    reason: str = f.text(MAX_NOTE)


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome(_Body):
    """A receipt for a hand-off: the history that trust is built from."""

    KIND: ClassVar[int] = 7
    NAME: ClassVar[str] = "outcome"
    offer: RecordId = _id()
    handoff: RecordId = _id()
    fulfilled: bool = f.boolean()
    rating: int = f.integer(0, MAX_RATING)  # 0 = no rating
    value: int = f.integer(0, MAX_VALUE)
    note: str = f.text(MAX_NOTE, multiline=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class Vouch(_Body):
    """An endorsement of a member, optionally for given skills."""

    KIND: ClassVar[int] = 8
    NAME: ClassVar[str] = "vouch"
    subject: PublicKey = f.member_key()
    skills: tuple[str, ...] = f.skills()
    note: str = f.text(MAX_NOTE, multiline=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class Revoke(_Body):
    """Takes back one of the author's own vouches."""

    KIND: ClassVar[int] = 9
    NAME: ClassVar[str] = "revoke"
    vouch: RecordId = _id()


@dataclass(frozen=True, slots=True, kw_only=True)
class Credit(_Body):
    """The offer's author names the forwarders of a hand-off it credits as connectors.

    Only named forwarders earn connector credit, and only from a fulfilled outcome;
    the author's latest credit for a hand-off counts, so credit can be withheld or
    taken back without touching the outcome (docs/PROTOCOL.md §Connector credit).
    """

    KIND: ClassVar[int] = 10
    NAME: ClassVar[str] = "credit"
    offer: RecordId = _id()
    handoff: RecordId = _id()
    forwarders: tuple[PublicKey, ...] = f.member_keys()  # () = nobody


@dataclass(frozen=True, slots=True, kw_only=True)
class Decline(_Body):
    """ "Not for me": the member a forward was addressed to declines it, telling the forwarder.

    Changes nothing in the offer's state; the forwarder and the decliner read it
    (docs/PROTOCOL.md §11 decline).
    """

    KIND: ClassVar[int] = 11
    NAME: ClassVar[str] = "decline"
    offer: RecordId = _id()
    forward: RecordId = _id()  # the forward to the author of this record
    note: bytes = f.blob(max_len=MAX_SEALED)  # sealed to the forwarder, or b""


@dataclass(frozen=True, slots=True, kw_only=True)
class Say(_Body):
    """One message of an offer's conversation, sealed to one of its participants.

    A message to several participants is one record per reader, the author's
    own copy included (docs/PROTOCOL.md §12 say).
    """

    KIND: ClassVar[int] = 12
    NAME: ClassVar[str] = "say"
    offer: RecordId = _id()
    to: PublicKey = f.member_key()  # the reader
    text: bytes = f.blob(max_len=MAX_SEALED)  # sealed to `to`'s seal key


@dataclass(frozen=True, slots=True, kw_only=True)
class Device(_Body):
    """A certificate: `device` signs for `member` (docs/PROTOCOL.md §13 device).

    Valid when its author is the member's root, or a managing device of the
    member, at its date; `consent` is the device key's own agreement, so no
    member can claim a stranger's key (§Members and devices).
    """

    KIND: ClassVar[int] = 13
    NAME: ClassVar[str] = "device"
    member: PublicKey = f.member_key()  # the member id's key: its original root
    device: PublicKey = f.member_key()
    label: str = f.text(MAX_LABEL, min_len=1)  # the device's name, for its member's views
    manage: bool = f.boolean()  # may certify and unlink the member's devices
    consent: bytes = f.blob(sizes=(SIGNATURE_BYTES,))  # by `device`, for `member`

    def __post_init__(self) -> None:
        _Body.__post_init__(self)
        if self.device == self.member:
            raise MalformedRecord("device.device: a member's root is not its own device")
        check_consent("device.consent", DEVICE_CONSENT, self.member, self.device, self.consent)


@dataclass(frozen=True, slots=True, kw_only=True)
class Unlink(_Body):
    """A revocation: `device`'s records from `valid_until` on are not the member's.

    `valid_until` is chosen by the revoker, at most the unlink's own date: the
    moment the device was lost (docs/PROTOCOL.md §14 unlink).
    """

    KIND: ClassVar[int] = 14
    NAME: ClassVar[str] = "unlink"
    member: PublicKey = f.member_key()
    device: PublicKey = f.member_key()
    valid_until: int = f.integer(0, MAX_TIMESTAMP)  # unix seconds
    reason: str = f.text(MAX_REASON)

    def __post_init__(self) -> None:
        _Body.__post_init__(self)
        if self.device == self.member:
            raise MalformedRecord("unlink.device: a member's root is rotated, never unlinked")

    def check_envelope(self, author: bytes, created_at: int) -> None:
        if self.valid_until > created_at:
            raise MalformedRecord(
                f"unlink.valid_until: {self.valid_until} is after the unlink's date {created_at}"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class Rotate(_Body):
    """The member's root authority passes to `new_root` from this record's date.

    Signed by the current root; `member` stays the original root, so the member
    id never changes (docs/PROTOCOL.md §15 rotate).
    """

    KIND: ClassVar[int] = 15
    NAME: ClassVar[str] = "rotate"
    member: PublicKey = f.member_key()  # the member id's key: its original root
    new_root: PublicKey = f.member_key()
    consent: bytes = f.blob(sizes=(SIGNATURE_BYTES,))  # by `new_root`, for `member`

    def __post_init__(self) -> None:
        _Body.__post_init__(self)
        check_consent("rotate.consent", ROOT_CONSENT, self.member, self.new_root, self.consent)

    def check_envelope(self, author: bytes, created_at: int) -> None:
        if self.new_root == author:
            raise MalformedRecord("rotate.new_root: the author's own key, not a new root")


MEMBER_KINDS = (Device, Unlink, Rotate)
"""The kinds that say which keys sign for which member (p2pshare/domain/member_directory.py)."""

Body = (
    Profile
    | Offer
    | Forward
    | Accept
    | Handoff
    | Withdraw
    | Outcome
    | Vouch
    | Revoke
    | Credit
    | Decline
    | Say
    | Device
    | Unlink
    | Rotate
)

BODY_TYPES: dict[int, type[Body]] = {
    cls.KIND: cls
    for cls in (
        Profile,
        Offer,
        Forward,
        Accept,
        Handoff,
        Withdraw,
        Outcome,
        Vouch,
        Revoke,
        Credit,
        Decline,
        Say,
        Device,
        Unlink,
        Rotate,
    )
}
