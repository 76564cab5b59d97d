"""How much trust a Sybil region captures, as it grows and as attack edges are added.

An honest small world of 1,000 members (vouches, hand-offs with fulfilled and
failed receipts) and a Sybil region of 10 … 10,000 identities that vouch for each
other, sign fake 5-star fulfilled receipts among themselves and forward each
other's offers 1,000 times, joined by k honest members who vouch for or hand work
to a Sybil. From 20 honest viewers (never attackers themselves) it reports:

- share: the part of the viewer's personalized PageRank mass held by Sybils (mean, max);
- bound: (1 - ALPHA) / ALPHA * sum over attack edges of pi(u) p(u→s), the ceiling
  the model guarantees (mean over viewers);
- AUC: chance that a random honest member outranks a random Sybil (ties count half);
- offer: the feed signal of a Sybil offer forwarded by 1,000 Sybils (mean): the max
  over its endorsers, so it is the score of the best-endorsed Sybil, and next to it
  "h.med", the median honest member's score (the signal of a typical honest
  member's offer that nobody forwarded);
- and, side by side, a naive baseline measured in the same run: evidence counts
  (vouches + fulfilled receipts + forwards received), which is what "1,000
  retweets" measures.

Then the attacks of issue 12 (bench/sybil_scenarios.py): small (S = 10) random and
funnel-shaped regions with k = 1 … 20 attack edges, an attacker among the viewer's
contacts, bot connector credit, stranger feed spam and smearing, each with Sybil
mass, AUC and the best Sybil's rank; and, for the viewers who still have a Sybil
in their top 10 % at k = 5, the rank one honest newcomer given the same attack
edges would have (`newcomer_twins`).

    python -m bench.bench_sybil
"""

from __future__ import annotations

import random
import time
from collections import Counter
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from p2pshare.domain.offer_signal import offer_signal
from p2pshare.domain.trust import ALPHA, TrustGraph
from protocol import PublicKey

from . import sybil_scenarios, synthetic

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


HONEST = 1_000
SYBIL_COUNTS = (10, 100, 1_000, 10_000)
ATTACK_EDGES = (1, 5, 20)
VIEWERS = 20


def auc(good: Sequence[float], bad: Sequence[float]) -> float:
    """P(random good > random bad), ties counting half (Mann-Whitney U by sorting)."""
    tagged = sorted([(s, 1) for s in good] + [(s, 0) for s in bad])
    wins = 0.0
    bad_below = 0
    i = 0
    while i < len(tagged):
        j = i
        while j < len(tagged) and tagged[j][0] == tagged[i][0]:
            j += 1
        n_good = sum(t for _, t in tagged[i:j])
        n_bad = (j - i) - n_good
        wins += n_good * (bad_below + n_bad / 2)
        bad_below += n_bad
        i = j
    return wins / (len(good) * len(bad))


def evidence_counts(ev: list[synthetic.Evidence]) -> Counter[PublicKey]:
    """The naive baseline: how much evidence names each member, whoever signed it."""
    counts: Counter[PublicKey] = Counter()
    for e in ev:
        counts.update(v.subject for v in e.vouches)
        for r in e.receipts:
            if r.fulfilled:
                counts[r.fulfiller] += 1
                counts.update(r.forwarders)
    return counts


def share(values: Mapping[PublicKey, float], sybils: Sequence[PublicKey]) -> float:
    total = sum(values.values())
    return sum(values.get(s, 0.0) for s in sybils) / total if total else 0.0


def _rank(scores: Mapping[PublicKey, float], best: float, them: set[PublicKey]) -> int:
    return 1 + sum(1 for k, s in scores.items() if k not in them and s > best)


def newcomer_twins() -> None:
    """Issue 12 §5 against its bound: with k = 5 attack edges into a ten-identity region
    (the scenario of bench/sybil_scenarios.shapes, same seeds), for each viewer who
    has a Sybil in their top 10 %, the best Sybil's rank beside the rank of one honest
    newcomer given the same five edges and no evidence of its own. The rule promises
    the region no more than the newcomer: its identities share what the edges carry."""
    keys = [Ed25519PrivateKey.from_private_bytes(i.to_bytes(32, "big")) for i in range(1, 1001)]
    members = [PublicKey(k.public_key().public_bytes_raw()) for k in keys]
    honest = synthetic.honest_network(random.Random(1), len(members), members=members)
    newcomer = synthetic.keys(random.Random(77), 1)[0]
    k, top = 5, len(members) // 10
    print(f"a region of 10 against one honest newcomer with the same {k} attack edges:")
    attackers = random.Random(1000 + k).sample(honest.members, k)
    others = [m for m in honest.members if m not in set(attackers)]
    viewers = random.Random(7).sample(others, 12)
    twin = synthetic.attack_edges(random.Random(k), attackers, [newcomer] * k)
    alone = TrustGraph(
        [*honest.vouches, *twin.vouches], [*honest.receipts, *twin.receipts], now=synthetic.NOW
    )
    for shape, build in (("random", synthetic.sybil_region), ("funnel", synthetic.funnel_region)):
        region = build(random.Random(10), 10)
        attack = synthetic.attack_edges(
            random.Random(k), attackers, [region.members[i % 10] for i in range(k)]
        )
        parts = [honest, region, attack]
        graph = TrustGraph(
            [v for p in parts for v in p.vouches],
            [r for p in parts for r in p.receipts],
            now=synthetic.NOW,
        )
        sybils = set(region.members)
        for viewer in viewers:
            scores = graph.scores(viewer)
            rank = _rank(scores, max(scores[s] for s in sybils), sybils)
            if rank > top:
                continue
            mine = alone.scores(viewer)
            hops = min(_hops(graph, viewer, a) for a in attackers)
            twin_rank = _rank(mine, mine[newcomer], {newcomer})
            print(
                f"  {shape:<6} viewer {viewers.index(viewer):>2} (nearest attacker {hops} hops): "
                f"best Sybil rank {rank:>3}, the newcomer {twin_rank:>3}"
            )


