"""The attacks of issue 12, measured: region shapes, attackers I know, bots, spam, smears.

Owns the scenarios `bench sybil` runs beside its size sweep (bench_sybil.py): each
builds an honest world (bench/synthetic.py) and one attack, and prints, per row,
the Sybil mass (share of the viewer's walk held by the attacker's identities), the
AUC (chance a random honest member outranks a random Sybil) and the best Sybil's
rank among every member the viewer scores (median and worst over viewers).

- shape: a small region (S = 10), random or funnel-shaped (everything to one
  identity), joined by k = 1 … 20 random attack edges; for the viewers who have a
  Sybil in their top 10 %, how many hops their nearest attacker is from them (1:
  an attacker is one of their own contacts, the case `contact` measures);
- contact: the attacker is one of the viewer's own contacts (one attack edge);
- bot credit: a bot forwards genuine offers straight to the taker in 20 % / 50 %
  of fulfilled hand-offs; the old rule (every forwarder on the chain earns
  credit) against the attested one (only forwarders the author names: the app
  names those the author has a trust path to);
- feed spam: 8 fresh stranger offers matching the viewer's skills against 30
  older offers from members the viewer trusts: how many strangers make the top 10
  under the old order (rank alone) and the feed's order (trusted first);
- smear: the viewer's most trusted member reports an established member's work
  as failed 1 and 10 times, answered or not by a reply.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import protocol
from p2pshare.domain import views
from p2pshare.domain.evidence import Receipt
from p2pshare.domain.ledger import Ledger
from p2pshare.domain.trust import TrustGraph

from . import synthetic

if TYPE_CHECKING:
    from collections.abc import Sequence

    from protocol import PublicKey

Auc = Callable[[list[float], list[float]], float]
HONEST = 1_000
VIEWERS = 12


def _graph(parts: Sequence[synthetic.Evidence]) -> TrustGraph:
    return TrustGraph(
        [v for p in parts for v in p.vouches],
        [r for p in parts for r in p.receipts],
        now=synthetic.NOW,
    )


def _measure(
    graph: TrustGraph, viewers: Sequence[PublicKey], sybils: set[PublicKey], auc: Auc
) -> tuple[float, float, list[int]]:
    """Mean Sybil mass, mean AUC, and the best Sybil's rank per viewer."""
    masses, aucs, ranks = [], [], []
    for viewer in viewers:
        raw = graph.raw(viewer)
        total = sum(raw.values())
        masses.append(sum(x for k, x in raw.items() if k in sybils) / total)
        scores = graph.scores(viewer)
        good = [s for k, s in scores.items() if k not in sybils]
        bad = [s for k, s in scores.items() if k in sybils]
        aucs.append(auc(good, bad) if bad else 1.0)
        best = max(bad, default=0.0)
        ranks.append(1 + sum(1 for s in good if s > best))
    return statistics.mean(masses), statistics.mean(aucs), ranks


def _hops(graph: TrustGraph, viewer: PublicKey, targets: set[PublicKey]) -> int | None:
    """Edges on the shortest path from `viewer` to any of `targets` (breadth-first over
    the walk's out-edges); None if the viewer reaches none of them."""
    seen, frontier, depth = {viewer}, [viewer], 0
    while frontier:
        if targets & set(frontier):
            return depth
        nxt = []
        for member in frontier:
            for out in graph.transitions(member):
                if out not in seen:
                    seen.add(out)
                    nxt.append(out)
        frontier, depth = nxt, depth + 1
    return None


