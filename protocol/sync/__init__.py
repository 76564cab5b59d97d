"""Catch-up sync: range-based set reconciliation over (created_at, id), sans-IO.

Two peers find the records one holds and the other lacks, Negentropy-style
(docs/PROTOCOL.md §Sync protocol): they compare fingerprints of key ranges,
skip the ranges that agree, split the ones that differ, and swap id lists once
a range is small. Traffic grows with the difference, not with the history.

This module is pure: messages in, messages out. The network layer carries the
frames over a libp2p stream (`PROTOCOL_ID`) and hands received record bytes to
`Store.ingest_many`, the same validation as gossip; nothing here stores,
verifies or trusts a record. Everything a peer sends is untrusted: a malformed
or out-of-protocol message raises `ReconcileError` (a `ProtocolError`).
"""

from __future__ import annotations

import bisect
import enum
import hashlib
import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple, Protocol

import msgpack

from protocol import MAX_RECORD_BYTES, ProtocolError, RecordId, record_id


class RangeKey(NamedTuple):
    """A record's place in sync order: records sort by (created_at, id)."""

    created_at: int
    id: RecordId


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Summary of the ids in a key range, equal on two nodes iff (w.h.p.) the sets are.

    `digest` is SHA-256(sum of ids as little-endian integers mod 2**256, as 32
    little-endian bytes || count as 8 little-endian bytes), first 16 bytes. A
    modular sum, unlike XOR, cannot be steered by grinding record ids.
    """

    count: int
    digest: bytes


PROTOCOL_ID = "/p2pshare/sync/1.0.0"

MAX_FRAME = 1 << 20  # bytes of msgpack in one frame
RECORDS_BATCH = 64 * 1024  # record bytes per Records frame (one larger record rides alone)
WRITE_CHUNK = 64 * 1024  # bytes per stream write: 1 KiB writes cost ~0.4 ms each
BUCKETS = 16  # sub-ranges a differing range is split into
IDLIST_THRESHOLD = 32  # a range with at most this many keys is settled by an id list
RANGES_BUDGET = 512 * 1024  # a Ranges reply stops growing here; the rest is left for later

ID_BYTES = 32
DIGEST_BYTES = 16
MAX_TIMESTAMP = 2**40  # protocol/limits.py: no record is dated later
MAX_COUNT = 2**40  # a fingerprint's count
MAX_RANGES = 16_384  # ranges in one Ranges message
MAX_IDLIST = 1024  # ids in one IdList range
MAX_WANT = 2048  # ids in one Want message
MAX_RECORDS = 16_384  # records in one Records message
MAX_ROUNDS = 128  # Ranges messages one side accepts in a session

_LENGTH = struct.Struct(">I")
_MOD = 1 << 256
_UNPACK_LIMITS: dict[str, int] = {
    "max_str_len": 0,  # no strings anywhere
    "max_bin_len": max(MAX_RECORD_BYTES, MAX_WANT * ID_BYTES, MAX_IDLIST * ID_BYTES),
    "max_array_len": max(MAX_RANGES, MAX_RECORDS),
    "max_map_len": 0,
    "max_ext_len": 0,
}


class ReconcileError(ProtocolError):
    """The peer broke the sync protocol; `str(err)` says how. The session is over."""


Bound = RangeKey | None
"""An exclusive upper (or inclusive lower) range bound; None is +inf (or -inf).

