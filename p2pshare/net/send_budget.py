"""What the node sends in sync sessions: a byte budget per peer and in all, and session slots.

A sync request costs its sender a few bytes and the responder up to its whole
store (a 29-byte "I hold nothing" used to draw 38,000 times its size, as often
as asked, issue 16 §2). So what a session writes is paced by a token bucket of
bytes per peer (a minute's worth at once: an honest newcomer's 10,000 records,
about 5 MB, go out at full speed) and one for the whole node; one session per
peer at a time; a cap on sessions peers start, refused (not queued) when full.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import trio

from p2pshare.net.buckets import Buckets, TokenBucket

if TYPE_CHECKING:
    from collections.abc import Callable

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class SendLimits:
    peer_bytes_per_minute: float = 16 * MIB
    node_bytes_per_minute: float = 64 * MIB
    inbound_sessions: int = 4  # sessions peers start with us, at once
    outbound_sessions: int = 4  # sessions we start, at once


class SendBudget:
    def __init__(
        self, limits: SendLimits | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = lim = limits or SendLimits()
        self._clock = clock
        per_peer = lim.peer_bytes_per_minute
        self._peers = Buckets(per_peer / 60.0, per_peer, limit=2_000)
        node = lim.node_bytes_per_minute
        self._node = TokenBucket(node / 60.0, node, node, clock())
        self.inbound = 0
        self.paced_seconds = 0.0  # time sessions waited for the budget, in all

    def may_start_inbound(self) -> bool:
        return self.inbound < self.limits.inbound_sessions

    async def spend(self, peer: str, size: int) -> None:
        """Wait until `size` bytes may go to `peer`, then count them as sent."""
        bucket = self._peers.get(peer, self._clock())
        while True:
            now = self._clock()
            # a write bigger than a bucket's burst is let through once it is full
            want_peer = min(float(size), bucket.burst)
            want_node = min(float(size), self._node.burst)
            wait = max(bucket.wait_for(now, want_peer), self._node.wait_for(now, want_node))
            if wait <= 0:
                bucket.tokens -= want_peer
                self._node.tokens -= want_node
                return
            self.paced_seconds += wait
            await trio.sleep(wait)
