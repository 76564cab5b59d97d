"""Records dated ahead of our clock, held until their time comes (issue 16 §4).

A record more than `max_skew` seconds in the future is not stored as live and
not relayed, and it is not a strike: its author's clock may just run fast.
It waits here, in a bounded queue (a total and a per-peer cap; when full, the
record furthest ahead goes), and is released to the store once it is no more
than `max_skew` ahead. Why a module of its own: the door decides *that* a
record waits; this owns the waiting, its bounds and its clock.
"""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import trio

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from protocol import Envelope, RecordId


@dataclass(order=True, slots=True)
class _Held:
    created_at: int
    id: RecordId = field(compare=True)
    envelope: Envelope = field(compare=False)
    peer: str = field(compare=False)


class HeldRecords:
    """The waiting room. `hold` on the event loop; `run` releases what is due."""

    def __init__(
        self,
        *,
        max_skew: int,
        limit: int = 1000,
        per_peer: int = 100,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.max_skew, self.limit, self.per_peer = max_skew, limit, per_peer
        self._clock = clock
        self._queue: list[_Held] = []  # sorted by created_at
        self._ids: set[RecordId] = set()
        self._per_peer: dict[str, int] = {}
        self._wake = trio.Event()
        self.released = 0
        self.dropped = 0

    def __len__(self) -> int:
        return len(self._queue)

    def __contains__(self, record: RecordId) -> bool:
        return record in self._ids

    def hold(self, envelope: Envelope, peer: str) -> bool:
        """Keep `envelope` until its time; False if there is no room for it."""
        if envelope.id in self._ids:
            return True
        if self._per_peer.get(peer, 0) >= self.per_peer:
            return False
        item = _Held(envelope.created_at, envelope.id, envelope, peer)
        if len(self._queue) >= self.limit:
            if self._queue[-1] < item:  # this one is furthest ahead: it is the one to go
                self.dropped += 1
                return False
            self._remove(self._queue.pop())
            self.dropped += 1
        bisect.insort(self._queue, item)
        self._ids.add(envelope.id)
        self._per_peer[peer] = self._per_peer.get(peer, 0) + 1
        self._wake.set()
        return True

    def due(self) -> list[tuple[Envelope, str]]:
        """Take the records no more than `max_skew` ahead now."""
        limit = int(self._clock()) + self.max_skew
        out: list[tuple[Envelope, str]] = []
        while self._queue and self._queue[0].created_at <= limit:
            item = self._queue.pop(0)
            self._remove(item)
            out.append((item.envelope, item.peer))
        self.released += len(out)
        return out

    def _remove(self, item: _Held) -> None:
        self._ids.discard(item.id)
        left = self._per_peer.get(item.peer, 1) - 1
        if left > 0:
            self._per_peer[item.peer] = left
        else:
            self._per_peer.pop(item.peer, None)

    async def run(self, release: Callable[[list[Envelope], list[str]], Awaitable[object]]) -> None:
        """Release held records as their time comes; woken early by a new hold."""
        while True:
            if self._queue:
                wait = self._queue[0].created_at - self.max_skew - self._clock()
                with trio.move_on_after(min(max(wait, 0.0), 60.0) + 0.05):
                    await self._wake.wait()
            else:
                await self._wake.wait()
            self._wake = trio.Event()
            if ready := self.due():
                await release([e for e, _ in ready], [p for _, p in ready])