A bound's `id` may be a prefix of an id (0..32 bytes): it sorts before every id
it begins, which keeps bounds short.
"""


# -- fingerprints ---------------------------------------------------------------------


def _digest(total: int, count: int) -> bytes:
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
    return count, _digest(total, count)


# -- record sources -------------------------------------------------------------------


class RecordSource(Protocol):
    """One side's records as sync sees them: sorted keys, range summaries, bytes.

    Ranges are half-open [lo, hi) in (created_at, id) order; None is unbounded.
    A record's id is SHA-256 of its bytes (protocol.record_id).
    """

    def fingerprint(self, lo: Bound, hi: Bound) -> tuple[int, bytes]: ...

    def keys_in_range(self, lo: Bound, hi: Bound, limit: int | None = None) -> list[RangeKey]: ...

    def get_data(self, ids: Sequence[RecordId]) -> list[bytes]:
        """The signed bytes of those of `ids` that are held (any order, absent ones left out)."""
        ...


class MemorySource:
    """A `RecordSource` in memory: a sorted key list and prefix sums of ids.

    For tests and benchmarks; records are (created_at, bytes) and are not
    verified. Fingerprints of any range cost two binary searches.
    """

    def __init__(self, records: Iterable[tuple[int, bytes]] = ()) -> None:
        self._data: dict[RecordId, bytes] = {}
        self._keys: list[RangeKey] = []
        self._sums: list[int] = [0]
        self._dirty = False
        self.add(records)

    def add(self, records: Iterable[tuple[int, bytes]]) -> int:
        """Hold more records; returns how many were new."""
        new = 0
        for created_at, data in records:
            rid = record_id(data)
            if rid not in self._data:
                self._data[rid] = data
                self._keys.append(RangeKey(created_at, rid))
                new += 1
        self._dirty = self._dirty or new > 0
        return new

    def __len__(self) -> int:
        return len(self._data)

    def ids(self) -> set[RecordId]:
        return set(self._data)

    def _index(self) -> None:
        if self._dirty:
            self._keys.sort()
            sums = [0] * (len(self._keys) + 1)
            total = 0
            for i, key in enumerate(self._keys):
                total += int.from_bytes(key.id, "little")
                sums[i + 1] = total
            self._sums = sums
            self._dirty = False

    def _span(self, lo: Bound, hi: Bound) -> tuple[int, int]:
        self._index()
        start = 0 if lo is None else bisect.bisect_left(self._keys, lo)
        end = len(self._keys) if hi is None else bisect.bisect_left(self._keys, hi)
        return start, max(start, end)

    def fingerprint(self, lo: Bound, hi: Bound) -> tuple[int, bytes]:
        start, end = self._span(lo, hi)
        return end - start, _digest(self._sums[end] - self._sums[start], end - start)

    def keys_in_range(self, lo: Bound, hi: Bound, limit: int | None = None) -> list[RangeKey]:
        start, end = self._span(lo, hi)
        if limit is not None:
            end = min(end, start + max(limit, 0))
        return self._keys[start:end]

    def get_data(self, ids: Sequence[RecordId]) -> list[bytes]:
        return [data for rid in ids if (data := self._data.get(rid)) is not None]


# -- messages -------------------------------------------------------------------------


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
    return msgpack.packb(obj, use_bin_type=True)  # type: ignore[no-any-return]


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


def encode_frame(msg: Message) -> bytes:
    """One frame: u32be payload length, then the msgpack payload."""
    payload = encode_message(msg)
    if len(payload) > MAX_FRAME:
        raise ValueError(f"a {len(payload)}-byte message is over the frame limit")  # a bug here
    return _LENGTH.pack(len(payload)) + payload


def encode_frames(messages: Iterable[Message]) -> bytes:
    return b"".join(encode_frame(m) for m in messages)


def write_chunks(messages: Iterable[Message], *, chunk: int = WRITE_CHUNK) -> list[bytes]:
    """Frames of one turn cut into stream writes of `chunk` bytes: few, large writes."""
    data = encode_frames(messages)
    return [data[i : i + chunk] for i in range(0, len(data), chunk)]


class FrameDecoder:
    """Splits a byte stream into messages, whatever the chunking; refuses huge frames.

    After an error the decoder stays failed: the stream cannot be resynchronised.
    """

    def __init__(self, *, max_frame: int = MAX_FRAME) -> None:
        self._buf = bytearray()
        self._max = max_frame
        self._error: str | None = None

    @property
    def pending(self) -> int:
        """Bytes of an incomplete frame (non-zero at end of stream: cut short)."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Message]:
        if self._error is not None:
            raise ReconcileError(self._error)
        self._buf += data
        out: list[Message] = []
        pos = 0
        try:
            while len(self._buf) - pos >= _LENGTH.size:
                (length,) = _LENGTH.unpack_from(self._buf, pos)
                if not 0 < length <= self._max:
                    raise ReconcileError(f"frame length {length} (limit {self._max})")
                if len(self._buf) - pos - _LENGTH.size < length:
                    break
                start = pos + _LENGTH.size
                out.append(decode_message(bytes(self._buf[start : start + length])))
                pos = start + length
        except ReconcileError as exc:
            self._error = str(exc)
            raise
        finally:
            del self._buf[:pos]
        return out


