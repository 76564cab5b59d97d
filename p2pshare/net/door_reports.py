"""What the door's verdicts become outside it: events for the owner, a sync after a flood.

The door (door.py) and storing (ingest.py) refuse records; the owner hears of
it as `RecordRejected`, at most one event per peer and kind of refusal a
second, so a flood of garbage never becomes a flood of events. A record
refused for budget is not lost: a sync with its sender follows shortly
(catchup.py). When the dates of peers' records say our own clock is off
(clock_watch.py), a warning is logged and `ClockSkew` emitted.
"""

from __future__ import annotations

import logging
import math
import time
from typing import TYPE_CHECKING, Any

from p2pshare.events import ClockSkew, RecordRejected
from p2pshare.net.door import FLOODS

if TYPE_CHECKING:
    from collections.abc import Callable

    import trio

    from p2pshare.net.catchup import CatchUp

log = logging.getLogger(__name__)

REJECT_EVENTS_KEPT = 1000  # (peer, kind) pairs remembered before the memory starts over


class DoorReports:
    """The door's and ingest's callbacks; `catchup` is set once it exists."""

    def __init__(
        self, emit: Callable[[Any], None], nursery: Callable[[], trio.Nursery | None]
    ) -> None:
        self._emit = emit
        self._nursery = nursery
        self.catchup: CatchUp | None = None
        self._reject_log: dict[tuple[str, str], float] = {}

    def on_refused(self, peer: str, kind: str, detail: str, live: bool) -> None:
        if kind == "duplicate":
            return
        self.on_reject(peer, f"{kind}: {detail}")
        if kind in FLOODS and (nursery := self._nursery()) and self.catchup:
            # An honest burst over the budget is not lost: what the door refused
            # comes by sync, which costs what is missing, shortly after (a session
            # stops at the first refusal for budget, so this paces it too).
            self.catchup.after_flood(nursery, peer)

    def on_reject(self, peer: str, reason: str) -> None:
        # One event per peer and kind of refusal per second: a flood of garbage
        # must not become a flood of events.
        key = (peer, reason.split(":")[0])
        now = time.monotonic()
        if now - self._reject_log.get(key, -math.inf) < 1.0:
            return
        self._reject_log[key] = now
        if len(self._reject_log) > REJECT_EVENTS_KEPT:
            self._reject_log.clear()
        self._emit(RecordRejected(member_id=peer, reason=reason))

    def on_clock(self, suspect: bool, offset: int, authors: int) -> None:
        if suspect:
            log.warning(
                "this computer's clock looks %d s %s: %d peers' records say so",
                abs(offset),
                "slow" if offset > 0 else "fast",
                authors,
            )
        self._emit(ClockSkew(suspect=suspect, offset=offset, authors=authors))
