"""Sync order and range summaries: `RangeKey`, `Bound`, `Fingerprint`, `fingerprint_of`.

Records sort by (created_at, id); a range [lo, hi) of that order is summarised
by a fingerprint that two peers must compute bit for bit alike.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from protocol import RecordId

if TYPE_CHECKING:
    from collections.abc import Iterable

ID_BYTES = 32
DIGEST_BYTES = 16

_MOD = 1 << 256


class RangeKey(NamedTuple):
    """A record's place in sync order: records sort by (created_at, id)."""

    created_at: int
    id: RecordId


Bound = RangeKey | None
"""An exclusive upper (or inclusive lower) range bound; None is +inf (or -inf).

A bound's `id` may be a prefix of an id (0..32 bytes): it sorts before every id
it begins, which keeps bounds short.
"""


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Summary of the ids in a key range, equal on two nodes iff (w.h.p.) the sets are.

    `digest` is SHA-256(sum of ids as little-endian integers mod 2**256, as 32
    little-endian bytes || count as 8 little-endian bytes), first 16 bytes. A
    modular sum, unlike XOR, cannot be steered by grinding record ids.
    """

    count: int
    digest: bytes


def digest_of(total: int, count: int) -> bytes:
    """The digest of `count` ids whose little-endian integers sum to `total`."""
    summed = (total % _MOD).to_bytes(32, "little") + count.to_bytes(8, "little")
    return hashlib.sha256(summed).digest()[:DIGEST_BYTES]


def fingerprint_of(ids: Iterable[bytes]) -> tuple[int, bytes]:
    """(count, digest) of a set of ids: the function of `Fingerprint` above.

    SHA-256(sum of ids as little-endian integers mod 2**256 || count as u64 LE),
    first 16 bytes. Peers must agree on it bit for bit, so both sources use it.
    """
    total = count = 0
    for rid in ids:
        total += int.from_bytes(rid, "little")
        count += 1
    return count, digest_of(total, count)


def between(before: RangeKey, after: RangeKey) -> RangeKey:
    """The shortest bound b with before < b <= after."""
    if before.created_at != after.created_at:
        return RangeKey(after.created_at, RecordId(b""))
    shared = 0
    while before.id[shared] == after.id[shared]:
        shared += 1
    return RangeKey(after.created_at, RecordId(after.id[: shared + 1]))