# -- the state machine ----------------------------------------------------------------


class Role(enum.Enum):
    INITIATOR = "initiator"  # opened the stream; sends the first Ranges
    RESPONDER = "responder"


class _State(enum.Enum):
    IDLE = "idle"
    RECONCILING = "reconciling"
    FINISHING = "finishing"  # sent an empty Ranges; waiting for records and Done
    DONE = "done"


def _between(before: RangeKey, after: RangeKey) -> RangeKey:
    """The shortest bound b with before < b <= after."""
    if before.created_at != after.created_at:
        return RangeKey(after.created_at, RecordId(b""))
    shared = 0
    while before.id[shared] == after.id[shared]:
        shared += 1
    return RangeKey(after.created_at, RecordId(after.id[: shared + 1]))


class _Reply:
    """A Ranges reply under construction, within MAX_RANGES and RANGES_BUDGET."""

    def __init__(self, headroom_ranges: int, headroom_bytes: int) -> None:
        self.items: list[RangeItem] = []
        self.size = 8
        self._headroom = (headroom_ranges, headroom_bytes)

    def full(self) -> bool:
        ranges, size = self._headroom
        return len(self.items) + ranges > MAX_RANGES or self.size + size > RANGES_BUDGET

    def skip(self, upper: Bound) -> None:
        if self.items and isinstance(self.items[-1], Skip):
            self.size -= len(_pack(_range_wire(self.items.pop())))
        self.add(Skip(upper=upper))

    def add(self, item: RangeItem) -> None:
        self.items.append(item)
        self.size += len(_pack(_range_wire(item)))

    def finish(self) -> tuple[RangeItem, ...]:
        while self.items and isinstance(self.items[-1], Skip):
            self.items.pop()
        return tuple(self.items)


@dataclass(slots=True)
class _Step:
    """What processing one Ranges message decided."""

    push: list[RecordId] = field(default_factory=list)
    want: list[RecordId] = field(default_factory=list)


