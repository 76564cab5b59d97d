"""The local record store: ingest, outbox, queries, sync ranges, export/import, locking."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sqlite3
import stat
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import p2pshare
from p2pshare.store import (
    EXPORT_MAGIC,
    IngestStatus,
    Migration,
    NodeLock,
    NodeLockedError,
    Store,
    StoreError,
    load_migrations,
    migrate,
)
from protocol import (
    Envelope,
    Forward,
    Offer,
    ProtocolError,
    PublicKey,
    RecordId,
    Vouch,
    sign,
)
from protocol.sync import RangeKey

if TYPE_CHECKING:
    from collections.abc import Iterator

NOW = 1_700_000_000
REPO = Path(p2pshare.__file__).resolve().parent.parent


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "home" / "store.db") as s:
        yield s


def vouch(key: Ed25519PrivateKey, t: int = NOW, note: str = "") -> Envelope:
    subject = PublicKey(bytes(range(32)))
    return sign(Vouch(subject=subject, skills=(), note=note), key=key, created_at=t)


def offer(key: Ed25519PrivateKey, t: int = NOW, title: str = "Keynote in Atlanta") -> Envelope:
    body = Offer(
        title=title,
        description="",
        skills=("speaking",),
        region="",
        remote=True,
        value=0,
        currency="",
        expires_at=t + 86400,
        contact=b"",
    )
    return sign(body, key=key, created_at=t)


def forward(key: Ed25519PrivateKey, offer_id: RecordId, t: int = NOW) -> Envelope:
    body = Forward(offer=offer_id, parent=offer_id, to=PublicKey(b""), note="", private_note=b"")
    return sign(body, key=key, created_at=t)


def tampered(envelope: Envelope) -> bytes:
    data = bytearray(envelope.data)
    data[-1] ^= 0x01  # the last signature byte
    return bytes(data)


def write_export(path: Path, records: list[bytes], *, end: bool = True) -> None:
    with open(path, "wb") as out:
        out.write(EXPORT_MAGIC)
        for data in records:
            out.write(struct.pack(">I", len(data)) + data)
        if end:
            out.write(struct.pack(">I", 0))


# -- ingest --------------------------------------------------------------------


def test_ingest_is_idempotent(store: Store, key: Ed25519PrivateKey) -> None:
    record = offer(key)
    first = store.ingest(record.data, now=NOW)
    assert first.status is IngestStatus.ADDED
    assert first.id == record.id
    assert first.envelope == record
    seq = store.last_seq()

    again = store.ingest(record.data, now=NOW)
    assert again.status is IngestStatus.KNOWN
    assert again.id == record.id
    assert store.count() == 1
    assert store.last_seq() == seq
    stored = store.get(record.id)
    assert stored is not None
    assert stored.data == record.data
    assert store.has(record.id)
    assert store.get(RecordId(bytes(32))) is None


def test_ingest_rejects_bad_input_with_reasons_and_keeps_good_data(
    store: Store, key: Ed25519PrivateKey
) -> None:
    good = offer(key)
    assert store.ingest(good.data, now=NOW).status is IngestStatus.ADDED

    garbage = store.ingest(b"\x93not a record", now=NOW)
    assert garbage.status is IngestStatus.REJECTED
    assert garbage.id is None
    assert garbage.reason

    forged = store.ingest(tampered(vouch(key)), now=NOW)
    assert forged.status is IngestStatus.REJECTED
    assert "signature" in (forged.reason or "")

    # a re-signed body with a flipped text byte: well-formed, wrong signature
    edited = store.ingest(vouch(key, note="hello").data.replace(b"hello", b"jello"), now=NOW)
    assert edited.status is IngestStatus.REJECTED

    future = vouch(key, t=NOW + 3600)
    late = store.ingest(future.data, now=NOW)
    assert late.status is IngestStatus.REJECTED
    assert late.id == future.id
    assert "future" in (late.reason or "")
    # within the allowed skew it is fine
    assert store.ingest(vouch(key, t=NOW + 500).data, now=NOW).status is IngestStatus.ADDED

    assert store.ingest(b"", now=NOW).status is IngestStatus.REJECTED
    assert store.ingest(b"\xff" * 70_000, now=NOW).status is IngestStatus.REJECTED

    assert store.count() == 2
    assert store.get(good.id) == good
    assert not store.has(future.id)


def test_only_stored_records_skip_the_signature_check(
    store: Store, key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    """Reading back skips Ed25519 (decode_trusted); every way in still verifies."""
    forged = tampered(offer(key))
    assert store.ingest(forged, now=NOW).status is IngestStatus.REJECTED
    assert store.ingest_many([forged], now=NOW)[0].status is IngestStatus.REJECTED
    write_export(tmp_path / "forged.p2pshare", [forged])
    assert store.import_file(tmp_path / "forged.p2pshare", now=NOW).rejected
    good = offer(key)
    with pytest.raises(ProtocolError):
        store.add_own(dataclasses.replace(good, data=forged))
    assert store.count() == 0
    # ...and the trusted path is used in one place only: reading the store's own rows.
    package = Path(p2pshare.__file__).parent
    users = {
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "decode_trusted" in path.read_text("utf-8")
    }
    assert users == {"store/queries.py"}
    source = (package / "store" / "queries.py").read_text("utf-8")
    assert source.count("decode_trusted(") == 1
    assert "return protocol.decode_trusted(bytes(data))" in source.split("def _load(")[1]


def test_ingest_many_in_one_batch(store: Store, key: Ed25519PrivateKey) -> None:
    a, b = vouch(key, note="a"), vouch(key, note="b")
    results = store.ingest_many([a.data, b"junk", a.data, b.data], now=NOW)
    assert [r.status for r in results] == [
        IngestStatus.ADDED,
        IngestStatus.REJECTED,
        IngestStatus.KNOWN,
        IngestStatus.ADDED,
    ]
    assert store.count() == 2


def test_orphans_are_stored_whatever_the_arrival_order(
    store: Store, key: Ed25519PrivateKey
) -> None:
    parent = offer(key)
    child = forward(key, parent.id, t=NOW + 1)
    assert store.ingest(child.data, now=NOW).status is IngestStatus.ADDED  # parent not here yet
    assert store.by_ref(parent.id) == [child]
    assert store.ingest(parent.data, now=NOW).status is IngestStatus.ADDED
    assert [e.id for e in store.all()] == [parent.id, child.id]
    assert store.by_kind(Offer.KIND) == [parent]
    assert store.by_kind(Forward.KIND) == [child]
    author = PublicKey(key.public_key().public_bytes_raw())
    assert store.by_author(author) == [parent, child]
    assert store.by_author(author, Forward.KIND) == [child]


# -- outbox ----------------------------------------------------------------------


def test_outbox_lifecycle(store: Store, key: Ed25519PrivateKey) -> None:
    mine = [offer(key, t=NOW + 10, title="later"), offer(key, t=NOW, title="earlier")]
    theirs = vouch(Ed25519PrivateKey.generate())
    assert store.add_own(mine[0])
    assert store.add_own(mine[1])
    assert not store.add_own(mine[0])  # already stored
    assert store.ingest(theirs.data, now=NOW).status is IngestStatus.ADDED
    assert store.outbox() == mine  # in the order they were written, not by date

    assert store.mark_published([mine[0].id]) == 1
    assert store.mark_published([mine[0].id]) == 0
    assert store.outbox() == [mine[1]]

    # our own record coming back from the network (e.g. a re-import) is published
    assert store.ingest(mine[1].data, now=NOW).status is IngestStatus.KNOWN
    assert store.outbox() == []
    assert store.count() == 3


def test_add_own_after_network_copy_stays_published(store: Store, key: Ed25519PrivateKey) -> None:
    record = vouch(key)
    store.ingest(record.data, now=NOW)
    assert not store.add_own(record)
    assert store.outbox() == []


def test_add_own_refuses_an_unsigned_envelope(store: Store, key: Ed25519PrivateKey) -> None:
    with pytest.raises(ProtocolError):
        store.add_own(Envelope(author=PublicKey(bytes(32)), created_at=NOW, body=vouch(key).body,
                               signature=bytes(64)))  # fmt: skip
    assert store.count() == 0


# -- lookups -----------------------------------------------------------------------


def test_ids_with_prefix(store: Store, key: Ed25519PrivateKey) -> None:
    records = [vouch(key, note=str(i)) for i in range(300)]
    n = 300
    while not any(r.id[0] == 0xFF for r in records):  # make the top-of-range case appear
        records.append(vouch(key, note=str(n)))
        n += 1
    store.ingest_many([r.data for r in records], now=NOW)
    ids = sorted(r.id for r in records)

    def brute(prefix: str) -> list[bytes]:
        return [i for i in ids if i.hex().startswith(prefix.lower())]

    target = records[7].id.hex()
    prefixes = ["", "f", "ff", "0", "00", "7", "a3", "FF", target, target[:9], target.upper()]
    prefixes += [r.id.hex()[:k] for r in records[:40] for k in (1, 2, 3, 4)]
    for prefix in prefixes:
        assert store.ids_with_prefix(prefix) == brute(prefix), prefix
    assert store.ids_with_prefix(target) == [records[7].id]
    assert store.ids_with_prefix(target + "0") == []
    assert len(store.ids_with_prefix("", limit=5)) == 5
    with pytest.raises(ValueError, match="not a hex record id prefix"):
        store.ids_with_prefix("xyz")


def test_changes_since(store: Store, key: Ed25519PrivateKey) -> None:
    assert store.changes_since(0) == (0, [])
    first = [vouch(key, note=str(i)) for i in range(3)]
    for record in reversed(first):  # ingest order, not date order
        store.ingest(record.data, now=NOW)
    seq, records = store.changes_since(0)
    assert records == list(reversed(first))
    assert seq == store.last_seq()
    assert store.changes_since(seq) == (seq, [])

    store.ingest(first[0].data, now=NOW)  # known: no change
    assert store.changes_since(seq) == (seq, [])
    later = vouch(key, note="later")
    store.add_own(later)
    new_seq, records = store.changes_since(seq)
    assert records == [later]
    assert new_seq > seq

    part_seq, part = store.changes_since(0, limit=2)
    assert len(part) == 2
    rest_seq, rest = store.changes_since(part_seq, limit=2)
    assert part + rest == [*reversed(first), later]
    assert rest_seq == new_seq


def test_all_orders_by_created_at_then_id_across_pages(
    store: Store, key: Ed25519PrivateKey
) -> None:
    records = [vouch(key, t=NOW - (i % 7), note=str(i)) for i in range(1200)]
    store.ingest_many([r.data for r in records], now=NOW)
    expected = sorted(records, key=lambda r: (r.created_at, r.id))
    assert [r.id for r in store.all()] == [r.id for r in expected]
    assert store.count() == 1200


# -- catch-up sync ranges ------------------------------------------------------------


def test_range_keys_and_fingerprints(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    records = [vouch(key, t=NOW + (i % 50), note=str(i)) for i in range(400)]
    keys = sorted(RangeKey(r.created_at, r.id) for r in records)
    a = Store.open(tmp_path / "a" / "store.db")
    b = Store.open(tmp_path / "b" / "store.db")
    with a, b:
        a.ingest_many([r.data for r in records], now=NOW + 100)
        b.ingest_many([r.data for r in reversed(records)], now=NOW + 100)

        assert a.keys_in_range() == keys
        lo, hi = keys[100], keys[250]
        assert a.keys_in_range(lo, hi) == keys[100:250]  # half-open: lo in, hi out
        assert a.keys_in_range(lo) == keys[100:]
        assert a.keys_in_range(None, hi) == keys[:250]
        assert a.keys_in_range(lo, hi, limit=10) == keys[100:110]
        assert a.keys_in_range(hi, lo) == []
        # bounds need not be stored keys
        assert a.keys_in_range(RangeKey(NOW + 10, RecordId(b""))) == [
            k for k in keys if k.created_at >= NOW + 10
        ]

        whole = a.fingerprint()
        assert whole == b.fingerprint()  # same set, any arrival order
        assert whole.count == 400
        assert len(whole.digest) == 16
        assert a.fingerprint(lo, hi) == b.fingerprint(lo, hi)
        assert a.fingerprint(lo, hi).count == 150
        assert a.fingerprint(None, lo).count + a.fingerprint(lo).count == 400
        assert a.fingerprint(hi, lo).count == 0
        assert a.fingerprint(lo, hi) != a.fingerprint(keys[101], hi)

        extra = vouch(key, t=keys[200].created_at, note="extra")
        b.ingest(extra.data, now=NOW + 100)
        assert a.fingerprint() != b.fingerprint()
        assert a.fingerprint(None, keys[50]) == b.fingerprint(None, keys[50])


# -- export and import ------------------------------------------------------------------


def _mixed_records(key: Ed25519PrivateKey, n: int = 30) -> list[Envelope]:
    out: list[Envelope] = []
    for i in range(n):
        parent = offer(key, t=NOW + i, title=f"offer {i}")
        out += [parent, forward(key, parent.id, t=NOW + i + 1), vouch(key, t=NOW + i, note=str(i))]
    return out


def test_export_import_round_trip(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    records = _mixed_records(key)
    path = tmp_path / "out" / "records.p2pshare"
    path.parent.mkdir()
    with Store.open(tmp_path / "a" / "store.db") as a:
        a.ingest_many([r.data for r in records], now=NOW + 100)
        assert a.export(path) == len(records)
        original = list(a.all())
    raw = path.read_bytes()
    assert raw.startswith(EXPORT_MAGIC)
    assert raw.endswith(b"\0\0\0\0")
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left

    progress: list[int] = []
    with Store.open(tmp_path / "b" / "store.db") as b:
        report = b.import_file(path, now=NOW + 100, batch=40, on_progress=progress.append)
        assert (report.new, report.known, report.rejected, report.error) == (90, 0, [], None)
        assert progress == [40, 80, 90]
        assert list(b.all()) == original
        assert b.outbox() == []  # imported records are not ours to publish

        again = b.import_file(path, now=NOW + 100)
        assert (again.new, again.known, again.rejected) == (0, 90, [])
        assert b.count() == 90

        offers = tmp_path / "out" / "offers"
        assert b.export(offers, kinds=[Offer.KIND]) == 30
    with Store.open(tmp_path / "c" / "store.db") as c:
        assert c.import_file(offers, now=NOW + 100).new == 30
        assert {e.kind for e in c.all()} == {Offer.KIND}


def test_import_stores_good_records_and_reports_bad_ones(
    tmp_path: Path, key: Ed25519PrivateKey
) -> None:
    records = [vouch(key, note=str(i)) for i in range(10)]
    future = vouch(key, t=NOW + 10_000)
    datas = [r.data for r in records]
    datas[2] = tampered(records[2])
    datas[5] = b"\x00garbage"
    datas.insert(7, future.data)
    path = tmp_path / "mixed.p2pshare"
    write_export(path, datas)
    with Store.open(tmp_path / "s" / "store.db") as s:
        report = s.import_file(path, now=NOW, batch=3)
        assert report.new == 8
        assert report.known == 0
        assert report.error is None
        assert [index for index, _ in report.rejected] == [2, 5, 7]
        assert all(reason for _, reason in report.rejected)
        assert "future" in report.rejected[2][1]
        assert {e.id for e in s.all()} == {r.id for i, r in enumerate(records) if i not in (2, 5)}


@pytest.mark.parametrize(
    ("damage", "kept", "words"),
    [
        (lambda raw: raw[:-2], 6, "truncated"),  # end marker cut
        (lambda raw: raw[:-4], 6, "truncated"),  # cut exactly at a record boundary
        (lambda raw: raw[:-30], 5, "cut short"),  # cut inside the last record
        (lambda raw: raw + b"x", 6, "after the end marker"),
        (lambda raw: b"NOT-AN-EXPORT\n" + raw, 0, "header"),
        (lambda raw: b"", 0, "header"),
        (lambda raw: raw[:16] + b"\xff\xff\xff\xff" + raw[16:], 0, "limit"),
    ],
)
def test_import_of_a_damaged_file_reports_a_reason(
    tmp_path: Path, key: Ed25519PrivateKey, damage: object, kept: int, words: str
) -> None:
    records = [vouch(key, note=str(i)) for i in range(6)]
    path = tmp_path / "f.p2pshare"
    write_export(path, [r.data for r in records])
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    with Store.open(tmp_path / "s" / "store.db") as s:
        report = s.import_file(path, now=NOW)
        assert report.error is not None
        assert words in report.error
        assert report.new == kept == s.count()


# -- schema, files, connections ------------------------------------------------------


def test_fresh_store_is_migrated_private_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "store.db"
    with Store.open(path):
        pass
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        versions = conn.execute("SELECT version, name FROM schema_version").fetchall()
        assert versions == [(m.version, m.name) for m in load_migrations()]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_reopening_keeps_data_and_schema(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    path = tmp_path / "home" / "store.db"
    record = offer(key)
    with Store.open(path) as s:
        s.add_own(record)
    with Store.open(path) as s:
        assert s.get(record.id) == record
        assert s.outbox() == [record]
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT count(*) FROM schema_version").fetchone()[0] == len(
            load_migrations()
        )
    finally:
        conn.close()


def test_migrations_apply_once_roll_back_on_failure_and_refuse_newer(tmp_path: Path) -> None:
    path = tmp_path / "home" / "store.db"
    Store.open(path).close()
    shipped = load_migrations()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        bad = Migration(
            len(shipped) + 1, "bad", "CREATE TABLE t2 (x);\nINSERT INTO nope VALUES (1);"
        )
        with pytest.raises(sqlite3.OperationalError):
            migrate(conn, [*shipped, bad])
        assert conn.execute("SELECT name FROM sqlite_master WHERE name = 't2'").fetchall() == []

        extra = Migration(len(shipped) + 1, "extra", "-- a comment\nCREATE TABLE t2 (x);\n")
        assert migrate(conn, [*shipped, extra]) == len(shipped) + 1
        assert migrate(conn, [*shipped, extra]) == len(shipped) + 1  # idempotent
    finally:
        conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store.open(path)


def test_many_connections_opening_a_fresh_store_at_once(tmp_path: Path) -> None:
    path = tmp_path / "home" / "store.db"
    opened: list[Store] = []
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def open_it() -> None:
        try:
            start.wait()
            opened.append(Store.open(path))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for s in opened:
        s.close()
    assert errors == []
    assert len(opened) == 6
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT count(*) FROM schema_version").fetchone()[0] == len(
            load_migrations()
        )


def test_two_connections_write_concurrently(tmp_path: Path) -> None:
    path = tmp_path / "home" / "store.db"
    stores = [Store.open(path), Store.open(path)]
    keys = [Ed25519PrivateKey.generate() for _ in stores]
    batches = [[vouch(k, note=str(i)) for i in range(150)] for k in keys]
    errors: list[BaseException] = []
    start = threading.Barrier(len(stores))

    def work(store: Store, records: list[Envelope]) -> None:
        try:
            start.wait()
            for i, record in enumerate(records):
                if i % 3 == 0:
                    assert store.add_own(record)
                else:
                    assert store.ingest(record.data, now=NOW).status is IngestStatus.ADDED
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=work, args=pair) for pair in zip(stores, batches, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    try:
        assert errors == []
        assert stores[0].count() == stores[1].count() == 300
        assert len(stores[1].outbox()) == 100
    finally:
        for s in stores:
            s.close()


def test_one_store_shared_between_threads(store: Store, key: Ed25519PrivateKey) -> None:
    records = [vouch(key, note=str(i)) for i in range(200)]
    errors: list[BaseException] = []

    def work(part: list[Envelope]) -> None:
        try:
            for r in part:
                store.ingest(r.data, now=NOW)
                store.changes_since(0, limit=1)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(records[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert store.count() == 200


# -- node lock ---------------------------------------------------------------------------

HOLD_LOCK = """
import sys
from pathlib import Path
from p2pshare.store import NodeLock
with NodeLock(Path(sys.argv[1]) / "node.lock"):
    print("locked", flush=True)
    sys.stdin.read()
