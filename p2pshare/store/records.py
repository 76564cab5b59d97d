"""The member's local record store: every verified record, and the outbox.

Plain stdlib sqlite3 in WAL mode, so the app, `serve` and one-shot CLI commands
can share one home: readers never block the writer, each write is one short
`BEGIN IMMEDIATE` transaction, and a busy timeout absorbs the rest (opening the
file, WAL and the read-only fallback: connection.py). The schema
is versioned: the SQL files in p2pshare/store/schema/ (NNN_name.sql) are applied in
order, one transaction each, and recorded in the `schema_version` table.

A row keeps the signed bytes exactly as received plus columns derived from them
for indexing. Records whose parents are absent are stored all the same: the
ledger derives state from whatever is present, so arrival order never matters.
The export file's format is in export_file.py; the schema in schema.py.
"""

from __future__ import annotations

import enum
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Self, cast

import protocol
from p2pshare.store import doorbell
from p2pshare.store.connection import open_connection
from p2pshare.store.export_file import read_batches, write_export
from p2pshare.store.files import StoreError
from p2pshare.store.queries import StoreQueries
from p2pshare.store.schema import transaction
from protocol import (
    Accept,
    Credit,
    Decline,
    Device,
    Envelope,
    Forward,
    Handoff,
    Outcome,
    ProtocolError,
    RecordId,
    Revoke,
    Rotate,
    Say,
    Unlink,
    Vouch,
    Withdraw,
)

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Iterable, Sequence
    from types import TracebackType

log = logging.getLogger(__name__)

IMPORT_BATCH = 500  # records per import transaction
_PAGE = 500  # rows per query when iterating, so no read transaction stays open
_HEX = re.compile(r"^[0-9a-f]*$")


class IngestStatus(enum.StrEnum):
    ADDED = "added"
    KNOWN = "known"  # already stored; nothing changed (except the outbox, see ingest)
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestResult:
    """What happened to one record offered to the store."""

    status: IngestStatus
    id: RecordId | None = None  # None when the bytes are not a record at all
    reason: str | None = None  # why it was rejected
    envelope: Envelope | None = None  # the record, when it was added
    seq: int = 0  # its place in the store's change feed, when it was added


@dataclass(slots=True, kw_only=True)
class ImportReport:
    """Outcome of an import; `rejected` holds (0-based index in the file, reason)."""

    new: int = 0
    known: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    error: str | None = None  # the file itself is damaged (bad magic, truncated...)

    @property
    def processed(self) -> int:
        return self.new + self.known + len(self.rejected)


def _indexed(envelope: Envelope) -> tuple[bytes | None, bytes | None]:
    """The (ref, subject) columns of a record; see schema/001_initial.sql."""
    body = envelope.body
    match body:
        case Forward():
            return body.offer, body.to or None
        case Handoff():
            return body.offer, body.to
        case Accept() | Withdraw() | Outcome() | Credit() | Decline():
            return body.offer, None
        case Say():
            return body.offer, body.to
        case Revoke():
            return body.vouch, None
        case Vouch():
            return None, body.subject
        case Device() | Unlink() | Rotate():
            return None, body.member  # the member it is about (its id's key)
        case _:
            return None, None


