"""Sealed fields (docs/PROTOCOL.md §Sealing): only the recipient, only in place."""

from __future__ import annotations

import struct

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

import protocol as p
from protocol import limits as lim

x25519_keys = st.binary(min_size=32, max_size=32).map(X25519PrivateKey.from_private_bytes)
RECIPIENT = X25519PrivateKey.from_private_bytes(bytes(range(32)))
EPHEMERAL = X25519PrivateKey.from_private_bytes(bytes(range(32, 64)))
CONTEXT = p.offer_contact_context(bytes(32), 1_767_225_600)


def public(key: X25519PrivateKey) -> bytes:
    return key.public_key().public_bytes_raw()


def sealed(plaintext: bytes = b"jeanne@example.org", context: bytes = CONTEXT) -> bytes:
    return p.seal(plaintext, recipient=public(RECIPIENT), context=context, ephemeral=EPHEMERAL)


@settings(max_examples=150, deadline=None)
@given(
    plaintext=st.binary(max_size=p.MAX_PLAINTEXT),
    recipient=x25519_keys,
    ephemeral=x25519_keys,
    context=st.binary(max_size=200),
)
def test_round_trip(
    plaintext: bytes, recipient: X25519PrivateKey, ephemeral: X25519PrivateKey, context: bytes
) -> None:
    blob = p.seal(plaintext, recipient=public(recipient), context=context, ephemeral=ephemeral)
    assert len(blob) == 1 + 32 + len(plaintext) + 16 <= lim.MAX_SEALED
    assert blob[0] == 1
    assert blob[1:33] == public(ephemeral)
    assert p.open_sealed(blob, key=recipient, context=context) == plaintext


@settings(max_examples=100, deadline=None)
@given(other=x25519_keys)
def test_wrong_key(other: X25519PrivateKey) -> None:
    if public(other) == public(RECIPIENT):
        return
    with pytest.raises(p.SealError):
        p.open_sealed(sealed(), key=other, context=CONTEXT)


@pytest.mark.parametrize(
    "context",
    [
        b"",
        p.offer_contact_context(bytes(32), 1_767_225_601),
        p.offer_contact_context(bytes(31) + b"\x01", 1_767_225_600),
        p.seal_context("handoff.contact", bytes(32), struct.pack(">Q", 1_767_225_600)),
        CONTEXT + b"\x00",
    ],
)
def test_wrong_context(context: bytes) -> None:
    with pytest.raises(p.SealError):
        p.open_sealed(sealed(), key=RECIPIENT, context=context)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_tampered_byte(data: st.DataObject) -> None:
    blob = bytearray(sealed())
    index = data.draw(st.integers(0, len(blob) - 1))
    blob[index] ^= data.draw(st.integers(1, 255))
    with pytest.raises(p.SealError):
        p.open_sealed(bytes(blob), key=RECIPIENT, context=CONTEXT)


@pytest.mark.parametrize(
    "blob",
    [
        b"",
        b"\x01",
        sealed()[: 1 + 32 + 15],  # shorter than header + tag
        sealed()[:-1],
        b"\x02" + sealed()[1:],  # unknown seal version
        b"\x00" + sealed()[1:],
        b"\x01" + bytes(32) + sealed()[33:],  # low-order ephemeral point
    ],
)
def test_garbage_refused(blob: bytes) -> None:
    with pytest.raises(p.SealError):
        p.open_sealed(blob, key=RECIPIENT, context=CONTEXT)


def test_empty_plaintext() -> None:
    blob = sealed(b"")
    assert len(blob) == 49
    assert p.open_sealed(blob, key=RECIPIENT, context=CONTEXT) == b""


def test_plaintext_limit() -> None:
    assert p.MAX_PLAINTEXT == lim.MAX_SEALED - 1 - 32 - 16
    blob = sealed(bytes(p.MAX_PLAINTEXT))
    assert len(blob) == lim.MAX_SEALED
    assert p.open_sealed(blob, key=RECIPIENT, context=CONTEXT) == bytes(p.MAX_PLAINTEXT)
    with pytest.raises(p.SealError):
        sealed(bytes(p.MAX_PLAINTEXT + 1))


@pytest.mark.parametrize("recipient", [bytes(32), bytes(31), b"", bytes(33)])
def test_unusable_recipient(recipient: bytes) -> None:
    with pytest.raises(p.SealError):
        p.seal(b"x", recipient=recipient, context=CONTEXT, ephemeral=EPHEMERAL)


def test_deterministic_given_the_ephemeral_key() -> None:
    assert sealed() == sealed()


def test_context_layouts() -> None:
    author, offer, parent, to = bytes([1]) * 32, bytes([2]) * 32, bytes([3]) * 32, bytes([4]) * 32
    assert p.seal_context("x", b"ab") == b"\x00\x01x\x00\x02ab"
    assert p.offer_contact_context(author, 258) == (
        b"\x00\x0doffer.contact" + b"\x00\x20" + author + b"\x00\x08" + (258).to_bytes(8, "big")
    )
    assert p.handoff_contact_context(author, offer, to) == (
        b"\x00\x0fhandoff.contact" + b"\x00\x20" + author + b"\x00\x20" + offer + b"\x00\x20" + to
    )
    assert p.forward_note_context(author, parent, to) == (
        b"\x00\x0cforward.note" + b"\x00\x20" + author + b"\x00\x20" + parent + b"\x00\x20" + to
    )


def test_sealed_field_fits_a_record() -> None:
    """A sealed field at its largest is accepted by the record fields that hold one."""
    blob = sealed(bytes(p.MAX_PLAINTEXT))
    handoff = p.Handoff(
        offer=p.RecordId(bytes(32)),
        accept=p.RecordId(bytes(32)),
        to=p.PublicKey(bytes([9]) * 32),  # any 32 bytes but a refused key (protocol/keys.py)
        contact=blob,
    )
    assert handoff.contact == blob
