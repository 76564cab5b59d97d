"""One node process per home: an flock on the home's lock file."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Self

from p2pshare.store.files import NodeLockedError, private_dir

if TYPE_CHECKING:
    from types import TracebackType

_LOCK_ATTEMPTS = 5  # NodeLock.acquire tries, 10 ms apart


class NodeLock:
    """Only one node process (the app or `serve`) runs per home.

    An exclusive, non-blocking flock on a lock file in the home (`Home.lock_file`),
    which holds the owner's pid for the error message. The kernel drops the
    lock when the process dies, however it dies, so a lock is never stale.
    One-shot CLI commands do not take it: they only write to the store.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)  # the lock file, e.g. <home>/node.lock
        self._fd: int | None = None

    @property
    def acquired(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def held(self) -> bool:
        """Whether a node holds the lock now: this object, or any other, in any process."""
        if self._fd is not None:
            return True
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # also drops the shared lock, held for microseconds
        return False

    def acquire(self) -> Self:
        """Take the lock, or raise NodeLockedError naming the pid that has it."""
        if self._fd is not None:
            return self
        private_dir(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            for attempt in range(_LOCK_ATTEMPTS):  # ride out a held() probe's shared lock
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if attempt == _LOCK_ATTEMPTS - 1:
                        raise NodeLockedError(self.path.parent, _read_pid(fd)) from None
                    time.sleep(0.01)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)  # the file stays: unlinking it would race a new owner
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def __enter__(self) -> Self:
        return self.acquire()

    def __exit__(
        self, typ: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        return int(os.pread(fd, 32, 0).decode("ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError):
        return None