"""


def test_node_lock_is_exclusive_across_processes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    lock_file = home / "node.lock"
    assert not NodeLock(lock_file).held()  # no file yet
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(home)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "locked\n"
        assert NodeLock(lock_file).held()
        with pytest.raises(NodeLockedError) as caught:
            NodeLock(lock_file).acquire()
        assert caught.value.pid == holder.pid
        message = str(caught.value)
        assert "another p2pshare node is already running for this home" in message
        assert f"pid {holder.pid}" in message
        assert NodeLock(lock_file).held()  # the failed attempt did not disturb the holder
    finally:
        holder.communicate(input="", timeout=30)  # closing stdin releases the lock
    assert holder.returncode == 0
    assert not NodeLock(lock_file).held()
    with NodeLock(lock_file) as lock:
        assert lock.acquired
        assert lock.held()
        assert lock_file.read_text() == f"{os.getpid()}\n"
    assert not lock.acquired
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


def test_node_lock_within_one_process(tmp_path: Path) -> None:
    lock_file = tmp_path / "node.lock"
    first = NodeLock(lock_file).acquire()
    assert NodeLock(lock_file).held()
    with pytest.raises(NodeLockedError, match=f"pid {os.getpid()}"):
        NodeLock(lock_file).acquire()
    first.release()
    assert not first.acquired
    assert not NodeLock(lock_file).held()
    with NodeLock(lock_file):
        pass


def test_a_whole_home_read_unchecked_is_the_same_records(
    tmp_path: Path, key: Ed25519PrivateKey
) -> None:
    """The first load rebuilds stored rows without checks (protocol.decode_stored): it must
    give exactly what the checked read gives, with shared values, and only the store uses it."""
    with Store.open(tmp_path / "records.db") as store:
        records = [offer(key, NOW + i, title=f"job {i}") for i in range(20)] + [vouch(key)]
        store.ingest_many([r.data for r in reversed(records)], now=NOW + 100)  # newest first
        checked = list(store.all())
        pool: dict[object, object] = {}
        fast = list(store.all_stored(pool=pool, pooled={Offer: ("skills",)}))
        assert fast == checked  # in (created_at, id) order too
        assert [e.data for e in fast] == [e.data for e in checked]
        assert [e.id for e in fast] == [e.id for e in checked]
        skills = [e.body.skills for e in fast if isinstance(e.body, Offer)]
        assert all(s is skills[0] for s in skills)  # one shared tuple
        assert all(type(s) is tuple for s in skills)
        bare = next(store.all_stored(keep_data=False))
        assert bare.data == b""
        assert bare.id == checked[0].id
    package = Path(p2pshare.__file__).parent
    users = {
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "decode_stored(" in path.read_text("utf-8")
    }
    assert users == {"store/queries.py"}
