"""The member's local store: verified records in SQLite, the outbox, export files, the node lock.

- records.py      the Store: ingest (verify, admit, insert), reads, sync ranges, import
- connection.py   opening records.db: permissions, WAL, migration, read-only fallback
- schema.py       versioned SQL migrations and the write-transaction helper
- export_file.py  the export file format (write atomically, read untrusted)
- lock.py         one node process per home
- files.py        the store's errors, private directories, durable renames
- sync_source.py  the store as catch-up sync's record source
"""

from p2pshare.store.connection import BUSY_TIMEOUT
from p2pshare.store.export_file import EXPORT_MAGIC
from p2pshare.store.files import NodeLockedError, StoreError
from p2pshare.store.lock import NodeLock
from p2pshare.store.records import (
    ImportReport,
    IngestResult,
    IngestStatus,
    Store,
)
from p2pshare.store.schema import Migration, load_migrations, migrate
from p2pshare.store.sync_source import StoreSource

__all__ = [
    "BUSY_TIMEOUT",
    "EXPORT_MAGIC",
    "ImportReport",
    "IngestResult",
    "IngestStatus",
    "Migration",
    "NodeLock",
    "NodeLockedError",
    "Store",
    "StoreError",
    "StoreSource",
    "load_migrations",
    "migrate",
]
