"""The sync state machine: one side of a session, messages in, messages out.

Two peers find the records one holds and the other lacks, Negentropy-style
(docs/PROTOCOL.md §Sync protocol): they compare fingerprints of key ranges,
skip the ranges that agree, split the ones that differ, and swap id lists once
a range is small. Traffic grows with the difference, not with the history.
`run_in_memory` drives two reconcilers through real frames: the reference for
the network loop (p2pshare/net/sync_stream.py).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from protocol import RecordId, record_id

from .frames import FrameDecoder, write_chunks
from .keys import ID_BYTES, Bound, RangeKey, between, fingerprint_of
from .messages import (
    MAX_IDLIST,
    MAX_RANGES,
    MAX_RECORDS,
    MAX_WANT,
    Done,
    FingerprintRange,
    IdList,
    Message,
    RangeItem,
    Ranges,
    ReconcileError,
    Records,
    Skip,
    Want,
    encoded_range_size,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from .sources import RecordSource

RECORDS_BATCH = 64 * 1024  # record bytes per Records frame (one larger record rides alone)
BUCKETS = 16  # sub-ranges a differing range is split into
IDLIST_THRESHOLD = 32  # a range with at most this many keys is settled by an id list
RANGES_BUDGET = 512 * 1024  # a Ranges reply stops growing here; the rest is left for later
MAX_ROUNDS = 128  # Ranges messages one side accepts in a session


class Role(enum.Enum):
    INITIATOR = "initiator"  # opened the stream; sends the first Ranges
    RESPONDER = "responder"


class _State(enum.Enum):
    IDLE = "idle"
    RECONCILING = "reconciling"
    FINISHING = "finishing"  # sent an empty Ranges; waiting for records and Done
    DONE = "done"


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
            self.size -= encoded_range_size(self.items.pop())
        self.add(Skip(upper=upper))

    def add(self, item: RangeItem) -> None:
        self.items.append(item)
        self.size += encoded_range_size(item)

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
            upper = hi if i == buckets else between(keys[end - 1], keys[end])
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