def _hops(graph: TrustGraph, viewer: PublicKey, target: PublicKey) -> int:
    """Edges on the shortest path from `viewer` to `target` (-1: none)."""
    seen, frontier, depth = {viewer}, [viewer], 0
    while frontier:
        if target in frontier:
            return depth
        nxt = [o for m in frontier for o in graph.transitions(m) if o not in seen]
        seen.update(nxt)
        frontier, depth = list(dict.fromkeys(nxt)), depth + 1
    return -1


def main() -> None:
    started = time.perf_counter()
    honest = synthetic.honest_network(random.Random(1), HONEST)
    n_fail = sum(not r.fulfilled for r in honest.receipts)
    print(
        f"honest network: {HONEST:,} members, {len(honest.vouches):,} vouches, "
        f"{len(honest.receipts):,} receipts ({n_fail:,} failed); {VIEWERS} viewers; "
        f"ALPHA = {ALPHA}"
    )
    header = (
        f"{'sybils':>7} {'k':>3} | {'share mean':>10} {'share max':>10} {'bound':>9} "
        f"{'AUC':>7} {'offer':>6} {'h.med':>6} | {'naive share':>11} {'naive AUC':>9} | {'s':>5}"
    )
    print(header)
    print("-" * len(header))
    for k in ATTACK_EDGES:
        attackers_rng = random.Random(1000 + k)
        attackers = attackers_rng.sample(honest.members, k)
        others = [m for m in honest.members if m not in set(attackers)]
        viewers = random.Random(7).sample(others, VIEWERS)
        for n in SYBIL_COUNTS:
            t0 = time.perf_counter()
            rng = random.Random(n)
            region = synthetic.sybil_region(rng, n)
            # the same k attackers and edges for every n; only the Sybil they reach differs
            targets = [region.members[i % n] for i in range(k)]
            attack = synthetic.attack_edges(random.Random(k), attackers, targets)
            parts = [honest, region, attack]
            graph = TrustGraph(
                [v for p in parts for v in p.vouches],
                [r for p in parts for r in p.receipts],
                now=synthetic.NOW,
            )
            attack_pairs = {(v.voucher, v.subject) for v in attack.vouches} | {
                (r.author, r.fulfiller) for r in attack.receipts
            }
            shares, bounds, aucs, offers, honest_offers = [], [], [], [], []
            sybil_set = set(region.members)
            for viewer in viewers:
                raw = graph.raw(viewer)
                shares.append(share(raw, region.members))
                bounds.append(
                    (1 - ALPHA)
                    / ALPHA
                    * sum(
                        raw.get(u, 0.0) * graph.transitions(u).get(s, 0.0) for u, s in attack_pairs
                    )
                )
                scores = graph.scores(viewer)
                good = [s for m, s in scores.items() if m not in sybil_set]
                aucs.append(auc(good, [scores[s] for s in region.members]))
                offers.append(offer_signal(scores, region.members[0], region.members[1:1001]))
                honest_offers.append(sorted(good)[len(good) // 2])
            counts = evidence_counts(parts)
            naive_good = [float(counts[m]) for m in honest.members]
            naive_bad = [float(counts[m]) for m in region.members]
            naive_share = share({m: float(c) for m, c in counts.items()}, region.members)
            print(
                f"{n:>7,} {k:>3} | {sum(shares) / VIEWERS:>10.3%} {max(shares):>10.3%} "
                f"{sum(bounds) / VIEWERS:>9.3%} {sum(aucs) / VIEWERS:>7.4f} "
                f"{sum(offers) / VIEWERS:>6.3f} {sum(honest_offers) / VIEWERS:>6.3f} | "
                f"{naive_share:>11.1%} "
                f"{auc(naive_good, naive_bad):>9.4f} | {time.perf_counter() - t0:>5.1f}"
            )
    print()
    sybil_scenarios.run(auc)  # the attacks of issue 12: shapes, contacts, bots, spam, smears
    print()
    newcomer_twins()
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
