"""Which member a key signs for, and whether a record counts for it (issue 15).

A member id is the key of the member's original root. The root certifies device
keys (`device` records), devices can be unlinked (`unlink`) and the root
rotated (`rotate`); docs/PROTOCOL.md §Members and devices is the rule this
module computes. A key that no such record names is its own member, root and
only device, so every record written before devices existed keeps its meaning.

`MemberDirectory` holds the set of member records and answers from it alone:
any order of arrival, any split into batches, a revocation before its
certificate, all give the same answers. Pure: no I/O, no clock; dates are the
records' own. One member's derivation is member_authority.py's; this module
owns the keys' consents, which say which member each key may belong to.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from p2pshare.domain.member_authority import (
    NEVER,
    DeviceView,
    MemberAuthority,
    RootSpan,
    derive,
)
from protocol import Device, Envelope, PublicKey, RecordId, Rotate, Unlink

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["NEVER", "DeviceView", "MemberDirectory", "RootSpan"]


class MemberDirectory:
    """The set of device, unlink and rotate records, and what follows from it."""

    def __init__(self) -> None:
        self._records: dict[RecordId, Envelope] = {}
        self._by_member: dict[PublicKey, list[Envelope]] = {}
        # key -> the members it consented to (as a device, or as a new root)
        self._claims: dict[PublicKey, set[PublicKey]] = {}
        # keys that signed a member record naming themselves as `member`
        self._anchored: set[PublicKey] = set()
        self._derived: dict[PublicKey, MemberAuthority] = {}

    def apply(self, envelopes: Iterable[Envelope]) -> frozenset[PublicKey]:
        """Add records (other kinds and known ones are ignored); returns the members
        whose devices, roots or dispute may have changed."""
        touched: set[PublicKey] = set()
        for env in envelopes:
            body = env.body
            if not isinstance(body, Device | Unlink | Rotate) or env.id in self._records:
                continue
            self._records[env.id] = env
            self._by_member.setdefault(body.member, []).append(env)
            touched.add(body.member)
            if env.author == body.member and env.author not in self._anchored:
                self._anchored.add(env.author)
                touched |= self._claims.get(env.author, set())
            if isinstance(body, Device | Rotate):  # they carry the named key's consent
                named = body.new_root if isinstance(body, Rotate) else body.device
                claims = self._claims.setdefault(named, set())
                if body.member not in claims:
                    claims.add(body.member)
                    touched |= claims  # a second member makes the key contested for both
        if touched:
            self._derived.clear()  # member records are few; a member's derivation is cheap
        return frozenset(touched)

    # -- keys ----------------------------------------------------------------

    def _owner(self, key: PublicKey) -> PublicKey | None:
        """The member `key` may sign for; None when it consented to several."""
        if key in self._anchored:
            return key  # it spoke as a member id of its own: no other member can take it
        claims = self._claims.get(key)
        if not claims:
            return key
        if len(claims) > 1:
            return None
        return next(iter(claims))

    def member_of(self, key: PublicKey) -> PublicKey:
        """The member id (its original root's key) that `key` signs for.

        Itself when no certificate or rotation names it, or when it consented to
        several members (then none of them has it: `verdict` says so). Whether a
        given record of the key counts, at its date, is `verdict`'s.
        """
        owner = self._owner(key)
        return key if owner is None else owner

    def contested(self, key: PublicKey) -> bool:
        """Whether `key` consented to be the key of two members or more."""
        return self._owner(key) is None

    # -- members -------------------------------------------------------------

    def authority(self, member: PublicKey) -> MemberAuthority:
        if (found := self._derived.get(member)) is None:
            records = self._by_member.get(member, [])
            found = derive(member, records, lambda key: self._owner(key) == member)
            self._derived[member] = found
        return found

    def members(self) -> list[PublicKey]:
        """Members that device, unlink or rotate records name, in key order."""
        return sorted(self._by_member)

    def devices(self, member: PublicKey) -> tuple[DeviceView, ...]:
        """The member's certified devices, unlinked ones included, oldest first."""
        return self.authority(member).devices

    def roots(self, member: PublicKey) -> tuple[RootSpan, ...]:
        return self.authority(member).roots

    def root(self, member: PublicKey, at: int) -> PublicKey | None:
        """The member's root key at `at`; None from a dispute on."""
        return self.authority(member).root_at(at)

    def disputed(self, member: PublicKey) -> int | None:
        """The date from which the member is disputed (two rotations from one root)."""
        return self.authority(member).disputed_from

    # -- records -------------------------------------------------------------

    def verdict(self, envelope: Envelope) -> str | None:
        """Why `envelope` does not count for the member its author signs for; None if it does."""
        key, at = envelope.author, envelope.created_at
        owner = self._owner(key)
        if owner is None:
            return "its key consented to be the key of several members, so of none"
        authority = self.authority(owner)
        if authority.root_at(at) == key:
            return None
        device = authority.device(key)
        if device is not None and device.signs_at(at):
            return None
        return _why_not(authority, key, at, device)


def _why_not(authority: MemberAuthority, key: PublicKey, at: int, device: DeviceView | None) -> str:
    if device is not None and at >= device.unlinked_from:
        why = f": {device.reason}" if device.reason else ""
        return f"its device was unlinked from {_date(device.unlinked_from)}{why}"
    for span in authority.roots:
        if span.key == key and at >= span.until:
            if authority.disputed_from == span.until:
                return "its root key's authority ended when the member was disputed at " + _date(
                    span.until
                )
            return f"its root key was rotated away at {_date(span.until)}"
    if device is not None:
        return f"dated before its certificate ({_date(device.certified_at)})"
    if key in authority.void:
        return "none of its certificates holds: their authors had no authority at their dates"
    if any(span.key == key for span in authority.roots):
        return "dated before its key became the member's root"
    if authority.disputed_from is not None:
        disputed = _date(authority.disputed_from)
        return f"a new root of a member disputed from {disputed}: it never took over"
    return "no certificate or rotation of its member names it"


def _date(at: int) -> str:
    """A record's date as a member reads it in a refusal (UTC; the records' own dates)."""
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(at))
