"""The demo's cast and story as data: who the personas are and what they did.

Owns the script, not the staging: the eight personas and the ring's leader,
the past hand-offs (who posted, forwarded, fulfilled and how it went), who
vouches for whom, and the offers open when the newcomer arrives. world.py
plays this script through real Member actions; it is separate so the story can
be read and changed without reading the machinery that signs and shares it,
and so the demo's other parts (the pool, the tests) can name the cast alone.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Persona:
    slug: str
    name: str
    headline: str
    skills: tuple[str, ...]
    region: str


PERSONAS = (
    Persona(
        "shel",
        "Shel Okafor",
        "Keynote speaker: leadership and remote teams",
        ("keynote", "leadership", "facilitation"),
        "Atlanta",
    ),
    Persona(
        "dana",
        "Dana Reyes",
        "UX designer for fintech and health apps",
        ("ux", "product design", "user research"),
        "Austin",
    ),
    Persona(
        "priya",
        "Priya Nair",
        "Backend developer, Python and data pipelines",
        ("python", "backend", "data engineering"),
        "Berlin",
    ),
    Persona(
        "marcus",
        "Marcus Bell",
        "Accountant for freelancers and small agencies",
        ("accounting", "tax", "bookkeeping"),
        "Chicago",
    ),
    Persona(
        "lena",
        "Lena Fischer",
        "Content marketing and SEO for B2B",
        ("marketing", "content", "seo"),
        "Hamburg",
    ),
    Persona(
        "tomas",
        "Tomás Ortega",
        "Event producer and video crews",
        ("events", "video", "production"),
        "Madrid",
    ),
    Persona(
        "amara",
        "Amara Mensah",
        "Brand and illustration studio",
        ("branding", "illustration", "design"),
        "Accra",
    ),
    Persona(
        "kenji",
        "Kenji Watanabe",
        "Mobile developer, iOS and Android",
        ("ios", "android", "mobile"),
        "Osaka",
    ),
)
RING_LEADER = Persona(
    "rex",
    "Rex Vance",
    "Growth hacker. 10x your leads, guaranteed",
    ("growth", "marketing", "seo"),
    "Remote",
)
RING_SIZE = 8

# (author, forwarders, fulfiller, fulfilled, rating, days ago, title, skills, value)
HISTORY: tuple[tuple[str, tuple[str, ...], str, bool, int, int, str, tuple[str, ...], int], ...] = (
    (
        "shel",
        ("dana",),
        "priya",
        True,
        5,
        80,
        "Data dashboard for a conference app",
        ("python", "data engineering"),
        12000,
    ),
    ("dana", (), "shel", True, 5, 70, "Opening keynote, design summit", ("keynote",), 8000),
    (
        "priya",
        ("shel",),
        "marcus",
        True,
        4,
        64,
        "Year-end books for a dev studio",
        ("accounting",),
        3000,
    ),
    ("marcus", (), "lena", True, 5, 55, "SEO audit for an accounting firm", ("seo",), 2500),
    (
        "lena",
        ("marcus",),
        "tomas",
        True,
        5,
        48,
        "Launch video for a SaaS product",
        ("video", "production"),
        9000,
    ),
    (
        "tomas",
        ("lena",),
        "dana",
        False,
        2,
        40,
        "Booth design for a trade fair",
        ("product design",),
        4000,
    ),
    ("dana", ("priya",), "kenji", True, 5, 33, "iOS app for a clinic chain", ("ios",), 30000),
    (
        "kenji",
        (),
        "amara",
        True,
        4,
        27,
        "App store artwork and brand refresh",
        ("branding", "illustration"),
        3500,
    ),
    (
        "amara",
        ("dana",),
        "shel",
        True,
        5,
        20,
        "Workshop on creative leadership",
        ("facilitation", "leadership"),
        6000,
    ),
    (
        "shel",
        (),
        "tomas",
        True,
        5,
        12,
        "Livestream crew for a leadership forum",
        ("events", "video"),
        7000,
    ),
    ("priya", (), "dana", True, 5, 6, "UX review of an internal data tool", ("ux",), 5000),
)

VOUCHES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("shel", "dana", ("ux",)),
    ("dana", "shel", ("keynote",)),
    ("dana", "priya", ("python",)),
    ("priya", "marcus", ("accounting",)),
    ("marcus", "lena", ("seo",)),
    ("lena", "tomas", ("video",)),
    ("tomas", "shel", ()),
    ("kenji", "amara", ("branding",)),
    ("amara", "kenji", ("ios",)),
    ("dana", "kenji", ("mobile",)),
    ("shel", "priya", ()),
)

# Open now: each is work its author cannot serve but another persona can (the
# keynote is for you: Shel knows you facilitate). (author, title, description,
# skills, region, remote, value, days left)
OPEN_OFFERS: tuple[tuple[str, str, str, tuple[str, ...], str, bool, int, int], ...] = (
    (
        "shel",
        "Keynote for a fintech offsite, 3 May, Atlanta",
        "45 minutes on remote leadership for 300 people. I'm booked that day.",
        ("keynote", "leadership", "facilitation"),
        "Atlanta",
        False,
        8000,
        21,
    ),
    (
        "marcus",
        "Python scripts for invoice automation",
        "A client wants their invoicing out of spreadsheets. Two to three weeks.",
        ("python",),
        "",
        True,
        6000,
        14,
    ),
    (
        "priya",
        "UX review of a data dashboard",
        "Five screens, a usability test and a short report.",
        ("ux", "user research"),
        "Berlin",
        True,
        5000,
        10,
    ),
    (
        "dana",
        "Bookkeeping for a 5-person design studio",
        "Monthly close and quarterly tax.",
        ("bookkeeping", "accounting"),
        "Austin",
        True,
        6000,
        30,
    ),
    (
        "lena",
        "Launch video for a newsletter brand",
        "90 seconds, one shoot day in Hamburg.",
        ("video", "production"),
        "Hamburg",
        False,
        7000,
        18,
    ),
)
