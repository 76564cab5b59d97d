"""Synthetic evidence for the trust benchmarks: honest small worlds and Sybil regions.

Seeded and deterministic. Keys are random 32-byte strings (the trust engine
never verifies them), record ids are random 32-byte strings too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from p2pshare.domain.evidence import Receipt, VouchEdge
from protocol import PublicKey, RecordId

if TYPE_CHECKING:
    import random

DAY = 86_400
NOW = 1_750_000_000
HISTORY = 3 * 365 * DAY  # evidence is spread over the last three years


@dataclass
class Evidence:
    members: list[PublicKey] = field(default_factory=list)
    vouches: list[VouchEdge] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)


def keys(rng: random.Random, n: int) -> list[PublicKey]:
    return [PublicKey(rng.randbytes(32)) for _ in range(n)]


def _id(rng: random.Random) -> RecordId:
    return RecordId(rng.randbytes(32))


def vouch(rng: random.Random, a: PublicKey, b: PublicKey, when: int) -> VouchEdge:
    return VouchEdge(
        id=_id(rng), voucher=a, subject=b, skills=(rng.choice(SKILLS),), created_at=when
    )


def receipt(
    rng: random.Random,
    author: PublicKey,
    fulfiller: PublicKey,
    forwarders: tuple[PublicKey, ...],
    fulfilled: bool,
    when: int,
    *,
    disputed: bool = False,
) -> Receipt:
    return Receipt(
        id=_id(rng),
        offer=_id(rng),
        author=author,
        fulfiller=fulfiller,
        forwarders=forwarders,
        fulfilled=fulfilled,
        rating=rng.choice((0, 3, 4, 5)) if fulfilled else rng.choice((0, 1, 2)),
        created_at=when,
        disputed=disputed,
    )


SKILLS = ("design", "python", "keynote", "legal", "marketing", "translation")


def honest_network(
    rng: random.Random,
    n: int,
    *,
    vouches_per_member: int = 6,
    receipts_per_member: int = 4,
    members: list[PublicKey] | None = None,
) -> Evidence:
    """A small world: ring-lattice vouches with 10 % rewired, hand-offs two hops away.

    Each hand-off goes to a member of the author's vouch neighbourhood or one hop
    further, through the intermediary as forwarder; 85 % are fulfilled.
    """
    ev = Evidence(members=members[:n] if members is not None else keys(rng, n))
    m = ev.members
    half = vouches_per_member // 2
    out: list[list[int]] = [[] for _ in range(n)]
    for i in range(n):
        for d in range(1, half + 1):
            for j in ((i + d) % n, (i - d) % n):
                if rng.random() < 0.1:
                    j = rng.randrange(n)
                if j != i and j not in out[i]:
                    out[i].append(j)
                    ev.vouches.append(vouch(rng, m[i], m[j], NOW - rng.randrange(HISTORY)))
    for i in range(n):
        for _ in range(receipts_per_member):
            if not out[i]:
                break
            mid = rng.choice(out[i])
            fwd: tuple[PublicKey, ...]
            if out[mid] and rng.random() < 0.5:
                target, fwd = rng.choice(out[mid]), (m[mid],)
            else:
                target, fwd = mid, ()
            if target == i:
                continue
            fulfilled = rng.random() < 0.85
            when = NOW - rng.randrange(HISTORY)
            ev.receipts.append(receipt(rng, m[i], m[target], fwd, fulfilled, when))
    return ev


def random_network(rng: random.Random, n: int, edges: int) -> Evidence:
    """About `edges` records between `n` members, half vouches, half receipts,
    with a preference for nearby members so the graph has some locality."""
    ev = Evidence(members=keys(rng, n))
    m = ev.members
    for e in range(edges):
        a = rng.randrange(n)
        b = (a + int(rng.expovariate(1 / 50)) + 1) % n if rng.random() < 0.8 else rng.randrange(n)
        if a == b:
            continue
        when = NOW - rng.randrange(HISTORY)
        if e % 2:
            ev.vouches.append(vouch(rng, m[a], m[b], when))
        else:
            fwd = (m[rng.randrange(n)],) if rng.random() < 0.3 else ()
            ev.receipts.append(receipt(rng, m[a], m[b], fwd, rng.random() < 0.85, when))
    return ev


def sybil_region(
    rng: random.Random,
    n: int,
    *,
    links: int = 5,
    forwards: int = 1_000,
) -> Evidence:
    """Identities that vouch for each other, sign fake fulfilled receipts among
    themselves with long forward chains, and forward one another's offers
    `forwards` times in all."""
    ev = Evidence(members=keys(rng, n))
    s = ev.members
    if n < 2:
        return ev
    for i in range(n):
        for _ in range(links):
            j = rng.randrange(n)
            if j != i:
                ev.vouches.append(vouch(rng, s[i], s[j], NOW))
                fwd = tuple(rng.sample(s, min(3, n)))
                ev.receipts.append(receipt(rng, s[i], s[j], fwd, True, NOW))
    # the bought re-shares: one offer passed through `forwards` Sybil hands
    chain = tuple(s[rng.randrange(n)] for _ in range(forwards))
    ev.receipts.append(receipt(rng, s[0], s[1], chain, True, NOW))
    return ev


def funnel_region(rng: random.Random, n: int) -> Evidence:
    """Identities that give everything to one of them: each vouches for and signs a
    fulfilled receipt for s[0], which vouches back for each."""
    ev = Evidence(members=keys(rng, n))
    s = ev.members
    for i in range(1, n):
        ev.vouches.append(vouch(rng, s[i], s[0], NOW))
        ev.vouches.append(vouch(rng, s[0], s[i], NOW))
        ev.receipts.append(receipt(rng, s[i], s[0], (), True, NOW))
    return ev


def attack_edges(
    rng: random.Random, attackers: list[PublicKey], targets: list[PublicKey]
) -> Evidence:
    """Attacker i vouches for (even i) or hands work to (odd i) targets[i].

    Dates and ratings come from `rng` alone, so the same attackers make the same
    edges whatever the size of the region they point into.
    """
    ev = Evidence()
    for e, (a, b) in enumerate(zip(attackers, targets, strict=True)):
        when = NOW - rng.randrange(HISTORY)
        if e % 2 == 0:
            ev.vouches.append(vouch(rng, a, b, when))
        else:
            ev.receipts.append(receipt(rng, a, b, (), True, when))
    return ev
