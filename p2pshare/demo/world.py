"""The demo's people and their past: believable personas and a signed history.

Every record is made by the persona's own key through the same Member actions a
real member uses (with a clock set back in time), so the history is exactly
what a real network would hold, not rows written into a database. It includes
a ring of fake identities that vouch for each other, forward each other's offers
and sign fake receipts, to show that such trust counts for nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from protocol import Envelope

from .. import identity as ident
from ..home import Home
from ..member import Member
from ..store import Store

DAY = 86_400
NEWCOMER = "newcomer"
MARKER = "demo.json"


@dataclass(frozen=True, slots=True)
class Persona:
    slug: str
    name: str
    headline: str
    skills: tuple[str, ...]
    region: str


PERSONAS = (
    Persona("shel", "Shel Okafor", "Keynote speaker: leadership and remote teams",
            ("keynote", "leadership", "facilitation"), "Atlanta"),
    Persona("dana", "Dana Reyes", "UX designer for fintech and health apps",
            ("ux", "product design", "user research"), "Austin"),
    Persona("priya", "Priya Nair", "Backend developer, Python and data pipelines",
            ("python", "backend", "data engineering"), "Berlin"),
    Persona("marcus", "Marcus Bell", "Accountant for freelancers and small agencies",
            ("accounting", "tax", "bookkeeping"), "Chicago"),
    Persona("lena", "Lena Fischer", "Content marketing and SEO for B2B",
            ("marketing", "content", "seo"), "Hamburg"),
    Persona("tomas", "Tomás Ortega", "Event producer and video crews",
            ("events", "video", "production"), "Madrid"),
    Persona("amara", "Amara Mensah", "Brand and illustration studio",
            ("branding", "illustration", "design"), "Accra"),
    Persona("kenji", "Kenji Watanabe", "Mobile developer, iOS and Android",
            ("ios", "android", "mobile"), "Osaka"),
)
RING_LEADER = Persona("rex", "Rex Vance", "Growth hacker. 10x your leads, guaranteed",
                      ("growth", "marketing", "seo"), "Remote")
RING_SIZE = 8

# (author, forwarders, fulfiller, fulfilled, rating, days ago, title, skills, value)
HISTORY = (
    ("shel", ("dana",), "priya", True, 5, 80, "Data dashboard for a conference app",
     ("python", "data engineering"), 12000),
    ("dana", (), "shel", True, 5, 70, "Opening keynote, design summit", ("keynote",), 8000),
    ("priya", ("shel",), "marcus", True, 4, 64, "Year-end books for a dev studio",
     ("accounting",), 3000),
    ("marcus", (), "lena", True, 5, 55, "SEO audit for an accounting firm", ("seo",), 2500),
    ("lena", ("marcus",), "tomas", True, 5, 48, "Launch video for a SaaS product",
     ("video", "production"), 9000),
    ("tomas", ("lena",), "dana", False, 2, 40, "Booth design for a trade fair",
     ("product design",), 4000),
    ("dana", ("priya",), "kenji", True, 5, 33, "iOS app for a clinic chain", ("ios",), 30000),
    ("kenji", (), "amara", True, 4, 27, "App store artwork and brand refresh",
     ("branding", "illustration"), 3500),
    ("amara", ("dana",), "shel", True, 5, 20, "Workshop on creative leadership",
     ("facilitation", "leadership"), 6000),
    ("shel", (), "tomas", True, 5, 12, "Livestream crew for a leadership forum",
     ("events", "video"), 7000),
    ("priya", (), "dana", True, 5, 6, "UX review of an internal data tool", ("ux",), 5000),
)

VOUCHES = (
    ("shel", "dana", ("ux",)), ("dana", "shel", ("keynote",)), ("dana", "priya", ("python",)),
    ("priya", "marcus", ("accounting",)), ("marcus", "lena", ("seo",)),
    ("lena", "tomas", ("video",)), ("tomas", "shel", ()), ("kenji", "amara", ("branding",)),
    ("amara", "kenji", ("ios",)), ("dana", "kenji", ("mobile",)), ("shel", "priya", ()),
)

OPEN_OFFERS = (
    ("shel", "Keynote for a fintech offsite, 3 May, Atlanta",
     "45 minutes on remote leadership for 300 people. I'm booked that day.",
     ("keynote", "leadership"), "Atlanta", False, 8000, 21),
    ("priya", "Python ETL contract, 6 weeks", "Migrate cron scripts to a proper pipeline.",
     ("python", "data engineering"), "", True, 18000, 14),
    ("lena", "Newsletter relaunch for a design agency", "Strategy and 8 issues of content.",
     ("content", "marketing"), "Hamburg", True, 4000, 10),
    ("marcus", "Bookkeeping for a 5-person studio", "Monthly close and quarterly tax.",
     ("bookkeeping", "accounting"), "Chicago", True, 6000, 30),
)


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
        clock = _Clock(now)
        members: dict[str, Member] = {}
        for p in people:
            members[p.slug] = _create(self.home(p.slug), clock)
        ring = [_create(self.home(f"ring{i}"), clock) for i in range(RING_SIZE)]
        newcomer = _create(self.home(NEWCOMER), clock)
        everyone = [*members.values(), *ring, newcomer]

        def act(member: Member, days_ago: float, fn: Callable[[Member], Envelope]) -> Envelope:
            clock.at = now - int(days_ago * DAY)
            envelope = fn(member)
            for other in everyone:
                if other is not member:
                    other.store.ingest(envelope.data, now=now)
            return envelope

        for p in people:
            act(members[p.slug], 90, lambda m, p=p: m.set_profile(
                name=p.name, headline=p.headline, skills=p.skills, region=p.region,
                available=True))
        for i, m in enumerate(ring):
            act(m, 60, lambda m, i=i: m.set_profile(
                name=f"Lead Booster {i + 1}", headline="Growth partner",
                skills=("growth",), region="Remote", available=True))
        act(newcomer, 1, lambda m: m.set_profile(
            name=newcomer_name, headline="New here: freelance consultant",
            skills=("ux", "facilitation", "python"), region="", available=True))

        for voucher, subject, skills in VOUCHES:
            if voucher in members and subject in members:
                act(members[voucher], 85, lambda m, s=subject, k=skills: m.vouch(
                    members[s].me, skills=k))
        # You joined through Shel's invite, and vouched for the one person you know.
        act(newcomer, 1, lambda m: m.vouch(members["shel"].me, note="We worked together"))

        for author, forwarders, fulfiller, ok, rating, ago, title, skills, value in HISTORY:
            names = (author, *forwarders, fulfiller)
            if not all(n in members for n in names):
                continue
            _lifecycle(act, members, author, forwarders, fulfiller, ok, rating, ago,
                       title, skills, value)

        # The ring: everyone vouches for everyone and for Rex, forwards Rex's offers
        # hundreds of times and signs fake fulfilled receipts. Nobody honest vouches
        # for any of them, so from an honest viewpoint all of it is worth zero.
        rex = members["rex"]
        for m in ring:
            act(m, 50, lambda m: m.vouch(rex.me, skills=("growth",), note="Best in the business"))
            act(rex, 50, lambda r, m=m: r.vouch(m.me))
        for i, m in enumerate(ring):
            act(m, 50, lambda m, o=ring[(i + 1) % RING_SIZE]: m.vouch(o.me))
        for n in range(3):
            offer = act(rex, 30 - n, lambda r, n=n: r.post_offer(
                title=f"Lead generation retainer #{n + 1}", description="Easy money.",
                skills=("growth",), value="20000 USD", expires_days=60))
            state_of = lambda m, o=offer: m.ledger().offers[o.id]  # noqa: E731
            for m in ring:
                act(m, 30 - n, lambda m: m.forward(state_of(m), to=None, note="Amazing!!"))
            taker = ring[n]
            act(taker, 29 - n, lambda m: m.accept(state_of(m)))
            act(rex, 29 - n, lambda r, t=taker: r.handoff(state_of(r), to=t.me))
            act(rex, 28 - n, lambda r, t=taker: r.outcome(state_of(r), fulfilled=True, rating=5,
                                                           value=20000))
            act(taker, 28 - n, lambda m: m.vouch(rex.me, note="Delivered again!"))

        for author, title, body, skills, region, remote, value, days in OPEN_OFFERS:
            if author in members:
                act(members[author], 2, lambda m, t=title, b=body, s=skills, r=region,
                    rm=remote, v=value, d=days: m.post_offer(
                        title=t, description=b, skills=s, region=r, remote=rm,
                        value=f"{v} USD", expires_days=d, contact=f"{m.profile().name} · "
                        f"client contact: events@{t.split()[0].lower()}.example"))
        for m in everyone:
            m.close()
        info = {"personas": [p.slug for p in people if p.slug != "rex"], "seeded_at": now}
        (self.root / MARKER).write_text(json.dumps(info), "utf-8")

    def slugs(self) -> list[str]:
        return list(json.loads((self.root / MARKER).read_text("utf-8"))["personas"])


class _Clock:
    def __init__(self, at: int) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


def _create(home: Home, clock: _Clock) -> Member:
    identity = ident.create(home)
    return Member(home, identity, Store.open(home.store_file), clock=clock)


def _lifecycle(act, members, author, forwarders, fulfiller, ok, rating, ago, title,
               skills, value) -> None:  # type: ignore[no-untyped-def]
    a = members[author]
    offer = act(a, ago, lambda m: m.post_offer(
        title=title, description="", skills=skills, value=f"{value} USD", expires_days=30,
        contact=f"client of {m.profile().name}: hello@client.example"))

    def state(m: Member):  # type: ignore[no-untyped-def]
        return m.ledger().offers[offer.id]

    chain = [members[f] for f in forwarders] + [members[fulfiller]]
    for sender, receiver in zip(chain, chain[1:], strict=False):
        act(sender, ago - 0.2, lambda m, r=receiver: m.forward(state(m), to=r.me,
                                                               note="Right up your street"))
    f = members[fulfiller]
    act(f, ago - 0.5, lambda m: m.accept(state(m), note="I'd love to"))
    act(a, ago - 1, lambda m: m.handoff(state(m), to=f.me))
    done = ago / 2  # the work took a while: reported halfway between then and now
    act(a, done, lambda m: m.outcome(state(m), fulfilled=ok, rating=rating,
                                     value=value if ok else 0))
    if ok:
        act(f, done, lambda m: m.outcome(state(m), fulfilled=True, rating=rating))
