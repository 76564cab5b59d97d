"""A small network built from signed records, for trust scenarios (issue 12).

Owns the path every trust test must take: members sign real records (signers.py),
the ledger derives evidence from them (Ledger.build), the trust graph scores it
(TrustGraph), and the views read it (views.Viewpoint). Nothing here reaches into
the trust engine: a scenario is only the records members would sign.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from signers import DAY, T0, Member

from p2pshare.domain import views
from p2pshare.domain.ledger import Ledger
from p2pshare.domain.trust import TrustGraph

if TYPE_CHECKING:
    import random
    from collections.abc import Iterable

    from protocol import Envelope, PublicKey

NOW = T0 + 20 * DAY


@cache
def member(name: str) -> Member:
    return Member.named(name)


class World:
    """Records signed so far, in order; `view` runs them through the whole path."""

    def __init__(self) -> None:
        self.records: list[Envelope] = []
        self.clock = T0

    def at(self) -> int:
        self.clock += 1
        return self.clock

    def add(self, *records: Envelope) -> None:
        self.records.extend(records)

    def vouch(self, a: Member, b: Member) -> Envelope:
        env = a.vouch(b, at=self.at())
        self.add(env)
        return env

    def profile(self, m: Member, skills: tuple[str, ...] = ()) -> None:
        self.add(m.profile(skills=skills, at=self.at()))

    def post(
        self, author: Member, *, skills: tuple[str, ...] = (), at: int | None = None
    ) -> Envelope:
        when = self.at() if at is None else at
        env = author.offer(title=f"offer {len(self.records)}", skills=skills, at=when)
        self.add(env)
        return env

    def job(
        self,
        author: Member,
        taker: Member,
        *,
        via: Iterable[Member] = (),
        fulfilled: bool = True,
        credit: Iterable[Member] | None = None,
        reply: str | None = None,
    ) -> dict[str, Envelope]:
        """One offer passed along `via` to `taker`, handed off, reported. `credit`: the
        forwarders the author names in a credit record (None: no credit record).
        `reply`: the taker's own outcome, saying fulfilled, with this note."""
        offer = self.post(author)
        parent = offer
        chain = list(via)
        for i, fwd in enumerate(chain):
            to = chain[i + 1] if i + 1 < len(chain) else taker
            parent = fwd.forward(parent, to=to, at=self.at(), offer=offer.id)
            self.add(parent)
        accept = taker.accept(offer, via=parent if chain else None, at=self.at())
        handoff = author.handoff(accept, to=taker, at=self.at())
        outcome = author.outcome(
            handoff, fulfilled=fulfilled, rating=5 if fulfilled else 1, at=self.at()
        )
        self.add(accept, handoff, outcome)
        out = {"offer": offer, "handoff": handoff, "outcome": outcome}
        if credit is not None:
            out["credit"] = author.credit(handoff, *credit, at=self.at())
            self.add(out["credit"])
        if reply is not None:
            out["reply"] = taker.outcome(handoff, fulfilled=True, note=reply, at=self.at())
            self.add(out["reply"])
        return out

    def ledger(self, extra: Iterable[Envelope] = ()) -> Ledger:
        return Ledger.build([*self.records, *extra], now=NOW)

    def view(
        self, me: Member, *, skills: tuple[str, ...] = (), extra: Iterable[Envelope] = ()
    ) -> views.Viewpoint:
        ledger = self.ledger(extra)
        graph = TrustGraph(ledger.vouches, ledger.receipts, now=NOW)
        return views.Viewpoint(
            me=me.pub,
            now=NOW,
            ledger=ledger,
            trust=graph,
            scores=graph.scores(me.pub),
            my_skills=skills,
        )


def small_world(
    world: World, rng: random.Random, n: int, *, prefix: str = "h", degree: int = 6, jobs: int = 2
) -> list[Member]:
    """n honest members: ring-lattice vouches (10 % rewired) and fulfilled jobs between
    neighbours, as bench/synthetic.py builds them, but as signed records."""
    people = [member(f"{prefix}{i}") for i in range(n)]
    out: list[list[int]] = [[] for _ in range(n)]
    for i in range(n):
        for d in range(1, degree // 2 + 1):
            for j in ((i + d) % n, (i - d) % n):
                if rng.random() < 0.1:
                    j = rng.randrange(n)
                if j != i and j not in out[i]:
                    out[i].append(j)
                    world.vouch(people[i], people[j])
    for i in range(n):
        for _ in range(jobs):
            j = rng.choice(out[i])
            world.job(people[i], people[j])
    return people


def rank_of(scores: dict[PublicKey, float], key: PublicKey) -> int:
    """1 = the most trusted."""
    return 1 + sum(1 for s in scores.values() if s > scores.get(key, 0.0))
