"""Rotating the member's root key (issue 15; docs/PROTOCOL.md §15 rotate, §Roots and rotations).

`p2pshare device rotate-root` runs on the home that holds the member's root. It
draws a new root key and a new device key for this home; the new root's backup
is 48 words (recovery.py's two-key format: the new root's Ed25519 key and the
member's X25519 seal key, which a rotation keeps), so a root restored from them
is the member's root with the member's seal key. Then it signs, dated the same
second:

- a rotate record by the old root, naming the new root with its consent: from
  its date the old root's records no longer count (a thief holding it can force
  a dispute, never take over);
- a device record by the new root, certifying this home's new key as a managing
  device with its consent, so this home keeps signing day to day while the new
  root lives only on paper.

The member id and the member's seal key do not change: trust, vouches and credit
carry over, sealed text still opens. The home's identity.pem is replaced by the
new device key (with the same seal key, and the same passphrase if any) after
member.json names its certificate; the old root key is not kept. This node's
peer id changes with its key: earlier invites of this home stop working.

The new root's words are handed over (`keep_words`) as soon as both records are
stored, before member.json and identity.pem are written: from then on the old
root no longer counts, so should the process die before this home holds its new
key, the words restore the member on a fresh home (`init --recover`) rather than
being lost with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import protocol
from p2pshare.errors import UserError
from p2pshare.member import devices
from p2pshare.member import identity as ident
from protocol import DEVICE_CONSENT, ROOT_CONSENT, Device, PublicKey, Rotate, sign_consent

if TYPE_CHECKING:
    from collections.abc import Callable

    from p2pshare.member.actions import Member


@dataclass(frozen=True, slots=True)
class Rotated:
    """What a rotation made: the new root (its words, shown once) and this home's new key."""

    new_root: ident.Identity  # the only copy of the new root key: show its words, drop it
    device_id: str
    rotation: protocol.Envelope
    certificate: protocol.Envelope


def rotate_root(
    member: Member,
    *,
    label: str,
    passphrase: bytes | None,
    keep_words: Callable[[ident.Identity], None],
) -> Rotated:
    """Rotate the root away from this home's key; UserError (changing nothing) if it
    does not hold the member's root now. `keep_words` shows the new root's backup,
    once the rotation is stored and before this home's files change (see the module)."""
    home, old = member.home, member.identity
    membership = devices.load_membership(home, old, member.store)
    directory = devices.directory_of(member.store)
    now = member.now()
    if not membership.is_root or directory.root(membership.member, now) != old.public_key:
        raise UserError(
            "this home does not hold the member's root key: rotate from the home that does "
            "(the one made by `init`, or restored from the root's words)"
        )
    # The new root's backup holds the member's seal key too (recovery.py's 48 words: the
    # two keys), so a root restored from it opens what is sealed to the member.
    new_root = ident.Identity(Ed25519PrivateKey.generate(), old.seal_key)
    device_key = Ed25519PrivateKey.generate()
    device = PublicKey(device_key.public_key().public_bytes_raw())
    rotation = member.commit(
        Rotate(
            member=membership.member,
            new_root=new_root.public_key,
            consent=sign_consent(ROOT_CONSENT, membership.member, key=new_root.signing_key),
        )
    )
    body = Device(
        member=membership.member,
        device=device,
        label=label,
        manage=True,
        consent=sign_consent(DEVICE_CONSENT, membership.member, key=device_key),
    )
    certificate = protocol.sign(body, key=new_root.signing_key, created_at=rotation.created_at)
    member.store.add_own(certificate, now=now)
    keep_words(new_root)
    devices.save_membership(
        home,
        devices.Membership(
            member=membership.member, device=device, label=label, certificate=certificate.data
        ),
    )
    ident.replace_keys(home, ident.Identity(device_key, old.seal_key), passphrase=passphrase)
    return Rotated(new_root, protocol.member_id(device), rotation, certificate)
