"""What the store's files may go wrong with, and the helpers that keep them private and durable."""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


class StoreError(Exception):
    """The store cannot be used as asked; `str(err)` is a reason a person can read."""


class NodeLockedError(StoreError):
    """Another node process holds this home."""

    def __init__(self, home: Path, pid: int | None) -> None:
        who = f"pid {pid}" if pid is not None else "pid unknown"
        super().__init__(f"another p2pshare node is already running for this home ({who}): {home}")
        self.home = home
        self.pid = pid


def private_dir(path: Path) -> None:
    """Create `path` readable by this user only (an existing directory is left alone)."""
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)  # mkdir's mode is filtered through the umask


def write_private(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically and durably, readable by this user only
    (mode 0600): marks, peers, and the secret files (member/secret_files.py).

    The bytes go to a temporary file next to it (created 0600, whatever the umask),
    flushed to disk, then renamed over `path`, and the folder synced: a reader, or
    a machine that lost power, sees the old file or the new one.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    """Make a new name in `path` durable; a platform that cannot open a directory skips it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
