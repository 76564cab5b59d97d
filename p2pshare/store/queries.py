"""Reading a home's record store: records by id, kind, reference or author, the change
feed, and the (created_at, id) ranges catch-up sync compares.

Stored rows were verified when they were written (`Store.ingest*`, `add_own`), so
they are read back with `protocol.decode_trusted`: canonical form and limits
checked again, the Ed25519 signature not. Every query pages or is bounded, so
no read transaction stays open while another process writes; the first load's
one sorted read of every row (`all_stored`) ends its transaction once the rows
are fetched, before any is decoded.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import TYPE_CHECKING, Any

import protocol
from protocol import Envelope, ProtocolError, PublicKey, RecordId
from protocol.sync import Fingerprint, RangeKey

if TYPE_CHECKING:
    import sqlite3
    import threading
    from collections.abc import Container, Iterable, Iterator, Mapping, Sequence

    from protocol import Body

log = logging.getLogger(__name__)

_PAGE = 500  # rows per query when iterating, so no read transaction stays open
_HEX = re.compile(r"^[0-9a-f]*$")


def _range_sql(lo: RangeKey | None, hi: RangeKey | None) -> tuple[str, list[object]]:
    clauses, params = ["1"], list[object]()
    if lo is not None:
        clauses.append("(created_at, id) >= (?, ?)")
        params += [lo.created_at, lo.id]
    if hi is not None:
        clauses.append("(created_at, id) < (?, ?)")
        params += [hi.created_at, hi.id]
    return " AND ".join(clauses), params


class StoreQueries:
    """The read side of `Store` (records.py), over its connection and lock."""

    _conn: sqlite3.Connection
    _lock: threading.RLock

    # -- reading ---------------------------------------------------------------

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def _envelopes(self, sql: str, params: Sequence[object] = ()) -> list[Envelope]:
        """Decode stored records (the `data` column must come first)."""
        out = []
        for row in self._rows(sql, params):
            if (envelope := _load(row[0])) is not None:
                out.append(envelope)
        return out

    def get(self, record_id: RecordId) -> Envelope | None:
        rows = self._rows("SELECT data FROM records WHERE id = ?", (record_id,))
        return _load(rows[0][0]) if rows else None

    def has(self, record_id: RecordId) -> bool:
        return bool(self._rows("SELECT 1 FROM records WHERE id = ?", (record_id,)))

    def ids(self) -> set[RecordId]:
        """Every stored record's id (the node's in-memory answer to "stored already?")."""
        return {RecordId(bytes(row[0])) for row in self._rows("SELECT id FROM records")}

    def members(self) -> set[PublicKey]:
        """Every member a record names: authors and subjects (vouched, handed or
        forwarded to), from the indexes, without reading a record."""
        rows = self._rows(
            "SELECT DISTINCT author FROM records UNION"
            " SELECT DISTINCT subject FROM records WHERE subject IS NOT NULL"
        )
        return {PublicKey(bytes(row[0])) for row in rows if row[0]}

    def count(self) -> int:
        return int(self._rows("SELECT count(*) FROM records")[0][0])

    def all(self, *, kinds: Iterable[int] | None = None) -> Iterator[Envelope]:
        """Every record (of `kinds`), in (created_at, id) order, a page at a time."""
        for data in self._walk(kinds=kinds, max_seq=None):
            if (envelope := _load(data)) is not None:
                yield envelope

    def all_stored(
        self,
        *,
        keep_data: bool = True,
        pool: dict[object, object] | None = None,
        pooled: Mapping[type[Body], tuple[str, ...]] | None = None,
    ) -> Iterator[Envelope]:
        """Every record in (created_at, id) order, rebuilt without any check
        (`protocol.decode_stored`, which says what `pool` does): a first load of
        the whole home, fast.

        One query that reads the table in storage order and sorts it: cheaper
        than walking the (created_at, id) index, whose every row is a jump into
        the table. The order matters beyond the ledger's rules: records rebuilt
        in the order they are read lie in memory in that order, and the ledger
        and the feed then walk them oldest first, close together (read in ingest
        order, the same load applied a quarter slower)."""
        rows: list[Any] = self._rows(
            "SELECT id, data FROM records NOT INDEXED ORDER BY created_at, id"
        )
        for i, (rid, data) in enumerate(rows):
            rows[i] = None  # its bytes go as soon as its record is built
            yield protocol.decode_stored(
                data, RecordId(rid), keep_data=keep_data, pool=pool, pooled=pooled
            )

    def _walk(self, *, kinds: Iterable[int] | None, max_seq: int | None) -> Iterator[bytes]:
        """Stored signed bytes in (created_at, id) order, one short query per page."""
        where, params = ["1"], list[object]()
        if kinds is not None:
            wanted = sorted(set(kinds))
            where.append(f"kind IN ({','.join('?' * len(wanted))})")
            params += wanted
        if max_seq is not None:
            where.append("seq <= ?")
            params.append(max_seq)
        after: tuple[int, bytes] | None = None
        while True:
            page = self._rows(
                # Walk the (created_at, id) index and filter rows: each page costs
                # its own length, where the kind index would re-sort every page.
                "SELECT data, created_at, id FROM records INDEXED BY records_time WHERE "
                + " AND ".join([*where, "(created_at, id) > (?, ?)" if after else "1"])
                + " ORDER BY created_at, id LIMIT ?",
                [*params, *(after or ()), _PAGE],
            )
            yield from (bytes(data) for data, _, _ in page)
            if len(page) < _PAGE:
                return
            after = (page[-1][1], page[-1][2])

    def by_kind(self, kind: int) -> list[Envelope]:
        """Records of one kind, in (created_at, id) order."""
        return self._envelopes(
            "SELECT data FROM records WHERE kind = ? ORDER BY created_at, id", (kind,)
        )

    def by_ref(self, ref: RecordId) -> list[Envelope]:
        """Records about one offer (or, for revokes, one vouch), in (created_at, id) order."""
        return self._envelopes(
            "SELECT data FROM records WHERE ref = ? ORDER BY created_at, id", (ref,)
        )

    def by_author(self, author: PublicKey, kind: int | None = None) -> list[Envelope]:
        """One member's records (of one kind), in (created_at, id) order."""
        sql, params = "author = ?", list[object]([author])
        if kind is not None:
            sql, params = sql + " AND kind = ?", [*params, kind]
        return self._envelopes(
            f"SELECT data FROM records WHERE {sql} ORDER BY created_at, id", params
        )

    def ids_with_prefix(self, hexprefix: str, *, limit: int | None = None) -> list[RecordId]:
        """Ids starting with a hex prefix (for resolving what a person typed), sorted."""
        prefix = hexprefix.strip().lower()
        if not _HEX.match(prefix):
            raise ValueError(f"not a hex record id prefix: {hexprefix!r}")
        if len(prefix) > 2 * 32:
            return []
        lo = bytes.fromhex(prefix + "0" * (len(prefix) % 2))
        top = bytes.fromhex(prefix + "f" * (len(prefix) % 2))
        sql, params = "SELECT id FROM records WHERE id >= ?", [lo]
        stripped = top.rstrip(b"\xff")  # the first id past the prefix, if any
        if stripped:
            hi = stripped[:-1] + bytes([stripped[-1] + 1])
            sql += " AND id < ?"
            params.append(hi)
        sql += " ORDER BY id" + ("" if limit is None else f" LIMIT {int(limit)}")
        return [RecordId(bytes(row[0])) for row in self._rows(sql, params)]

    def outbox(self) -> list[Envelope]:
        """Own records the network has not seen yet, oldest first."""
        return self._envelopes("SELECT data FROM records WHERE published = 0 ORDER BY seq")

    # -- change feed -----------------------------------------------------------

    def last_seq(self) -> int:
        """The newest ingest sequence number (0 for an empty store)."""
        return int(self._rows("SELECT coalesce(max(seq), 0) FROM records")[0][0])

    def changes_since(
        self, seq: int, *, limit: int = 1000, skip: Container[int] = ()
    ) -> tuple[int, list[Envelope]]:
        """Records stored after sequence number `seq`, in ingest order.

        Returns (new_seq, records); pass new_seq next time. Sequence numbers are
        never reused and writers are serialized, so nothing is skipped. At most
        `limit` rows per call: call again while new_seq moves. Rows whose seq is
        in `skip` (records the caller already holds) are not read back.
        """
        rows = self._rows(
            "SELECT seq, data FROM records WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit)
        )
        envelopes = [e for e in (_load(data) for s, data in rows if s not in skip) if e is not None]
        return (int(rows[-1][0]) if rows else seq), envelopes

    # -- catch-up sync ---------------------------------------------------------

    def keys_in_range(
        self, lo: RangeKey | None = None, hi: RangeKey | None = None, *, limit: int | None = None
    ) -> list[RangeKey]:
        """Keys in [lo, hi) in (created_at, id) order; None is unbounded."""
        where, params = _range_sql(lo, hi)
        sql = f"SELECT created_at, id FROM records WHERE {where} ORDER BY created_at, id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [RangeKey(int(c), RecordId(bytes(i))) for c, i in self._rows(sql, params)]

    def fingerprint(self, lo: RangeKey | None = None, hi: RangeKey | None = None) -> Fingerprint:
        """Count and digest of the ids in [lo, hi); see `Fingerprint`."""
        where, params = _range_sql(lo, hi)
        total, count = 0, 0
        with self._lock:
            for (rid,) in self._conn.execute(f"SELECT id FROM records WHERE {where}", params):
                total += int.from_bytes(rid, "little")
                count += 1
        summed = (total % 2**256).to_bytes(32, "little") + count.to_bytes(8, "little")
        return Fingerprint(count, hashlib.sha256(summed).digest()[:16])

    def get_data(self, ids: Iterable[RecordId]) -> list[bytes]:
        """Signed bytes of those of `ids` that are stored (any order), not re-verified."""
        wanted = sorted(set(ids))
        out: list[bytes] = []
        with self._lock:
            for start in range(0, len(wanted), _PAGE):
                part = wanted[start : start + _PAGE]
                marks = ",".join("?" * len(part))
                sql = f"SELECT data FROM records WHERE id IN ({marks})"
                out += [bytes(data) for (data,) in self._conn.execute(sql, part)]
        return out


def _load(data: bytes) -> Envelope | None:
    """A stored record, re-parsed. None (logged) if this version now refuses it.

    Only `ingest` and `add_own` write rows, both after `protocol.decode` checked
    the signature, and the file is this member's own (0600): reading back skips
    the Ed25519 check, two thirds of a decode, but not canonical form or limits.
    """
    try:
        return protocol.decode_trusted(bytes(data))
    except ProtocolError as exc:
        log.warning("stored record %s no longer decodes: %s", protocol.record_id(data).hex(), exc)
        return None
