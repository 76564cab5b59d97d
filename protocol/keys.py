"""Which Ed25519 public keys a member may have (docs/PROTOCOL.md §Member keys).

A key is refused when its encoding is not canonical (the y coordinate, the low
255 bits read little-endian, is p = 2^255 - 19 or more) or when its point has
small order (y is 0, 1, p - 1 or one of the two y values of the points of
order 8, with either sign bit). A signature by a small-order key can verify for
any message, so anyone could write records under such an id. The rule reads
only the encoding: no point arithmetic, so every implementation refuses exactly
the same 32-byte strings.
"""

from __future__ import annotations

from .limits import KEY_BYTES

_P = 2**255 - 19
# y of the four points of order 8 are ±_Y8 (mod p); the others of small order are 0, 1, p - 1.
_Y8 = 2707385501144840649318225287225658788936804267575313519463743609750303402022
SMALL_ORDER_Y = frozenset({0, 1, _P - 1, _Y8, _P - _Y8})


def key_refusal(key: bytes) -> str | None:
    """Why `key` cannot be a member's Ed25519 public key, or None if it can."""
    if len(key) != KEY_BYTES:
        return f"an Ed25519 public key is {KEY_BYTES} bytes"
    y = int.from_bytes(key, "little") & ((1 << 255) - 1)
    if y >= _P:
        return "non-canonical Ed25519 public key (y is not reduced mod p)"
    if y in SMALL_ORDER_Y:
        return "Ed25519 public key of small order"
    return None
