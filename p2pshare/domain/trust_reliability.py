"""The shown score from the walk's raw mass (DESIGN.md §5, steps 3 and 4 of trust.py).

Owns what happens after propagation: raw mass made relative to the viewer's
best-supported peer (0..1, so a flood of identities cannot dilute or inflate it),
and the reliability factor ``(1 + P) / (1 + P + FAILURE_WEIGHT * F)`` by which
failed hand-offs lower a fulfiller's score, each receipt weighted by its signer's
standing (trust_scale.py). Separate from trust.py because it is the one place
failures count: they add no edge to the walk, only this factor after it.

Pure: vectors indexed by member number in, vectors out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from p2pshare.domain.trust_edges import FAILURE_WEIGHT
from p2pshare.domain.trust_scale import standing_vector

if TYPE_CHECKING:
    from p2pshare.domain.trust_edges import Edges, FloatArray

__all__ = ["relative_trust", "reliability"]


def relative_trust(x: FloatArray, v: int) -> FloatArray:
    """Raw mass relative to the best-supported non-self member; the viewer is 1."""
    others = x.copy()
    others[v] = 0.0
    ref = float(others.max())
    base = others / ref if ref > 0.0 else others
    base[v] = 1.0
    return base


def reliability(edges: Edges, trust: FloatArray, v: int) -> FloatArray:
    """Per member: (1 + P) / (1 + P + FAILURE_WEIGHT * F), weighted by each signer's
    standing (trust_scale.py), not by trust relative to the best peer."""
    e = edges
    t = standing_vector(trust, v)[e.o_author]
    good = np.bincount(e.o_member, weights=t * e.o_good, minlength=e.n)
    bad = np.bincount(e.o_member, weights=t * e.o_bad, minlength=e.n)
    return np.asarray((1.0 + good) / (1.0 + good + FAILURE_WEIGHT * bad), dtype=np.float64)
