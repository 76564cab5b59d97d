"""What one partition of the records contributes to the ledger (a `Part`), and
the pieces the rules (ledger_rules.py) and the state (ledger.py) share: which
partition a record belongs to, the order records are decided in, and how a
decided offer is assembled into an OfferState with its receipts and credit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar, cast

from p2pshare.domain.builders import builder
from p2pshare.domain.evidence import Receipt, VouchEdge
from p2pshare.domain.ledger_views import (
    AcceptView,
    ForwardLink,
    HandoffView,
    OfferState,
    OfferStatus,
    OutcomeView,
    WithdrawView,
)
from protocol import (
    Credit,
    Device,
    Envelope,
    Handoff,
    Offer,
    Outcome,
    Profile,
    PublicKey,
    RecordId,
    Revoke,
    Rotate,
    Unlink,
    Vouch,
    Withdraw,
)

if TYPE_CHECKING:
    from p2pshare.domain.ledger_collections import Change

Lookup = Callable[[RecordId], Envelope | None]
"""Any record the ledger holds, by id (None if it has not arrived)."""


class _Empty(dict[object, object]):
    """The one shared empty mapping: a dict (iterated and compared at C speed) that
    is hashable, so a dataclass may default to it, and refuses to be filled."""

    __slots__ = ()

    def __hash__(self) -> int:  # type: ignore[override]
        return 0

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise TypeError("the shared empty mapping cannot be changed")

    __setitem__ = __delitem__ = _refuse
    update = setdefault = pop = popitem = clear = __ior__ = _refuse  # type: ignore[assignment]


_EMPTY: Mapping[object, object] = _Empty()
# The start of the reason for a record that names one this home does not have: it
# waits (net/waiting.py at the door, member/importing.py in a file), not refused.
PENDING = "it refers to a record this home does not have"

_K = TypeVar("_K")
_V = TypeVar("_V")


def or_empty(mapping: dict[_K, _V]) -> Mapping[_K, _V]:
    """`mapping`, or one shared empty mapping: most partitions reject nothing."""
    return mapping if mapping else cast("Mapping[_K, _V]", _EMPTY)


def partition_of(env: Envelope) -> RecordId | None:
    """The key of the partition `env` belongs to; None for a profile (kept per author).

    An offer or a vouch keys its own partition; a revoke belongs to its vouch's;
    a device, unlink or rotate record keys its own, where no ledger rule applies
    (what they mean is member_directory.py's, docs/PROTOCOL.md §Members and
    devices); every other record belongs to its offer's.
    """
    body = env.body
    kind = type(body)  # exact types: records are final dataclasses, and this runs per record
    if kind is Offer or kind is Vouch:
        return env.id
    if isinstance(body, Revoke):
        return body.vouch
    if isinstance(body, Profile | Offer | Vouch):
        return None if isinstance(body, Profile) else env.id
    if isinstance(body, Device | Unlink | Rotate):
        return env.id
    return body.offer


def order(env: Envelope) -> tuple[int, bytes]:
    return (env.created_at, env.id)


@dataclass(frozen=True, slots=True)
class Part:
    """What one partition contributes to the ledger."""

    rejected: Mapping[RecordId, str]  # record -> why it is kept out of the state
    pending: Mapping[RecordId, RecordId]  # record -> the missing record it waits for
    offer: OfferState | None = None  # the key offer, as it stands at `now`
    receipts: tuple[Receipt, ...] = ()  # in (created_at, id) order
    credit: Mapping[PublicKey, int] = cast("Mapping[PublicKey, int]", _EMPTY)
    vouch: VouchEdge | None = None  # the key vouch, if valid and not revoked
    revoke: RecordId | None = None  # the earliest valid revoke of the key vouch

    def reason(self, record: RecordId) -> str | None:
        """Why `record` (of this partition) is kept out of the state, if it is."""
        if (why := self.rejected.get(record)) is not None:
            return why
        if (missing := self.pending.get(record)) is not None:
            return f"{PENDING} ({short(missing)})"
        return None


NOTHING = Part(or_empty({}), or_empty({}))
"""What a partition contributed before it was first derived."""


def file_part(
    key: RecordId,
    old: Part,
    new: Part,
    change: Change,
    rejected: dict[RecordId, str],
    pending: dict[RecordId, RecordId],
    waiters: dict[RecordId, set[RecordId]],
) -> None:
    """Move partition `key`'s rejected and pending records from `old` to `new` in the
    state's `rejected`, `pending` and `waiters` (missing id -> partitions waiting)."""
    for record in old.rejected:
        del rejected[record]
    for record, missing in old.pending.items():
        del pending[record]
        waiting = waiters.get(missing)
        if waiting is not None:
            waiting.discard(key)
            if not waiting:
                del waiters[missing]
    rejected.update(new.rejected)
    change.rejected.update(r for r in new.rejected if r not in old.rejected)
    pending.update(new.pending)
    change.pending.update(r for r in new.pending if r not in old.pending)
    for missing in new.pending.values():
        waiters.setdefault(missing, set()).add(key)


