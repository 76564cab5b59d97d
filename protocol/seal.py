"""Sealed fields: private text readable only by one member (docs/PROTOCOL.md §Sealing).

An ephemeral X25519 key agrees a secret with the recipient's published seal key;
HKDF-SHA256 turns it into a ChaCha20-Poly1305 key. The context, which names the
record and field the seal belongs to, is both in the key derivation and the
associated data, so a sealed blob cut out of one record opens nowhere else.
The caller passes the ephemeral key: protocol/ draws no randomness itself.
"""

from __future__ import annotations

import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .errors import SealError
from .limits import KEY_BYTES, MAX_SEALED

SEAL_VERSION = 1
_NONCE = bytes(12)  # the key is single-use (fresh ephemeral key per seal)
_TAG_BYTES = 16
_HEADER = 1 + KEY_BYTES
MAX_PLAINTEXT = MAX_SEALED - _HEADER - _TAG_BYTES


def seal_context(purpose: str, author: bytes, *anchors: bytes) -> bytes:
    """Bind a seal to its place: purpose ("offer.contact"...), the record's author, anchors."""
    parts = [purpose.encode(), author, *anchors]
    return b"".join(struct.pack(">H", len(p)) + p for p in parts)


def offer_contact_context(author: bytes, created_at: int) -> bytes:
    """An offer's own contact copy, sealed to its author (recoverable from a backup)."""
    return seal_context("offer.contact", author, struct.pack(">Q", created_at))


def handoff_contact_context(author: bytes, offer: bytes, recipient: bytes) -> bytes:
    return seal_context("handoff.contact", author, offer, recipient)


def forward_note_context(author: bytes, parent: bytes, recipient: bytes) -> bytes:
    return seal_context("forward.note", author, parent, recipient)


def _key(shared: bytes, ephemeral: bytes, recipient: bytes, context: bytes) -> bytes:
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=ephemeral + recipient,
        info=b"p2pshare:seal:v1\0" + context,
    )
    return hkdf.derive(shared)


def seal(
    plaintext: bytes, *, recipient: bytes, context: bytes, ephemeral: X25519PrivateKey
) -> bytes:
    """Encrypt `plaintext` so only the holder of `recipient`'s private key can read it."""
    if len(plaintext) > MAX_PLAINTEXT:
        raise SealError(f"private text is {len(plaintext)} bytes, at most {MAX_PLAINTEXT}")
    try:
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient))
    except ValueError as exc:
        raise SealError(f"unusable recipient key: {exc}") from exc
    eph = ephemeral.public_key().public_bytes_raw()
    cipher = ChaCha20Poly1305(_key(shared, eph, recipient, context))
    return bytes([SEAL_VERSION]) + eph + cipher.encrypt(_NONCE, plaintext, context)


def open_sealed(sealed: bytes, *, key: X25519PrivateKey, context: bytes) -> bytes:
    """Decrypt a sealed field with the recipient's private key, or raise SealError."""
    if len(sealed) < _HEADER + _TAG_BYTES or sealed[0] != SEAL_VERSION:
        raise SealError("not a sealed field of a known version")
    eph = sealed[1:_HEADER]
    recipient = key.public_key().public_bytes_raw()
    try:
        shared = key.exchange(X25519PublicKey.from_public_bytes(eph))
        cipher = ChaCha20Poly1305(_key(shared, eph, recipient, context))
        return cipher.decrypt(_NONCE, sealed[_HEADER:], context)
    except (InvalidTag, ValueError) as exc:
        raise SealError("cannot open: not sealed to this key, or altered") from exc
