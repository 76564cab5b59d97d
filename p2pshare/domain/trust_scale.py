"""Trust as a member reads it: a standing that does not jump (DESIGN.md §5, issue 12).

Owns the readable form of a score. The raw score (`TrustGraph.scores`) is the walk's
mass relative to the single best-supported peer, so it jumps whenever a new best
peer appears: one fulfilled hand-off can move everyone else's number by half.
The standing of a member is instead their percentile among the members the
viewer's evidence reaches: the share of those members whose score is at most
theirs, scores within `TIE` counting as equal (1.0: the most trusted; 0.0: no
path from the viewer). A new member,
however trusted, moves anyone else's standing by at most 1 / (members reached);
identities the viewer does not reach (a Sybil flood with no attack edge) are not
counted at all, so they can neither dilute nor inflate it.

Pure: scores in, standings out. The feed ranks by it (views.py), the views show it
beside the raw score, which `--json` keeps, and the trust engine weighs outcome
receipts by their signer's standing (trust.py): so the single most trusted peer
does not outweigh every other signer, and one member cannot smear another alone.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy.typing as npt

    from protocol import PublicKey

__all__ = ["TIE", "standing", "standing_vector", "standings"]

# Scores closer than this count as equal: the walk is solved to TOLERANCE (1e-12), so
# two members whose evidence is alike may come out a few ulps apart, in either order
# depending on where a (warm) solve started; their standings must not depend on that.
TIE = 1e-9


def standings(scores: Mapping[PublicKey, float]) -> dict[PublicKey, float]:
    """Every member's standing: the share of reached members scoring at most as much
    (members with a zero score are left out, and read 0.0)."""
    reached = sorted(s for s in scores.values() if s > 0.0)
    n = len(reached)
    if not n:
        return {}
    return {k: bisect_right(reached, s + TIE) / n for k, s in scores.items() if s > 0.0}


def standing(standings_: Mapping[PublicKey, float], key: PublicKey, me: PublicKey) -> float:
    """One member's standing; the viewer's own is 1.0."""
    return 1.0 if key == me else standings_.get(key, 0.0)


def standing_vector(trust: npt.NDArray[np.float64], v: int) -> npt.NDArray[np.float64]:
    """`standings` over the trust engine's arrays: member v (the viewer) reads 1.0."""
    others = trust.copy()
    others[v] = 0.0
    reached = np.sort(others[others > 0.0])
    out = np.zeros_like(others)
    if len(reached):
        at = others > 0.0
        out[at] = np.searchsorted(reached, others[at] + TIE, side="right") / len(reached)
    out[v] = 1.0
    return out
