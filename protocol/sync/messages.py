"""The sync messages: their types, limits and msgpack encoding (docs/PROTOCOL.md §Sync).

Everything a peer sends is untrusted: constructing a message checks it against
the limits below, and `decode_message` turns a malformed payload into
`ReconcileError` (a `ProtocolError`), never anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import msgpack

from protocol import MAX_RECORD_BYTES, ProtocolError, RecordId

from .keys import DIGEST_BYTES, ID_BYTES, Bound, RangeKey

PROTOCOL_ID = "/p2pshare/sync/1.0.0"

MAX_FRAME = 1 << 20  # bytes of msgpack in one frame
MAX_TIMESTAMP = 2**40  # protocol/limits.py: no record is dated later
MAX_COUNT = 2**40  # a fingerprint's count
MAX_RANGES = 16_384  # ranges in one Ranges message
MAX_IDLIST = 1024  # ids in one IdList range
MAX_WANT = 2048  # ids in one Want message
MAX_RECORDS = 16_384  # records in one Records message

_UNPACK_LIMITS: dict[str, int] = {
    "max_str_len": 0,  # no strings anywhere
    "max_bin_len": max(MAX_RECORD_BYTES, MAX_WANT * ID_BYTES, MAX_IDLIST * ID_BYTES),
    "max_array_len": max(MAX_RANGES, MAX_RECORDS),
    "max_map_len": 0,
    "max_ext_len": 0,
}


class ReconcileError(ProtocolError):
    """The peer broke the sync protocol; `str(err)` says how. The session is over."""


def _check_bound(bound: Bound) -> None:
    if bound is None:
        return
    if not isinstance(bound, RangeKey) or type(bound.created_at) is not int:
        raise ReconcileError("a bound is [created_at, id prefix]")
    if not 0 <= bound.created_at <= MAX_TIMESTAMP:
        raise ReconcileError(f"bound timestamp {bound.created_at} out of range")
    if type(bound.id) is not bytes or len(bound.id) > ID_BYTES:
        raise ReconcileError("a bound's id prefix is at most 32 bytes")


def _check_ids(ids: object, limit: int, what: str) -> None:
    if type(ids) is not tuple or len(ids) > limit:
        raise ReconcileError(f"{what}: at most {limit} ids")
    for rid in ids:
        if type(rid) is not bytes or len(rid) != ID_BYTES:
            raise ReconcileError(f"{what}: an id is 32 bytes")


@dataclass(frozen=True, slots=True, kw_only=True)
class Skip:
    """Settled: nothing to do from the previous bound up to `upper`."""

    MODE: ClassVar[int] = 0
    upper: Bound

    def __post_init__(self) -> None:
        _check_bound(self.upper)


@dataclass(frozen=True, slots=True, kw_only=True)
class FingerprintRange:
    """The sender's (count, digest) of the range: the receiver compares its own."""

    MODE: ClassVar[int] = 1
    upper: Bound
    count: int
    digest: bytes

    def __post_init__(self) -> None:
        _check_bound(self.upper)
        if type(self.count) is not int or not 0 <= self.count <= MAX_COUNT:
            raise ReconcileError("fingerprint count out of range")
        if type(self.digest) is not bytes or len(self.digest) != DIGEST_BYTES:
            raise ReconcileError("a fingerprint digest is 16 bytes")


@dataclass(frozen=True, slots=True, kw_only=True)
class IdList:
    """Every id the sender holds in the range: the receiver settles it."""

    MODE: ClassVar[int] = 2
    upper: Bound
    ids: tuple[RecordId, ...]

    def __post_init__(self) -> None:
        _check_bound(self.upper)
        _check_ids(self.ids, MAX_IDLIST, "id list")


RangeItem = Skip | FingerprintRange | IdList


@dataclass(frozen=True, slots=True, kw_only=True)
class Ranges:
    """One reconciliation step: contiguous ranges from -inf, in order.

    Each range runs from the previous one's `upper` (first: -inf) to its own;
    anything after the last is settled. No ranges at all: everything is settled.
    """

    KIND: ClassVar[int] = 1
    ranges: tuple[RangeItem, ...]

    def __post_init__(self) -> None:
        if type(self.ranges) is not tuple or len(self.ranges) > MAX_RANGES:
            raise ReconcileError(f"at most {MAX_RANGES} ranges in a message")
        previous: RangeKey | None = None
        for i, item in enumerate(self.ranges):
            if not isinstance(item, Skip | FingerprintRange | IdList):
                raise ReconcileError("not a range")
            if item.upper is None:
                if i != len(self.ranges) - 1:
                    raise ReconcileError("only the last range may be unbounded")
            elif previous is not None and not previous < item.upper:
                raise ReconcileError("range bounds are not increasing")
            previous = item.upper


@dataclass(frozen=True, slots=True, kw_only=True)
class Want:
    """Send me these records (ids I learnt from your id lists)."""

    KIND: ClassVar[int] = 2
    ids: tuple[RecordId, ...]

    def __post_init__(self) -> None:
        _check_ids(self.ids, MAX_WANT, "want")
        if not self.ids:
            raise ReconcileError("want: no ids")


