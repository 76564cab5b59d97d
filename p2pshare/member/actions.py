"""One member's actions and views over their home: what the CLI, the node and the app call.

Every action signs a record, checks it against the ledger's rules *before*
storing it (so a refused action leaves nothing behind and says why), and writes
it to the store, which is the outbox a running node publishes from. Views are
derived from the store's records; they are cached until the store changes.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import protocol
from p2pshare.domain import views
from p2pshare.domain.ledger import NETWORK, Ledger, LedgerDelta, OfferState
from p2pshare.errors import NotFound, UserError
from p2pshare.member import conversation, lookup, sealing
from p2pshare.member import identity as ident
from p2pshare.member.derived import Derived
from p2pshare.member.marks import Marks
from p2pshare.store import Store
from protocol import (
    Accept,
    Body,
    Credit,
    Envelope,
    Forward,
    Handoff,
    Offer,
    Outcome,
    Profile,
    PublicKey,
    RecordId,
    Revoke,
    Vouch,
    Withdraw,
)
from protocol.value import BadValue
from protocol.value import parse_value as parse_value_text

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from p2pshare.domain.activity import Said
    from p2pshare.domain.trust import TrustGraph
    from p2pshare.member.home import Home
    from p2pshare.member.identity import Identity

DAY = 86_400
_B = TypeVar("_B", bound=Body)
_NEWEST_WINS = (Profile, Outcome, Vouch)  # the ledger keeps the newest of these


def create_member(
    home: Home,
    *,
    name: str,
    headline: str = "",
    skills: Iterable[str] = (),
    region: str = "",
    passphrase: bytes | None = None,
) -> Identity:
    """First run: make the keys and sign the first profile. A bad profile writes nothing."""
    skills = protocol.normalize_skills(skills)
    fields = {"name": name.strip(), "headline": headline, "skills": skills, "region": region}
    _build(Profile, **fields, available=True, seal_key=bytes(32))  # validate before any key
    identity = ident.create(home, passphrase=passphrase)
    with Store.open(home.store_file) as store:
        Member(home, identity, store).set_profile(**fields, available=True)  # type: ignore[arg-type]
    return identity


def parse_value(text: str) -> tuple[int, str]:
    """The one value grammar (protocol/value.py): '5000', '5,000', '5000 EUR'."""
    try:
        return parse_value_text(text)
    except BadValue as exc:
        raise UserError(str(exc)) from None


@dataclass(frozen=True, slots=True, kw_only=True)
class Absorbed:
    """What taking in new records changed (Member.absorb)."""

    fresh: tuple[Envelope, ...]  # records not held before
    first: bool  # the first load: everything changed
    offers: frozenset[RecordId]  # offers whose state changed
    trust: bool  # evidence changed: trust scores may have moved


class Member:
    """The member behind a home: their identity, their store and what follows from it."""

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
    ) -> Member:
        identity = ident.load(home, passphrase or ident.passphrase_from_env)
        store = Store.open(home.store_file)
        return cls(home, identity, store, whole=whole, follow_store=follow_store, clock=clock)

    def close(self) -> None:
        self.store.close()

    @property
    def me(self) -> PublicKey:
        return self.identity.public_key

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
        return self.trust_graph().scores(self.me)

    # -- names and ids -------------------------------------------------------

    def name_of(self, key: PublicKey) -> str:
        self._derived.ensure_profiles()
        return views.display_name(self._view(), self.me, key)

    def known_members(self) -> set[PublicKey]:
        if not self._derived.whole:  # every author and subject, from the store's indexes
            return self.store.members() - {self.me}
        return views.known_members(self.ledger(), self.me)

    def viewpoint(self) -> views.Viewpoint:
        """This member's view now: what every view in p2pshare.domain.views reads."""
        self._derived.make_whole()
        profile = self.profile()
        return views.Viewpoint(
            me=self.me,
            now=self.now(),
            ledger=self.ledger(),
            trust=self.trust_graph(),
            scores=self.scores(),
            my_skills=profile.skills if profile else (),
            muted=frozenset(self.marks.muted),
            blocked=frozenset(self.marks.blocked),
            open_contact=self.open_contact,
            open_note=self.open_note,
        )

    def resolve_member(self, text: str) -> PublicKey:
        """A member id, a unique prefix of one, or a unique display name."""
        text = text.strip()
        try:
            return protocol.public_key_of(text)
        except protocol.BadMemberId:
            pass
        known = self.known_members()
        self._derived.ensure_profiles()
        names = {k: v.profile.name for k, v in self._view().profiles.items() if k != self.me}
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

    # -- acting --------------------------------------------------------------

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
        if isinstance(body, _NEWEST_WINS):
            previous = self.store.by_author(self.me, body.KIND)  # indexed: O(mine of a kind)
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

    def profile(self) -> Profile | None:
        self._derived.ensure_profiles()
        view = self._view().profiles.get(self.me)
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
            _fields_of(old)
            if old
            else {"headline": "", "skills": (), "region": "", "available": True}
        )
        changes = {key: value for key, value in given.items() if value is not None}
        body = _build(Profile, **{**base, **changes, "seal_key": self.identity.seal_public})
        return self._commit(body)

    def post_offer(
        self,
        *,
        title: str,
        description: str = "",
        skills: Iterable[str] = (),
        region: str = "",
        remote: bool = False,
        value: str | tuple[int, str] = "",
        expires_days: int = 30,
        contact: str = "",
    ) -> Envelope:
        amount, currency = parse_value(value) if isinstance(value, str) else value
        if expires_days < 1:
            raise UserError("an offer must stay open at least one day (--expires 1 or more)")
        now = self.now()
        sealed = b""
        if contact:
            sealed = sealing.seal_text(
                contact,
                self.identity.seal_public,
                protocol.offer_contact_context(self.me, now),
            )
        body = _build(
            Offer,
            title=title.strip(),
            description=description,
            skills=protocol.normalize_skills(skills),
            region=region.strip(),
            remote=remote,
            value=amount,
            currency=currency,
            expires_at=now + expires_days * DAY,
            contact=sealed,
        )
        return self._commit(body, created_at=now)  # the date the contact was sealed for

    def _reached_me(self, state: OfferState) -> RecordId:
        """Where my forward or accept continues the chain: how the offer reached me."""
        chain = state.chain_to(self.me)
        return chain[-1].id if chain else state.id

    def forward(self, offer: OfferState, *, to: PublicKey | None, note: str = "") -> Envelope:
        """Pass an offer to one member (note sealed to them) or to the whole network."""
        parent = self._reached_me(offer)
        private = b""
        public_note = note
        if to is not None:
            if to == self.me:
                raise UserError("you cannot forward an offer to yourself")
            if note:
                context = protocol.forward_note_context(self.me, parent, to)
                private = sealing.seal_text(note, self._seal_key_of(to), context)
                public_note = ""
        body = _build(
            Forward,
            offer=offer.id,
            parent=parent,
            to=to if to is not None else NETWORK,
            note=public_note,
            private_note=private,
        )
        return self._commit(body)

    def accept(self, offer: OfferState, *, note: str = "") -> Envelope:
        body = _build(Accept, offer=offer.id, via=self._reached_me(offer), note=note)
        return self._commit(body)

    def handoff(self, offer: OfferState, *, to: PublicKey) -> Envelope:
        """Give my offer to a member who accepted it, with the contact sealed to them."""
        if offer.author != self.me:
            raise UserError("only the offer's author can hand it off")
        accept = offer.accepted_by(to)
        if accept is None:
            raise UserError(f"{self.name_of(to)} has not accepted this offer")
        contact = b""
        if offer.offer.contact:
            text = self.open_contact(offer)
            context = protocol.handoff_contact_context(self.me, offer.id, to)
            contact = sealing.seal_text(text, self._seal_key_of(to), context)
        body = _build(Handoff, offer=offer.id, accept=accept.id, to=to, contact=contact)
        return self._commit(body)

    def outcome(
        self,
        offer: OfferState,
        *,
        fulfilled: bool,
        rating: int = 0,
        value: int = 0,
        to: PublicKey | None = None,
        note: str = "",
    ) -> Envelope:
        """Sign the receipt for a hand-off: mine as author, or my confirmation as recipient."""
        if offer.author == self.me:
            handoffs = [h for h in offer.handoffs if to is None or h.to == to]
        else:
            handoffs = [h for h in offer.handoffs if h.to == self.me]
        if not handoffs:
            raise UserError("this offer has no hand-off you can report on")
        if len(handoffs) > 1:
            raise UserError("this offer was handed to several members: say which with --to")
        body = _build(
            Outcome,
            offer=offer.id,
            handoff=handoffs[0].id,
            fulfilled=fulfilled,
            rating=rating,
            value=value,
            note=note,
        )
        return self._commit(body)

    def credit(
        self, offer: OfferState, forwarders: Iterable[PublicKey], *, to: PublicKey | None = None
    ) -> Envelope:
        """Name the forwarders of my hand-off I credit as connectors (none: withhold it).

        Only members on the chain that brought the offer to the recipient can be
        named; the latest credit counts, and the outcome is left as it is.
        """
        if offer.author != self.me:
            raise UserError("only the offer's author can credit its forwarders")
        handoffs = [h for h in offer.handoffs if to is None or h.to == to]
        if not handoffs:
            raise UserError("this offer has no hand-off to credit")
        if len(handoffs) > 1:
            raise UserError("this offer was handed to several members: say which with --to")
        handoff = handoffs[0]
        named = tuple(dict.fromkeys(forwarders))
        if stray := [k for k in named if k not in handoff.forwarders]:
            who = ", ".join(protocol.member_id(k) for k in stray)
            raise UserError(f"not on the chain that brought the offer to its recipient: {who}")
        return self._commit(_build(Credit, offer=offer.id, handoff=handoff.id, forwarders=named))

    def trusted_forwarders(
        self, offer: OfferState, *, to: PublicKey | None = None
    ) -> tuple[PublicKey, ...]:
        """The default credit for my hand-off: the forwarders on its chain I have a trust
        path to (an identity nobody I trust vouched for or worked with gets none)."""
        handoffs = [h for h in offer.handoffs if to is None or h.to == to]
        if len(handoffs) != 1:
            return ()
        scores = self.scores()
        return tuple(k for k in handoffs[0].forwarders if scores.get(k, 0.0) > 0.0)

    def reply(self, offer: OfferState, *, note: str, rating: int = 0) -> Envelope:
        """Answer the author's "not fulfilled" about my hand-off: my own outcome says
        fulfilled, with my side in `note`; it travels with the author's outcome."""
        handoff = offer.handoff_to(self.me)
        if handoff is None or handoff.outcome is None:
            raise UserError("there is no outcome about your hand-off to reply to")
        if handoff.outcome.fulfilled:
            raise UserError("the author reported it fulfilled: there is nothing to dispute")
        body = _build(
            Outcome,
            offer=offer.id,
            handoff=handoff.id,
            fulfilled=True,
            rating=rating,
            value=0,
            note=note,
        )
        return self._commit(body)

    # -- "not for me" and the conversation (member/conversation.py) -------------

    def decline(self, offer: OfferState, *, note: str = "") -> Envelope:
        """Turn down the forward of `offer` to me; the note is sealed to its forwarder."""
        return conversation.decline(self, offer, note)

    def say(self, offer: OfferState, text: str) -> list[Envelope]:
        """A message to the offer's participants: one sealed copy per reader."""
        return conversation.say(self, offer, text)

    def said(self, offer: RecordId | None = None) -> list[Said]:
        """Messages and declines this member can read, oldest first."""
        return conversation.said(self, offer)

    def seal_key_of(self, member: PublicKey) -> PublicKey:
        return self._seal_key_of(member)

    def commit(self, body: Body) -> Envelope:
        return self._commit(body)

    def withdraw(self, offer: OfferState, *, reason: str = "") -> Envelope:
        if offer.author != self.me:
            raise UserError("only the offer's author can withdraw it")
        if offer.withdrawn is not None:
            raise UserError("this offer is already withdrawn")
        return self._commit(_build(Withdraw, offer=offer.id, reason=reason))

    def vouch(self, subject: PublicKey, *, skills: Iterable[str] = (), note: str = "") -> Envelope:
        if subject == self.me:
            raise UserError("you cannot vouch for yourself")
        body = _build(Vouch, subject=subject, skills=protocol.normalize_skills(skills), note=note)
        return self._commit(body)

    def revoke(self, vouch: Envelope) -> Envelope:
        if vouch.author != self.me:
            raise UserError("you can only revoke your own vouches")
        self._derived.ensure_vouch(vouch.id)
        if vouch.id in self._view().revoked:
            raise UserError("this vouch is already revoked")
        return self._commit(_build(Revoke, vouch=vouch.id))

    # -- private text (member/sealing.py) --------------------------------------

    def open_contact(self, offer: OfferState) -> str:
        """The offer's contact details, if this member may read them ('' if none)."""
        return sealing.open_contact(offer, self.me, self.identity.seal_key)

    def open_note(self, offer: OfferState, link_id: RecordId) -> str:
        """A forward's note: public, or sealed to me; '' if it is not mine to read."""
        return sealing.open_note(offer, link_id, self.me, self.identity.seal_key)


def _fields_of(body: Body) -> dict[str, object]:
    return {f.name: getattr(body, f.name) for f in dataclasses.fields(body)}


def _build(cls: type[_B], **fields: object) -> _B:
    """Construct a body, turning a validation failure into a one-line user error."""
    try:
        return cls(**fields)  # type: ignore[arg-type]
    except protocol.ProtocolError as exc:
        raise UserError(str(exc).replace(f"{cls.NAME}.", "", 1)) from None
