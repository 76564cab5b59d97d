"""How much the viewer's trust backs an offer: the feed's one use of trust scores.

Owns the rule that turns per-member trust into a per-offer signal: the *max* over
whoever posted or forwarded the offer, never a sum or a count, so a thousand
forwards by untrusted identities are worth exactly nothing (DESIGN.md §5).
Separate from trust.py, which scores members: this is the feed's reading of those
scores, and it needs nothing of the graph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from protocol import PublicKey

__all__ = ["offer_signal"]


def offer_signal(
    scores: Mapping[PublicKey, float],
    author: PublicKey,
    forwarders: Iterable[PublicKey],
    *,
    viewer: PublicKey | None = None,
) -> float:
    """How much the viewer's trust backs an offer: the most trusted of its endorsers.

    The max, not a sum or a count: a thousand forwards by identities the viewer does
    not trust add exactly nothing, and many weakly trusted ones add no more than
    the best of them. The viewer's own post counts as 1; the viewer's own forward
    counts nothing (passing an offer on says nothing about its source).
    """
    best = 1.0 if author == viewer else scores.get(author, 0.0)
    for key in forwarders:
        if key != viewer:
            best = max(best, scores.get(key, 0.0))
    return best