@dataclass(frozen=True, slots=True, kw_only=True)
class Records:
    """Signed records, exactly as stored: untrusted until the store verifies them."""

    KIND: ClassVar[int] = 3
    items: tuple[bytes, ...]

    def __post_init__(self) -> None:
        if type(self.items) is not tuple or not 0 < len(self.items) <= MAX_RECORDS:
            raise ReconcileError(f"records: 1 to {MAX_RECORDS} per message")
        for data in self.items:
            if type(data) is not bytes or not 0 < len(data) <= MAX_RECORD_BYTES:
                raise ReconcileError(f"records: a record is 1 to {MAX_RECORD_BYTES} bytes")


@dataclass(frozen=True, slots=True, kw_only=True)
class Done:
    """The sender has nothing more to say: the session is over."""

    KIND: ClassVar[int] = 4


Message = Ranges | Want | Records | Done


# -- wire encoding --------------------------------------------------------------------


def _pack(obj: object) -> bytes:
    packed: bytes = msgpack.packb(obj, use_bin_type=True)
    return packed


def _bound_wire(bound: Bound) -> list[Any] | None:
    return None if bound is None else [bound.created_at, bytes(bound.id)]


def _range_wire(item: RangeItem) -> list[Any]:
    match item:
        case Skip():
            return [_bound_wire(item.upper), Skip.MODE]
        case FingerprintRange():
            return [_bound_wire(item.upper), FingerprintRange.MODE, item.count, item.digest]
        case IdList():
            return [_bound_wire(item.upper), IdList.MODE, b"".join(item.ids)]


def encoded_range_size(item: RangeItem) -> int:
    """Bytes `item` takes inside an encoded Ranges message (to keep replies in budget)."""
    return len(_pack(_range_wire(item)))


def encode_message(msg: Message) -> bytes:
    """The msgpack payload of one message (docs/PROTOCOL.md §Sync protocol)."""
    match msg:
        case Ranges():
            return _pack([Ranges.KIND, [_range_wire(r) for r in msg.ranges]])
        case Want():
            return _pack([Want.KIND, b"".join(msg.ids)])
        case Records():
            return _pack([Records.KIND, list(msg.items)])
        case Done():
            return _pack([Done.KIND])
    raise TypeError(f"not a sync message: {msg!r}")


def _split_ids(blob: object, what: str) -> tuple[RecordId, ...]:
    if type(blob) is not bytes or len(blob) % ID_BYTES:
        raise ReconcileError(f"{what}: ids are a byte string of 32-byte ids")
    return tuple(RecordId(blob[i : i + ID_BYTES]) for i in range(0, len(blob), ID_BYTES))


def _bound_from(wire: object) -> Bound:
    if wire is None:
        return None
    if type(wire) is not list or len(wire) != 2:
        raise ReconcileError("a bound is nil or [created_at, id prefix]")
    created_at, prefix = wire
    if type(created_at) is not int or type(prefix) is not bytes:
        raise ReconcileError("a bound is [int, bytes]")
    return RangeKey(created_at, RecordId(prefix))


def _range_from(wire: object) -> RangeItem:
    if type(wire) is not list or not 2 <= len(wire) <= 4 or type(wire[1]) is not int:
        raise ReconcileError("a range is [bound, mode, ...]")
    upper, mode, rest = _bound_from(wire[0]), wire[1], wire[2:]
    if mode == Skip.MODE and not rest:
        return Skip(upper=upper)
    if mode == FingerprintRange.MODE and len(rest) == 2:
        return FingerprintRange(upper=upper, count=rest[0], digest=rest[1])
    if mode == IdList.MODE and len(rest) == 1:
        return IdList(upper=upper, ids=_split_ids(rest[0], "id list"))
    raise ReconcileError(f"unknown range mode {mode} or wrong field count")


def decode_message(payload: bytes) -> Message:
    """Parse one untrusted frame payload, or raise ReconcileError."""
    try:
        top = msgpack.unpackb(
            payload, raw=False, use_list=True, strict_map_key=True, **_UNPACK_LIMITS
        )
    except (ValueError, TypeError, msgpack.UnpackException) as exc:
        raise ReconcileError(f"not a sync message: {exc}") from exc
    if type(top) is not list or not top or type(top[0]) is not int:
        raise ReconcileError("a sync message is [kind, ...]")
    kind, body = top[0], top[1:]
    if kind == Ranges.KIND and len(body) == 1 and type(body[0]) is list:
        return Ranges(ranges=tuple(_range_from(r) for r in body[0]))
    if kind == Want.KIND and len(body) == 1:
        return Want(ids=_split_ids(body[0], "want"))
    if kind == Records.KIND and len(body) == 1 and type(body[0]) is list:
        return Records(items=tuple(body[0]))
    if kind == Done.KIND and not body:
        return Done()
    raise ReconcileError(f"unknown message kind {kind} or wrong layout")
