"""The one consumer of changes: records in, derived state updated, events out, in order.

Records reach a member's state three ways: the node stored them from the
network (`RecordsArrived` carries the envelopes), the member acted in this
process (the action returns its record), or another process wrote to the home
(a CLI command; the store's doorbell rings). All three go into one queue that
one task drains: it hands what is pending, merged, to `absorb` on the store's
worker thread, then emits what `absorb` says changed. One consumer means no
two updates race and no change is announced twice; no loop polls the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from p2pshare.store.doorbell import Doorbell
from protocol import Envelope

if TYPE_CHECKING:
    from pathlib import Path

log = logging.getLogger(__name__)

# absorb(records, seqs, catch_up): apply `records` (stored as rows `seqs`), and if
# `catch_up`, whatever the store holds beyond; returns when done (emitting itself).
Absorb = Callable[[Sequence[Envelope], Sequence[int], bool], Awaitable[None]]


class ChangeFeed:
    """Serialises every change to the member's derived state through one task."""

    def __init__(self, absorb: Absorb) -> None:
        self._absorb = absorb
        self._records: list[Envelope] = []
        self._seqs: list[int] = []
        self._catch_up = False
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self._bell: Doorbell | None = None

    def start(self, store_file: Path) -> None:
        """Start the consumer and listen for writes to `store_file` by other processes."""
        loop = asyncio.get_running_loop()
        try:
            self._bell = Doorbell(store_file)
        except OSError as exc:  # another process listens: it holds the home
            log.warning("not listening for store writes by other processes: %s", exc)
        else:
            loop.add_reader(self._bell.fileno(), self._rung)
        self._task = asyncio.create_task(self._run(), name="p2pshare-changes")

    def _rung(self) -> None:
        assert self._bell is not None
        self._bell.drain()
        self.catch_up()

    def add(self, records: Sequence[Envelope], seqs: Sequence[int] = ()) -> None:
        """Records stored in this process (by the node or an action; `seqs`: their
        rows in the store's change feed): apply them."""
        self._records.extend(records)
        self._seqs.extend(seqs)
        self._idle.clear()
        self._wake.set()

    def catch_up(self) -> None:
        """The store may hold records nobody handed over: read what is new."""
        self._catch_up = True
        self._idle.clear()
        self._wake.set()

    async def settled(self) -> None:
        """Wait until everything handed over so far has been absorbed."""
        await self._idle.wait()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            records, self._records = self._records, []
            seqs, self._seqs = self._seqs, []
            catch_up, self._catch_up = self._catch_up, False
            try:
                await self._absorb(records, seqs, catch_up)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("applying %d new records failed", len(records))
            if not self._wake.is_set():
                self._idle.set()

    async def close(self) -> None:
        if self._bell is not None:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(self._bell.fileno())
            self._bell.close()
            self._bell = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
