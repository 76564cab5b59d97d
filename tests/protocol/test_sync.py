"""Catch-up sync reconciliation: exact differences, small traffic, hostile peers, frames."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import struct
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgpack
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from p2pshare.store import IngestStatus, Store, StoreSource
from protocol import Envelope, ProtocolError, RecordId, record_id
from protocol.sync import (
    IDLIST_THRESHOLD,
    MAX_FRAME,
    MAX_WANT,
    Done,
    FingerprintRange,
    FrameDecoder,
    IdList,
    MemorySource,
    Message,
    RangeKey,
    Ranges,
    ReconcileError,
    Reconciler,
    Records,
    Role,
    Skip,
    Want,
    decode_message,
    encode_frame,
    encode_frames,
    encode_message,
    fingerprint_of,
    run_in_memory,
)

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parents[2]
T0 = 1_700_000_000  # as in support/signers.py
Member = Any  # signers.Member: the `member` fixture makes them
SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def rec(i: int, t: int = T0) -> tuple[int, bytes]:
    """A fake record: bytes that say when they were made (so a receiver can re-key them)."""
    return t, struct.pack(">QQ", t, i) + b"record" * 20  # about as long as a vouch


def time_of(data: bytes) -> int:
    return int(struct.unpack_from(">Q", data)[0])


def pair(
    a: MemorySource, b: MemorySource, **params: int
) -> tuple[Reconciler, Reconciler, Callable[[int, list[bytes]], None]]:
    """Reconcilers over a (initiator) and b, and an ingest hook that stores what arrives."""
    sources = (a, b)

    def ingest(side: int, payloads: list[bytes]) -> None:
        sources[side].add((time_of(p), p) for p in payloads)

    return (
        Reconciler(a, Role.INITIATOR, **params),
        Reconciler(b, Role.RESPONDER, **params),
        ingest,
    )


def assert_exact(
    ra: Reconciler, rb: Reconciler, a_ids: set[RecordId], b_ids: set[RecordId]
) -> None:
    assert ra.done
    assert rb.done
    assert ra.have == rb.need == a_ids - b_ids
    assert ra.need == rb.have == b_ids - a_ids
    assert not ra.outstanding
    assert not rb.outstanding


# -- exact differences ----------------------------------------------------------------


@SLOW
@given(
    placed=st.lists(st.tuples(st.sampled_from("sab"), st.integers(0, 3)), max_size=400),
    buckets=st.integers(2, 8),
    threshold=st.integers(1, 10),
    ingest=st.booleans(),
)
def test_random_sets_reconcile_exactly(
    placed: list[tuple[str, int]], buckets: int, threshold: int, ingest: bool
) -> None:
    # few distinct timestamps: many keys share one, so bounds need id prefixes
    a = MemorySource(rec(i, T0 + t) for i, (where, t) in enumerate(placed) if where in "sa")
    b = MemorySource(rec(i, T0 + t) for i, (where, t) in enumerate(placed) if where in "sb")
    a_ids, b_ids = a.ids(), b.ids()
    ra, rb, hook = pair(a, b, buckets=buckets, idlist_threshold=threshold)
    run_in_memory(ra, rb, on_received=hook if ingest else None)
    assert_exact(ra, rb, a_ids, b_ids)
    if ingest:
        assert a.ids() == b.ids() == a_ids | b_ids


def test_larger_sets_default_parameters() -> None:
    placed = [(i, "sab"[i % 7 % 3] if i % 5 == 0 else "s") for i in range(20_000)]
    a = MemorySource(rec(i, T0 + i // 4) for i, w in placed if w in "sa")
    b = MemorySource(rec(i, T0 + i // 4) for i, w in placed if w in "sb")
    a_ids, b_ids = a.ids(), b.ids()
    ra, rb, hook = pair(a, b)
    stats = run_in_memory(ra, rb, on_received=hook)
    assert_exact(ra, rb, a_ids, b_ids)
    assert a.ids() == b.ids() == a_ids | b_ids
    assert stats.turns <= 12  # O(log n) round trips


@pytest.mark.parametrize("initiator", ["behind", "ahead"])
def test_missed_the_newest_records(initiator: str) -> None:
    """A member offline for days: cost is the missing records plus a little."""
    history = [rec(i, T0 + i // 3) for i in range(20_000)]
    behind, ahead = MemorySource(history[:-3000]), MemorySource(history)
    first, second = (behind, ahead) if initiator == "behind" else (ahead, behind)
    ra, rb, hook = pair(first, second)
    stats = run_in_memory(ra, rb, on_received=hook)
    missing = {record_id(d) for _, d in history[-3000:]}
    assert (ra.need if initiator == "behind" else rb.need) == missing
    missing_bytes = sum(len(d) for _, d in history[-3000:])
    assert stats.total_bytes < 1.15 * missing_bytes
    assert stats.turns <= 12


def test_identical_sets_take_one_round_trip() -> None:
    records = [rec(i, T0 + i // 2) for i in range(30_000)]
    ra, rb, _ = pair(MemorySource(records), MemorySource(reversed(records)))
    stats = run_in_memory(ra, rb)
    assert_exact(ra, rb, set(), set())
    # Ranges, the empty Ranges that settles everything, and Done
    assert stats.turns == 3
    assert ra.rounds == rb.rounds == 1
    assert stats.total_bytes < 1000


@pytest.mark.parametrize("full_side", [0, 1])
def test_empty_against_full(full_side: int) -> None:
    records = [rec(i, T0 + i % 100) for i in range(2000)]
    sides = [MemorySource(), MemorySource()]
    sides[full_side].add(records)
    everything = sides[full_side].ids()
    ra, rb, hook = pair(*sides)
    stats = run_in_memory(ra, rb, on_received=hook)
    full, empty = (ra, rb) if full_side == 0 else (rb, ra)
    assert full.have == empty.need == everything
    assert not full.need
    assert not empty.have
    assert sides[0].ids() == sides[1].ids() == everything
    # no id crosses the wire: the empty side says "nothing here", the full one pushes
    assert stats.total_bytes < 1.05 * sum(len(d) for _, d in records) + 1000


def test_both_empty() -> None:
    ra, rb, _ = pair(MemorySource(), MemorySource())
    stats = run_in_memory(ra, rb)
    assert_exact(ra, rb, set(), set())
    assert stats.total_bytes < 50


def test_records_are_batched_into_large_frames() -> None:
    records = [rec(i, T0) for i in range(5000)]
    ra, rb, _ = pair(MemorySource(), MemorySource(records))
    stats = run_in_memory(ra, rb)
    record_bytes = sum(len(d) for _, d in records)
    assert stats.frames_sent[1] <= record_bytes // (60 * 1024) + 3


# -- frames and messages --------------------------------------------------------------

ids32 = st.binary(min_size=32, max_size=32).map(RecordId)
bounds = st.tuples(st.integers(0, 2**40), st.binary(max_size=32)).map(
    lambda b: RangeKey(b[0], RecordId(b[1]))
)


@st.composite
def range_items(draw: st.DrawFn) -> tuple[Skip | FingerprintRange | IdList, ...]:
    uppers: list[RangeKey | None] = list(draw(st.lists(bounds, max_size=6, unique=True)))
    uppers.sort()
    if draw(st.booleans()):
        uppers.append(None)
    items: list[Skip | FingerprintRange | IdList] = []
    for upper in uppers:
        mode = draw(st.integers(0, 2))
        if mode == 0:
            items.append(Skip(upper=upper))
        elif mode == 1:
            count, digest = draw(st.integers(0, 2**40)), draw(st.binary(min_size=16, max_size=16))
            items.append(FingerprintRange(upper=upper, count=count, digest=digest))
        else:
            items.append(IdList(upper=upper, ids=tuple(draw(st.lists(ids32, max_size=5)))))
    return tuple(items)


messages: st.SearchStrategy[Message] = st.one_of(
    range_items().map(lambda r: Ranges(ranges=r)),
    st.lists(ids32, min_size=1, max_size=5).map(lambda ids: Want(ids=tuple(ids))),
    st.lists(st.binary(min_size=1, max_size=300), min_size=1, max_size=5).map(
        lambda items: Records(items=tuple(items))
    ),
    st.just(Done()),
)


@SLOW
@given(msgs=st.lists(messages, max_size=8), cuts=st.lists(st.integers(0, 10_000), max_size=10))
def test_frames_survive_any_chunking(msgs: list[Message], cuts: list[int]) -> None:
    stream = encode_frames(msgs)
    points = sorted({0, len(stream), *(c % (len(stream) + 1) for c in cuts)})
    decoder = FrameDecoder()
    got: list[Message] = []
    for start, end in itertools.pairwise(points):
        got += decoder.feed(stream[start:end])
    assert got == msgs
    assert decoder.pending == 0
    assert FrameDecoder().feed(stream) == msgs  # all frames merged in one chunk


def test_frame_layout() -> None:
    frame = encode_frame(Done())
    assert frame == b"\x00\x00\x00\x02" + msgpack.packb([4])
    assert encode_message(Want(ids=(RecordId(bytes(32)),))) == msgpack.packb([2, bytes(32)])


def test_oversized_and_empty_frames_are_refused() -> None:
    decoder = FrameDecoder()
    with pytest.raises(ReconcileError, match="frame length"):
        decoder.feed(struct.pack(">I", MAX_FRAME + 1))  # refused before the body arrives
    with pytest.raises(ReconcileError):
        decoder.feed(encode_frame(Done()))  # and the stream stays failed
    with pytest.raises(ReconcileError, match="frame length 0"):
        FrameDecoder().feed(b"\x00\x00\x00\x00")
    with pytest.raises(ReconcileError, match="frame length"):
        FrameDecoder(max_frame=100).feed(encode_frame(Records(items=(b"x" * 200,))))


def test_partial_frame_is_pending() -> None:
    decoder = FrameDecoder()
    frame = encode_frame(Want(ids=(RecordId(bytes(32)),)))
    assert decoder.feed(frame[:-1]) == []
    assert decoder.pending == len(frame) - 1
    assert decoder.feed(frame[-1:]) == [Want(ids=(RecordId(bytes(32)),))]


# -- hostile peers --------------------------------------------------------------------

msgpack_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False)
    | st.binary(max_size=70)
    | st.text(max_size=5),
    lambda children: st.lists(children, max_size=6),
    max_leaves=30,
)
near_valid = st.one_of(
    st.tuples(st.just(1), st.lists(st.lists(msgpack_values, max_size=5), max_size=5)),
    st.tuples(
        st.just(1),
        st.lists(
            st.tuples(
                st.none() | st.tuples(st.integers(-5, 2**64 - 1), st.binary(max_size=40)),
                st.integers(-1, 3),
                msgpack_values,
                st.binary(min_size=16, max_size=16) | msgpack_values,
            ).map(lambda t: list(t)[: 2 + len(t[1:]) % 3 + 1]),
            max_size=6,
        ),
    ),
    st.tuples(st.integers(0, 5), msgpack_values),
).map(list)


def _sessions() -> list[Reconciler]:
    """Reconcilers in each state a hostile message can find them in."""
    data = [rec(i, T0 + i % 5) for i in range(200)]
    idle = Reconciler(MemorySource(data), Role.RESPONDER)
    started = Reconciler(MemorySource(data), Role.INITIATOR)
    started.initiate()
    middle = Reconciler(MemorySource(data[:150]), Role.RESPONDER, idlist_threshold=4)
    middle.receive(Reconciler(MemorySource(data), Role.INITIATOR).initiate()[0])
    return [idle, started, middle]


def _feed_hostile(payload: bytes) -> None:
    try:
        msg = decode_message(payload)
    except ReconcileError:
        return
    for session in _sessions():
        with contextlib.suppress(ReconcileError):
            session.receive(msg)


@SLOW
@given(payload=st.binary(max_size=200))
def test_garbage_bytes_are_refused_cleanly(payload: bytes) -> None:
    _feed_hostile(payload)


@SLOW
@given(value=msgpack_values | near_valid)
def test_any_msgpack_value_is_refused_or_handled(value: object) -> None:
    _feed_hostile(msgpack.packb(value, use_bin_type=True))


@SLOW
@given(msg=messages)
def test_well_formed_messages_in_any_state(msg: Message) -> None:
    assert decode_message(encode_message(msg)) == msg
    for session in _sessions():
        with contextlib.suppress(ReconcileError):
            session.receive(msg)


B = [1_700_000_000, b""]
DIGEST = bytes(16)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ([9], "unknown message kind"),
        ([4, 1], "unknown message kind"),
        ({"kind": 1}, "max_map_len"),
        ([1, [[[5, b""], 1, 2**64 - 1, DIGEST]]], "count out of range"),
        ([1, [[[5, b""], 1, -1, DIGEST]]], "count out of range"),
        ([1, [[[5, b""], 1, True, DIGEST]]], "count out of range"),
        ([1, [[[5, b""], 1, 3, bytes(15)]]], "16 bytes"),
        ([1, [[[6, b""], 0], [[5, b""], 0]]], "not increasing"),
        ([1, [[[6, b"a"], 0], [[6, b"a"], 0]]], "not increasing"),
        ([1, [[None, 0], [[5, b""], 0]]], "only the last"),
        ([1, [[[2**41, b""], 0]]], "timestamp"),
        ([1, [[[-1, b""], 0]]], "timestamp"),
        ([1, [[[1, bytes(33)], 0]]], "32 bytes"),
        ([1, [[B, 2, bytes(33)]]], "32-byte ids"),
        ([1, [[B, 2, bytes(32 * 1025)]]], "at most 1024"),
        ([1, [[B, 7]]], "range mode"),
        ([1, [[B, 0, 1]]], "range mode"),
        ([2, b""], "no ids"),
        ([2, bytes(32 * (MAX_WANT + 1))], "max_bin_len"),
        ([2, bytes(31)], "want: ids"),
        ([3, []], "records"),
        ([3, ["text"]], "max_str_len"),
        ([3, [1]], "records"),
        ([3, [b""]], "records"),
        ([3, [bytes(64 * 1024 + 1)]], "max_bin_len"),
        ([1, [[B, 1, 3, 1.5]]], "16 bytes"),
        ([1, 5], "wrong layout"),
        ([1, [[B, 0]], 2], "wrong layout"),
    ],
)
def test_malformed_messages_say_why(value: object, reason: str) -> None:
    with pytest.raises(ReconcileError, match=reason):
        decode_message(msgpack.packb(value, use_bin_type=True))


def test_out_of_protocol_messages() -> None:
    source = MemorySource([rec(i) for i in range(10)])
    with pytest.raises(ReconcileError, match="before any ranges"):
        Reconciler(source, Role.RESPONDER).receive(Records(items=(b"x",)))
    with pytest.raises(ReconcileError, match="unexpected want"):
        Reconciler(source, Role.RESPONDER).receive(Want(ids=(RecordId(bytes(32)),)))
    with pytest.raises(ReconcileError, match="early"):
        Reconciler(source, Role.RESPONDER).receive(Done())
    initiator = Reconciler(source, Role.INITIATOR)
    with pytest.raises(ReconcileError, match="unexpected ranges"):
        initiator.receive(Ranges(ranges=()))
    initiator.initiate()
    assert initiator.receive(Ranges(ranges=())) == [Done()]  # the peer has settled it all
    with pytest.raises(ReconcileError, match="after the session ended"):
        initiator.receive(Done())
    with pytest.raises(RuntimeError):
        initiator.initiate()


def test_a_peer_that_never_agrees_is_cut_off() -> None:
    me = Reconciler(MemorySource([rec(i) for i in range(100)]), Role.RESPONDER, max_rounds=5)
    stubborn = Ranges(ranges=(FingerprintRange(upper=None, count=7, digest=bytes(16)),))
    for _ in range(5):
        me.receive(stubborn)
    with pytest.raises(ReconcileError, match="no agreement after 5 rounds"):
        me.receive(stubborn)


def test_want_is_served_once_and_only_for_held_records() -> None:
    records = [rec(i) for i in range(3)]
    source = MemorySource(records)
    me = Reconciler(source, Role.RESPONDER)
    me.receive(Ranges(ranges=(FingerprintRange(upper=None, count=1, digest=bytes(16)),)))
    held = record_id(records[0][1])
    want = Want(ids=(held, RecordId(bytes(32)), held))
    assert me.receive(want) == [Records(items=(records[0][1],))]
    assert me.receive(want) == []  # not twice
    assert me.have == {held}


def test_reconcile_error_is_a_protocol_error() -> None:
    assert issubclass(ReconcileError, ProtocolError)


# -- with real stores -----------------------------------------------------------------


def _records(members: list[Member], n: int, t0: int) -> list[Envelope]:
    return [
        members[i % 3].vouch(members[(i + 1) % 3], note=f"n{i}", at=t0 + i // 4) for i in range(n)
    ]


def test_two_stores_converge(tmp_path: Path, member: Callable[[str], Member]) -> None:
    people = [member("alice"), member("bob"), member("carol")]
    records = _records(people, 900, T0)
    shared, only_a, only_b = records[:600], records[600:700], records[700:]
    now = T0 + 10_000
    with (
        Store.open(tmp_path / "a" / "store.db") as a,
        Store.open(tmp_path / "b" / "store.db") as b,
    ):
        a.ingest_many([r.data for r in shared + only_a], now=now)
        b.ingest_many([r.data for r in shared[::-1] + only_b], now=now)
        stores = (a, b)
        statuses: list[IngestStatus] = []

        def ingest(side: int, payloads: list[bytes]) -> None:
            statuses.extend(r.status for r in stores[side].ingest_many(payloads, now=now))

        ra = Reconciler(StoreSource(a), Role.INITIATOR, idlist_threshold=8)
        rb = Reconciler(StoreSource(b), Role.RESPONDER, idlist_threshold=8)
        run_in_memory(ra, rb, on_received=ingest)
        assert_exact(ra, rb, {r.id for r in only_a}, {r.id for r in only_b})
        assert statuses == [IngestStatus.ADDED] * 300
        assert a.fingerprint() == b.fingerprint()
        assert a.keys_in_range() == b.keys_in_range()
        assert a.count() == 900


def test_sync_records_go_through_validation(
    tmp_path: Path, member: Callable[[str], Member]
) -> None:
    """A peer may push anything; the store's ingest (gossip's validation) decides."""
    people = [member("alice"), member("bob"), member("carol")]
    good = _records(people, 20, T0)
    forged = bytearray(good[0].data)
    forged[-1] ^= 1  # break the signature
    garbage = b"\x93not a record"
    future = people[0].vouch(people[1], note="later", at=T0 + 10 * 86_400)
    peer = MemorySource(
        [(r.created_at, r.data) for r in good]
        + [(T0, bytes(forged)), (T0 + 1, garbage), (future.created_at, future.data)]
    )
    with Store.open(tmp_path / "s" / "store.db") as store:
        results = []

        def ingest(side: int, payloads: list[bytes]) -> None:
            assert side == 0
            results.extend(store.ingest_many(payloads, now=T0 + 100))

        me = Reconciler(StoreSource(store), Role.INITIATOR)
        run_in_memory(me, Reconciler(peer, Role.RESPONDER), on_received=ingest)
        assert len(results) == 23
        added = {r.id for r in results if r.status is IngestStatus.ADDED}
        assert added == {r.id for r in good}
        assert {r.id for r in store.all()} == added
        assert sum(r.status is IngestStatus.REJECTED for r in results) == 3


def test_store_and_memory_fingerprints_agree(
    tmp_path: Path, member: Callable[[str], Member]
) -> None:
    people = [member("alice"), member("bob"), member("carol")]
    records = _records(people, 300, T0)
    memory = MemorySource((r.created_at, r.data) for r in records)
    with Store.open(tmp_path / "s" / "store.db") as store:
        store.ingest_many([r.data for r in records], now=T0 + 1000)
        source = StoreSource(store)
        keys = source.keys_in_range(None, None)
        assert keys == memory.keys_in_range(None, None) == sorted(keys)
        probes: list[RangeKey | None] = [None, *keys[::37], RangeKey(T0 + 20, RecordId(b"\x80"))]
        for lo in probes:
            for hi in probes:
                assert source.fingerprint(lo, hi) == memory.fingerprint(lo, hi)
                assert source.keys_in_range(lo, hi, 5) == memory.keys_in_range(lo, hi, 5)
        assert store.fingerprint().digest == fingerprint_of(k.id for k in keys)[1]
        some = [keys[3].id, RecordId(bytes(32)), keys[7].id]
        assert sorted(source.get_data(some)) == sorted(memory.get_data(some))
        assert {hashlib.sha256(d).digest() for d in source.get_data(some)} == {
            keys[3].id,
            keys[7].id,
        }


def test_threshold_default_is_sane() -> None:
    assert 8 <= IDLIST_THRESHOLD <= 64


def test_reconcile_is_sans_io() -> None:
    code = (
        "import json, sys, protocol.sync\n"
        "print(json.dumps(sorted({n.split('.')[0] for n in sys.modules})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    loaded = set(json.loads(result.stdout.splitlines()[-1]))
    assert loaded & {"libp2p", "trio", "textual", "asyncio", "socket"} == set()
