"""The demo's people and their past: believable personas and a signed history.

Every record is made by the persona's own key through the same Member actions a
real member uses (with a clock set back in time), so the history is exactly
what a real network would hold, not rows written into a database. It includes
a ring of fake identities that vouch for each other, forward each other's offers
and sign fake receipts, to show that such trust counts for nothing. What happens
(the cast and their story) is data in storyline.py; this module stages it.
"""

from __future__ import annotations

import itertools
import json
from typing import TYPE_CHECKING, Any

from p2pshare.demo.storyline import (
    HISTORY,
    OPEN_OFFERS,
    PERSONAS,
    RING_LEADER,
    RING_SIZE,
    VOUCHES,
    Persona,
)
from p2pshare.member import identity as ident
from p2pshare.member.actions import Member
from p2pshare.member.home import Home
from p2pshare.store import Store

if TYPE_CHECKING:
    from pathlib import Path

    from protocol import Body, Envelope

DAY = 86_400
NEWCOMER = "newcomer"
MARKER = "demo.json"


class World:
    """The demo folder: one home per persona, the newcomer's, and the ring's."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def home(self, slug: str) -> Home:
        return Home(self.root / slug)

    def personas(self, count: int) -> tuple[Persona, ...]:
        return PERSONAS[: max(2, min(count, len(PERSONAS)))]

    @property
    def seeded(self) -> bool:
        return (self.root / MARKER).exists()

    def seed(self, count: int, now: int, newcomer_name: str = "You") -> None:
        """Create every home and the shared signed history (once per demo folder)."""
        self.root.mkdir(parents=True, exist_ok=True)
        people = (*self.personas(count), RING_LEADER)
        history = _History(now)
        members = {p.slug: history.join(self.home(p.slug)) for p in people}
        ring = [history.join(self.home(f"ring{i}")) for i in range(RING_SIZE)]
        newcomer = history.join(self.home(NEWCOMER))

        for p in people:
            history.by(members[p.slug], 90).set_profile(
                name=p.name, headline=p.headline, skills=p.skills, region=p.region, available=True
            )
        for i, m in enumerate(ring):
            history.by(m, 60).set_profile(
                name=f"Lead Booster {i + 1}",
                headline="Growth partner",
                skills=("growth",),
                region="Remote",
                available=True,
            )
        history.by(newcomer, 1).set_profile(
            name=newcomer_name,
            headline="New here: freelance consultant",
            skills=("ux", "facilitation", "python"),
            region="",
            available=True,
        )
        for voucher, subject, skills in VOUCHES:
            if voucher in members and subject in members:
                history.by(members[voucher], 85).vouch(members[subject].me, skills=skills)
        # You joined through Shel's invite, and vouched for the one person you know.
        history.by(newcomer, 1).vouch(members["shel"].me, note="We worked together")

        for author, forwarders, fulfiller, ok, rating, ago, title, skills, value in HISTORY:
            if all(n in members for n in (author, *forwarders, fulfiller)):
                chain = [members[n] for n in (*forwarders, fulfiller)]
                history.lifecycle(
                    members[author],
                    chain,
                    ok=ok,
                    rating=rating,
                    days_ago=ago,
                    title=title,
                    skills=skills,
                    value=value,
                )
        _seed_ring(history, members["rex"], ring)
        for author, title, body, skills, region, remote, value, days in OPEN_OFFERS:
            if author in members:
                m = members[author]
                history.by(m, 2).post_offer(
                    title=title,
                    description=body,
                    skills=skills,
                    region=region,
                    remote=remote,
                    value=f"{value} USD",
                    expires_days=days,
                    contact=f"Via {m.name_of(m.me)}: events@{title.split()[0].lower()}.example",
                )
        history.close()
        info = {"personas": [p.slug for p in people if p.slug != "rex"], "seeded_at": now}
        (self.root / MARKER).write_text(json.dumps(info), "utf-8")

    def slugs(self) -> list[str]:
        return list(json.loads((self.root / MARKER).read_text("utf-8"))["personas"])


class _History:
    """Members acting in the past: each action is dated `days_ago` and reaches everyone."""

    def __init__(self, now: int) -> None:
        self.now = now
        self.at = now
        self.members: list[Member] = []

    def join(self, home: Home) -> Member:
        member = _Sharing(home, ident.create(home), Store.open(home.store_file), history=self)
        self.members.append(member)
        return member

    def by(self, member: Member, days_ago: float) -> Member:
        self.at = self.now - int(days_ago * DAY)
        return member

    def share(self, envelope: Envelope, author: Member) -> None:
        for other in self.members:
            if other is not author:
                other.store.ingest(envelope.data, now=self.now)

    def lifecycle(
        self,
        author: Member,
        chain: list[Member],
        *,
        ok: bool,
        rating: int,
        days_ago: float,
        title: str,
        skills: tuple[str, ...],
        value: int,
    ) -> None:
        """An offer forwarded along `chain`, taken by its last member, and its receipts."""
        offer = self.by(author, days_ago).post_offer(
            title=title,
            skills=skills,
            value=f"{value} USD",
            expires_days=30,
            contact="hello@client.example",
        )
        for sender, receiver in itertools.pairwise(chain):
            self.by(sender, days_ago - 0.2).forward(
                sender.ledger().offers[offer.id], to=receiver.me, note="Right up your street"
            )
        taker = chain[-1]
        self.by(taker, days_ago - 0.5).accept(taker.ledger().offers[offer.id], note="I'd love to")
        self.by(author, days_ago - 1).handoff(author.ledger().offers[offer.id], to=taker.me)
        done = days_ago / 2  # the work took a while: reported halfway between then and now
        self.by(author, done).outcome(
            author.ledger().offers[offer.id], fulfilled=ok, rating=rating, value=value if ok else 0
        )
        if ok:
            self.by(taker, done).outcome(
                taker.ledger().offers[offer.id], fulfilled=True, rating=rating
            )

    def close(self) -> None:
        for member in self.members:
            member.close()


class _Sharing(Member):
    """A Member whose clock is the history's, and whose every record reaches the others."""

    def __init__(self, home: Home, identity: ident.Identity, store: Store, *, history: _History):
        super().__init__(home, identity, store, clock=lambda: history.at)
        self._history = history

    def _commit(self, body: Body, *args: Any, **options: Any) -> Envelope:
        # Passes every option on (e.g. the `created_at` an offer's sealed contact needs).
        envelope = super()._commit(body, *args, **options)
        self._history.share(envelope, self)
        return envelope


