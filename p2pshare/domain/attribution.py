"""Whose record it is: every key a record names, read as the member it signs for (issue 15).

The ledger, trust and the views reason about members, not keys: an offer posted
from a member's phone is the member's, so any of its devices may hand it off or
withdraw it; an accept by one device is the member's accept; a member's devices
never vouch for or credit each other (they are one member). `Attribution` holds
the member records (a `MemberDirectory`) and rewrites every other record as its
member wrote it: the author, and the member keys its body names (a forward's and
a hand-off's `to`, a vouch's `subject`, a credit's forwarders), read through
`member_of`. The rewritten record keeps its id (records name each other by id),
and only the derived state sees it; the store, the door and the wire keep the
signed bytes.

A record that does not count (docs/PROTOCOL.md §Whether a record counts) is not
rewritten: `judge` returns why. Either it may count once more member records
arrive (dated before its certificate, a certificate whose chain is not here yet):
the reason starts with ledger_part.PENDING, so the door keeps it waiting as it
keeps an outcome before its hand-off; or it never will from records that can
only add (an unlinked device's, a contested key's, a root's after its rotation):
the reason starts with NOT_COUNTED. The ledger ignores such a record if it was
stored before the member record that voids it arrived.

Pure, and a function of the set of member records: the ledger re-reads every
record when a batch changes what a key signs for (member records are few).
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, TypeVar

from p2pshare.domain.ledger_part import PENDING
from p2pshare.domain.member_directory import NEVER, MemberDirectory
from protocol import Credit, Device, Envelope, Forward, Handoff, PublicKey, Rotate, Unlink, Vouch

if TYPE_CHECKING:
    from collections.abc import Iterable

NOT_COUNTED = "not its member's record"
"""The start of the reason for a record whose key does not sign for its member at its date."""

MEMBER_KINDS = (Device, Unlink, Rotate)
_MEMBER_TYPES = frozenset(MEMBER_KINDS)  # exact types: records are final, and this runs per record
_NAMING_TYPES = frozenset((Forward, Handoff, Vouch, Credit))  # bodies that name member keys


def is_member_record(env: Envelope) -> bool:
    return type(env.body) in _MEMBER_TYPES


class Attribution:
    """The member records seen so far, and each other record read as its member's."""

    def __init__(self) -> None:
        self.directory = MemberDirectory()
        self._named: set[PublicKey] = set()  # every key a member record names or is signed by

    def add(self, envelopes: Iterable[Envelope]) -> frozenset[PublicKey]:
        """Take member records (others are ignored); the members they may change."""
        records = [env for env in envelopes if is_member_record(env)]
        if not records:
            return frozenset()
        touched = self.directory.apply(records)
        for env in records:
            body = env.body
            assert isinstance(body, MEMBER_KINDS)
            named = body.new_root if isinstance(body, Rotate) else body.device
            self._named.update((env.author, body.member, named))
        return touched

    @property
    def named_any(self) -> bool:
        """Whether any member record is held (else every key is its own member)."""
        return bool(self._named)

    def named(self, key: PublicKey) -> bool:
        """Whether any member record names `key` (else it is its own member, always)."""
        return key in self._named

    def member_of(self, key: PublicKey) -> PublicKey:
        if key not in self._named:
            return key
        return self.directory.member_of(key)

    def keys_of(self, member: PublicKey) -> tuple[PublicKey, ...]:
        """The keys that sign for `member` now: its root, then its devices not unlinked."""
        if member not in self._named:
            return (member,)
        authority = self.directory.authority(member)
        keys: list[PublicKey] = []
        if authority.roots and authority.roots[-1].until == NEVER:
            keys.append(authority.roots[-1].key)
        for device in authority.devices:
            if device.unlinked_from == NEVER and device.key not in keys:
                keys.append(device.key)
        return tuple(keys) or (member,)

    def judge(self, env: Envelope) -> Envelope | str:
        """`env` as its member wrote it, or why it does not count (see the module)."""
        named = self._named
        if not named:
            return env
        author = env.author
        body = env.body
        if author not in named and type(body) not in _NAMING_TYPES:
            return env  # most records: a key no member record names, naming nobody
        if author in named:
            if (why := self.directory.verdict(env)) is not None:
                return _reason(self.directory, env, why)
            author = self.directory.member_of(author)
        changes: dict[str, object] = {}
        if isinstance(body, Forward | Handoff) and body.to in self._named:
            changes["to"] = self.directory.member_of(body.to)
        elif isinstance(body, Vouch) and body.subject in self._named:
            changes["subject"] = self.directory.member_of(body.subject)
        elif isinstance(body, Credit) and any(k in self._named for k in body.forwarders):
            keys = dict.fromkeys(self.directory.member_of(k) for k in body.forwarders)
            changes["forwarders"] = tuple(keys)
        if author == env.author and not changes:
            return env
        new: dict[str, object] = {"author": author}
        if changes:
            new["body"] = _copy(body, changes)
        return _copy(env, new)


def _reason(directory: MemberDirectory, env: Envelope, why: str) -> str:
    """`why`, marked as waiting when member records still to come could make it count."""
    key, at = env.author, env.created_at
    if directory.contested(key):
        return f"{NOT_COUNTED}: {why}"
    authority = directory.authority(directory.member_of(key))
    device = authority.device(key)
    if device is not None and at >= device.unlinked_from:
        return f"{NOT_COUNTED}: {why}"
    if any(span.key == key and at >= span.until for span in authority.roots):
        return f"{NOT_COUNTED}: {why}"
    if authority.disputed_from is not None and authority.root_at(at) is None:
        return f"{NOT_COUNTED}: {why}"
    # No certificate that holds at its date, yet: an earlier one, or the missing link
    # of its chain, may still arrive.
    return f"{PENDING} yet (its member's certificate: {why})"


_T = TypeVar("_T")
_NAMES: dict[type, tuple[str, ...]] = {}


def _copy(record: _T, changes: dict[str, object]) -> _T:
    """A copy with `changes`, without running the field checks again: the values are
    member keys that passed them where they were decoded."""
    cls = type(record)
    if (names := _NAMES.get(cls)) is None:
        names = _NAMES[cls] = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
    new = object.__new__(cls)
    for name in names:
        object.__setattr__(new, name, changes[name] if name in changes else getattr(record, name))
    return new
