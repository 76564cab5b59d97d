"""This home's place in its member: which member it signs for, and its member's devices.

A home made by `init` (or before devices existed) holds the member's root key:
its key is the member id, root and first device, and no file says so. A home
made by `init --join` holds a device key certified by the member, and
`member.json` (0600, written new then renamed into place) records the member
id, the device's label and its certificate (a `device` record, docs/PROTOCOL.md
§Members and devices). Every device holds the member's X25519 seal keys: the one
it was paired with in identity.pem, newer ones in its keyring (seal_keys.py).
Revoking a device (`revoke`) makes the member a new seal key and publishes a
profile naming it, so what is sealed to the member from then on does not open on
the revoked device; the member's other devices fetch it (net/member_keys.py).

The codes a device offers for pairing are member/pairing_codes.py's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from p2pshare.domain.device_views import DeviceItem
from p2pshare.domain.member_authority import NEVER
from p2pshare.domain.member_directory import MemberDirectory
from p2pshare.errors import UserError
from p2pshare.store.files import write_private
from protocol import (
    BadMemberId,
    Device,
    Envelope,
    PublicKey,
    Unlink,
    decode,
    member_id,
    public_key_of,
)

if TYPE_CHECKING:
    import os

    from p2pshare.member.actions import Member
    from p2pshare.member.home import Home
    from p2pshare.member.identity import Identity
    from p2pshare.store import Store

MAX_LABEL = 64  # characters of a device's label (protocol's MAX_LABEL bounds the record)
MEMBER_KINDS = (Device.KIND, Unlink.KIND, 15)


# -- which member this home signs for -------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Membership:
    """The member this home's key signs for, and how."""

    member: PublicKey  # the member id's key
    device: PublicKey  # this home's signing key
    label: str = ""
    certificate: bytes | None = None  # the device record that certifies `device`; None: root
    community: str | None = None  # the member's community when paired, if it named one

    @property
    def is_root(self) -> bool:
        return self.certificate is None

    @property
    def member_id(self) -> str:
        return member_id(self.member)

    @property
    def device_id(self) -> str:
        return member_id(self.device)

    @property
    def manage(self) -> bool:
        """Whether this device may add and revoke devices (the root always may)."""
        if self.certificate is None:
            return True
        body = decode(self.certificate).body
        return isinstance(body, Device) and body.manage


def membership_file(home: Home) -> os.PathLike[str]:
    return home.path / "member.json"


def load_membership(home: Home, identity: Identity, store: Store | None = None) -> Membership:
    """The member this home signs for: member.json's; else, for a home holding a root
    key, the member the records in `store` say it is root of (a root restored from
    its words after a rotation), or its own key (root and first device)."""
    path = home.path / "member.json"
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        member = identity.public_key
        if store is not None:
            member = directory_of(store).member_of(identity.public_key)
        return Membership(member=member, device=identity.public_key)
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read {path}: {exc}") from None
    try:
        certificate = bytes.fromhex(data["certificate"])
        env = decode(certificate)
        body = env.body
        if not isinstance(body, Device) or body.device != identity.public_key:
            raise ValueError("its certificate is not this device's")
        member = public_key_of(data["member"])
        if body.member != member:
            raise ValueError("its certificate is for another member")
        community = data.get("community")
        if community is not None and not isinstance(community, str):
            raise ValueError("community is not text")
    except (KeyError, TypeError, ValueError, BadMemberId) as exc:
        raise UserError(f"{path} is damaged: {exc}") from None
    return Membership(
        member=member,
        device=identity.public_key,
        label=body.label,
        certificate=certificate,
        community=community,
    )


def save_membership(home: Home, membership: Membership) -> None:
    """Write member.json (0600): new under a temporary name, then renamed into place."""
    assert membership.certificate is not None, "a root home has no member.json"
    data = {
        "member": membership.member_id,
        "device": membership.device_id,
        "label": membership.label,
        "certificate": membership.certificate.hex(),
        "community": membership.community,
    }
    write_private_json(home.path / "member.json", data)


def write_private_json(path: Any, data: Any) -> None:
    """`data` as JSON at `path` (0600), in place of what is there, in one rename."""
    write_private(path, json.dumps(data, indent=1).encode())


# -- the member's devices ---------------------------------------------------------------


def directory_of(store: Store) -> MemberDirectory:
    """The member directory of every device, unlink and rotate record in `store`."""
    directory = MemberDirectory()
    directory.apply(store.all(kinds=MEMBER_KINDS))
    return directory


