"""A key's consent to sign for a member (docs/PROTOCOL.md §Members and devices).

A device certificate or a rotation names a key that will sign for a member.
Without that key's own signature, any member could name a stranger's key and
take the stranger's records as theirs; so each of those records carries the
named key's Ed25519 signature over a kind-specific tag and the member's key.
The tags differ from every record's domain tag (`p2pshare:<kind>:v1\\0`), so a
consent can never be replayed as a record signature, nor a device's consent as
a root's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .errors import BadSignature

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# What the consent is for: to be one of the member's devices, or its new root.
DEVICE_CONSENT = "device-consent"
ROOT_CONSENT = "rotate-consent"


def consent_input(purpose: str, member: bytes) -> bytes:
    """What the named key signs: `p2pshare:<purpose>:v1\\0` then the member's 32-byte key."""
    return b"p2pshare:" + purpose.encode() + b":v1\0" + member


def sign_consent(purpose: str, member: bytes, *, key: Ed25519PrivateKey) -> bytes:
    """`key`'s consent to sign for `member` as a device (DEVICE_CONSENT) or as its root."""
    return key.sign(consent_input(purpose, member))


def check_consent(name: str, purpose: str, member: bytes, signer: bytes, consent: bytes) -> None:
    """Raise BadSignature unless `consent` is `signer`'s signature for `member`."""
    try:
        Ed25519PublicKey.from_public_bytes(signer).verify(consent, consent_input(purpose, member))
    except (InvalidSignature, ValueError) as exc:
        raise BadSignature(f"{name}: not the named key's consent for this member") from exc
