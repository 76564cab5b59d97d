"""Writing a secret file so that a crash leaves either no file or a whole one.

Owns the file-system steps behind identity.pem: the bytes go to a temporary
name beside the target (mode 0600, created exclusively, fsync'd), then reach the
target in one step, by a hard link that refuses to replace an existing file
(`write_new`: an identity is never overwritten) or by a rename over it
(`write_replacing`: a root rotation), and the folder is synced so the new name
is durable. Separate from identity.py, which decides what the keys are and when
they may be written: this is only how bytes reach the disk safely.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["sync_directory", "write_new", "write_replacing"]


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
    sync_directory(target.parent)
    return True


def write_replacing(target: Path, data: bytes) -> None:
    """Put `data` at `target` in place of whatever is there, in one rename."""
    temporary = _temporary(target)
    try:
        _write_file(temporary, data)
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    sync_directory(target.parent)


def sync_directory(folder: Path) -> None:
    """Make a new name in `folder` durable; a platform that cannot open a directory skips it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
