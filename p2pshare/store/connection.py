"""Opening a home's records.db: the SQLite connection every Store method runs on.

Owns how the file is opened, not what is in it: created 0600 in a private folder
(records sealed to this member and its outbox are nobody else's business), put
in WAL mode so the app, `serve` and one-shot CLI commands share one home
(readers never block the writer, a busy timeout absorbs the rest), migrated to
the current schema; and, for a store this user can read but not write, a
read-only connection that creates nothing beside the file. Separate from
records.py, which reads and writes records over the connection this returns.
"""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from typing import TYPE_CHECKING

from p2pshare.store.files import StoreError, private_dir
from p2pshare.store.schema import load_migrations, migrate

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["BUSY_TIMEOUT", "open_connection"]

BUSY_TIMEOUT = 5.0  # seconds a writer waits for another process's transaction


def open_connection(path: Path) -> tuple[sqlite3.Connection, bool]:
    """A connection to the store at `path` (created and migrated if needed), and
    whether it is read-only.

    A store this user can read but not write (a read-only home, a read-only
    records.db) opens read-only: views work, every write is refused.
    """
    if path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        return _open_read_only(path), True
    private_dir(path.parent)
    if not path.exists():
        # sqlite would create it with the umask's permissions; records sealed to
        # this member and its outbox are nobody else's business.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            raise StoreError(f"cannot put {path} in WAL mode (got {mode})")
        # NORMAL in WAL mode survives a crashed process; add_own asks for FULL.
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn, load_migrations())
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"cannot open the store {path}: {exc}") from exc
    except BaseException:
        conn.close()
        raise
    return conn, False


def _open_read_only(path: Path) -> sqlite3.Connection:
    uri = "file:" + urllib.parse.quote(str(path.resolve()))
    # Without a -wal file everything is in records.db: immutable=1 reads it and
    # creates nothing (mode=ro would leave -wal and -shm files behind). With
    # one, mode=ro reads what it holds too; nobody can write meanwhile.
    wal = path.with_name(path.name + "-wal")
    order = ("?mode=ro", "?immutable=1") if wal.exists() else ("?immutable=1", "?mode=ro")
    for flags in order:
        try:
            conn = sqlite3.connect(
                uri + flags, uri=True, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error:
            continue
        try:
            version = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version")
            current = int(version.fetchone()[0])
        except sqlite3.Error:
            conn.close()
            continue
        if current != len(load_migrations()):
            conn.close()
            raise StoreError(f"the store {path} is read-only and needs an upgrade")
        return conn
    raise StoreError(f"cannot open the store {path} (read-only, and not readable as such)")
