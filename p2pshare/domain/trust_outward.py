"""The outward walk: which edges a viewer's trust walk may follow (issue 12 §5).

Owns one rule of the trust engine. Members are layered by their hop distance
from the viewer along the weighted edges (breadth-first, the viewer at 0). The
viewer's walk (trust_solve.py) follows an edge u → t only if t is at least as far
from the viewer as u: trust flows away from the viewer and along a layer, never
back towards the viewer. The transition probabilities stay those of the whole
graph (an edge's weight over all its signer's out-edges), so an edge the walk
may not follow keeps its share: that mass ends the walk (it restarts at the
viewer), it is not handed to the signer's other edges.

Why: in the plain personalized walk, mass that enters a small region of
identities goes round the region's loops and back, counted again at every
visit, so a funnel (identities that give everything to one of them, which gives
back) turned the flow of one attack edge into several times that flow for its
centre (issue 12 §5: a ten-identity region given an edge by a member two hops
from the viewer ranked in the viewer's top 10 %). Every loop goes back towards
the viewer somewhere or stays within one layer; a region's identities are first
reached through its attack edges, so its loops through a nearer identity are cut:
an identity reached through one attack edge holds at most what that edge carries,
shared with the identities it passes it to rather than multiplied by their echo.
An honest member keeps what reaches them along every path that does not turn
back: the many routes of an honest neighbourhood, sideways ones included, still
add up. The price of keeping the sideways routes: identities that attack edges
reach at the same distance can still echo among themselves (README, Benchmarks,
has the figures; a strict order that follows no sideways edge both ways loses an
honest neighbourhood's routes and ranks a far region above honest members).

Pure and order-independent: the distances and the mask depend only on the edge
arrays, which `Edges.patch` and a full build leave bit for bit alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from p2pshare.domain.trust_solve import ALPHA

if TYPE_CHECKING:
    from scipy import sparse

    from p2pshare.domain.trust_edges import BoolArray, Edges, IntArray

__all__ = ["distances", "outward", "outward_matrix"]


def distances(edges: Edges, v: int) -> IntArray:
    """Hop distance of every member from `v` along the edges; ``edges.n`` where no path leads."""
    from scipy.sparse import csgraph  # here: importing scipy costs the app's start ~0.25 s

    order, pred = csgraph.breadth_first_order(edges.forward, v, return_predecessors=True)
    far = edges.n
    dist = np.full(far, far, dtype=np.int64)
    dist[v] = 0
    rest = np.asarray(order[1:], dtype=np.int64)
    parent = np.asarray(pred, dtype=np.int64)[rest]
    # breadth-first order: each pass settles at least the next layer
    while len(rest):
        settled = dist[parent] < far
        dist[rest[settled]] = dist[parent[settled]] + 1
        rest, parent = rest[~settled], parent[~settled]
    return dist


def outward(edges: Edges, dist: IntArray) -> BoolArray:
    """Per edge (in pair order): may the walk follow it (its target no nearer the viewer)?"""
    return np.asarray(dist[edges.dst] >= dist[edges.src], dtype=np.bool_)


def outward_matrix(edges: Edges, dist: IntArray) -> sparse.csc_array:
    """The walk's (1 - ALPHA) P^T with the edges back towards the viewer left out."""
    from scipy import sparse

    data = np.where(outward(edges, dist), (1.0 - ALPHA) * edges.prob, 0.0)
    m = edges.matrix
    return sparse.csc_array((data, m.indices, m.indptr), shape=m.shape)
