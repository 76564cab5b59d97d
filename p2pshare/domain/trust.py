"""Personalized trust: how much the viewing member can rely on each peer (DESIGN.md §5).

Pure and deterministic: evidence (live vouches, outcome receipts) and `now` in,
scores out. No I/O, no clock, no randomness, and no dependence on input order:
records are de-duplicated by id, members indexed in key order, and every
floating-point sum taken in a canonical order. Vectorized with numpy and
scipy.sparse (bench/bench_trust.py has the figures).

The parts: this module (the `TrustGraph` entry point, its updates and scores);
trust_records.py (records → numbered members and rows); trust_edges.py (rows
aggregated into weighted edges); trust_solve.py (the personalized PageRank solve);
trust_reliability.py (raw mass → the shown score, failures); trust_explain.py
(explanations and their text); offer_signal.py (the feed's signal from scores).

The model
---------
1. Evidence becomes a weighted directed graph. A vouch is an edge voucher → subject
   of weight ``VOUCH_WEIGHT`` halved every ``VOUCH_HALF_LIFE`` (older weighs less;
   a revoked vouch is simply absent). A fulfilled receipt is an edge author →
   fulfiller of one unit, halved every ``RECEIPT_HALF_LIFE`` and scaled by its
   rating (1 star: half, 3: one, 5: one and a half, none: one); units of one
   pair add up with diminishing returns (``log2(1 + units)``), so one busy pair does not drown
   every other edge of its signer. The forwarders of a fulfilled receipt share
   ``FORWARD_SHARE`` of its unit as author → forwarder edges: connector credit.
2. Personalized PageRank with restart at the viewer: a walk starts at the viewer,
   follows out-edges in proportion to their weight (normalized per node) and
   jumps back to the viewer with probability ``ALPHA`` at every step, and from
   any node without out-edges. The raw score is the walk's stationary
   distribution. Each node passes on at most (1 - ALPHA) of the mass it holds,
   however many edges it signs, so evidence counts in proportion to the trust of
   its signer, and a node the viewer cannot reach scores exactly 0. The walk
   moves outward (trust_outward.py): never to a member nearer the viewer (in
   hops), never two steps in a row between members at one distance; a share it
   may not take ends the walk. So it has no loop: it visits a member at most
   once, and mass cannot go round a loop and be counted again.
3. Failed hand-offs add no edge. After propagation they lower the fulfiller's
   score by a reliability factor ``(1 + P) / (1 + P + FAILURE_WEIGHT * F)``,
   where F and P sum the signers' trust times recency over failed and fulfilled
   receipts about that member, each receipt weighted by its signer's standing
   (percentile among the members the viewer reaches, trust_scale.py): failures
   reported by people the viewer does not trust change nothing, and a long good
   record softens one failure. F counts one signer's failures about one member
   with diminishing weight (1, 1/2, 1/4...: at most 2), and a failure the
   recipient disputes (their own outcome says fulfilled) counts half.
4. The shown score is ``raw * factor / max(raw of any non-self member)``: 0..1,
   1 for the peer the viewer's evidence supports most, 0 with no path. It does
   not grow with the number of members, so a flood of identities cannot dilute or
   inflate it. The viewer does not score themselves.

Sybil resistance: restart mass enters a region of identities only through edges
into it signed from outside (attack edges), so the mass a Sybil region holds is
at most ``sum((1 - ALPHA) * pi(u) * p(u→s) for each attack edge u→s) / ALPHA``:
bounded by its attack edges, independent of how many identities, vouches,
forwards or receipts it makes among itself (bench/bench_sybil.py measures it).
Since the walk has no loop, no identity of a region scores more than the chance
that the walk takes one of the region's attack edges: a funnel's centre gets what
its attack edges carry, not that times the echo of its own identities, and no
more than one honest newcomer given the same edges would.
For the feed, `offer_signal` (offer_signal.py) takes the *max* trust over whoever
posted or forwarded an offer, never a sum: a thousand forwards by untrusted identities
are worth exactly nothing.

Updates
-------
`apply(added, removed)` (and `add`, `remove`, `advance`) update the graph in place:
new rows are appended, removed ones marked dead, and only the (signer, member)
pairs they touch are re-aggregated, bit for bit as a full build would (members who
join are numbered into key order, members no evidence mentions any more leave).
The next `scores(viewer)` re-solves warm, from that viewer's previous vector
(zeroed where the walk no longer reaches), to the same proven accuracy as a cold
solve: raw vectors within ``TOLERANCE`` (L1) of the exact one. At that accuracy a
warm start saves a part of the iterations, not most of them (a change of size d
needs the error cut by TOLERANCE / d rather than TOLERANCE / 1). So the same
evidence in any order, or in any batches, gives the same graph exactly and the
same raw vectors to within TOLERANCE; a graph built in one go gives the same bits
whatever the order of its input. Shown scores divide raw mass by the largest
non-self raw mass, so their agreement is TOLERANCE over that mass.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np

from p2pshare.domain.evidence import Receipt, VouchEdge
from p2pshare.domain.trust_edges import (
    DAY,
    FAILURE_WEIGHT,
    FORWARD_SHARE,
    RECEIPT_HALF_LIFE,
    VOUCH_HALF_LIFE,
    VOUCH_WEIGHT,
    Edges,
    FloatArray,
    unique,
)
from p2pshare.domain.trust_explain import (
    Evidence,
    EvidenceCounts,
    Explainer,
    Explanation,
    Hop,
    TrustPath,
    render_explanation,
)
from p2pshare.domain.trust_outward import distances, outward_matrix
from p2pshare.domain.trust_records import RecordRows
from p2pshare.domain.trust_reliability import relative_trust, reliability
from p2pshare.domain.trust_solve import ALPHA, MAX_ITERATIONS, TOLERANCE, solve

if TYPE_CHECKING:
    from collections.abc import Iterable

    from protocol import PublicKey, RecordId

__all__ = [
    "ALPHA",
    "DAY",
    "FAILURE_WEIGHT",
    "FORWARD_SHARE",
    "MAX_ITERATIONS",
    "RECEIPT_HALF_LIFE",
    "TOLERANCE",
    "VOUCH_HALF_LIFE",
    "VOUCH_WEIGHT",
    "Evidence",
    "EvidenceCounts",
    "Explanation",
    "Hop",
    "TrustGraph",
    "TrustPath",
    "render_explanation",
]

_ID = attrgetter("id")
WARM_VIEWERS = 16  # viewers whose last vector is kept to warm-start their next solve


class TrustGraph:
    """Evidence at one moment, and each viewer's trust in every member derived from it.

    Built lazily on the first query. Updated in place by `apply` (or `add`,
    `remove`, `advance`); scores are cached per viewer until the next update, and
    the last vector of the most recent viewers warm-starts their next solve.
    """

    def __init__(
        self, vouches: Iterable[VouchEdge], receipts: Iterable[Receipt], *, now: int
    ) -> None:
        self._now = now
        vs, rs = list(vouches), list(receipts)
        self._vouches: dict[RecordId, VouchEdge] = dict(zip(map(_ID, vs), vs, strict=True))
        self._receipts: dict[RecordId, Receipt] = dict(zip(map(_ID, rs), rs, strict=True))
        self._built = False
        self._raw: dict[PublicKey, FloatArray] = {}
        self._scores: dict[PublicKey, dict[PublicKey, float]] = {}
        # per viewer, the walk's two states by member (trust_outward.py), unnormalized,
        # maybe from before updates
        self._warm: dict[PublicKey, FloatArray] = {}
        self._r = RecordRows()  # filled, like _edges, by _build
        self._edges: Edges

    # evidence ------------------------------------------------------------------

    @property
    def now(self) -> int:
        return self._now

    def add(self, record: VouchEdge | Receipt) -> bool:
        """Take one new piece of evidence into account (a no-op if already known)."""
        return self.apply((record,), ())

    def remove(self, record_id: RecordId) -> bool:
        """Forget a piece of evidence, e.g. a vouch that was revoked."""
        return self.apply((), (record_id,))

    def apply(
        self, added: Iterable[VouchEdge | Receipt] = (), removed: Iterable[RecordId] = ()
    ) -> bool:
        """Add and remove evidence in one update (removals last); True if anything changed.

        Records already known and ids not known are ignored. Cost: proportional
        to the pairs the records touch plus a few passes over the edge arrays
        (no rebuild); the next `scores` re-solves warm.
        """
        new_v: dict[RecordId, VouchEdge] = {}
        new_r: dict[RecordId, Receipt] = {}
        for rec in added:
            if isinstance(rec, VouchEdge):
                if rec.id not in self._vouches:
                    new_v[rec.id] = rec
            elif rec.id not in self._receipts:
                new_r[rec.id] = rec
        gone: list[RecordId] = []
        for rid in dict.fromkeys(removed):
            dropped = new_v.pop(rid, None) or new_r.pop(rid, None)
            if dropped is None and (rid in self._vouches or rid in self._receipts):
                gone.append(rid)
        if not (new_v or new_r or gone):
            return False
        self._vouches.update(new_v)
        self._receipts.update(new_r)
        self._raw.clear()
        self._scores.clear()
        if not self._built:
            for rid in gone:
                if self._vouches.pop(rid, None) is None:
                    del self._receipts[rid]
            return True
        joining = {k for v in new_v.values() for k in (v.voucher, v.subject)}
        for r in new_r.values():
            joining.update((r.author, r.fulfiller, *r.forwarders))
        index = self._r.index
        fresh = sorted(k for k in joining if k not in index)
        if fresh:
            self._join(fresh)
        touched = []
        for rid in gone:
            if self._vouches.pop(rid, None) is not None:
                touched.append(self._r.forget_vouch(rid))
            else:
                del self._receipts[rid]
                touched.append(self._r.forget_receipt(rid))
        touched.append(self._r.append_vouches(list(new_v.values())))
        touched.append(self._r.append_receipts(list(new_r.values())))
        pairs = unique(np.concatenate(touched))
        if len(pairs) > len(self._edges.pairs) // 8:
            self._edges = Edges(self._r.rows, len(self._r.keys), float(self._now))
        else:
            self._edges.patch(self._r.rows, pairs, float(self._now))
        if gone:
            self._drop_unmentioned()
        return True

    def advance(self, now: int) -> None:
        """Re-date the evidence to `now` (weights decay), from the stored rows: no
        rebuild from records; the next `scores` re-solves warm."""
        if now == self._now:
            return
        self._now = now
        self._raw.clear()
        self._scores.clear()
        if self._built:
            self._edges = Edges(self._r.rows, len(self._r.keys), float(now))

    @property
    def members(self) -> tuple[PublicKey, ...]:
        """Every member any evidence mentions, in key order."""
        self._build()
        return tuple(self._r.keys)

    @property
    def edge_count(self) -> int:
        """How many weighted (signer → member) edges the walk follows."""
        self._build()
        return len(self._edges.pairs)

    def transitions(self, member: PublicKey) -> dict[PublicKey, float]:
        """Where a walk at `member` goes next, before restart: the normalized out-edges."""
        self._build()
        i = self._r.index.get(member)
        if i is None:
            return {}
        e = self._edges
        lo, hi = int(e.indptr[i]), int(e.indptr[i + 1])
        keys = self._r.keys
        return {
            keys[j]: p for j, p in zip(e.dst[lo:hi].tolist(), e.prob[lo:hi].tolist(), strict=True)
        }

    # graph ---------------------------------------------------------------------

    def _build(self) -> None:
        """Rows and edges from every record: one pass over the records (attribute
        reads, key lookups), the rest vectorized."""
        if self._built:
            return
        self._r.load(list(self._vouches.values()), list(self._receipts.values()))
        self._edges = Edges(self._r.rows, len(self._r.keys), float(self._now))
        self._built = True

    def _join(self, joining: list[PublicKey]) -> None:
        """Number new members into key order, renumbering everything indexed by member."""
        remap = self._r.join(joining)
        n = len(self._r.keys)
        self._edges.remap(remap, n)
        for viewer, y in self._warm.items():
            grown = np.zeros((2, n), dtype=np.float64)
            grown[:, remap] = y
            self._warm[viewer] = grown

    def _drop_unmentioned(self) -> None:
        """Members no live evidence mentions any more leave, as a rebuild would drop them."""
        left = self._r.drop_unmentioned()
        if left is None:
            return
        remap, gone = left
        for key in gone:
            self._warm.pop(key, None)
        self._edges.remap(remap, len(self._r.keys))
        stay = np.flatnonzero(remap >= 0)
        for viewer, y in self._warm.items():
            self._warm[viewer] = y[:, stay]

    # scores --------------------------------------------------------------------

    def raw(self, viewer: PublicKey) -> dict[PublicKey, float]:
        """The outward walk's distribution by member (sums to 1, the viewer included)."""
        vec = self._raw_vector(viewer)
        return {k: x for k, x in zip(self._r.keys, vec.tolist(), strict=True) if x > 0.0}

    def _raw_vector(self, viewer: PublicKey) -> FloatArray:
        self._build()
        x = self._raw.get(viewer)
        if x is not None:
            return x
        v = self._r.index.get(viewer)
        if v is None:
            x = np.zeros(len(self._r.keys), dtype=np.float64)
        else:
            dist = distances(self._edges, v)
            start = self._warm.pop(viewer, None)
            if start is not None:
                # The exact vector is 0 wherever the walk cannot reach (any more): start
                # there from 0 too, and the solve keeps those entries exactly 0.
                start = np.where(dist < len(dist), start, 0.0).reshape(-1)
            y = solve(outward_matrix(self._edges, dist), v, start).reshape(2, -1)
            self._warm[viewer] = y  # most recent last
            while len(self._warm) > WARM_VIEWERS:
                del self._warm[next(iter(self._warm))]
            x = (y[0] + y[1]) / y.sum()
        self._raw[viewer] = x
        return x

    def scores(self, viewer: PublicKey) -> dict[PublicKey, float]:
        """Every other known member's trust from `viewer`'s point of view, 0..1.

        Members the viewer's evidence does not reach score 0. Unknown viewers see 0s.
        """
        cached = self._scores.get(viewer)
        if cached is not None:
            return cached
        x = self._raw_vector(viewer)
        v = self._r.index.get(viewer)
        if v is None:
            result = dict.fromkeys(self._r.keys, 0.0)
        else:
            trust = relative_trust(x, v)
            final = trust * reliability(self._edges, trust, v)
            result = dict(zip(self._r.keys, final.tolist(), strict=True))
            del result[viewer]
        self._scores[viewer] = result
        return result

    def score(self, viewer: PublicKey, member: PublicKey) -> float:
        """One member's trust from `viewer`'s point of view, 0..1 (0 if unknown)."""
        return self.scores(viewer).get(member, 0.0)

    # explanations --------------------------------------------------------------

    def explain(self, viewer: PublicKey, member: PublicKey, limit: int = 5) -> Explanation:
        """The paths and the pieces of evidence that contribute most to one score."""
        x = self._raw_vector(viewer)
        v = self._r.index.get(viewer)
        t = self._r.index.get(member)
        raw = float(x[t]) if t is not None else 0.0
        if v is None or t is None or v == t:
            return Explanation(
                viewer=viewer,
                member=member,
                score=1.0 if viewer == member else 0.0,
                raw=raw,
                reliability=1.0,
                paths=(),
                more_paths=0,
                more_share=0.0,
                counts=EvidenceCounts(),
                evidence=(),
                ignored=0,
            )
        trust = relative_trust(x, v)
        explainer = Explainer(
            self._r.keys,
            self._edges,
            self._r.rows,
            lambda row: self._vouches[self._r.vouch_ids[row]].skills,
        )
        paths, more = (
            explainer.top_paths(v, t, float(x[v]), raw, limit, distances(self._edges, v))
            if raw > 0.0
            else ((), 0)
        )
        counts, evidence, ignored = explainer.evidence_about(t, trust, limit)
        return Explanation(
            viewer=viewer,
            member=member,
            score=self.score(viewer, member),
            raw=raw,
            reliability=float(reliability(self._edges, trust, v)[t]) if raw > 0.0 else 1.0,
            paths=paths,
            more_paths=more,
            more_share=max(0.0, 1.0 - sum(p.share for p in paths)) if paths else 0.0,
            counts=counts,
            evidence=evidence,
            ignored=ignored,
        )
