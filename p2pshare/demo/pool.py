"""What the demo's personas post: a pool large enough that nothing repeats in a day.

A piece of work (its title, the skills it needs, a rough value) is combined with
a client and a place, so the pool holds over a thousand distinct offers; a persona
only posts work outside its own skills (it would take that itself), and never
the same title twice in one demo.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import random
    from collections.abc import Iterable

WORK = (
    ("Facilitator for a two-day strategy retreat", ("facilitation", "leadership"), 6000),
    ("Onboarding flow redesign", ("ux", "product design"), 9000),
    ("Data pipeline audit, two weeks", ("python", "data engineering"), 7000),
    ("Quarterly tax filing", ("tax", "accounting"), 1500),
    ("Content calendar for the next quarter", ("content", "marketing"), 3000),
    ("Camera crew for a product launch", ("video", "events"), 5000),
    ("Workshop on inclusive design", ("ux", "facilitation"), 4000),
    ("Python tutor for a data team", ("python",), 2500),
    ("Keynote on remote leadership", ("keynote", "leadership"), 8000),
    ("Usability study with twelve users", ("user research", "ux"), 6500),
    ("Bookkeeping clean-up before an audit", ("bookkeeping", "accounting"), 2200),
    ("SEO review of a 200-page site", ("seo", "marketing"), 2800),
    ("Logo and visual identity", ("branding", "design"), 4500),
    ("Illustrations for a children's app", ("illustration",), 3500),
    ("iOS app bug-fix sprint", ("ios", "mobile"), 7500),
    ("Android release of an existing app", ("android", "mobile"), 9500),
    ("Backend API for a booking system", ("backend", "python"), 12000),
    ("Event production for a 300-seat conference", ("events", "production"), 15000),
    ("Growth experiments for a newsletter", ("growth", "marketing"), 4000),
    ("Explainer video, 90 seconds", ("video", "production"), 6000),
    ("Moderator for a panel on data privacy", ("facilitation", "keynote"), 1800),
    ("Product design for a health dashboard", ("product design", "design"), 11000),
    ("Year-end accounts for a small charity", ("accounting",), 2000),
    ("Migration of reports to Python", ("python", "backend"), 8500),
)
CLIENTS = (
    "a bakery chain",
    "a climate startup",
    "a city museum",
    "a fintech",
    "a football club",
    "a language school",
    "a law firm",
    "a hospital trust",
    "a design studio",
    "a rowing federation",
    "a coffee roaster",
    "a publishing house",
)
PLACES = ("Lisbon", "Atlanta", "Berlin", "remote", "Lyon", "Toronto")


def pool() -> list[tuple[str, tuple[str, ...], int, str]]:
    """(title, skills, value, region) for every combination, in a fixed order."""
    out = []
    for (work, skills, value), client, place in itertools.product(WORK, CLIENTS, PLACES):
        title = f"{work} for {client}" + ("" if place == "remote" else f", {place}")
        out.append((title, skills, value, "" if place == "remote" else place))
    return out


class Pool:
    """Hands out offers: never a persona's own field, never a title twice."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._items = pool()
        self._rng.shuffle(self._items)
        self._used: set[str] = set()

    def __len__(self) -> int:
        return len(self._items)

    def pick(self, own_skills: Iterable[str]) -> tuple[str, tuple[str, ...], int, str] | None:
        own = set(own_skills)
        for item in self._items:
            if item[0] not in self._used and own.isdisjoint(item[1]):
                self._used.add(item[0])
                return item
        return None