class Reconciler:
    """One side of one sync session. Feed it the peer's messages; send what it returns.

    Afterwards `have` holds the ids this side sent (the peer lacked them) and
    `need` the ids it lacked (requested, or pushed to it). Received record
    bytes accumulate in `received` until `take_received()`: the caller MUST
    pass them to `Store.ingest_many`, which verifies them like gossip.
    """

    def __init__(
        self,
        source: RecordSource,
        role: Role,
        *,
        buckets: int = BUCKETS,
        idlist_threshold: int = IDLIST_THRESHOLD,
        max_rounds: int = MAX_ROUNDS,
    ) -> None:
        if not 2 <= buckets <= 256 or not 1 <= idlist_threshold <= MAX_IDLIST:
            raise ValueError("need 2 <= buckets <= 256 and 1 <= idlist_threshold <= 1024")
        self.source = source
        self.role = role
        self.have: set[RecordId] = set()
        self.need: set[RecordId] = set()
        self.received: list[bytes] = []
        self.rounds = 0  # Ranges messages received
        self._buckets = buckets
        self._threshold = idlist_threshold
        self._max_rounds = max_rounds
        self._wanted: set[RecordId] = set()
        self._got: set[RecordId] = set()
        self._state = _State.IDLE
        # room for the largest reply to one range: B fingerprints, or an id list
        self._reply_headroom = (
            buckets + 1,
            max(buckets * 80, idlist_threshold * ID_BYTES + 64) + 256,
        )

    @property
    def done(self) -> bool:
        return self._state is _State.DONE

    @property
    def outstanding(self) -> set[RecordId]:
        """Ids requested that never arrived (the peer no longer had them, or lied)."""
        return self._wanted - self._got

    def take_received(self) -> list[bytes]:
        """Record bytes received since the last call, for the caller to ingest."""
        out, self.received = self.received, []
        return out

    def initiate(self) -> list[Message]:
        """The initiator's first message: its whole key space in `buckets` ranges."""
        if self.role is not Role.INITIATOR or self._state is not _State.IDLE:
            raise RuntimeError("initiate() is called once, by the initiator")
        reply = _Reply(*self._reply_headroom)
        self._split(None, None, self.source.keys_in_range(None, None), reply)
        self._state = _State.RECONCILING
        return [Ranges(ranges=reply.finish())]

    def receive(self, msg: Message) -> list[Message]:
        """Messages to send in answer to `msg` (possibly none). Raises ReconcileError."""
        state = self._state
        if state is _State.DONE:
            raise ReconcileError("message after the session ended")
        match msg:
            case Ranges():
                if state is _State.FINISHING or (
                    state is _State.IDLE and self.role is Role.INITIATOR
                ):
                    raise ReconcileError("unexpected ranges")
                return self._on_ranges(msg)
            case Want():
                if state is not _State.RECONCILING:
                    raise ReconcileError("unexpected want")
                return self._send([rid for rid in dict.fromkeys(msg.ids) if rid not in self.have])
            case Records():
                if state is _State.IDLE:
                    raise ReconcileError("records before any ranges")
                for data in msg.items:
                    rid = record_id(data)
                    self._got.add(rid)
                    self.need.add(rid)
                    self.received.append(data)
                return []
            case Done():
                if state is not _State.FINISHING:
                    raise ReconcileError("the peer ended the session early")
                self._state = _State.DONE
                return []
        raise ReconcileError(f"not a sync message: {type(msg).__name__}")

    # -- internals -----------------------------------------------------------------

    def _on_ranges(self, msg: Ranges) -> list[Message]:
        self.rounds += 1
        if self.rounds > self._max_rounds:
            raise ReconcileError(f"no agreement after {self._max_rounds} rounds")
        if not msg.ranges:  # the peer settled everything; its records came before this
            self._state = _State.DONE
            return [Done()]
        self._state = _State.RECONCILING
        reply = _Reply(*self._reply_headroom)
        step = _Step()
        lo: Bound = None
        for item in msg.ranges:
            if reply.full():  # leave the rest, as one range, for the next round
                count, digest = self.source.fingerprint(lo, None)
                reply.add(FingerprintRange(upper=None, count=count, digest=digest))
                break
            hi = item.upper
            match item:
                case Skip():
                    reply.skip(hi)
                case FingerprintRange():
                    self._compare(lo, hi, item, reply, step)
                case IdList():
                    self._settle(lo, hi, item.ids, step)
                    reply.skip(hi)
            lo = hi
        out = self._send([rid for rid in dict.fromkeys(step.push) if rid not in self.have])
        wants = [rid for rid in dict.fromkeys(step.want) if rid not in self._wanted]
        self._wanted.update(wants)
        self.need.update(wants)
        out += [Want(ids=tuple(wants[i : i + MAX_WANT])) for i in range(0, len(wants), MAX_WANT)]
        ranges = reply.finish()
        if not ranges:
            self._state = _State.FINISHING
        out.append(Ranges(ranges=ranges))
        return out

    def _compare(
        self, lo: Bound, hi: Bound, theirs: FingerprintRange, reply: _Reply, step: _Step
    ) -> None:
        count, digest = self.source.fingerprint(lo, hi)
        if count == theirs.count and digest == theirs.digest:
            reply.skip(hi)
        elif theirs.count == 0:  # the peer holds nothing here: send it all, no ids needed
            step.push += [key.id for key in self.source.keys_in_range(lo, hi)]
            reply.skip(hi)
        else:
            few = count <= self._threshold
            keys = self.source.keys_in_range(lo, hi, self._threshold + 1 if few else None)
            if few and len(keys) > self._threshold:  # it grew meanwhile
                keys = self.source.keys_in_range(lo, hi)
            self._split(lo, hi, keys, reply)

    def _split(self, lo: Bound, hi: Bound, keys: list[RangeKey], reply: _Reply) -> None:
        """Describe our keys in [lo, hi): an id list if few, else `buckets` fingerprints."""
        n = len(keys)
        if n <= self._threshold:
            reply.add(IdList(upper=hi, ids=tuple(key.id for key in keys)))
            return
        buckets, start = min(self._buckets, n), 0
        for i in range(1, buckets + 1):
            end = i * n // buckets
            upper = hi if i == buckets else _between(keys[end - 1], keys[end])
            count, digest = fingerprint_of(key.id for key in keys[start:end])
            reply.add(FingerprintRange(upper=upper, count=count, digest=digest))
            start = end

    def _settle(self, lo: Bound, hi: Bound, their_ids: tuple[RecordId, ...], step: _Step) -> None:
        ours = [key.id for key in self.source.keys_in_range(lo, hi)]
        theirs, mine = set(their_ids), set(ours)
        step.push += [rid for rid in ours if rid not in theirs]
        step.want += [rid for rid in their_ids if rid not in mine]

    def _send(self, ids: list[RecordId]) -> list[Message]:
        """Records frames of about RECORDS_BATCH bytes for those of `ids` we hold."""
        out: list[Message] = []
        batch: list[bytes] = []
        size = 0
        for data in self.source.get_data(ids) if ids else []:
            if batch and (size + len(data) > RECORDS_BATCH or len(batch) >= MAX_RECORDS):
                out.append(Records(items=tuple(batch)))
                batch, size = [], 0
            batch.append(data)
            size += len(data)
            self.have.add(record_id(data))
        if batch:
            out.append(Records(items=tuple(batch)))
        return out


