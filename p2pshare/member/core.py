"""The member behind a home, short of their actions: who they are, what they hold,
and the one way a record of theirs is signed, checked and stored.

Every action (offer_actions.py, receipts.py, vouches.py, conversation.py) ends in
`commit`: it signs a record, checks it against the ledger's rules *before*
storing it (so a refused action leaves nothing behind and says why), and writes
it to the store, which is the outbox a running node publishes from. Views are
derived from the store's records; they are cached until the store changes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

import protocol
from p2pshare.domain import views
from p2pshare.errors import NotFound, UserError
from p2pshare.member import identity as ident
from p2pshare.member import lookup, sealing
from p2pshare.member.bodies import build, fields_of
from p2pshare.member.derived import Derived
from p2pshare.member.marks import Marks
from p2pshare.store import Store
from protocol import Envelope, Offer, Outcome, Profile, PublicKey, RecordId, Vouch

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from p2pshare.domain.ledger import Ledger, LedgerDelta, OfferState
    from p2pshare.domain.trust import TrustGraph
    from p2pshare.member.home import Home
    from p2pshare.member.identity import Identity
    from protocol import Body

_NEWEST_WINS = (Profile, Outcome, Vouch)  # the ledger keeps the newest of these


@dataclass(frozen=True, slots=True, kw_only=True)
class Absorbed:
    """What taking in new records changed (Member.absorb)."""

    fresh: tuple[Envelope, ...]  # records not held before
    first: bool  # the first load: everything changed
    offers: frozenset[RecordId]  # offers whose state changed
    trust: bool  # evidence changed: trust scores may have moved


class MemberCore:
    """The member behind a home: their identity, their store and what follows from it.

    `Member` (actions.py) is this with the actions; they all build on `commit`."""

    def __init__(
        self,
        home: Home,
        identity: Identity,
        store: Store,
        *,
        clock: Callable[[], float] = time.time,
        whole: bool = False,
        follow_store: bool = True,
    ) -> None:
        """`whole`: hold every record's derived state (the app); else load on demand
        what each action looks at (a one-shot command; see member/derived.py).
        `follow_store`: every read first takes in what others wrote to the store
        (one query); an owner that feeds `absorb` itself (the app) turns it off."""
        self.home = home
        self.identity = identity
        self.store = store
        self.marks = Marks(home.marks_file)
        self._clock = clock
        self._derived = Derived(store, now=self.now(), whole=whole)
        self._follow = follow_store
        self._unreported: list[tuple[tuple[Envelope, ...], LedgerDelta | None]] = []

    @classmethod
    def open(
        cls,
        home: Home,
        *,
        passphrase: Callable[[], bytes | None] | None = None,
        whole: bool = False,
        follow_store: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> Self:
        identity = ident.load(home, passphrase or ident.passphrase_from_env)
        store = Store.open(home.store_file)
        return cls(home, identity, store, whole=whole, follow_store=follow_store, clock=clock)

    def close(self) -> None:
        self.store.close()

    @property
    def me(self) -> PublicKey:
        """The key this device signs with (its libp2p peer id's key)."""
        return self.identity.public_key

    @property
    def member_key(self) -> PublicKey:
        """The member this device signs for: the key of its member id, which every
        device of the member shares (docs/PROTOCOL.md §Members and devices). It is
        `me` until a certificate names this device; "mine" in every view is this."""
        if self._follow:
            self._derived.catch_up()
        return self._derived.member_of(self.me)

    def member_of(self, key: PublicKey) -> PublicKey:
        """The member `key` signs for (itself, unless a certificate names it)."""
        return self._derived.member_of(key)

    def is_device_key(self, key: PublicKey) -> bool:
        """Whether a member record names `key` (so its records may not count): a set
        lookup, safe from the event loop while the worker applies records."""
        return self._derived.names_key(key)

    def keys_of(self, member: PublicKey) -> tuple[PublicKey, ...]:
        """The keys that sign for `member` now: its root, then its devices."""
        return self._derived.keys_of(member)

    def now(self) -> int:
        return int(self._clock())

    # -- derived state -------------------------------------------------------

    def has_record(self, record: RecordId) -> bool:
        """Stored already? From memory (the node's validator asks on the event loop)."""
        return record in self._derived

    def absorb(
        self, records: Sequence[Envelope], seqs: Iterable[int] = (), *, catch_up: bool
    ) -> Absorbed:
        """Take in records this process stored (`seqs`: their store rows) and, if
        `catch_up`, what else the store holds; say what changed."""
        derived = self._derived
        first = derived.load() if derived.whole else []
        fresh, delta = derived.absorb(records, seqs)
        deltas = [delta]
        for own, own_delta in self._unreported:  # this member's actions since the last call
            fresh += own
            deltas.append(own_delta)
        self._unreported.clear()
        if catch_up:
            more, delta = derived.catch_up()
            fresh += more
            deltas.append(delta)
        changed = [d for d in deltas if d is not None]
        return Absorbed(
            fresh=tuple(fresh),
            first=bool(first),
            offers=frozenset().union(*(d.offers for d in changed)),
            trust=any(d.evidence_changed for d in changed),
        )

    def judge(self, envelope: Envelope) -> str | None:
        """Why the ledger refuses or holds a record from a peer (None: it counts), from
        the partition it touches: the door's last step in `serve` (issue 16 §5)."""
        if self._follow:
            self._derived.catch_up()
        return self._derived.check(envelope)

    def ledger(self) -> Ledger:
        """The whole ledger now (a one-shot command reads every record for it)."""
        self._derived.make_whole()
        return self._view()

    def _view(self) -> Ledger:
        """The ledger as loaded: whole, or (on demand) the partitions an action made
        sure of first (see member/derived.py)."""
        if self._follow:
            self._derived.catch_up()
        return self._derived.ledger(self.now())

    def trust_graph(self) -> TrustGraph:
        self._derived.make_whole()
        return self._derived.trust(self.now())

    def scores(self) -> dict[PublicKey, float]:
        return self.trust_graph().scores(self.member_key)

    # -- names and ids -------------------------------------------------------

    def name_of(self, key: PublicKey) -> str:
        self._derived.ensure_profiles()
        return views.display_name(self._view(), self.member_key, key)

    def known_members(self) -> set[PublicKey]:
        me = self.member_key
        if not self._derived.whole:  # every author and subject, from the store's indexes
            return {self._derived.member_of(key) for key in self.store.members()} - {me}
        return views.known_members(self.ledger(), me)

    def viewpoint(self) -> views.Viewpoint:
        """This member's view now: what every view in p2pshare.domain.views reads."""
        self._derived.make_whole()
        profile = self.profile()
        return views.Viewpoint(
            me=self.member_key,
            now=self.now(),
            ledger=self.ledger(),
            trust=self.trust_graph(),
            scores=self.scores(),
            my_skills=profile.skills if profile else (),
            muted=frozenset(self.marks.muted),
            blocked=frozenset(self.marks.blocked),
            open_contact=self.open_contact,
            open_note=self.open_note,
            devices=self._derived.keys_of,
            member_of=self._derived.member_of,
        )

    def resolve_member(self, text: str) -> PublicKey:
        """A member id, a unique prefix of one, or a unique display name."""
        text = text.strip()
        try:
            return self._derived.member_of(protocol.public_key_of(text))  # a device's id too
        except protocol.BadMemberId:
            pass
        known = self.known_members()
        self._derived.ensure_profiles()
        me = self.member_key
        names = {k: v.profile.name for k, v in self._view().profiles.items() if k != me}
        return lookup.match_member(text, known, names, self.name_of)

    def resolve_offer(self, text: str) -> OfferState:
        env = lookup.find_record(self.store, text, Offer, "offer")
        self._derived.ensure_offer(env.id)
        state = self._view().offers.get(env.id)
        if state is None:
            reason = self._view().rejected.get(env.id, "not valid")
            raise NotFound(f"offer {text} cannot be shown: {reason}")
        return state

    def resolve_vouch(self, text: str) -> Envelope:
        return lookup.find_record(self.store, text, Vouch, "vouch")

    # -- committing a record ---------------------------------------------------

    def _commit(self, body: Body, *, created_at: int | None = None) -> Envelope:
        """Sign, check against the ledger's rules with the record added, then store.

        `created_at` is given when the body already depends on the date (an offer's
        contact is sealed for it). For kinds where the newest record wins (a profile,
        an outcome, a vouch), the new one is dated after this member's previous one
        of that kind, so two edits within one second cannot come out in the wrong
        order (ties go by id).
        """
        if created_at is None:
            created_at = self.now()
        if isinstance(body, _NEWEST_WINS):  # newest of the member's, from any of its devices
            keys = {self.me, *self.keys_of(self.member_key)}
            previous = [env for key in keys for env in self.store.by_author(key, body.KIND)]
            latest = max((env.created_at for env in previous), default=-1)
            created_at = max(created_at, latest + 1)
        envelope = protocol.sign(body, key=self.identity.signing_key, created_at=created_at)
        if (reason := self._derived.check(envelope)) is not None:  # O(what it touches)
            raise UserError(reason)
        seq = self.store.add_own(envelope, now=self.now())
        fresh, delta = self._derived.absorb([envelope], [seq] if seq else [])
        self._unreported.append((tuple(fresh), delta))  # for the next absorb to tell
        return envelope

    def _seal_key_of(self, member: PublicKey) -> PublicKey:
        self._derived.ensure_profiles()
        view = self._view().profiles.get(member)
        if view is None:
            raise UserError(
                f"no profile of {protocol.member_id(member)} here yet: "
                "their seal key is needed to send them private text"
            )
        return view.profile.seal_key

    def seal_key_of(self, member: PublicKey) -> PublicKey:
        """The key to seal private text to `member` with (UserError: no profile yet)."""
        return self._seal_key_of(member)

    def commit(self, body: Body) -> Envelope:
        """`_commit` for the actions written as functions (conversation.py)."""
        return self._commit(body)

    # -- this member's profile -------------------------------------------------

    def profile(self) -> Profile | None:
        self._derived.ensure_profiles()
        view = self._view().profiles.get(self.member_key)
        return view.profile if view else None

    def set_profile(
        self,
        *,
        name: str | None = None,
        headline: str | None = None,
        skills: Iterable[str] | None = None,
        region: str | None = None,
        available: bool | None = None,
    ) -> Envelope:
        """Publish a new profile: given fields change, the others stay as they were."""
        given = {
            "name": name,
            "headline": headline,
            "skills": None if skills is None else protocol.normalize_skills(skills),
            "region": region,
            "available": available,
        }
        old = self.profile()
        if old is None and name is None:
            raise UserError("the first profile needs a name")
        base = (
            fields_of(old)
            if old
            else {"headline": "", "skills": (), "region": "", "available": True}
        )
        changes = {key: value for key, value in given.items() if value is not None}
        seal = sealing.profile_seal_key(self.identity, old)  # issue 15: see there
        body = build(Profile, **{**base, **changes, "seal_key": seal})
        return self._commit(body)

    # -- private text (member/sealing.py) --------------------------------------

    def open_contact(self, offer: OfferState) -> str:
        """The offer's contact details, if this member may read them ('' if none)."""
        return sealing.open_contact(offer, self.member_key, self.identity.seal_keys)

    def open_note(self, offer: OfferState, link_id: RecordId) -> str:
        """A forward's note: public, or sealed to me; '' if it is not mine to read."""
        return sealing.open_note(offer, link_id, self.member_key, self.identity.seal_keys)