def device_items(directory: MemberDirectory, membership: Membership) -> list[DeviceItem]:
    """The member's devices as `device list` and the app show them: this device first,
    then by link date. The root key is a row of its own while it is a device too."""
    member, me = membership.member, membership.device
    authority = directory.authority(member)
    items: list[DeviceItem] = []
    roots = authority.roots
    current_root = roots[-1].key if roots and roots[-1].until == NEVER else None
    for span in roots:
        if span.key == me or span.until == NEVER:
            items.append(
                DeviceItem(
                    device_id=member_id(span.key),
                    label="root key",
                    this_device=span.key == me,
                    root=span.key == current_root,
                    manage=span.until == NEVER,
                    linked_at=span.since,
                    unlinked_from=None if span.until == NEVER else span.until,
                )
            )
    for view in authority.devices:
        items.append(
            DeviceItem(
                device_id=member_id(view.key),
                label=view.label,
                this_device=view.key == me,
                root=False,
                manage=view.manage,
                linked_at=view.certified_at,
                unlinked_from=None if view.unlinked_from == NEVER else view.unlinked_from,
                reason=view.reason,
            )
        )
    if not any(item.this_device for item in items):  # paired, its certificate not seen yet
        items.append(
            DeviceItem(
                device_id=member_id(me),
                label=membership.label,
                this_device=True,
                root=False,
                manage=membership.manage,
                linked_at=0,
                unlinked_from=None,
            )
        )
    items.sort(key=lambda item: (not item.this_device, item.linked_at, item.device_id))
    return items


def unlink_body(
    directory: MemberDirectory, membership: Membership, text: str, *, reason: str, since: int
) -> Unlink:
    """The unlink of the device `text` names (an id or a unique prefix), or UserError why not."""
    if not membership.manage:
        raise UserError("this device may not revoke devices: do it from the root or a managing one")
    items = device_items(directory, membership)
    wanted = text.strip()
    found = [item for item in items if item.device_id.startswith(wanted)] if wanted else []
    if not found:
        raise UserError(f"{wanted or 'an empty name'} is not one of this member's devices")
    if len(found) > 1:
        raise UserError(f"{wanted} names {len(found)} devices: give more of the id")
    item = found[0]
    if item.root or item.device_id == membership.member_id:
        raise UserError("that is the member's root key: it is rotated, never revoked")
    if item.unlinked_from is not None:
        raise UserError(f"{item.device_id} is revoked already (from {item.unlinked_from})")
    signers = [
        other
        for other in items
        if other.unlinked_from is None and (other.manage or other.root)
        and other.device_id != item.device_id
    ]  # fmt: skip
    if not signers:
        raise UserError(
            f"{item.device_id} is the last device that can still sign for the member: "
            "pair another one first (p2pshare device add)"
        )
    if item.this_device and not any(other.root for other in signers):
        raise UserError("this device cannot revoke itself while no root can certify another")
    return Unlink(
        member=membership.member,
        device=public_key_of(item.device_id),
        valid_until=since,
        reason=reason,
    )


@dataclass(frozen=True, slots=True)
class Revoked:
    """What revoking a device signed: the unlink, and the profile naming the new seal key."""

    unlink: Envelope
    profile: Envelope | None  # None: no new seal key (this device itself), or no profile yet


def revoke(member: Member, text: str, *, reason: str, since: int) -> Revoked:
    """Unlink the device `text` names (UserError why not), then give the member a new
    seal key: kept in this home's keyring and named by a new profile, so text sealed to
    the member from then on does not open on the revoked device. A device revoking
    itself makes no key (it would hold it): revoke from another device for that."""
    membership = load_membership(member.home, member.identity, member.store)
    body = unlink_body(directory_of(member.store), membership, text, reason=reason, since=since)
    unlink = member.commit(body)
    if body.device == membership.device:
        return Revoked(unlink, None)
    return Revoked(unlink, renew_seal_key(member))


def renew_seal_key(member: Member) -> Envelope | None:
    """A new seal key for the member, kept before anything names it, then a profile
    naming it (None when the member has no profile yet: the first one will)."""
    keyring = member.identity.keyring
    if keyring is None:
        raise UserError("this identity was not loaded from a home: it has no keyring")
    keyring.new_key(now=member.now())
    if member.profile() is None:
        return None
    return member.set_profile()


def check_label(text: str) -> str:
    label = text.strip()
    if not label:
        raise UserError("a device label cannot be empty")
    if len(label) > MAX_LABEL or not label.isprintable():
        raise UserError(f"a device label is printable text of at most {MAX_LABEL} characters")
    return label


def settle_joined(
    home: Home,
    identity: Identity,
    certificate: bytes,
    *,
    community: str,
    passphrase: bytes | None = None,
) -> Membership:
    """Write a paired device's home: its identity (the device key and the member's seal
    key), then member.json. Refused, changing nothing, if the home has an identity."""
    from p2pshare.member import identity as ident

    env = decode(certificate)
    body = env.body
    if not isinstance(body, Device) or body.device != identity.public_key:
        raise UserError("the certificate received is not this device's")
    membership = Membership(
        member=body.member,
        device=identity.public_key,
        label=body.label,
        certificate=certificate,
        community=community,
    )
    ident.restore(home, identity, passphrase=passphrase)
    save_membership(home, membership)
    return membership