def _seed_ring(history: _History, rex: Member, ring: list[Member]) -> None:
    """Fake identities vouch for each other and for Rex, forward his offers hundreds
    of times and sign fake fulfilled receipts. Nobody honest vouches for any of them,
    so from an honest viewpoint all of it is worth exactly zero."""
    for i, m in enumerate(ring):
        history.by(m, 50).vouch(rex.me, skills=("growth",), note="Best in the business")
        history.by(m, 50).vouch(ring[(i + 1) % len(ring)].me)
        history.by(rex, 50).vouch(m.me)
    for n, taker in enumerate(ring[:3]):
        offer = history.by(rex, 30 - n).post_offer(
            title=f"Lead generation retainer #{n + 1}",
            description="Easy money.",
            skills=("growth",),
            value="20000 USD",
            expires_days=60,
        )
        for m in ring:
            history.by(m, 30 - n).forward(m.ledger().offers[offer.id], to=None, note="Amazing!!")
        history.by(taker, 29 - n).accept(taker.ledger().offers[offer.id])
        history.by(rex, 29 - n).handoff(rex.ledger().offers[offer.id], to=taker.me)
        history.by(rex, 28 - n).outcome(
            rex.ledger().offers[offer.id], fulfilled=True, rating=5, value=20000
        )
        history.by(taker, 28 - n).vouch(rex.me, note="Delivered again!")
