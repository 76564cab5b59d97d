"""Member ids are libp2p peer ids of the member's Ed25519 key.

So the node's network identity and its signing identity are one key. The
conversion is pure (docs/PROTOCOL.md §Member ids): the peer id of an Ed25519
key is the identity multihash of the key's libp2p protobuf encoding, in base58btc.
"""

from __future__ import annotations

import base58

from .errors import BadMemberId
from .keys import key_refusal
from .limits import KEY_BYTES
from .records import PublicKey

# protobuf PublicKey{Type: Ed25519 (1), Data: <32 bytes>}: field 1 varint, field 2 bytes
_PROTOBUF_PREFIX = bytes([0x08, 0x01, 0x12, KEY_BYTES])
# multihash: code 0x00 (identity), length 36
_MULTIHASH_PREFIX = bytes([0x00, len(_PROTOBUF_PREFIX) + KEY_BYTES])
_PREFIX = _MULTIHASH_PREFIX + _PROTOBUF_PREFIX
_MAX_MEMBER_ID = 64  # every Ed25519 peer id is 52 characters; caps base58 work


def member_id(public_key: bytes) -> str:
    """The `12D3KooW...` peer id of a raw Ed25519 public key."""
    if type(public_key) is not bytes or len(public_key) != KEY_BYTES:
        raise BadMemberId(f"an Ed25519 public key is {KEY_BYTES} bytes")
    return base58.b58encode(_PREFIX + public_key).decode("ascii")


def public_key_of(member: str) -> PublicKey:
    """The raw Ed25519 public key inside a member id, or BadMemberId."""
    if type(member) is not str or len(member) > _MAX_MEMBER_ID:
        raise BadMemberId(f"{member!r} is not a member id")
    try:
        raw = base58.b58decode(member.encode("ascii"))
    except (ValueError, UnicodeEncodeError, AttributeError) as exc:
        raise BadMemberId(f"{member!r} is not base58") from exc
    if len(raw) != len(_PREFIX) + KEY_BYTES or not raw.startswith(_PREFIX):
        raise BadMemberId(f"{member!r} is not the peer id of an Ed25519 key")
    if base58.b58encode(raw).decode("ascii") != member:  # b58decode forgives whitespace
        raise BadMemberId(f"{member!r} is not in canonical form")
    key = raw[len(_PREFIX) :]
    if (reason := key_refusal(key)) is not None:
        raise BadMemberId(f"{member!r}: {reason}")
    return PublicKey(key)
