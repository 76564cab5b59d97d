"""The offer ledger: everything a member sees, derived from a set of signed records,
and kept up to date one batch of new records at a time.

Pure (DESIGN §3): no I/O and no clock, `now` is an argument. Order-independent:
records are deduplicated by id and every rule is applied in (created_at, id)
order, so two nodes holding the same records derive the same ledger whatever
order the records arrived in.

Each record ends in exactly one place: in the state, superseded by a newer
record of the same author (profiles, vouches, outcomes), `pending` on a record
that has not arrived yet, or `rejected` with a reason a person can read. The
trust engine gets only what survived, as evidence.VouchEdge and evidence.Receipt.

Incremental by partition. Every rule is local to one partition (ledger_rules.py):
an offer with the records that name it (withdraws, forwards, accepts, hand-offs,
outcomes), a vouch with its revokes; profiles are kept per author. A partition
reads other records' bodies, never another partition's derived state, so its
result depends only on its own records and on which ids it found missing. So
`LedgerState.apply` re-derives only the partitions a batch touches: the new
records' own, and those with a record pending on a new record's id. What spans
partitions (the newest live vouch per voucher and subject, receipts, connector
credit, rejected, pending) is kept by taking a partition's old contribution out
and putting its new one in. A full rebuild (`Ledger.build`) is the same code with
every partition touched, so the incremental state equals a full rebuild by
construction (and tests/domain/test_ledger_incremental.py checks it).

Records are read as their members wrote them (attribution.py, docs/PROTOCOL.md
§Records of a member): the author and the member keys a body names become the
members they sign for, and a record that does not count for its member is
rejected with why. Member records are few and change whose records are whose,
so one that does rebuilds the state from every record (ledger_rebuild.py says
what that changed); a record set gives one state, whatever the order.

`now` only turns an OPEN offer EXPIRED (and back, if the clock goes back). The
state keeps offers as of the latest `now` asked for; a new `now` re-dates only the
offers whose expiry lies in between (an index by expiry), and a view at another
`now` re-dates an offer as it is read. No rebuild: `LedgerState.expired_between`
names the offers a tick turned, for a view that patches rows.

The read view (`Ledger`, what it hands out) is in ledger_views.py; the rules
of one partition in ledger_rules.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from p2pshare.domain.attribution import Attribution, is_member_record
from p2pshare.domain.ledger_collections import (
    Change,
    ExpiryIndex,
    LedgerDelta,
    OfferMap,
    ReceiptIndex,
    SortedKeys,
    View,
    VouchIndex,
    at,
)
from p2pshare.domain.ledger_part import (
    NOTHING,
    Part,
    file_part,
    lone_offer_state,
    order,
    partition_of,
)
from p2pshare.domain.ledger_rebuild import Snapshot
from p2pshare.domain.ledger_rebuild import delta as rebuilt
from p2pshare.domain.ledger_rules import derive
from p2pshare.domain.ledger_views import (
    MAX_CHAIN,
    NETWORK,
    AcceptView,
    ForwardLink,
    HandoffView,
    Ledger,
    OfferState,
    OfferStatus,
    OutcomeView,
    ProfileView,
    WithdrawView,
)
from p2pshare.domain.offer_order import OfferOrder
from protocol import Envelope, Offer, Profile, PublicKey, RecordId, Vouch

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


__all__ = [
    "MAX_CHAIN",
    "NETWORK",
    "AcceptView",
    "ForwardLink",
    "HandoffView",
    "Ledger",
    "LedgerDelta",
    "LedgerState",
    "OfferState",
    "OfferStatus",
    "OutcomeView",
    "ProfileView",
    "WithdrawView",
]


class LedgerState:
    """The derived state of every record applied so far, updated in place.

    Not thread-safe: apply, and read the views it hands out, from one thread.

    Kept lean, for 100,000 offers: a partition's records are listed apart from its
    key record only if it has others; a partition's `Part` is kept only if it has
    more than its offer or vouch (rejected, pending, receipts, credit, a revoke);
    offers are kept as of `_clock` (the latest `now` asked for), so an expired
    offer is one object, re-dated on reading only for a view at another `now`.
    """

    def __init__(self, *, now: int = -1) -> None:
        """An empty state; `now`, if known, is the clock to keep offers at from the
        start (the first `ledger(now)` then re-dates none)."""
        self._by_id: dict[RecordId, Envelope] = {}  # as its member wrote it (attribution.py)
        self.members = Attribution()  # the member records: who signs for whom
        self._raw: dict[RecordId, Envelope] = {}  # records attribution rewrote, as signed
        self._void: dict[RecordId, str] = {}  # records that do not count for their member
        self._members: dict[RecordId, list[Envelope]] = {}  # key -> its other records
        self._parts: dict[RecordId, Part] = {}  # key -> its Part, unless just an offer/vouch
        self._waiters: dict[RecordId, set[RecordId]] = {}  # missing id -> partitions waiting
        self._clock = now  # the `now` offers are kept at
        self._offers: dict[RecordId, OfferState] = {}  # in (created_at, id) order once _order sorts
        self._order = OfferOrder(self._offers)  # puts late arrivals in order on reading
        self._expiry = ExpiryIndex(self._expires)
        self._profiles: dict[PublicKey, ProfileView] = {}
        self._authors = SortedKeys[PublicKey](lambda author: (0, author))
        self._vouches = VouchIndex()
        self._revoked: dict[RecordId, RecordId] = {}
        self._receipts = ReceiptIndex()
        self._credit: dict[PublicKey, int] = {}
        self._rejected: dict[RecordId, str] = {}
        self._pending: dict[RecordId, RecordId] = {}
        by_rank = self._rank
        self._views = (
            View(self._profiles, lambda: self._authors.keys),
            View(
                self._revoked,
                lambda: sorted(self._revoked, key=lambda v: by_rank(self._revoked[v])),
            ),
            View(self._credit, lambda: sorted(self._credit)),
            View(self._rejected, lambda: sorted(self._rejected, key=by_rank)),
            View(self._pending, lambda: sorted(self._pending, key=by_rank)),
        )

    def _reset(self) -> None:
        """Empty the derived state in place, so the views handed out stay live; the
        member records and the clock stay."""
        for held in vars(self).values():
            if type(held) is dict:  # every mapping of the state is derived: all go
                held.clear()
        self._order.clear()
        self._expiry = ExpiryIndex(self._expires)
        self._authors = SortedKeys[PublicKey](lambda author: (0, author))
        self._vouches = VouchIndex()
        self._receipts = ReceiptIndex()

    def _rank(self, record: RecordId) -> tuple[int, bytes]:
        return order(self._by_id[record])

    def _expires(self, offer: RecordId) -> int:
        return self._offers[offer].offer.expires_at

    # -- reading ----------------------------------------------------------

    @property
    def records(self) -> Mapping[RecordId, Envelope]:
        """Every record applied, by id."""
        return View(self._by_id, lambda: self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, record: object) -> bool:
        return record in self._by_id

    def ledger(self, now: int) -> Ledger:
        """The read view at `now`. O(1), except: the vouches and receipts tuples are
        made once after an apply that changed them, and the offers the clock turned
        since the last `now` asked for are re-dated (O(those))."""
        self._set_clock(now)
        profiles, revoked, credit, rejected, pending = self._views
        return Ledger(
            now=now,
            offers=OfferMap(self._offers, self._order.sort, now),
            profiles=profiles,
            vouches=self._vouches.newest(),
            revoked=revoked,
            receipts=self._receipts.all(),
            connector_credit=credit,
            rejected=rejected,
            pending=pending,
        )

    def offer(self, offer: RecordId, now: int) -> OfferState:
        """One offer as it stands at `now` (KeyError if there is no such offer)."""
        return at(self._offers[offer], now)

    def expired_between(self, earlier: int, later: int) -> list[RecordId]:
        """Offers whose status the clock alone changes between two `now`s (OPEN at
        one, EXPIRED at the other), in expiry order."""
        low, high = sorted((earlier, later))
        clocked = (OfferStatus.OPEN, OfferStatus.EXPIRED)
        between = self._expiry.between(low, high)
        return [rid for rid in between if self._offers[rid].status in clocked]

    def _set_clock(self, now: int) -> None:
        if now != self._clock:
            for rid in self.expired_between(self._clock, now):
                self._offers[rid] = at(self._offers[rid], now)
            self._clock = now

    def check(self, envelope: Envelope) -> str | None:
        """Why the ledger would reject `envelope` or hold it pending, or None if it
        would take it. Derives its partition only, and changes nothing."""
        if envelope.id in self._void:
            return self._void[envelope.id]
        if envelope.id not in self._by_id and not is_member_record(envelope):
            attributed = self.members.judge(envelope)
            if isinstance(attributed, str):
                return attributed
            envelope = attributed
        key = partition_of(envelope)
        if key is None:
            return None  # a profile: newest wins, never refused
        if envelope.id in self._by_id:
            part = self._parts.get(key)
            return part.reason(envelope.id) if part is not None else None

        def lookup(record: RecordId) -> Envelope | None:
            return envelope if record == envelope.id else self._by_id.get(record)

        records = [*self._records(key), envelope]
        trial = derive(key, records, lookup, now=self._clock, void=self._void)
        return trial.reason(envelope.id)

    def _records(self, key: RecordId) -> list[Envelope]:
        """The records of the partition keyed by `key`."""
        records = self._members.get(key, [])
        head = self._by_id.get(key)
        if head is not None and partition_of(head) == key:  # an offer or a vouch
            return [head, *records]
        return records

    # -- applying ---------------------------------------------------------

    def apply(self, envelopes: Iterable[Envelope]) -> LedgerDelta:
        """Add records (duplicates and known ones are ignored); say what changed.

        Member records first: when they change which member a key signs for, or
        which of its records count, every record is read again (a rebuild: member
        records are few, and this keeps the state a function of the record set)."""
        batch = envelopes if isinstance(envelopes, list) else list(envelopes)
        members = [env for env in batch if is_member_record(env) and env.id not in self._by_id]
        if members and self.members.add(members) and self._by_id:
            return self._rebuild(batch)
        return self._apply(batch)

    def _rebuild(self, batch: list[Envelope]) -> LedgerDelta:
        """Every record applied again under the member records now held; the delta
        against the state before."""
        raw = [self._raw.get(rid, env) for rid, env in self._by_id.items()]
        before = self._snapshot()
        self._reset()
        self._apply([*raw, *batch])
        return rebuilt(before, self._snapshot())

    def _snapshot(self) -> Snapshot:
        return Snapshot.of(
            offers=self._offers,
            profiles=self._profiles,
            vouches=self._vouches.newest(),
            receipts=self._receipts.all(),
            credit=self._credit,
            rejected=self._rejected,
            pending=self._pending,
        )

    def _apply(self, envelopes: Iterable[Envelope]) -> LedgerDelta:
        dirty: dict[RecordId, tuple[int, bytes] | None] = {}  # partition -> its key's rank
        profiles: set[PublicKey] = set()
        judging = bool(self.members.named_any)
        for env in envelopes:
            rid = env.id
            if rid in self._by_id:
                continue
            if judging and not is_member_record(env):  # those are in self.members (apply)
                attributed = self.members.judge(env)
                if isinstance(attributed, str):
                    self._void[rid] = attributed
                elif attributed is not env:
                    self._raw[rid] = env
                    env = attributed
            self._by_id[rid] = env
            if (waiting := self._waiters.pop(rid, None)) is not None:
                dirty.update(dict.fromkeys(waiting))  # partitions with a record that waited
            key = partition_of(env)
            if key == rid:
                dirty[rid] = (env.created_at, rid)  # an offer or a vouch, and what names it
                continue
            if rid in self._members:
                dirty[rid] = None  # records that name it, wrongly, as their offer or vouch
            if key is None:
                if rid in self._void:
                    self._rejected[rid] = f"{env.body.NAME}: {self._void[rid]}"
                elif self._profile(env):
                    profiles.add(env.author)
                continue
            self._members.setdefault(key, []).append(env)
            dirty.setdefault(key, None)
        change = Change()
        # Oldest first: a bulk build then makes offers in order, close in memory.
        if len(dirty) > 1:
            for key, rank in dirty.items():
                if rank is None:
                    dirty[key] = self._key_rank(key)
            dirty = dict(sorted(dirty.items(), key=_second))
        for key in dirty:
            self._rederive(key, change)
        return change.delta(profiles, self._vouches, self._rejected, self._pending)

    def _profile(self, env: Envelope) -> bool:
        assert isinstance(env.body, Profile)
        old = self._profiles.get(env.author)
        if old is not None and (old.created_at, old.id) >= order(env):
            return False
        if old is None:
            self._authors.add(env.author)
        self._profiles[env.author] = ProfileView(
            id=env.id, author=env.author, created_at=env.created_at, profile=env.body
        )
        return True

    def _key_rank(self, key: RecordId) -> tuple[int, bytes]:
        head = self._by_id.get(key)
        return order(head) if head is not None else (-1, key)

    def _rederive(self, key: RecordId, change: Change) -> None:
        head = self._by_id.get(key)
        if (
            head is not None
            and type(head.body) is Offer
            and key not in self._offers
            and key not in self._members
            and key not in self._parts
            and key not in self._void
        ):  # a new offer that nothing names yet: most of a first load
            state = lone_offer_state(head, head.body, self._clock)
            self._offers[key] = state
            change.offers.add(key)
            self._add_offer(key, state)
            return
        new = derive(key, self._records(key), self._by_id.get, now=self._clock, void=self._void)
        old = self._parts.pop(key, NOTHING)
        if new.rejected or new.pending or new.receipts or new.credit or new.revoke:
            self._parts[key] = Part(
                new.rejected,
                new.pending,
                receipts=new.receipts,
                credit=new.credit,
                revoke=new.revoke,
            )
        if old.rejected or old.pending or new.rejected or new.pending:
            file_part(key, old, new, change, self._rejected, self._pending, self._waiters)
        if new.offer is not None:
            previous = self._offers.get(key)
            if previous is None or new.offer != previous:
                self._offers[key] = new.offer
                change.offers.add(key)
                if previous is None:
                    self._add_offer(key, new.offer)
        if new.receipts != old.receipts:
            self._receipts.replace(old.receipts, new.receipts, change)
        if new.credit != old.credit:
            for member, count in old.credit.items():
                if (left := self._credit[member] - count) > 0:
                    self._credit[member] = left
                else:
                    del self._credit[member]
            for member, count in new.credit.items():
                self._credit[member] = self._credit.get(member, 0) + count
            change.credit = True
        if head is not None and isinstance(head.body, Vouch):
            pair = (head.author, head.body.subject)
            if new.vouch != self._vouches.live(pair, key):
                self._vouches.put(pair, key, new.vouch, change)
        if new.revoke != old.revoke:
            if new.revoke is None:
                del self._revoked[key]
            else:
                self._revoked[key] = new.revoke

    def _add_offer(self, key: RecordId, offer: OfferState) -> None:
        self._order.added(key, offer)
        self._expiry.add(key, offer.offer.expires_at)


def _second(item: tuple[RecordId, tuple[int, bytes] | None]) -> tuple[int, bytes]:
    assert item[1] is not None
    return item[1]
