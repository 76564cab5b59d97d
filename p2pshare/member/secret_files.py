"""Writing a secret file so that a crash leaves either no file or a whole one.

Owns the file-system steps behind identity.pem: the bytes go to a temporary name
beside the target (mode 0600, created exclusively, fsync'd), then reach the target
in one step, by a hard link that refuses to replace an existing file (`write_new`:
an identity is never overwritten), and the folder is synced so the new name is
durable. A file that may be replaced (a root rotation's keys, member.json, the
keyring) goes through store.files.write_private, a rename over it. Separate from
identity.py, which decides what the keys are and when they may be written: this is
only how bytes reach the disk safely.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from typing import TYPE_CHECKING

from p2pshare.store.files import fsync_dir

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["write_new"]


def _temporary(target: Path) -> Path:
    return target.with_name(f".{target.name}.{secrets.token_hex(8)}.new")


def _write_file(path: Path, data: bytes) -> None:
    """Create `path` (0600, refusing an existing one) holding `data`, flushed to disk."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def write_new(target: Path, data: bytes) -> bool:
    """Put `data` at `target`, complete, without ever replacing an existing file.

    False (nothing written) if `target` exists already.
    """
    temporary = _temporary(target)
    try:
        _write_file(temporary, data)
        try:
            os.link(temporary, target)  # a rename that refuses to replace
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise
            try:  # a file system without hard links
                _write_file(target, data)
            except FileExistsError:
                return False
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    fsync_dir(target.parent)
    return True
