"""Is this member's clock wrong? Judged from the dates of the live records peers send.

A record that arrives by gossip was signed moments ago, so its date minus our
clock is roughly the author's clock error minus ours. One author's error says
little about us; when most recent authors (the median over the last few dozen)
are off by the same side by more than `threshold`, the odd clock is ours. The
node emits `ClockSkew` when that verdict changes, for the app to tell its member
(a member whose clock runs fast has its records held by every peer, issue 16 §4).
"""

from __future__ import annotations

import statistics
from collections import OrderedDict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


class ClockWatch:
    def __init__(
        self,
        on_change: Callable[[bool, int, int], None],
        *,
        threshold: float = 300.0,
        min_authors: int = 5,
        window: int = 50,
    ) -> None:
        self._on_change = on_change  # (suspect, median offset s, authors)
        self.threshold, self.min_authors, self.window = threshold, min_authors, window
        self._offsets: OrderedDict[str, float] = OrderedDict()
        self.suspect = False
        self.offset = 0

    def observe(self, author: str, offset: float) -> None:
        """A live record by `author` dated `offset` seconds after our clock."""
        self._offsets.pop(author, None)
        self._offsets[author] = offset
        if len(self._offsets) > self.window:
            self._offsets.popitem(last=False)
        if len(self._offsets) < self.min_authors:
            return
        median = statistics.median(self._offsets.values())
        suspect = abs(median) > self.threshold
        self.offset = round(median)
        if suspect != self.suspect:
            self.suspect = suspect
            self._on_change(suspect, self.offset, len(self._offsets))
