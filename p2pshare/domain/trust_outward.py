"""The outward walk: which steps a viewer's trust walk may take (issue 12 §5).

Owns one rule of the trust engine. Members are layered by their hop distance
from the viewer along the weighted edges (breadth-first, the viewer at 0). The
viewer's walk (trust_solve.py) takes an edge u → t only if t is farther from the
viewer than u (outward), or as far (sideways) when the walk did not reach u by a
sideways step itself: never back towards the viewer, and never two sideways
steps in a row. The transition probabilities stay those of the whole graph (an
edge's weight over all its signer's out-edges), so a step the walk may not take
keeps its share: that mass ends the walk (it restarts at the viewer), it is not
handed to the signer's other edges. The walk needs to know how it reached a
member, so it runs over two states per member (`outward_matrix`).

Why: in the plain personalized walk, mass that enters a small region of
identities goes round the region's loops, counted again at every visit, so a
funnel (identities that give everything to one of them, which gives back)
turned the flow of one attack edge into several times that flow for its centre
(issue 12 §5: a ten-identity region given an edge by a member two hops from the
viewer ranked in the viewer's top 10 %). This walk has no loop at all (every
loop goes back towards the viewer somewhere, or takes two sideways steps in a
row), so it visits a member at most once: a member's raw score is the chance
that a walk reaches them, and no identity of a region scores more than the
chance that a walk takes one of the region's attack edges: what those edges
carry, shared among the identities rather than multiplied by their echo, never
more than one honest newcomer given the same edges. An honest member keeps what
reaches them along every outward path, with a sideways step at each distance.
Dropping the sideways steps altogether (or following each sideways edge one way
only, by weighted distance) loses too much of an honest neighbourhood's routes: a
region given one far edge then outranked the median honest member; allowing
sideways steps without limit keeps loops among identities at one distance.

Pure and order-independent: the distances and the matrix depend only on the edge
arrays, which `Edges.patch` and a full build leave bit for bit alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from p2pshare.domain.trust_solve import ALPHA

if TYPE_CHECKING:
    from scipy import sparse

    from p2pshare.domain.trust_edges import Edges, IntArray

__all__ = ["distances", "outward_matrix"]


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


def outward_matrix(edges: Edges, dist: IntArray) -> sparse.csc_array:
    """The walk's (1 - ALPHA) P^T over its two states per member (module text): column m
    is member m reached from nearer, column n + m member m reached from the same
    distance; rows likewise. Entries the walk may not take are stored as 0."""
    from scipy import sparse

    n = edges.n
    carry = (1.0 - ALPHA) * edges.prob
    near, far = dist[edges.src], dist[edges.dst]
    out, side = far > near, far == near
    dst = edges.dst.astype(np.int32)
    # from state m: outward edges to state t, sideways ones to state n + t, none back
    rows_near = dst + np.int32(n) * side.astype(np.int32)
    data_near = np.where(out | side, carry, 0.0)
    # from state n + m: outward edges only
    data_side = np.where(out, carry, 0.0)
    indptr = np.concatenate([edges.indptr, edges.indptr[1:] + len(dst)]).astype(np.int32)
    return sparse.csc_array(
        (np.concatenate([data_near, data_side]), np.concatenate([rows_near, dst]), indptr),
        shape=(2 * n, 2 * n),
    )
