"""What a member looks at: the feed, an offer's page, trust and stats.

Pure functions of a `Viewpoint` (one member's ledger, trust and local marks at
one moment) to plain dataclasses, shared by the command line (`--json` is
`asdict` of these, see README §JSON) and the app. No I/O: the member builds
the viewpoint (p2pshare.member), this module only reads it.

The Viewpoint itself is viewpoint.py's and the peers view peer_views.py's (each
its own concept); both are re-exported here, where every caller imports views.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from p2pshare.domain.builders import builder
from p2pshare.domain.bulk import bulk_allocation
from p2pshare.domain.ledger import NETWORK, OfferState, OfferStatus
from p2pshare.domain.member_names import MemberNames
from p2pshare.domain.member_names import display_name as display_name  # re-exported
from p2pshare.domain.offer_signal import offer_signal
from p2pshare.domain.peer_views import PeerItem as PeerItem  # re-exported
from p2pshare.domain.peer_views import peers as peers  # re-exported
from p2pshare.domain.stats import Stats, breakdown_report, stats
from p2pshare.domain.trust_report import trust_report as trust_report  # re-exported
from p2pshare.domain.trust_scale import standing, standings
from p2pshare.domain.viewpoint import Viewpoint as Viewpoint  # re-exported
from p2pshare.domain.viewpoint import known_members as known_members  # re-exported
from p2pshare.domain.viewpoint import member_id as _mid

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from protocol import PublicKey, RecordId

FRESHNESS_DAYS = 7.0
RANK_WEIGHTS = (0.6, 0.3, 0.1)  # trust signal (a standing, 0..1), skill match, freshness
# A rank to 4 places: finer is noise (ties go to the newest), and freshness moves every
# rank a little between two rankings 5 minutes apart (~5e-5 at most): at 6 places every
# row was made anew each time, the app held the old and the new ranking at once, and
# ~40 MB stayed behind at 100,000 offers (issue 10); at 4 places most rows stay the same.
# Ranks are between 0 and 1, so at most 10,001 of them: each is one float object, shared
# by every row of that rank (3 MB less at 100,000 rows than a float each).
_RANKS: dict[float, float] = {}


def _hex(data: bytes) -> str:
    return data.hex()


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedItem:
    id: str
    title: str
    author: str
    author_name: str
    # the name every display shows: escaped, with a fingerprint if it looks like another's
    author_display_name: str = ""
    status: str
    # Tuples, not lists: a feed holds ~100,000 items, and a tuple can be the
    # offer's own (shared) skills or the one empty tuple. JSON gives lists.
    skills: tuple[str, ...]
    region: str
    remote: bool
    value: int
    currency: str
    created_at: int
    expires_at: int
    chain: tuple[str, ...]  # member ids of the forwarders that brought it to me, author side first
    trust: float  # my trust in the author, raw (1.0 for my own offers)
    standing: float = 0.0  # the author's standing among members I know, 0..1 (trust_scale.py)
    signal: float  # the best standing of whoever posted or forwarded it (not my forwards)
    stranger: bool = False  # nobody who brought it has a trust path from me: listed last
    match: float  # share of the offer's skills that I have
    rank: float
    mine: bool
    for_me: bool  # forwarded to me directly
    accepted: bool  # by me
    handed_to_me: bool
    accepts: int
    muted: bool

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["skills"], out["chain"] = list(self.skills), list(self.chain)
        return out


def _namer(view: Viewpoint) -> Callable[[PublicKey], str]:
    """Names as written from one ledger snapshot, each looked up once."""
    return MemberNames(view).name


def skill_match(offer_skills: tuple[str, ...], mine: tuple[str, ...]) -> float:
    if not offer_skills:
        return 0.0
    return len(set(offer_skills) & set(mine)) / len(offer_skills)


class _FeedContext:
    """What many feed rows share, worked out once per author or skill set: a feed of
    100,000 offers has a few hundred of each."""

    def __init__(self, view: Viewpoint) -> None:
        self.view = view
        self.names = MemberNames(view)
        self.authors: dict[PublicKey, tuple[str, str, str, float, float, bool]] = {}
        self.matches: dict[tuple[str, ...], tuple[float, float]] = {}  # exact, shown
        self.standings = standings(view.scores)

    def row(
        self, state: OfferState, *, include_closed: bool = False, offer_id: str = ""
    ) -> FeedItem | None:
        """The feed row of one offer, or None if it is not shown. `offer_id`: the id in
        hex, when the caller has it (the last ranking's row's: one string, not two)."""
        view = self.view
        scores, me, blocked = view.scores, view.me, view.blocked
        author = state.author
        if author in blocked:
            return None
        if not include_closed and state.status not in _SHOWN:
            return None
        if (about := self.authors.get(author)) is None:
            mine = author == me
            trust = 1.0 if mine else round(scores.get(author, 0.0), 6)
            level = round(standing(self.standings, author, me), 6)
            names = self.names
            about = self.authors[author] = (
                _mid(author),
                names.name(author),
                names.shown(author),
                trust,
                level,
                mine,
            )
        mid, author_name, author_shown, trust, level, mine = about
        signal = shown_signal = level  # rounded once per author
        # Most offers have no forwards, accepts or hand-offs: skip the scans then.
        forwards = state.forwards
        if forwards:
            forwarders = [link.author for link in forwards if link.author not in blocked]
            signal = offer_signal(self.standings, author, forwarders, viewer=me)
            shown_signal = round(signal, 6)
        offer = state.offer
        if (matched := self.matches.get(offer.skills)) is None:
            match = skill_match(offer.skills, view.my_skills)
            matched = self.matches[offer.skills] = (match, round(match, 6))
        match, shown_match = matched
        age_days = max(0, view.now - state.created_at) / 86_400
        freshness = math.exp(-age_days / FRESHNESS_DAYS)
        w_signal, w_match, w_fresh = RANK_WEIGHTS
        rank = round(w_signal * signal + w_match * match + w_fresh * freshness, 4)
        return _new_feed_item(
            id=offer_id or state.id.hex(),
            title=offer.title,
            author=mid,
            author_name=author_name,
            author_display_name=author_shown,
            status=state.status._value_,  # the plain str (.value is a property: slower)
            skills=offer.skills,
            region=offer.region,
            remote=offer.remote,
            value=offer.value,
            currency=offer.currency,
            created_at=state.created_at,
            expires_at=offer.expires_at,
            chain=tuple(_mid(link.author) for link in state.chain_to(me)) if forwards else (),
            trust=trust,
            standing=level,
            signal=shown_signal,
            stranger=not mine and signal <= 0.0,
            match=shown_match,
            rank=_RANKS.setdefault(rank, rank),
            mine=mine,
            for_me=bool(forwards) and bool(state.forwarded_to(me)),
            accepted=bool(state.accepts) and state.accepted_by(me) is not None,
            handed_to_me=bool(state.handoffs) and state.handoff_to(me) is not None,
            accepts=len(state.accepts),
            muted=author in view.muted,
        )


_new_feed_item = builder(FeedItem)  # FeedItem(...) at twice the speed (100,000 at a load)
_SHOWN = (OfferStatus.OPEN, OfferStatus.HANDED_OFF)


def feed_order(item: FeedItem) -> tuple[bool, float, int, str]:
    """The feed's sort key: offers brought by someone I trust before strangers' (an
    offer nobody I trust brought never outranks one somebody did), then best rank,
    newest, and by id."""
    return (item.stranger, -item.rank, -item.created_at, item.id)


def feed(
    view: Viewpoint,
    *,
    include_closed: bool = False,
    previous: Callable[[str], FeedItem | None] | None = None,
) -> list[FeedItem]:
    """Offers best first: trust in whoever posted or forwarded them, skill match, freshness.

    `previous`: an offer's row in the last ranking (LiveFeed.get). A row that reads
    the same is that object, and the new one is dropped as soon as it is made, so
    its memory goes to the next row; a row that changed shares the old one's id. A
    ranking again neither holds two feeds (most rows do not change) nor leaves, once
    the old rows go, more holes in the heap than its changed rows (issue 10's memory).
    """
    context = _FeedContext(view)
    items = []
    old: FeedItem | None = None
    with bulk_allocation():
        for state in view.ledger.offers.values():
            if previous is not None:
                old = previous(state.id.hex())
            offer_id = old.id if old is not None else ""
            row = context.row(state, include_closed=include_closed, offer_id=offer_id)
            if row is not None:
                items.append(old if old is not None and old == row else row)
        items.sort(key=feed_order)
    return items


def feed_rows(view: Viewpoint, offer_ids: Iterable[RecordId]) -> dict[str, FeedItem | None]:
    """The current rows of some offers (None: not shown), to patch a feed in place."""
    context = _FeedContext(view)
    offers = view.ledger.offers
    rows: dict[str, FeedItem | None] = {}
    for offer_id in offer_ids:
        state = offers.get(offer_id)
        rows[offer_id.hex()] = context.row(state) if state is not None else None
    return rows


def offer_detail(view: Viewpoint, state: OfferState) -> dict[str, Any]:
    """An offer's page: the offer, its verified chain, accepts, hand-offs and outcome."""
    scores, me = view.scores, view.me
    names = MemberNames(view)
    level = standings(scores)

    def who(key: PublicKey) -> dict[str, Any]:
        trust = 1.0 if key == me else round(scores.get(key, 0.0), 6)
        shown = round(standing(level, key, me), 6)
        return {
            "id": _mid(key),
            "name": names.name(key),
            "display_name": names.shown(key),
            "trust": trust,
            "standing": shown,
        }

    def outcome(view: Any) -> dict[str, Any] | None:
        if view is None:
            return None
        return {
            "id": _hex(view.id),
            "fulfilled": view.fulfilled,
            "rating": view.rating,
            "value": view.value,
            "note": view.note,
            "created_at": view.created_at,
        }

    o = state.offer
    return {
        "id": _hex(state.id),
        "title": o.title,
        "description": o.description,
        "author": who(state.author),
        "status": state.status.value,
        "skills": list(o.skills),
        "region": o.region,
        "remote": o.remote,
        "value": o.value,
        "currency": o.currency,
        "created_at": state.created_at,
        "expires_at": o.expires_at,
        "contact": view.open_contact(state),  # "" unless it is mine to read
        "has_contact": bool(o.contact),
        "forwards": [
            {
                "id": _hex(link.id),
                "from": who(link.author),
                "to": who(link.to) if link.to != NETWORK else None,
                "parent": _hex(link.parent),
                "depth": link.depth,
                "note": view.open_note(state, link.id),
                "created_at": link.created_at,
            }
            for link in state.forwards
        ],
        "accepts": [
            {
                "id": _hex(a.id),
                "member": who(a.author),
                "via": _hex(a.via),
                "chain": [_mid(k) for k in a.chain],
                "note": a.note,
                "created_at": a.created_at,
            }
            for a in state.accepts
        ],
        "handoffs": [
            {
                "id": _hex(h.id),
                "to": who(h.to),
                "accept": _hex(h.accept),
                "forwarders": [_mid(k) for k in h.forwarders],
                "credited": [_mid(k) for k in h.credited],
                "created_at": h.created_at,
                "outcome": outcome(h.outcome),
                "confirmation": outcome(h.confirmation),
                "confirmed": h.confirmed,
                # the recipient's reply to a "not fulfilled": their own outcome says fulfilled
                "disputed": h.outcome is not None
                and not h.outcome.fulfilled
                and h.confirmation is not None
                and h.confirmation.fulfilled,
            }
            for h in state.handoffs
        ],
        "withdrawn": None
        if state.withdrawn is None
        else {"reason": state.withdrawn.reason, "created_at": state.withdrawn.created_at},
        "fulfilled_value": state.value,
    }


def stats_report(view: Viewpoint) -> dict[str, Any]:
    names = MemberNames(view)
    s: Stats = stats(view.ledger, view.me)
    breakdown = breakdown_report(s, names.name)  # by_month, by_peer: the profile's charts
    keys = {_mid(k): k for k in s.by_peer}
    for row in breakdown["by_peer"]:
        row["display_name"] = names.shown(keys[row["id"]])
    return {
        "offers_posted": s.offers_posted,
        "offers_forwarded": s.offers_forwarded,
        "offers_handed_off": s.offers_handed_off,
        "offers_fulfilled": s.offers_fulfilled,
        "value_fulfilled": dict(s.value_fulfilled),
        "fulfilled_to": [
            {"id": _mid(k), "name": names.name(k), "display_name": names.shown(k), "count": n}
            for k, n in sorted(s.fulfilled_to.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "connector_credit": s.connector_credit,
        "forwarded_to_me": s.forwarded_to_member,
        "offers_accepted": s.offers_accepted,
        "handoffs_received": s.handoffs_received,
        "fulfilled_by_me": s.fulfilled_by_member,
        "value_earned": dict(s.value_earned),
        **breakdown,
    }
