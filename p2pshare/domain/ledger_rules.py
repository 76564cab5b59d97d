"""The ledger's rules, applied to one partition of the records.

A partition is every record whose rules can only touch one key record (see
`ledger_part.partition_of`): an offer with its withdraws, forwards, accepts,
hand-offs and outcomes; a vouch with its revokes. `derive` runs the ledger's rules
over one partition, oldest first in (created_at, id) order, kind by kind, so a
record is checked only after everything it may refer to in its partition has been
decided.

Records of other partitions are read through `lookup` (every record the ledger
holds), but only their bodies, never their derived state: a forward whose parent
is a forward of another offer, an accept via another offer's forward, a hand-off
naming another offer's accept or an outcome naming another offer's hand-off is
rejected from the referenced body alone. So a partition's result depends only on
its own records and on which records it looked up exist; that is what lets the
ledger (ledger.py) re-derive one partition when a record arrives.

Pure: no I/O, no clock. `now` is an argument, and only decides whether an open
offer reads EXPIRED; the state (ledger.py) re-dates offers when `now` moves.

Rules changed by partitioning (only for cross-offer references, all of which end
rejected either way): a forward whose parent is a forward of another offer, an
accept via another offer's forward, a hand-off naming another offer's accept, and
an outcome naming another offer's hand-off are rejected as "... another offer" at
once, from the referenced record's body. Before, they waited while that record
waited, or were rejected as "its ... was rejected" if it was rejected, and a
forged loop of forwards across two offers read "its chain loops".

The checks every rule starts with (what a record names, dates, an offer still
open) are in ledger_checks.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from p2pshare.domain.evidence import VouchEdge
from p2pshare.domain.ledger_checks import PartitionChecks
from p2pshare.domain.ledger_part import (
    NOTHING,
    Handed,
    Lookup,
    Part,
    lone_offer,
    offer_part,
    or_empty,
)
from p2pshare.domain.ledger_views import (
    MAX_CHAIN,
    NETWORK,
    AcceptView,
    ForwardLink,
)
from protocol import (
    Accept,
    Credit,
    Envelope,
    Forward,
    Handoff,
    Offer,
    Outcome,
    PublicKey,
    RecordId,
    Revoke,
    Vouch,
    Withdraw,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


def derive(
    key: RecordId,
    records: Sequence[Envelope],
    lookup: Lookup,
    *,
    now: int,
    void: Mapping[RecordId, str] = NOTHING.rejected,
) -> Part:
    """Apply the rules to the records of the partition keyed by `key`. `now` only
    decides whether an open offer reads EXPIRED. `void`: records that do not count
    for their member (attribution.py), with why; they are rejected, and so is what
    depends on them."""
    if (
        len(records) == 1
        and records[0].id == key
        and isinstance(records[0].body, Offer)
        and key not in void
    ):
        return lone_offer(records[0], records[0].body, now)  # most offers: nothing to decide
    return _Rules(key, records, lookup, void).run(now)


class _Rules(PartitionChecks):
    """One pass over one partition, phase by phase (the checks every rule starts
    with are PartitionChecks', ledger_checks.py)."""

    # -- phases -----------------------------------------------------------

    def run(self, now: int) -> Part:
        kinds: dict[type, list[Envelope]] = {}
        none: list[Envelope] = []
        void = self.void
        for env in self.sorted:
            if void and (why := void.get(env.id)) is not None:
                self._reject(env, why)  # not its member's: what names it is rejected too
                continue
            kinds.setdefault(type(env.body), []).append(env)
        for env in kinds.get(Vouch, none):
            body = env.body
            assert isinstance(body, Vouch)
            if body.subject == env.author:
                self._reject(env, "a member cannot vouch for themselves")
        revoke = self._revokes(kinds.get(Revoke, none))
        for env in kinds.get(Withdraw, none):
            self._withdraw(env)
        for env in kinds.get(Forward, none):
            if not self._decided(env.id):
                self._forward_tree(env)
        taken: set[bytes] = set()
        for env in kinds.get(Accept, none):
            self._accept(env, taken)
        given: set[bytes] = set()
        for env in kinds.get(Handoff, none):
            self._handoff(env, given)
        for env in kinds.get(Outcome, none):
            self._outcome(env)
        for env in kinds.get(Credit, none):
            self._credit(env)
        return self._part(revoke, now)

    def _revokes(self, revokes: list[Envelope]) -> RecordId | None:
        """The earliest valid revoke of the partition's vouch."""
        taken_back: RecordId | None = None
        for env in revokes:
            if self._ref(env, self.key, Vouch, "vouch") is None:
                continue
            vouch = self.lookup(self.key)
            assert vouch is not None
            if env.author != vouch.author:
                self._reject(env, "only the vouch's author can revoke it")
            elif not self._dated_before(env, self.key, "vouch") and taken_back is None:
                taken_back = env.id
        return taken_back

    def _withdraw(self, env: Envelope) -> None:
        offer = self._offer(env)
        if offer is None:
            return
        if env.author != offer.author:
            self._reject(env, "only the offer's author can withdraw it")
        elif self.withdraw is not None:
            self._reject(env, "the offer was already withdrawn")
        elif not self._dated_before(env, offer.id, "offer"):
            self.withdraw = env

    def _forward_tree(self, env: Envelope) -> None:
        """Decide `env` and any undecided forwards of this offer above it, parents first.

        Iterative, so a hostile chain cannot exhaust the stack; the walk stops at
        the first decided record or one that is no forward of this offer, and a
        revisited id is a loop.
        """
        path = [env]
        seen = {env.id}
        while True:
            body = path[-1].body
            assert isinstance(body, Forward)
            parent = self.lookup(body.parent)
            if (
                parent is None
                or not isinstance(parent.body, Forward)
                or parent.body.offer != self.key
                or self._decided(parent.id)
            ):
                break
            if parent.id in seen:
                for looped in path:
                    self._reject(looped, "its chain loops")
                return
            seen.add(parent.id)
            path.append(parent)
        for link in reversed(path):
            self._forward(link)

    def _forward(self, env: Envelope) -> None:
        body = env.body
        assert isinstance(body, Forward)
        if body.to == env.author:
            self._reject(env, "a member cannot forward to themselves")
            return
        offer = self._offer(env)
        if offer is None:
            return
        assert isinstance(offer.body, Offer)
        if body.parent == body.offer:
            depth = 1
        else:
            foreign = "its parent forward belongs to another offer"
            if self._ref(env, body.parent, Forward, "parent", foreign) is None:
                return
            parent = self.links[body.parent]
            if parent.to not in (NETWORK, env.author):
                self._reject(env, "its parent was forwarded to someone else")
                return
            depth = parent.depth + 1
            if depth > MAX_CHAIN:
                self._reject(env, f"the chain is longer than {MAX_CHAIN} forwards")
                return
        if self._dated_before(env, body.parent, "parent") or self._closed(env, offer.body):
            return
        self.links[env.id] = ForwardLink(
            id=env.id,
            author=env.author,
            parent=body.parent,
            to=body.to,
            note=body.note,
            private_note=body.private_note,
            created_at=env.created_at,
            depth=depth,
        )

    def _chain(self, via: RecordId) -> tuple[PublicKey, ...]:
        authors: list[PublicKey] = []
        while (link := self.links.get(via)) is not None:
            authors.append(link.author)
            via = link.parent
        return tuple(reversed(authors))

    def _accept(self, env: Envelope, taken: set[bytes]) -> None:
        body = env.body
        assert isinstance(body, Accept)
        offer = self._offer(env)
        if offer is None:
            return
        assert isinstance(offer.body, Offer)
        if env.author == offer.author:
            self._reject(env, "the offer's author cannot accept their own offer")
            return
        if body.via != body.offer:
            foreign = "it came via a forward of another offer"
            if self._ref(env, body.via, Forward, "forward", foreign) is None:
                return
            if self.links[body.via].to not in (NETWORK, env.author):
                self._reject(env, "it came via a forward to someone else")
                return
        if self._dated_before(env, body.via, "forward" if body.via != body.offer else "offer"):
            return
        if self._closed(env, offer.body):
            return
        if env.author in taken:
            self._reject(env, "already accepted by this member")
            return
        taken.add(env.author)
        self.accepts[env.id] = AcceptView(
            id=env.id,
            author=env.author,
            via=body.via,
            note=body.note,
            created_at=env.created_at,
            chain=self._chain(body.via),
        )

    def _handoff(self, env: Envelope, given: set[bytes]) -> None:
        body = env.body
        assert isinstance(body, Handoff)
        offer = self._offer(env)
        if offer is None:
            return
        assert isinstance(offer.body, Offer)
        if env.author != offer.author:
            self._reject(env, "only the offer's author can hand it off")
            return
        foreign = "its accept is for another offer"
        if self._ref(env, body.accept, Accept, "accept", foreign) is None:
            return
        accept = self.accepts[body.accept]
        if accept.author != body.to:
            self._reject(env, "it goes to someone other than the member who accepted")
            return
        if self._dated_before(env, body.accept, "accept") or self._closed(env, offer.body):
            return
        if body.to in given:
            self._reject(env, "the offer was already handed off to this member")
            return
        given.add(body.to)
        skip = (offer.author, body.to)
        forwarders = tuple(dict.fromkeys(k for k in accept.chain if k not in skip))
        self.handoffs[env.id] = Handed(env=env, body=body, forwarders=forwarders)

    def _outcome(self, env: Envelope) -> None:
        body = env.body
        assert isinstance(body, Outcome)
        offer = self._offer(env)
        if offer is None:
            return
        foreign = "its hand-off is of another offer"
        if self._ref(env, body.handoff, Handoff, "hand-off", foreign) is None:
            return
        handed = self.handoffs[body.handoff]
        if self._dated_before(env, body.handoff, "hand-off"):
            return
        if env.author == offer.author:
            handed.outcome = env  # records run oldest first: the latest one counts
        elif env.author == handed.body.to:
            handed.confirmation = env
        else:
            self._reject(env, "only the offer's author or the hand-off's recipient can report it")

    def _credit(self, env: Envelope) -> None:
        """The author's attestation of the forwarders a hand-off's connector credit goes
        to: only members on the chain that brought the offer to the recipient."""
        body = env.body
        assert isinstance(body, Credit)
        offer = self._offer(env)
        if offer is None:
            return
        foreign = "its hand-off is of another offer"
        if self._ref(env, body.handoff, Handoff, "hand-off", foreign) is None:
            return
        handed = self.handoffs[body.handoff]
        if env.author != offer.author:
            self._reject(env, "only the offer's author can credit its forwarders")
        elif not set(body.forwarders) <= set(handed.forwarders):
            self._reject(env, "it names a member who did not bring the offer to the recipient")
        elif not self._dated_before(env, body.handoff, "hand-off"):
            handed.credit = env  # records run oldest first: the latest one counts

    # -- assembly ---------------------------------------------------------

    def _part(self, revoke: RecordId | None, now: int) -> Part:
        rejected, pending = or_empty(self.rejected), or_empty(self.pending)
        key = self.lookup(self.key)
        if key is not None and isinstance(key.body, Vouch):
            vouch = None
            if revoke is None and key.id not in self.rejected:
                vouch = VouchEdge(
                    id=key.id,
                    voucher=key.author,
                    subject=key.body.subject,
                    skills=key.body.skills,
                    created_at=key.created_at,
                )
            return Part(rejected, pending, vouch=vouch, revoke=revoke)
        if key is None or not isinstance(key.body, Offer) or key.id in self.rejected:
            return Part(rejected, pending)
        return offer_part(
            key,
            key.body,
            rejected,
            pending,
            links=self.links.values(),
            accepts=self.accepts.values(),
            handoffs=self.handoffs.values(),
            withdraw=self.withdraw,
            now=now,
        )
