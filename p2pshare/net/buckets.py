"""Token buckets: the one rate-limit primitive of the record door and the sync budget.

A bucket holds up to `burst` tokens and refills at `rate` per second; `take`
spends them. `Buckets` keeps one per key (peer, author) and forgets the idle
ones, so a stream of fresh keys cannot grow it without bound.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


@dataclass(slots=True)
class TokenBucket:
    rate: float
    burst: float
    tokens: float
    stamp: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + max(0.0, now - self.stamp) * self.rate)
        self.stamp = now

    def ready(self, now: float, amount: float = 1.0) -> bool:
        self.refill(now)
        return self.tokens >= amount

    def take(self, now: float, amount: float = 1.0) -> bool:
        if self.ready(now, amount):
            self.tokens -= amount
            return True
        return False

    def wait_for(self, now: float, amount: float) -> float:
        """Seconds until `amount` tokens are there (0 if they are now)."""
        self.refill(now)
        missing = amount - self.tokens
        return 0.0 if missing <= 0 else missing / self.rate


class Buckets:
    """One bucket per key, full when first seen; at most `limit` keys (least recent go)."""

    def __init__(self, rate: float, burst: float, limit: int = 10_000) -> None:
        self.rate, self.burst, self.limit = rate, burst, limit
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def get(self, key: str, now: float) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(self.rate, self.burst, self.burst, now)
            if len(self._buckets) > self.limit:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
        return bucket

    def forget(self, key: str) -> None:
        self._buckets.pop(key, None)

    def __len__(self) -> int:
        return len(self._buckets)
