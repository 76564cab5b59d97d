"""The personalized PageRank solve of the trust engine (DESIGN.md §5): one viewer's walk.

Owns the numerics only: given the walk's transition matrix and a viewer, the
stationary distribution of the walk with restart at the viewer, to a stated
accuracy, optionally warm-started from an earlier solution.

With ``M = (1 - ALPHA) P^T`` (P the row-normalized steps the walk may take, over
its states: trust_outward.py; a row sums to less than 1 where some steps are
not allowed, and is empty for a member without out-edges) the walk's
distribution is ``x = y / sum(y)`` where ``(I - M) y = ALPHA e_v``: a walk that
cannot go on returns to the viewer, which only rescales y. The linear system is solved by restarted
GMRES (a few times fewer matrix products than power iteration on these graphs),
falling back to power iteration should a GMRES cycle stall.

Accuracy is proved, not hoped: ``||M||_1 <= 1 - ALPHA``, so ``||y - y*||_1 <=
||r||_1 / ALPHA`` for the residual r of y, computed afresh at the end; the solve
stops once that bounds ``||x - x*||_1`` by ``TOLERANCE``, whether it started cold
(from nothing) or warm (from the viewer's vector before an update). Cold solves are
deterministic: the same matrix gives the same bits (no BLAS: its threads would make
sums depend on the machine, and stall when the cores are busy).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from scipy import sparse

__all__ = ["ALPHA", "MAX_ITERATIONS", "RESTART", "TOLERANCE", "solve"]

ALPHA = 0.15  # restart probability of the personalized walk
TOLERANCE = 1e-12  # bound on the L1 error of a raw (personalized PageRank) vector
MAX_ITERATIONS = 2000  # matrix products per solve, at most
RESTART = 10  # GMRES cycle length: the Krylov basis is RESTART + 1 vectors of n

FloatArray = npt.NDArray[np.float64]


def _target(y: FloatArray) -> float:
    """Largest L1 residual that still bounds the normalized vector's error by TOLERANCE.

    ||x - x*||_1 <= 2 ||y - y*||_1 / sum(y) <= 2 ||r||_1 / (ALPHA sum(y)); sum(y*) >= ALPHA.
    """
    return TOLERANCE * ALPHA * max(float(y.sum()), ALPHA) / 2.0


def solve(m: sparse.csc_array, v: int, start: FloatArray | None = None) -> FloatArray:
    """y with (I - m) y = ALPHA e_v to within `TOLERANCE` (see the module text).

    `m` is (1 - ALPHA) P^T; `start` an earlier y for this viewer (a warm start) or None,
    0 wherever the walk cannot reach. Entries the walk cannot reach are then exactly 0
    (every Krylov vector is 0 there); none is negative.
    """
    n = m.shape[0]
    b = np.zeros(n, dtype=np.float64)
    b[v] = ALPHA
    if start is None:
        y = np.zeros(n, dtype=np.float64)
        r = b.copy()
        used = 0
    else:
        y = start.copy()
        r = b - (y - m @ y)
        used = 1
    res1 = float(np.abs(r).sum())
    while res1 > _target(y) and used < MAX_ITERATIONS:
        y, steps = _gmres_cycle(m, y, r, res1, _target(y))
        used += steps + 1
        r = b - (y - m @ y)
        before, res1 = res1, float(np.abs(r).sum())
        if res1 > 0.5 * before and res1 > _target(y):
            y, steps = _power(m, b, y, _target(y))  # a stalled cycle: contract instead
            used += steps + 1
            r = b - (y - m @ y)
            res1 = float(np.abs(r).sum())
    np.maximum(y, 0.0, out=y)  # the exact vector is >= 0: clipping only removes error
    return y


def _dot(x: FloatArray, y: FloatArray) -> float:
    return float(np.einsum("i,i->", x, y))


def _norm(x: FloatArray) -> float:
    return math.sqrt(_dot(x, x))


def _gmres_cycle(
    m: sparse.csc_array, y: FloatArray, r: FloatArray, res1: float, target1: float
) -> tuple[FloatArray, int]:
    """One restarted-GMRES cycle from y with residual r; returns the new y and its products.

    Stops early once the residual's 2-norm, scaled as the L1 norm was, meets the target.
    """
    beta = _norm(r)
    target2 = beta * target1 / res1
    n = r.shape[0]
    size = RESTART
    basis = np.empty((size + 1, n), dtype=np.float64)
    basis[0] = r / beta
    h = np.zeros((size + 1, size), dtype=np.float64)
    g = [beta] + [0.0] * size
    cs = [0.0] * size
    sn = [0.0] * size
    k = 0
    for j in range(size):
        w = basis[j + 1]
        np.subtract(basis[j], m @ basis[j], out=w)
        ww = _dot(w, w)
        col = []
        for i in range(j + 1):  # modified Gram-Schmidt, one basis vector at a time
            c = _dot(basis[i], w)
            w -= c * basis[i]
            col.append(c)
        hh = _dot(w, w)
        hn = math.sqrt(hh)
        col.append(hn)
        for i in range(j):  # earlier Givens rotations
            a, c = col[i], col[i + 1]
            col[i], col[i + 1] = cs[i] * a + sn[i] * c, -sn[i] * a + cs[i] * c
        d = math.hypot(col[j], col[j + 1])
        cs[j], sn[j] = (col[j] / d, col[j + 1] / d) if d > 0.0 else (1.0, 0.0)
        col[j], col[j + 1] = d, 0.0
        g[j + 1], g[j] = -sn[j] * g[j], cs[j] * g[j]
        h[: j + 2, j] = col
        k = j + 1
        if abs(g[j + 1]) <= target2 or hh <= 1e-28 * ww:
            break  # converged, or the Krylov space is invariant (exact in it)
        w /= hn
    z = np.zeros(k, dtype=np.float64)
    for i in range(k - 1, -1, -1):  # back substitution on the triangular h
        z[i] = (g[i] - float(np.einsum("i,i->", h[i, i + 1 : k], z[i + 1 : k]))) / h[i, i]
    for i in range(k):
        y = y + z[i] * basis[i]
    return y, k


def _power(
    m: sparse.csc_array, b: FloatArray, y: FloatArray, target1: float
) -> tuple[FloatArray, int]:
    """Power iteration y <- m y + b: an L1 contraction by 1 - ALPHA, hence always converges."""
    steps = 0
    while steps < MAX_ITERATIONS:
        nxt = m @ y + b
        steps += 1
        change = float(np.abs(nxt - y).sum())
        y = nxt
        if change * (1.0 - ALPHA) <= target1:
            break  # the residual of y is m (y - previous): at most (1 - ALPHA) * change
    return y, steps
