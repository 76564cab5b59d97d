"""The versioned SQLite schema: numbered SQL files applied once each, in order.

The SQL files in p2pshare/store/schema/ (NNN_name.sql) are applied one
transaction each and recorded in the `schema_version` table.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import time
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from p2pshare.store.files import StoreError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

_MIGRATION_FILE = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    """The schema files shipped in p2pshare/store/schema/, in version order."""
    found = []
    for entry in (resources.files("p2pshare.store") / "schema").iterdir():
        if match := _MIGRATION_FILE.match(entry.name):
            found.append(Migration(int(match[1]), match[2], entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise StoreError(f"schema files are not numbered 1..n: {[m.version for m in found]}")
    return found


def _statements(sql: str) -> Iterator[str]:
    """Split a script into complete statements (triggers included) for execute()."""
    pending = ""
    for line in sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""
    if any(line.strip() and not line.strip().startswith("--") for line in pending.splitlines()):
        raise StoreError("schema file ends with an incomplete statement")


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration]) -> int:
    """Bring the database up to the newest migration; return the resulting version.

    Each migration runs in one IMMEDIATE transaction that re-reads the version
    first, so two processes opening a fresh home at once apply it exactly once.
    (executescript() would commit mid-way, hence the statement splitter.)
    """
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version"
        " (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
    )
    newest = migrations[-1].version if migrations else 0
    current = _schema_version(conn)
    if current > newest:
        raise StoreError(
            f"this store has schema version {current}, newer than this p2pshare"
            f" understands ({newest}); upgrade p2pshare"
        )
    for migration in migrations:
        if migration.version <= current:
            continue  # the usual case on open: no write lock is taken
        with transaction(conn):
            current = _schema_version(conn)  # another process may have just done it
            if migration.version <= current:
                continue
            for statement in _statements(migration.sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, int(time.time())),
            )
            current = migration.version
    return current


def _schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(row[0])


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, taking the write lock up front (no upgrade deadlocks)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
