"""Time a full trust computation on 10,000 members / 100,000 evidence edges and check
its personalized PageRank against networkx on the same weighted graph.

    python -m bench.bench_trust
"""

from __future__ import annotations

import random
import time

import networkx as nx

from p2pshare.domain import trust
from p2pshare.domain.trust import TrustGraph

from . import synthetic

MEMBERS = 10_000
RECORDS = 98_000  # gives about 100,000 distinct weighted edges (forwards add some)
VIEWERS = 5


def _networkx_ppr(graph: nx.DiGraph, viewer: bytes) -> tuple[dict[bytes, float], str]:
    kwargs = dict(
        alpha=1.0 - trust.ALPHA, personalization={viewer: 1.0}, tol=1e-15, max_iter=10_000
    )
    try:
        return nx.pagerank(graph, **kwargs), "networkx.pagerank (scipy)"
    except (ImportError, ModuleNotFoundError):
        # networkx.pagerank needs scipy; its pure-Python reference is the same algorithm.
        from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

        return _pagerank_python(graph, **kwargs), "networkx _pagerank_python (no scipy)"


def main() -> None:
    rng = random.Random(20240611)
    ev = synthetic.random_network(rng, MEMBERS, RECORDS)
    viewers = rng.sample(ev.members, VIEWERS)

    t0 = time.perf_counter()
    graph = TrustGraph(ev.vouches, ev.receipts, now=synthetic.NOW)
    first = graph.scores(viewers[0])
    t_first = time.perf_counter() - t0
    members = graph.members
    n_edges = sum(len(graph.transitions(m)) for m in members)

    t0 = time.perf_counter()
    for v in viewers[1:]:
        graph.scores(v)
    t_more = (time.perf_counter() - t0) / (VIEWERS - 1)

    t0 = time.perf_counter()
    graph.add(synthetic.vouch(rng, viewers[0], rng.choice(ev.members), synthetic.NOW))
    graph.scores(viewers[0])
    t_add = time.perf_counter() - t0

    t0 = time.perf_counter()
    ex = graph.explain(viewers[0], max(first, key=lambda k: (first[k], k)))
    t_explain = time.perf_counter() - t0

    nxg = nx.DiGraph()
    nxg.add_nodes_from(members)
    for m in members:
        for d, p in graph.transitions(m).items():
            nxg.add_edge(m, d, weight=p)
    worst = 0.0
    t_nx = 0.0
    label = ""
    for v in viewers:
        t0 = time.perf_counter()
        ref, label = _networkx_ppr(nxg, v)
        t_nx += time.perf_counter() - t0
        ours = graph.raw(v)
        worst = max(worst, max(abs(ours.get(m, 0.0) - ref[m]) for m in members))
    t_nx /= VIEWERS

    print(
        f"members {len(members):,}   weighted edges {n_edges:,}   records "
        f"{len(ev.vouches):,} vouches + {len(ev.receipts):,} receipts"
    )
    print(f"{'computation':<48}{'seconds':>10}")
    print(f"{'p2pshare: build graph + scores (1st viewer)':<48}{t_first:>10.3f}")
    print(f"{'p2pshare: scores, another viewer (graph built)':<48}{t_more:>10.3f}")
    print(f"{'p2pshare: add one vouch, then scores again':<48}{t_add:>10.3f}")
    print(f"{'p2pshare: explain (top 5 paths)':<48}{t_explain:>10.3f}")
    print(f"{label + ', per viewer':<48}{t_nx:>10.3f}")
    print(
        f"speed-up per viewer vs networkx: {t_nx / t_more:.1f}x "
        f"(first viewer incl. build: {t_nx / t_first:.1f}x)"
    )
    print(
        f"max |raw PPR - networkx| over {VIEWERS} viewers x {len(members):,} members: "
        f"{worst:.2e}  ({'OK' if worst <= 1e-6 else 'MISMATCH'} at 1e-6)"
    )
    print(
        f"explain found {len(ex.paths)} paths, top share {ex.paths[0].share if ex.paths else 0:.1%}"
    )


if __name__ == "__main__":
    main()
