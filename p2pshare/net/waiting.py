"""Records the ledger cannot judge yet: they name a record this node does not have.

A forward or an accept of an offer nobody here has seen, an outcome before its
hand-off: refused, they would come back by sync forever; stored, they would be
relayed before anyone could tell whether they are valid (issue 16 §5). They
wait here, bounded (a total and a per-peer cap) and for a while (`ttl`), and
are judged again as records arrive: stored when the ledger takes them, refused
(a strike for the peer that sent them) when it refuses them, dropped when
their time is up (sync brings them again if they still matter).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import trio

from p2pshare.domain.ledger_part import PENDING

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from protocol import Envelope, RecordId


@dataclass(slots=True)
class _Waiting:
    envelope: Envelope
    peer: str
    since: float


class Waiting:
    def __init__(
        self,
        *,
        limit: int = 500,
        per_peer: int = 50,
        ttl: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.per_peer, self.ttl = limit, per_peer, ttl
        self._clock = clock
        self._items: OrderedDict[RecordId, _Waiting] = OrderedDict()
        self._per_peer: dict[str, int] = {}
        self._wake = trio.Event()
        self.expired = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, record: RecordId) -> bool:
        return record in self._items

    def add(self, envelope: Envelope, peer: str) -> bool:
        """Keep `envelope` until it can be judged; False if there is no room."""
        if envelope.id in self._items:
            return True
        if self._per_peer.get(peer, 0) >= self.per_peer:
            return False
        if len(self._items) >= self.limit:
            self._drop(next(iter(self._items)))  # the oldest goes
        self._items[envelope.id] = _Waiting(envelope, peer, self._clock())
        self._per_peer[peer] = self._per_peer.get(peer, 0) + 1
        return True

    def poke(self) -> None:
        """Records arrived: some waiting ones may be judged now."""
        if self._items:
            self._wake.set()

    def _drop(self, record: RecordId) -> _Waiting:
        item = self._items.pop(record)
        left = self._per_peer.get(item.peer, 1) - 1
        if left > 0:
            self._per_peer[item.peer] = left
        else:
            self._per_peer.pop(item.peer, None)
        return item

    def judge(
        self, judge: Callable[[Envelope], str | None]
    ) -> tuple[list[tuple[Envelope, str]], list[tuple[Envelope, str, str]]]:
        """Judge every waiting record again: (ready, refused with the reason)."""
        now = self._clock()
        ready: list[tuple[Envelope, str]] = []
        refused: list[tuple[Envelope, str, str]] = []
        for rid, item in list(self._items.items()):
            why = judge(item.envelope)
            if why is None:
                self._drop(rid)
                ready.append((item.envelope, item.peer))
            elif not why.startswith(PENDING):
                self._drop(rid)
                refused.append((item.envelope, item.peer, why))
            elif now - item.since > self.ttl:
                self._drop(rid)
                self.expired += 1
        return ready, refused

    async def run(
        self,
        judge: Callable[[Envelope], str | None],
        release: Callable[[list[Envelope], list[str]], Awaitable[object]],
        refuse: Callable[[Envelope, str, str], None],
    ) -> None:
        """Judge again when records arrive (at most once a second), or every minute."""
        while True:
            with trio.move_on_after(60.0):
                await self._wake.wait()
            self._wake = trio.Event()
            ready, refused = self.judge(judge)
            for envelope, peer, why in refused:
                refuse(envelope, peer, why)
            if ready:
                await release([e for e, _ in ready], [p for _, p in ready])
            await trio.sleep(1.0)
