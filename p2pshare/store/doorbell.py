"""A store's doorbell: whoever writes to a home's store rings it, whoever reads it hears.

The app and `serve` keep state derived from the store (the ledger, the feed,
the outbox to publish). Records can be written by another process on the same
home (a CLI command while the app runs), so readers need to hear about writes
without polling. Every write rings the bell: one datagram on a Linux abstract
unix socket named after the store's resolved path (no file in the home, no
path-length limit, nothing left behind by a crash). The one listener is the
process that holds the home's NodeLock; a bell nobody listens to costs one
failed `sendto`. The datagram carries nothing: a ring only means "look at the
store's change feed" (Store.changes_since), so a forged ring costs one query.
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
from pathlib import Path


def _address(store_file: Path) -> bytes:
    digest = hashlib.sha256(str(Path(store_file).resolve()).encode()).hexdigest()[:32]
    return b"\0p2pshare-store-" + digest.encode()


def ring(store_file: Path) -> None:
    """Tell the listener (if any) that the store changed. Never blocks, never fails."""
    address = _address(store_file)
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)
        sock.sendto(b"\1", address)


class Doorbell:
    """The listening side: a non-blocking socket to wait on, and `drain` to reset it.

    Event-loop neutral: the asyncio side waits with `loop.add_reader(fileno)`,
    the trio side with `trio.lowlevel.wait_readable`.
    """

    def __init__(self, store_file: Path) -> None:
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.setblocking(False)
        self._address = _address(store_file)
        try:
            self._sock.bind(self._address)
        except OSError:
            self._sock.close()
            raise

    def fileno(self) -> int:
        return self._sock.fileno()

    def drain(self) -> int:
        """Read every pending ring; returns how many there were."""
        count = 0
        while True:
            try:
                self._sock.recv(16)
            except (BlockingIOError, InterruptedError):
                return count
            count += 1

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> Doorbell:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
