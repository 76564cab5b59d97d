"""A member's derived state (ledger, trust), kept current record by record.

Two ways to hold it, one class:

- **whole** (the app, `serve`'s owner): every stored record is read once, at
  the first load; afterwards each record that arrives is applied on its own
  (`absorb`), the ledger re-derives only the partition it touches and the trust
  graph takes only the evidence that changed.
- **on demand** (a one-shot CLI command): nothing is read up front; an action
  loads just the partitions it looks at (its offer and the records naming it,
  the profiles, one vouch and its revokes) from the store's indexes, so a
  command costs the same in a home of 100,000 offers as in an empty one.

Records are kept compact (no signed bytes, repeated values shared): ~100,000
of them live as long as the app. Which store rows have been applied is tracked
by sequence number, so a catch-up reads only rows nobody handed over.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, TypeVar

from p2pshare.domain.bulk import bulk_allocation
from p2pshare.domain.ledger import Ledger, LedgerDelta, LedgerState
from p2pshare.domain.trust import TrustGraph
from protocol import (
    Device,
    Envelope,
    Forward,
    Handoff,
    Offer,
    Profile,
    RecordId,
    Revoke,
    Rotate,
    Unlink,
    Vouch,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from p2pshare.store import Store
    from protocol import Body, PublicKey

ADVANCE_SECONDS = 3600  # re-date trust evidence (decay) this often; a minute moves ~1e-6
_PAGE = 5000  # rows per catch-up read

# Body fields whose values repeat across many records (see _compact).
_SHARED_FIELDS: dict[type[Body], tuple[str, ...]] = {
    Offer: ("skills", "region", "currency"),
    Profile: ("skills", "region"),
    Forward: ("to",),
    Vouch: ("subject", "skills"),
    Handoff: ("to",),
}


class Derived:
    """The ledger and trust graph of one home, whole or on demand (see the module)."""

    def __init__(self, store: Store, *, now: int, whole: bool) -> None:
        self._store = store
        self.whole = whole
        self._loaded = False  # whole: the first load has run
        self._state = LedgerState(now=now)
        self._trust: TrustGraph | None = None
        self._trust_dated = now
        # Every store row up to here is applied. On demand, rows already stored are
        # read by partition when needed; only later ones come by catch-up.
        self._seq = 0 if whole else store.last_seq()
        self._seqs: set[int] = set()  # rows beyond _seq applied too
        self._parts: set[bytes] = set()  # on demand: partitions (and b"profiles") loaded
        self._shared: dict[object, object] = {}

    # -- reading the store -----------------------------------------------------

    def load(self) -> list[Envelope]:
        """Whole: read every stored record once (the first load); returns them."""
        if self._loaded:
            return []
        self._loaded = True
        self._seq = self._store.last_seq()  # before the walk: later rows come by catch-up
        with bulk_allocation():
            records = list(
                self._store.all_stored(keep_data=False, pool=self._shared, pooled=_SHARED_FIELDS)
            )
            self._state.apply(records)
        return records

    def catch_up(self) -> tuple[list[Envelope], LedgerDelta | None]:
        """Apply what the store holds beyond what was handed over (another process wrote)."""
        fresh: list[Envelope] = []
        while True:
            seq, rows = self._store.changes_since(self._seq, limit=_PAGE, skip=self._seqs)
            if seq == self._seq:
                break
            self._seqs = {s for s in self._seqs if s > seq}
            self._seq = seq
            fresh += [env for env in rows if env.id not in self._state]
        return fresh, self._apply(fresh) if fresh else None

    def absorb(
        self, records: Sequence[Envelope], seqs: Iterable[int] = ()
    ) -> tuple[list[Envelope], LedgerDelta | None]:
        """Apply records this process stored (their store rows: `seqs`); the new ones."""
        for seq in seqs:
            if seq > self._seq:
                self._seqs.add(seq)
        while self._seq + 1 in self._seqs:
            self._seq += 1
            self._seqs.discard(self._seq)
        fresh = [env for env in records if env.id not in self._state]
        return fresh, self._apply([self._compact(env) for env in fresh]) if fresh else None

    def _apply(self, records: Sequence[Envelope]) -> LedgerDelta:
        delta = self._state.apply(records)
        if delta.members_changed:
            self._trust = None  # whose evidence it is changed: built again when read
        elif self._trust is not None and delta.evidence_changed:
            removed = [e.id for e in delta.vouches_removed] + [r.id for r in delta.receipts_removed]
            self._trust.apply([*delta.vouches_added, *delta.receipts_added], removed)
        return delta

    # -- on demand -------------------------------------------------------------

    def _ensure(self, part: bytes, fetch: Iterable[Envelope]) -> None:
        if self.whole or part in self._parts:
            return
        self.ensure_members()
        self._parts.add(part)
        self._apply([self._compact(env) for env in fetch])

    def ensure_members(self) -> None:
        """On demand: every member record (few), read before any other, so each
        record is read as its member's from the start."""
        if not self.whole and b"members" not in self._parts:
            self._parts.add(b"members")
            kinds = (Device.KIND, Unlink.KIND, Rotate.KIND)
            self._apply([env for kind in kinds for env in self._store.by_kind(kind)])

    def ensure_offer(self, offer: RecordId) -> None:
        """On demand: the offer and every record naming it (its partition)."""
        if not self.whole and offer not in self._parts:
            found = self._store.get(offer)
            self._ensure(offer, [*([found] if found else []), *self._store.by_ref(offer)])

    def ensure_vouch(self, vouch: RecordId) -> None:
        if not self.whole and vouch not in self._parts:
            found = self._store.get(vouch)
            self._ensure(vouch, [*([found] if found else []), *self._store.by_ref(vouch)])

    def ensure_profiles(self) -> None:
        if not self.whole and b"profiles" not in self._parts:
            self._ensure(b"profiles", self._store.by_kind(Profile.KIND))

    def ensure_references(self, envelope: Envelope) -> None:
        """On demand: what a new record names, so `check` judges it as a whole home would."""
        body = envelope.body
        if (offer := getattr(body, "offer", None)) is not None:
            self.ensure_offer(offer)
        if isinstance(body, Revoke):
            self.ensure_vouch(body.vouch)

    # -- what others read ------------------------------------------------------

    def __contains__(self, record: object) -> bool:
        return record in self._state

    def member_of(self, key: PublicKey) -> PublicKey:
        """The member `key` signs for (docs/PROTOCOL.md §Members and devices)."""
        if self.whole:
            self.load()
        else:
            self.ensure_members()
        return self._state.members.member_of(key)

    def names_key(self, key: PublicKey) -> bool:
        """Whether a member record held names `key` (no loading: see MemberCore)."""
        return self._state.members.named(key)

    def keys_of(self, member: PublicKey) -> tuple[PublicKey, ...]:
        """The keys that sign for `member` now (its root, its devices)."""
        if self.whole:
            self.load()
        else:
            self.ensure_members()
        return self._state.members.keys_of(member)

    def make_whole(self) -> None:
        """From on demand to whole (a view that reads everything): load every record."""
        self.whole = True
        self.load()

    def ledger(self, now: int) -> Ledger:
        """The ledger now: whole, or of what was loaded on demand."""
        if self.whole:
            self.load()
        else:
            self.ensure_members()
        return self._state.ledger(now)

    def check(self, envelope: Envelope) -> str | None:
        """Why the ledger would refuse or hold a new record (None: it would count)."""
        if self.whole:
            self.load()
        else:
            self.ensure_members()
            self.ensure_references(envelope)
        return self._state.check(envelope)

    def trust(self, now: int) -> TrustGraph:
        """The trust graph, built once, then updated; re-dated every ADVANCE_SECONDS."""
        ledger = self.ledger(now)
        if self._trust is None:
            self._trust = TrustGraph(ledger.vouches, ledger.receipts, now=now)
            self._trust_dated = now
        elif now - self._trust_dated >= ADVANCE_SECONDS:
            self._trust.advance(now)
            self._trust_dated = now
        return self._trust

    def _compact(self, env: Envelope) -> Envelope:
        """A record made small: a copy without its signed bytes (the ledger and views
        never read `data`; the store keeps them), in which values that repeat across
        records (authors, skills, regions, currencies) are one shared object each.
        Equal values only, so it compares as before."""
        shared = self._shared
        body = env.body
        if names := _SHARED_FIELDS.get(type(body), ()):
            changes: dict[str, object] = {}
            for name in names:
                value = getattr(body, name)
                if type(value) is tuple:
                    value = tuple(shared.setdefault(v, v) for v in value)
                changes[name] = shared.setdefault(value, value)
            body = _copy(body, changes)
        author = shared.setdefault(env.author, env.author)
        return _copy(env, {"data": b"", "author": author, "body": body})


_T = TypeVar("_T")


def _copy(record: _T, changes: dict[str, object]) -> _T:
    """`dataclasses.replace` without running the checks again: the values are the
    record's own (or equal ones), which passed them when the record was decoded.
    At 100,000 records the checks were most of a first load."""
    cls = type(record)
    if (names := _NAMES.get(cls)) is None:
        names = _NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    new = object.__new__(cls)
    for name in names:
        object.__setattr__(new, name, changes[name] if name in changes else getattr(record, name))
    return new


_NAMES: dict[type, tuple[str, ...]] = {}