# -- an in-memory driver --------------------------------------------------------------


@dataclass(slots=True)
class ExchangeStats:
    """Traffic of one in-memory session; index 0 is the initiator, 1 the responder."""

    bytes_sent: list[int] = field(default_factory=lambda: [0, 0])
    frames_sent: list[int] = field(default_factory=lambda: [0, 0])
    writes: list[int] = field(default_factory=lambda: [0, 0])  # WRITE_CHUNK-sized writes
    turns: int = 0  # one-way trips; round trips are about half

    @property
    def total_bytes(self) -> int:
        return self.bytes_sent[0] + self.bytes_sent[1]


def run_in_memory(
    initiator: Reconciler,
    responder: Reconciler,
    *,
    on_received: Callable[[int, list[bytes]], None] | None = None,
    max_turns: int = 4 * MAX_ROUNDS,
) -> ExchangeStats:
    """Run a whole session through real frames, turn by turn, as a stream would.

    `on_received(side, payloads)` is called as records arrive (side 0 is the
    initiator): that is where a node calls `Store.ingest_many`. The reference
    for the network loop: read frames, `receive` each, write the replies.
    """
    sides = (initiator, responder)
    decoders = (FrameDecoder(), FrameDecoder())
    stats = ExchangeStats()
    messages = initiator.initiate()
    sender = 0
    while messages:
        if stats.turns >= max_turns:
            raise ReconcileError(f"no end after {max_turns} turns")
        receiver = 1 - sender
        writes = write_chunks(messages)
        stats.turns += 1
        stats.frames_sent[sender] += len(messages)
        stats.writes[sender] += len(writes)
        stats.bytes_sent[sender] += sum(len(w) for w in writes)
        replies: list[Message] = []
        for chunk in writes:
            for msg in decoders[receiver].feed(chunk):
                replies += sides[receiver].receive(msg)
                if on_received is not None and (payloads := sides[receiver].take_received()):
                    on_received(receiver, payloads)
        messages, sender = replies, receiver
    if not (initiator.done and responder.done):
        raise ReconcileError("the session stopped before both sides were done")
    return stats
