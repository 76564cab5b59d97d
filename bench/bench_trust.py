"""Trust at scale: build, incremental rescore, and per-viewer solves against networkx.

Two synthetic networks (bench/synthetic.random_network): 10,000 members / ~100,000
weighted edges and 100,000 members / ~1,000,000. For each it reports

- build: `TrustGraph(vouches, receipts, now=...)` until its graph exists (the
  records → numpy rows → weighted edges pass), then the first viewer's scores;
- rescore after one new vouch (100k only): `graph.add(vouch)` then
  `graph.scores(viewer)`, warm-started from the viewer's previous vector, for a
  vouch elsewhere in the network and for one the viewer signs; next to it the cold
  solve of the same graph (a viewer never solved) and what a rebuild costs;
- per viewer: scores for viewers not solved before (cold), against networkx
  **with scipy** (`networkx.pagerank(G, personalization={viewer: 1}, ...)`, which
  runs `_pagerank_scipy`) on the same walk (the same transition probabilities over
  the walk's two states per member, trust_outward.py, the shares it may not take
  sent to the viewer; the graph is built per viewer, outside the timing), measured
  in the same run, with the speed ratio and the largest difference of the raw
  vectors.

Tolerances: p2pshare's raw vectors are proven within 1e-12 (L1) of the exact
solution (trust_solve.TOLERANCE); networkx runs at tol = 1e-10 / N, i.e. it stops
once an iteration changes the vector by less than 1e-10 in L1 (error <= 5.7e-10).
"Equal" means a max abs difference <= 1e-9.

    python -m bench trust
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, TypeVar

import networkx as nx

from p2pshare.domain import trust
from p2pshare.domain.trust import TrustGraph

from . import synthetic

if TYPE_CHECKING:
    from collections.abc import Callable

    from protocol import PublicKey

SIZES = ((10_000, 98_000, 5), (100_000, 980_000, 2))  # members, records, viewers vs networkx
EQUAL = 1e-9
T = TypeVar("T")


@dataclass(frozen=True)
class Span:
    """Wall-clock and CPU seconds of one measured call (CPU time is less sensitive to
    other processes on a shared machine)."""

    wall: float
    cpu: float

    def __add__(self, other: Span) -> Span:
        return Span(self.wall + other.wall, self.cpu + other.cpu)

    def __truediv__(self, k: float) -> Span:
        return Span(self.wall / k, self.cpu / k)

    def __str__(self) -> str:
        return f"{self.wall:.3f} s"


def _timed(fn: Callable[[], T]) -> tuple[T, Span]:
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, Span(time.perf_counter() - w0, time.process_time() - c0)


def _networkx(graph: TrustGraph) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(graph.members)
    g.add_weighted_edges_from(
        (m, d, p) for m in graph.members for d, p in graph.transitions(m).items()
    )
    return g


def _outward(full: nx.DiGraph, viewer: PublicKey) -> nx.DiGraph:
    """The viewer's walk for networkx (trust_outward.py): two nodes per member, (m, 0)
    reached from nearer and (m, 1) from the same distance; from (m, 0) outward and
    sideways edges, from (m, 1) outward ones; every share the walk may not take goes
    to the viewer instead, which is what ending the walk means for the stationary
    distribution. A member's raw score is the sum of its two nodes'."""
    hops = nx.single_source_shortest_path_length(full, viewer)
    far = len(full)
    g = nx.DiGraph()
    g.add_nodes_from((m, state) for m in full for state in (0, 1))
    for m, out in full.adjacency():
        lost = [0.0, 0.0]
        for d, attrs in out.items():
            step, w = hops.get(d, far) - hops.get(m, far), attrs["weight"]
            if step > 0:
                g.add_edge((m, 0), (d, 0), weight=w)
                g.add_edge((m, 1), (d, 0), weight=w)
            elif step == 0:
                g.add_edge((m, 0), (d, 1), weight=w)
                lost[1] += w
            else:
                lost[0] += w
                lost[1] += w
        for state in (0, 1):
            if lost[state] > 0.0:
                g.add_edge((m, state), (viewer, 0), weight=lost[state])
    return g


def _row(label: str, span: Span, note: str = "") -> None:
    print(f"  {label:<56}{span.wall:>8.3f} s  (cpu {span.cpu:6.3f} s)  {note}")


def _one_size(members: int, records: int, viewers: int, rng: random.Random) -> None:
    ev, t_gen = _timed(lambda: synthetic.random_network(rng, members, records))
    picked = rng.sample(ev.members, viewers + 3)
    print(
        f"{members:,} members, {len(ev.vouches):,} vouches + {len(ev.receipts):,} receipts"
        f"  (generated in {t_gen.wall:.1f} s)"
    )

    def build() -> TrustGraph:
        graph = TrustGraph(ev.vouches, ev.receipts, now=synthetic.NOW)
        graph.members  # noqa: B018  (builds the graph)
        return graph

    graph, t_build = _timed(build)
    n_edges = graph.edge_count
    _row(f"build: records → graph ({n_edges:,} weighted edges)", t_build, "goal <= 3 s at 100k")
    viewer = picked[0]
    _, t_first = _timed(lambda: graph.scores(viewer))
    _row("scores, first viewer (cold solve)", t_first)

    if members >= 100_000:
        # one new vouch elsewhere, then one by the viewer: add + warm rescore
        for who, voucher in (("elsewhere", picked[1]), ("by the viewer", viewer)):
            vouch = synthetic.vouch(rng, voucher, rng.choice(ev.members), synthetic.NOW)
            _, t_add = _timed(partial(graph.add, vouch))
            _, t_warm = _timed(lambda: graph.scores(viewer))
            _row(
                f"one new vouch ({who}): add + scores (warm)",
                t_add + t_warm,
                f"add {t_add} + solve {t_warm}; goal <= 0.5 s",
            )
        _, t_cold = _timed(lambda: graph.scores(picked[2]))
        _row("same graph, a viewer never solved: scores (cold)", t_cold)
        _row("rebuild + cold scores (how the app recomputed before)", t_build + t_first)

    _, t_cold_total = _timed(lambda: [graph.scores(v) for v in picked[3:]])
    t_ours = t_cold_total / viewers
    _row(f"scores per viewer, cold (mean of {viewers})", t_ours)

    nxg, t_nxg = _timed(lambda: _networkx(graph))
    tol = 1e-10 / (2 * graph_size(graph))
    worst = 0.0
    t_nx = Span(0.0, 0.0)
    for v in picked[3:]:
        ref, t = _timed(partial(_pagerank, _outward(nxg, v), v, tol))
        t_nx += t
        ours = graph.raw(v)
        worst = max(worst, max(abs(ours.get(m, 0.0) - x) for m, x in ref.items()))
    t_nx /= viewers
    _row(f"networkx.pagerank (scipy) per viewer (mean of {viewers})", t_nx, f"graph {t_nxg}")
    print(
        f"  speed-up per viewer vs networkx+scipy: {t_nx.wall / t_ours.wall:.1f}x wall, "
        f"{t_nx.cpu / t_ours.cpu:.1f}x cpu (goal >= 10x); "
        f"max |raw - networkx| {worst:.1e} "
        f"({'equal' if worst <= EQUAL else 'NOT EQUAL'} at {EQUAL:g})"
    )
    if members < 100_000:
        best = graph.scores(viewer)
        top = max(best, key=lambda k: (best[k], k))
        ex, t_explain = _timed(lambda: graph.explain(viewer, top))
        _row(f"explain (top 5 paths: found {len(ex.paths)})", t_explain)


def _pagerank(graph: nx.DiGraph, viewer: PublicKey, tol: float) -> dict[PublicKey, float]:
    """networkx's personalized PageRank (its scipy implementation, scipy being installed)."""
    states = nx.pagerank(
        graph,
        alpha=1.0 - trust.ALPHA,
        personalization={(viewer, 0): 1.0},
        tol=tol,
        max_iter=10_000,
    )
    ranks: dict[PublicKey, float] = {}
    for (member, _), x in states.items():
        ranks[member] = ranks.get(member, 0.0) + x
    return ranks


def graph_size(graph: TrustGraph) -> int:
    return len(graph.members)


def main() -> None:
    rng = random.Random(20240611)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} cores, load average {load} (wall-clock figures scale with it)")
    print(
        f"tolerances: p2pshare raw L1 error <= {trust.TOLERANCE:g} (proven); "
        "networkx tol = 1e-10/N (stops at L1 change < 1e-10)"
    )
    for members, records, viewers in SIZES:
        _one_size(members, records, viewers, rng)


if __name__ == "__main__":
    main()
