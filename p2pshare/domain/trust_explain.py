"""Why a viewer trusts a member: the paths and evidence behind one score (DESIGN.md §5).

Owns the explanation types (`Explanation` and its parts), the search for the paths
that contribute most to a raw score, the ranking of the evidence signed about a
member, and their rendering as text. `TrustGraph.explain` (trust.py) is the entry
point; it hands this module the graph's arrays, never the other way round.
"""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from p2pshare.domain.trust_edges import (
    FAILURE_WEIGHT,
    Edges,
    EvidenceRows,
    FloatArray,
    IntArray,
)
from p2pshare.domain.trust_solve import ALPHA

if TYPE_CHECKING:
    from collections.abc import Callable

    from protocol import PublicKey

__all__ = [
    "Evidence",
    "EvidenceCounts",
    "Explainer",
    "Explanation",
    "Hop",
    "TrustPath",
    "render_explanation",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Hop:
    """One step of a trust path: the evidence the previous member signed about `member`."""

    member: PublicKey
    relation: str  # "vouch", "fulfilled" or "forwarded": the heaviest evidence of the hop
    vouched: bool
    skills: tuple[str, ...]
    fulfilled: int  # fulfilled hand-offs the previous member signed for this one
    forwarded: int  # fulfilled hand-offs this member helped route for the previous one


@dataclass(frozen=True, slots=True, kw_only=True)
class TrustPath:
    """A path from the viewer; `share` is its part of the member's raw score (0..1)."""

    hops: tuple[Hop, ...]
    share: float


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceCounts:
    """Evidence about the member signed by members the viewer trusts at all."""

    vouches: int = 0
    fulfilled: int = 0
    failed: int = 0
    disputed: int = 0  # of the failed: the recipient replied "fulfilled"
    forwarded: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """Receipts or a vouch one signer made about the member; `signer_trust` is 0..1."""

    signer: PublicKey
    kind: str  # "vouch", "fulfilled", "failed" or "forwarded"
    count: int
    signer_trust: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Explanation:
    """Why `viewer` trusts `member` as much as `score`; structured, for a CLI to render."""

    viewer: PublicKey
    member: PublicKey
    score: float  # 0..1, as in TrustGraph.scores
    raw: float  # the personalized PageRank mass
    reliability: float  # the factor failed hand-offs applied (1.0 = none)
    paths: tuple[TrustPath, ...]
    more_paths: int  # further simple paths found, grouped
    more_share: float  # the part of the raw score the listed paths leave (longer paths, loops)
    counts: EvidenceCounts
    evidence: tuple[Evidence, ...]  # strongest pieces first
    ignored: int  # pieces of evidence signed by members the viewer does not trust


@dataclass(slots=True)
class _Detail:
    """What one member signed about another, counted for explanations."""

    vouched: bool = False
    skills: set[str] = field(default_factory=set)
    fulfilled: int = 0
    failed: int = 0
    disputed: int = 0
    forwarded: int = 0


_KINDS = ("vouch", "fulfilled", "failed", "forwarded")
COVERAGE = 0.9  # list paths until they explain this much of a score...
MAX_LISTED = 12  # ...but never more than this many


class Explainer:
    """Explanations over one state of the graph (built per `explain` call)."""

    def __init__(
        self,
        keys: list[PublicKey],
        edges: Edges,
        rows: EvidenceRows,
        skills: Callable[[int], tuple[str, ...]],  # vouch row -> its skills
    ) -> None:
        self._keys = keys
        self._edges = edges
        self._rows = rows
        self._skills = skills
        self._cache: dict[int, dict[int, _Detail]] = {}

    def details(self, t: int) -> dict[int, _Detail]:
        """Per signer, what they signed about member `t` (live evidence, self excluded)."""
        if t in self._cache:
            return self._cache[t]
        out: dict[int, _Detail] = defaultdict(_Detail)
        v, r, f = self._rows.vouches, self._rows.receipts, self._rows.forwards
        for row in np.flatnonzero(v["alive"] & (v["dst"] == t) & (v["src"] != t)).tolist():
            d = out[int(v["src"][row])]
            d.vouched = True
            d.skills.update(self._skills(row))
        hit = np.flatnonzero(r["alive"] & (r["fulfiller"] == t) & (r["author"] != t))
        for a, ok, disputed in zip(
            r["author"][hit].tolist(),
            r["ok"][hit].tolist(),
            r["disputed"][hit].tolist(),
            strict=True,
        ):
            if ok:
                out[a].fulfilled += 1
            else:
                out[a].failed += 1
                out[a].disputed += disputed
        for a in f["author"][
            np.flatnonzero(f["alive"] & f["credit"] & (f["router"] == t))
        ].tolist():
            out[a].forwarded += 1
        self._cache[t] = out
        return out

    def top_paths(
        self, v: int, t: int, start: float, raw: float, limit: int, dist: IntArray
    ) -> tuple[tuple[TrustPath, ...], int]:
        """Simple paths v → t by their share of the raw score, best first, at any depth;
        and how many more simple paths the search found past the listed ones.

        Cutting every walk at its last visit to the viewer, pi(t) = pi(v) * sum over
        walks v → t that avoid v again of prod((1 - ALPHA) * p): a path's term is its
        exact contribution to the raw score. Terms only shrink as a path grows, so
        paths come off the heap in order. At least `limit` paths are listed, more
        (up to `MAX_LISTED`) until they cover `COVERAGE` of the score; the rest
        (longer paths, and walks that go round a loop) is the remainder. Nodes that
        cannot reach `t` at all are pruned. A path takes the steps the walk takes
        (trust_outward.py, `dist` the members' hop distances from v): never to a
        nearer member, and never two steps in a row at one distance.
        """
        e = self._edges
        # can each node reach t? breadth-first levels over in-edges, vectorized
        forward = e.forward
        reaches = np.zeros(e.n, dtype=np.bool_)
        reaches[t] = True
        frontier = reaches.astype(np.float64)
        while True:
            new = (forward @ frontier > 0.0) & ~reaches
            if not new.any():
                break
            reaches |= new
            frontier = new.astype(np.float64)
        can = reaches.tolist()
        indptr = e.indptr
        found: list[TrustPath] = []
        covered = 0.0
        more = 0
        far = dist.tolist()
        # (minus the path's term, the path, whether its last step stayed at one distance)
        heap: list[tuple[float, tuple[int, ...], bool]] = [(-start, (v,), False)]
        budget = 20_000  # heap pops: the listed paths come first, then a count of others
        while heap and budget:
            budget -= 1
            neg, path, sideways = heapq.heappop(heap)
            prob_path = -neg
            if prob_path < 1e-6 * raw:
                break
            node = path[-1]
            if node == t:
                share = min(1.0, prob_path / raw)
                if len(found) < MAX_LISTED and (len(found) < limit or covered < COVERAGE):
                    found.append(TrustPath(hops=self._hops(path), share=share))
                    covered += share
                else:
                    more += 1
                continue
            lo, hi = int(indptr[node]), int(indptr[node + 1])
            here = far[node]
            for nxt, p in zip(e.dst[lo:hi].tolist(), e.prob[lo:hi].tolist(), strict=True):
                step = far[nxt] - here
                if step < 0 or (step == 0 and sideways) or not can[nxt] or nxt in path:
                    continue
                term = -(prob_path * (1.0 - ALPHA) * p)
                heapq.heappush(heap, (term, (*path, nxt), step == 0))
        return tuple(found), more

    def _hops(self, path: tuple[int, ...]) -> tuple[Hop, ...]:
        e = self._edges
        hops = []
        for a, b in itertools.pairwise(path):
            i = e.find(a, b)
            assert i is not None  # the path follows edges
            parts = {
                "vouch": float(e.vouch_w[i]),
                "fulfilled": float(e.ful_w[i]),
                "forwarded": float(e.fwd_w[i]),
            }
            relation = max(parts, key=lambda k: (parts[k], k == "vouch"))
            d = self.details(b).get(a, _Detail())
            hops.append(
                Hop(
                    member=self._keys[b],
                    relation=relation,
                    vouched=d.vouched,
                    skills=tuple(sorted(d.skills)),
                    fulfilled=d.fulfilled,
                    forwarded=d.forwarded,
                )
            )
        return tuple(hops)

    def evidence_about(
        self, t: int, trust: FloatArray, limit: int
    ) -> tuple[EvidenceCounts, tuple[Evidence, ...], int]:
        """Counts of trusted evidence about `t`, its strongest pieces, and how many
        pieces were signed by members the viewer does not trust."""
        e = self._edges
        pieces: list[tuple[float, Evidence]] = []
        ignored = 0
        for s, d in sorted(self.details(t).items()):
            i = e.find(s, t)
            o = e.find(s, t, outcomes=True)
            items = [
                ("vouch", int(d.vouched), e.vouch_w[i] if i is not None else 0.0),
                ("fulfilled", d.fulfilled, e.ful_w[i] if i is not None else 0.0),
                ("forwarded", d.forwarded, e.fwd_w[i] if i is not None else 0.0),
                ("failed", d.failed, FAILURE_WEIGHT * e.o_bad[o] if o is not None else 0.0),
            ]
            signer_trust = float(trust[s])
            for kind, count, weight in items:
                if not count:
                    continue
                if signer_trust == 0.0:
                    ignored += count
                    continue
                ev = Evidence(
                    signer=self._keys[s], kind=kind, count=count, signer_trust=signer_trust
                )
                pieces.append((signer_trust * float(weight), ev))
        totals = {k: sum(ev.count for _, ev in pieces if ev.kind == k) for k in _KINDS}
        details = self.details(t)
        disputed = sum(d.disputed for s, d in details.items() if float(trust[s]) > 0.0)
        counts = EvidenceCounts(
            vouches=totals["vouch"],
            fulfilled=totals["fulfilled"],
            failed=totals["failed"],
            disputed=disputed,
            forwarded=totals["forwarded"],
        )
        pieces.sort(key=lambda p: (-p[0], p[1].signer, p[1].kind))
        return counts, tuple(ev for _, ev in pieces[:limit]), ignored


# --- text --------------------------------------------------------------------------


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _hop_text(hop: Hop) -> str:
    parts = []
    if hop.vouched:
        parts.append("vouch" + (f": {', '.join(hop.skills)}" if hop.skills else ""))
    if hop.fulfilled:
        parts.append(_plural(hop.fulfilled, "fulfilled hand-off", "fulfilled hand-offs"))
    if hop.forwarded:
        parts.append(_plural(hop.forwarded, "hand-off routed", "hand-offs routed"))
    return "; ".join(parts) or hop.relation


def render_explanation(explanation: Explanation, name: Callable[[PublicKey], str]) -> list[str]:
    """Text lines for a terminal, e.g. ``you → Shel (vouch) → Dana (3 fulfilled hand-offs)``."""
    ex = explanation
    who = name(ex.member)
    lines = [f"{who}: trust {ex.score:.2f}"]
    if not ex.paths:
        lines.append("  no path from you: nobody you trust vouched for or worked with them")
    for path in ex.paths:
        steps = "".join(f" → {name(h.member)} ({_hop_text(h)})" for h in path.hops)
        lines.append(f"  you{steps}  [{path.share:.0%}]")
    if ex.paths and ex.more_share >= 0.005:
        found = f", {ex.more_paths} found" if ex.more_paths else ""
        lines.append(f"  and other paths (longer, or through loops{found}): {ex.more_share:.0%}")
    c = ex.counts
    facts = []
    if c.vouches:
        facts.append(_plural(c.vouches, "vouch", "vouches"))
    if c.fulfilled:
        facts.append(_plural(c.fulfilled, "fulfilled hand-off", "fulfilled hand-offs"))
    if c.failed:
        facts.append(f"{c.failed} failed" + (f" ({c.disputed} disputed)" if c.disputed else ""))
    if c.forwarded:
        facts.append(_plural(c.forwarded, "hand-off routed", "hand-offs routed"))
    if facts:
        lines.append(f"  {who}: {', '.join(facts)} (signed by members you trust)")
    if ex.reliability < 1.0:
        lines.append(f"  failed hand-offs scale the score by {ex.reliability:.2f}")
    if ex.ignored:
        lines.append(
            f"  ignored: {_plural(ex.ignored, 'piece', 'pieces')} of evidence"
            " from members you do not trust"
        )
    return lines