def short(record: RecordId) -> str:
    return record.hex()[:8]


def lone_offer(env: Envelope, body: Offer, now: int) -> Part:
    """What the rules make of an offer no other record names (the common case, fast)."""
    return Part(NOTHING.rejected, NOTHING.pending, offer=lone_offer_state(env, body, now))


def lone_offer_state(env: Envelope, body: Offer, now: int) -> OfferState:
    return _new_offer_state(
        id=env.id,
        author=env.author,
        offer=body,
        created_at=env.created_at,
        status=OfferStatus.EXPIRED if now > body.expires_at else OfferStatus.OPEN,
        forwards=(),
        accepts=(),
        handoffs=(),
        withdrawn=None,
        value=0,
    )


_new_offer_state = builder(OfferState)  # most of a first load's offers are lone ones


@dataclass(slots=True)
class Handed:
    """A valid hand-off while the rules run; outcomes are filled in later."""

    env: Envelope
    body: Handoff
    forwarders: tuple[PublicKey, ...]
    outcome: Envelope | None = None
    confirmation: Envelope | None = None
    credit: Envelope | None = None  # the author's latest credit record


def offer_part(
    env: Envelope,
    body: Offer,
    rejected: Mapping[RecordId, str],
    pending: Mapping[RecordId, RecordId],
    *,
    links: Iterable[ForwardLink],
    accepts: Iterable[AcceptView],
    handoffs: Iterable[Handed],
    withdraw: Envelope | None,
    now: int,
) -> Part:
    """The partition's offer as it stands, with the receipts and credit it yields."""
    views: list[HandoffView] = []
    receipts: list[Receipt] = []
    credit: dict[PublicKey, int] = {}
    for handed in handoffs:
        outcome = _outcome_view(handed.outcome)
        confirmation = _outcome_view(handed.confirmation)
        credited = _credited(handed)
        views.append(
            HandoffView(
                id=handed.env.id,
                to=handed.body.to,
                accept=handed.body.accept,
                created_at=handed.env.created_at,
                contact=handed.body.contact,
                forwarders=handed.forwarders,
                credited=credited,
                outcome=outcome,
                confirmation=confirmation,
                confirmed=outcome is not None
                and confirmation is not None
                and outcome.fulfilled == confirmation.fulfilled,
            )
        )
        if outcome is None:
            continue
        receipts.append(
            Receipt(
                id=outcome.id,
                offer=env.id,
                author=env.author,
                fulfiller=handed.body.to,
                forwarders=credited,
                fulfilled=outcome.fulfilled,
                rating=outcome.rating,
                created_at=outcome.created_at,
                disputed=not outcome.fulfilled
                and confirmation is not None
                and confirmation.fulfilled,
            )
        )
        if outcome.fulfilled:
            for member in credited:
                credit[member] = credit.get(member, 0) + 1
    state = OfferState(
        id=env.id,
        author=env.author,
        offer=body,
        created_at=env.created_at,
        status=_status(views, withdrawn=withdraw is not None, expired=now > body.expires_at),
        forwards=tuple(links),
        accepts=tuple(accepts),
        handoffs=tuple(views),
        withdrawn=_withdraw_view(withdraw),
        value=sum(h.outcome.value for h in views if h.outcome and h.outcome.fulfilled),
    )
    receipts.sort(key=lambda r: (r.created_at, r.id))
    return Part(
        rejected,
        pending,
        offer=state,
        receipts=tuple(receipts),
        credit=or_empty(credit),
    )


def _credited(handed: Handed) -> tuple[PublicKey, ...]:
    """The forwarders the author's latest credit names, in chain order (none without one)."""
    if handed.credit is None:
        return ()
    body = handed.credit.body
    assert isinstance(body, Credit)
    named = set(body.forwarders)
    return tuple(k for k in handed.forwarders if k in named)


def _outcome_view(env: Envelope | None) -> OutcomeView | None:
    if env is None:
        return None
    body = env.body
    assert isinstance(body, Outcome)
    return OutcomeView(
        id=env.id,
        fulfilled=body.fulfilled,
        rating=body.rating,
        value=body.value,
        note=body.note,
        created_at=env.created_at,
    )


def _withdraw_view(env: Envelope | None) -> WithdrawView | None:
    if env is None:
        return None
    assert isinstance(env.body, Withdraw)
    return WithdrawView(id=env.id, reason=env.body.reason, created_at=env.created_at)


def _status(handoffs: list[HandoffView], *, withdrawn: bool, expired: bool) -> OfferStatus:
    if handoffs:
        if any(h.outcome is not None and h.outcome.fulfilled for h in handoffs):
            return OfferStatus.FULFILLED
        if all(h.outcome is not None for h in handoffs):
            return OfferStatus.NOT_FULFILLED
        return OfferStatus.HANDED_OFF
    if withdrawn:
        return OfferStatus.WITHDRAWN
    return OfferStatus.EXPIRED if expired else OfferStatus.OPEN