class Store(StoreQueries):
    """One connection to a home's record store. Safe to share between threads.

    Every method is short: reads page through results, writes are single
    transactions, so a second process (a CLI command while the app runs)
    never waits long.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, *, read_only: bool = False) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path
        self.read_only = read_only  # a home this user may read but not write

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (creating if needed) the store at `path`, migrating its schema.

        A store this user can read but not write (a read-only home, a read-only
        records.db) opens read-only: views work, every write is refused.
        """
        path = Path(path)
        conn, read_only = open_connection(path)
        return cls(conn, path, read_only=read_only)

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"the store {self.path} is read-only: nothing can be written")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, typ: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------

    def ingest(self, data: bytes, *, now: int, max_skew: int = 600) -> IngestResult:
        """Verify and store a record from outside (network, import). Idempotent.

        A record dated more than `max_skew` seconds after `now` is refused: it
        would sit at the top of every feed until its date came. A record this
        member authored that comes back from outside is no longer in the outbox.
        """
        return self.ingest_many([data], now=now, max_skew=max_skew)[0]

    def ingest_many(
        self, items: Sequence[bytes], *, now: int, max_skew: int = 600
    ) -> list[IngestResult]:
        """`ingest` for a batch, in one transaction: all of it is stored, or none."""
        return self._admit(list(items), now=now, max_skew=max_skew, verified=False)

    def ingest_verified(
        self, items: Sequence[bytes | Envelope], *, now: int, max_skew: int = 600
    ) -> list[IngestResult]:
        """`ingest_many`, where an item may be an envelope `protocol.decode` already verified.

        The one pass from the wire: the gossip validator decoded and verified
        the bytes, and its envelope is what gets stored, with no second parse.
        Bytes among the items are decoded and verified here, as by `ingest_many`.
        """
        return self._admit(list(items), now=now, max_skew=max_skew, verified=True)

    def _admit(
        self, items: list[bytes | Envelope], *, now: int, max_skew: int, verified: bool
    ) -> list[IngestResult]:
        self._writable()
        results: list[IngestResult | None] = [None] * len(items)
        # A record whose id is already stored has these exact bytes (SHA-256), so
        # it was verified once: skip the signature check for floods of repeats.
        hashed: dict[int, RecordId] = {}
        for i, item in enumerate(items):
            if verified and isinstance(item, Envelope):
                hashed[i] = item.id
            elif type(item) is bytes and len(item) <= protocol.MAX_RECORD_BYTES:
                hashed[i] = protocol.record_id(item)
        stored = self._published_flags(set(hashed.values()))
        to_publish: set[bytes] = set()
        to_insert: list[tuple[int, Envelope]] = []
        for i, item in enumerate(items):
            if (rid := hashed.get(i)) is not None and rid in stored:
                results[i] = IngestResult(status=IngestStatus.KNOWN, id=rid)
                if not stored[rid]:
                    to_publish.add(rid)
                continue
            if verified and isinstance(item, Envelope):
                envelope = item
            else:
                try:
                    # anything but bytes (an Envelope nobody verified too) is refused here
                    envelope = protocol.decode(cast("bytes", item))
                except ProtocolError as exc:
                    results[i] = IngestResult(status=IngestStatus.REJECTED, reason=str(exc))
                    continue
            if envelope.created_at > now + max_skew:
                ahead = envelope.created_at - now
                reason = f"dated {ahead} s in the future (more than the {max_skew} s allowed)"
                results[i] = IngestResult(
                    status=IngestStatus.REJECTED, id=envelope.id, reason=reason
                )
                continue
            to_insert.append((i, envelope))
        if to_insert or to_publish:
            with self._lock, transaction(self._conn) as conn:
                for i, envelope in to_insert:
                    if seq := self._insert(conn, envelope, published=True, now=now):
                        results[i] = IngestResult(
                            status=IngestStatus.ADDED, id=envelope.id, envelope=envelope, seq=seq
                        )
                    else:  # a duplicate in this batch, or another writer was first
                        results[i] = IngestResult(status=IngestStatus.KNOWN, id=envelope.id)
                        to_publish.add(envelope.id)
                conn.executemany(
                    "UPDATE records SET published = 1 WHERE id = ? AND published = 0",
                    [(rid,) for rid in to_publish],
                )
            if to_insert:
                doorbell.ring(self.path)
        done = [r for r in results if r is not None]
        assert len(done) == len(items)
        return done

    def add_own(self, envelope: Envelope, *, now: int | None = None) -> int:
        """Store a record this member just signed and queue it in the outbox.

        Returns its place in the change feed, or 0 if the record was already
        stored (its outbox state is kept).
        Committed with a full fsync: an own record cannot be fetched back from
        anyone if a power cut loses it.
        """
        self._writable()
        checked = protocol.decode(envelope.data)  # a caller bug must not reach the network
        received = int(time.time()) if now is None else now
        with self._lock:
            self._conn.execute("PRAGMA synchronous = FULL")
            try:
                with transaction(self._conn) as conn:
                    seq = self._insert(conn, checked, published=False, now=received)
            finally:
                self._conn.execute("PRAGMA synchronous = NORMAL")
        if seq:
            doorbell.ring(self.path)
        return seq

    def mark_published(self, ids: Iterable[RecordId]) -> int:
        """Take records out of the outbox once the network has them; returns how many."""
        rows = [(bytes(rid),) for rid in ids]
        if not rows:
            return 0
        with self._lock, transaction(self._conn) as conn:
            before = conn.total_changes
            conn.executemany(
                "UPDATE records SET published = 1 WHERE id = ? AND published = 0", rows
            )
            return conn.total_changes - before

    @staticmethod
    def _insert(conn: sqlite3.Connection, envelope: Envelope, *, published: bool, now: int) -> int:
        """Insert one verified record; its new seq, or 0 if it was already stored."""
        ref, subject = _indexed(envelope)
        cursor = conn.execute(
            "INSERT OR IGNORE INTO records"
            " (id, kind, author, created_at, ref, subject, data, published, received_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                envelope.id,
                envelope.kind,
                envelope.author,
                envelope.created_at,
                ref,
                subject,
                envelope.data,
                int(published),
                now,
            ),
        )
        return int(cursor.lastrowid or 0) if cursor.rowcount == 1 else 0

    def _published_flags(self, ids: set[RecordId]) -> dict[bytes, bool]:
        found: dict[bytes, bool] = {}
        chunk = sorted(ids)
        with self._lock:
            for start in range(0, len(chunk), _PAGE):
                part = chunk[start : start + _PAGE]
                marks = ",".join("?" * len(part))
                found.update(
                    (bytes(rid), bool(published))
                    for rid, published in self._conn.execute(
                        f"SELECT id, published FROM records WHERE id IN ({marks})", part
                    )
                )
        return found

    # -- export and import -----------------------------------------------------

    def export(self, path: Path, *, kinds: Iterable[int] | None = None) -> int:
        """Write every record (of `kinds`) to `path` atomically; returns how many.

        The file holds the records present when the export started: later
        arrivals are left for the next export.
        """
        path = Path(path)
        # verified on the way in, and will be again on import: no decode here
        return write_export(path, self._walk(kinds=kinds, max_seq=self.last_seq()))

    def import_file(
        self,
        path: Path,
        *,
        now: int,
        max_skew: int = 600,
        batch: int = IMPORT_BATCH,
        on_progress: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """Verify and store the records of an export file, `batch` per transaction.

        `on_progress(n)` is called after each committed batch: the first n
        records of the file are then settled (stored, or rejected in the
        report), so a crash after it loses none of them. A damaged file stops
        the import at the damage with `error` set; what came before is kept.
        """
        report = ImportReport()

        def flush(pending: list[bytes]) -> None:
            base = report.processed
            for offset, result in enumerate(self.ingest_many(pending, now=now, max_skew=max_skew)):
                if result.status is IngestStatus.ADDED:
                    report.new += 1
                elif result.status is IngestStatus.KNOWN:
                    report.known += 1
                else:
                    report.rejected.append((base + offset, result.reason or "rejected"))
            if on_progress is not None:
                on_progress(report.processed)

        for items in read_batches(path, batch):
            if isinstance(items, str):
                report.error = items
            elif items:
                flush(items)
        return report