def _row(label: str, mass: float, auc_: float, ranks: list[int], of: int, extra: str = "") -> None:
    top = sum(1 for r in ranks if r <= of // 10)
    print(
        f"  {label:<34} mass {mass:>7.3%}  AUC {auc_:.3f}  "
        f"best rank med {statistics.median(ranks):>5.0f} worst {min(ranks):>4} of {of}  "
        f"in top 10 %: {top}/{len(ranks)}{extra}"
    )


def shapes(honest: synthetic.Evidence, auc: Auc) -> None:
    print("small regions (S = 10), random attack edges:")
    n = len(honest.members)
    for shape, build in (("random", synthetic.sybil_region), ("funnel", synthetic.funnel_region)):
        for k in (1, 2, 5, 10, 20):
            attackers = random.Random(1000 + k).sample(honest.members, k)
            others = [m for m in honest.members if m not in set(attackers)]
            viewers = random.Random(7).sample(others, VIEWERS)
            region = build(random.Random(10), 10)
            targets = [region.members[i % 10] for i in range(k)]
            attack = synthetic.attack_edges(random.Random(k), attackers, targets)
            graph = _graph([honest, region, attack])
            mass, a, ranks = _measure(graph, viewers, set(region.members), auc)
            near = [
                _hops(graph, viewer, set(attackers))
                for viewer, rank in zip(viewers, ranks, strict=True)
                if rank <= n // 10
            ]
            extra = f" (nearest attacker {', '.join(map(str, near))} hops)" if near else ""
            _row(f"{shape:<6} k = {k:>2}", mass, a, ranks, n, extra)


def contacts(honest: synthetic.Evidence, auc: Auc) -> None:
    print("the attacker is one of the viewer's contacts (one attack edge, S = 10):")
    n = len(honest.members)
    mine: dict[PublicKey, list[PublicKey]] = {}
    for v in honest.vouches:
        mine.setdefault(v.voucher, []).append(v.subject)
    viewers = random.Random(8).sample(honest.members, VIEWERS)
    for shape, build in (("random", synthetic.sybil_region), ("funnel", synthetic.funnel_region)):
        masses, aucs, ranks = [], [], []
        for viewer in viewers:
            attacker = random.Random(viewer).choice(mine[viewer])
            region = build(random.Random(11), 10)
            attack = synthetic.attack_edges(random.Random(3), [attacker], [region.members[0]])
            graph = _graph([honest, region, attack])
            m, a, r = _measure(graph, [viewer], set(region.members), auc)
            masses.append(m)
            aucs.append(a)
            ranks += r
        _row(f"{shape} region", statistics.mean(masses), statistics.mean(aucs), ranks, n)


def bot_credit(honest: synthetic.Evidence, auc: Auc) -> None:
    print("a bot forwards genuine offers straight to their takers (no attack edge):")
    n = len(honest.members)
    bot = synthetic.keys(random.Random(99), 1)[0]
    viewers = random.Random(9).sample(honest.members, VIEWERS)
    base = _graph([honest])
    for part in (0.2, 0.5):
        rng = random.Random(int(part * 100))
        fulfilled = [r for r in honest.receipts if r.fulfilled]
        chosen = {r.id for r in rng.sample(fulfilled, int(part * len(fulfilled)))}
        for rule in ("old", "attested"):
            receipts = []
            for r in honest.receipts:
                if r.id in chosen:
                    chain = (*r.forwarders, bot)
                    # attested: the author names only forwarders it has a trust path to
                    named = (
                        chain
                        if rule == "old"
                        else tuple(f for f in chain if base.score(r.author, f) > 0.0)
                    )
                    r = Receipt(
                        id=r.id, offer=r.offer, author=r.author, fulfiller=r.fulfiller,
                        forwarders=named, fulfilled=True, rating=r.rating,
                        created_at=r.created_at,
                    )  # fmt: skip
                receipts.append(r)
            graph = TrustGraph(honest.vouches, receipts, now=synthetic.NOW)
            mass, a, ranks = _measure(graph, viewers, {bot}, auc)
            _row(f"{part:.0%} of hand-offs, {rule} rule", mass, a, ranks, n + 1)


def feed_spam(honest: synthetic.Evidence, signers: dict[PublicKey, Ed25519PrivateKey]) -> None:
    print("stranger feed spam: 8 fresh offers with my skills from zero-trust identities:")
    graph = _graph([honest])
    now = synthetic.NOW
    old_top, new_top = [], []
    for viewer in random.Random(12).sample(honest.members, VIEWERS):
        scores = graph.scores(viewer)
        trusted = sorted((k for k, s in scores.items() if s > 0.0), key=lambda k: -scores[k])
        authors = random.Random(viewer).sample(trusted[:200], 30)
        records = []
        for i, author in enumerate(authors):
            body = _offer(f"honest {i}", ("design", "legal"), now)
            records.append(protocol.sign(body, key=signers[author], created_at=now - 5 * 86_400))
        for i in range(8):
            body = _offer(f"spam {i}", ("design", "python"), now)
            spammer = Ed25519PrivateKey.from_private_bytes(bytes([i + 1]) * 32)
            records.append(protocol.sign(body, key=spammer, created_at=now - 600))
        view = views.Viewpoint(
            me=viewer,
            now=now,
            ledger=Ledger.build(records, now=now),
            trust=graph,
            scores=scores,
            my_skills=("design", "python"),
        )
        feed = views.feed(view)
        new_top.append(sum(1 for item in feed[:10] if item.trust == 0.0))
        by_rank = sorted(feed, key=lambda item: -_old_rank(item, now))
        old_top.append(sum(1 for item in by_rank[:10] if item.trust == 0.0))
    print(
        f"  strangers in the top 10: before (raw-trust rank) {statistics.mean(old_top):.1f}, "
        f"now {statistics.mean(new_top):.1f} (max {max(new_top)})"
    )


def _old_rank(item: views.FeedItem, now: int) -> float:
    """The rank before issue 12: the raw trust (relative to my best peer) as signal."""
    fresh = math.exp(-max(0, now - item.created_at) / 86_400 / views.FRESHNESS_DAYS)
    return 0.6 * item.trust + 0.3 * item.match + 0.1 * fresh


def _offer(title: str, skills: tuple[str, ...], now: int) -> protocol.Offer:
    return protocol.Offer(
        title=title, description="", skills=skills, region="", remote=True, value=0,
        currency="", expires_at=now + 30 * 86_400, contact=b"",
    )  # fmt: skip


def smear(honest: synthetic.Evidence) -> None:
    print("smearing: the viewer's most trusted member reports an established member's work failed:")
    rng = random.Random(13)
    graph = _graph([honest])
    cuts: dict[str, list[float]] = {}
    for viewer in random.Random(14).sample(honest.members, VIEWERS):
        scores = graph.scores(viewer)
        ranked = sorted(scores, key=lambda k: -scores[k])
        smearer, victim = ranked[0], ranked[22]
        for label, count, disputed in (
            ("1 failure", 1, False),
            ("10 failures", 10, False),
            ("10 failures, each disputed", 10, True),
        ):
            extra = [
                synthetic.receipt(rng, smearer, victim, (), False, synthetic.NOW, disputed=disputed)
                for _ in range(count)
            ]
            after = TrustGraph(honest.vouches, [*honest.receipts, *extra], now=synthetic.NOW)
            cuts.setdefault(label, []).append(1.0 - after.score(viewer, victim) / scores[victim])
    for label, values in cuts.items():
        print(f"  {label:<28} score cut by {statistics.mean(values):.0%} (max {max(values):.0%})")


def run(auc: Auc) -> None:
    keys = [
        Ed25519PrivateKey.from_private_bytes(i.to_bytes(32, "big")) for i in range(1, HONEST + 1)
    ]
    signers = {protocol.PublicKey(k.public_key().public_bytes_raw()): k for k in keys}
    honest = synthetic.honest_network(random.Random(1), HONEST, members=list(signers))
    shapes(honest, auc)
    contacts(honest, auc)
    bot_credit(honest, auc)
    feed_spam(honest, signers)
    smear(honest)
