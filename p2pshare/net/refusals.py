"""What the node refused, from whom and why: counts per peer and a periodic log line.

Every refusal of a record (the door's: flood, invalid, future, duplicate...)
and of a sync session (busy, budget) is counted here per peer and reason. The
counts are shown per peer (`Node.refusals`, `peers --json`), and while refusals
happen one INFO line a minute at most sums them up, so an operator under attack
sees it without DEBUG logging and a flood of garbage never becomes a flood of log lines.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, OrderedDict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger("p2pshare.net.refusals")

SUMMARY_SECONDS = 60.0
MAX_PEERS = 1000


class Refusals:
    def __init__(
        self,
        *,
        every: float = SUMMARY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.every = every
        self._clock = clock
        self._totals: OrderedDict[str, Counter[str]] = OrderedDict()
        self._recent: Counter[tuple[str, str]] = Counter()
        self._last_line = -float("inf")

    def add(self, peer: str, reason: str, count: int = 1) -> None:
        counts = self._totals.get(peer)
        if counts is None:
            counts = self._totals[peer] = Counter()
            if len(self._totals) > MAX_PEERS:
                self._totals.popitem(last=False)
        else:
            self._totals.move_to_end(peer)
        counts[reason] += count
        self._recent[(peer, reason)] += count
        self.tick()

    def of(self, peer: str) -> dict[str, int]:
        return dict(self._totals.get(peer, {}))

    def snapshot(self) -> dict[str, dict[str, int]]:
        return {peer: dict(counts) for peer, counts in self._totals.items()}

    def tick(self) -> None:
        """Log the summary if refusals happened and the last line is a minute old."""
        now = self._clock()
        if not self._recent or now - self._last_line < self.every:
            return
        self._last_line = now
        per_peer: dict[str, Counter[str]] = {}
        for (peer, reason), n in self._recent.items():
            per_peer.setdefault(peer, Counter())[reason] += n
        self._recent.clear()
        ranked = sorted(per_peer.items(), key=lambda kv: -sum(kv[1].values()))
        parts = [
            f"{peer[:12]}… " + ", ".join(f"{r} {n}" for r, n in counts.most_common())
            for peer, counts in ranked[:5]
        ]
        more = f"; and {len(ranked) - 5} more peers" if len(ranked) > 5 else ""
        total = sum(sum(c.values()) for _, c in ranked)
        log.info("refused %d in the last minute: %s%s", total, "; ".join(parts), more)
