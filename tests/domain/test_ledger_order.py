"""The ledger is order-independent (DESIGN §3): the same records, in any order and
with any duplicates, derive the same ledger, down to the order of its mappings."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from hypothesis import event, given, settings
from hypothesis import strategies as st

from p2pshare.domain.ledger import Ledger
from p2pshare.domain.stats import stats
from protocol import Accept, Envelope, Forward, Handoff, Offer, PublicKey, Vouch

if TYPE_CHECKING:  # a helper module on the test path (tests/support)
    from signers import Member

T0 = 1_700_000_000
SPAN = 40  # a small window of seconds: ties, skewed clocks and expiries all happen
NAMES = ("ana", "ben", "cat", "dan", "eve")
KINDS = (
    "lifecycle",
    "lifecycle",
    "offer",
    "forward",
    "forward",
    "accept",
    "accept",
    "handoff",
    "handoff",
    "outcome",
    "outcome",
    "withdraw",
    "vouch",
    "revoke",
    "profile",
)


def dump(value: object) -> object:
    """A canonical, order-preserving plain form: mapping order is compared too."""
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            [(f.name, dump(getattr(value, f.name))) for f in dataclasses.fields(value)],
        )
    if isinstance(value, Mapping):
        return [(dump(k), dump(v)) for k, v in value.items()]
    if isinstance(value, tuple | list):
        return [dump(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    return value


def scenario(data: st.DataObject, people: list[Member]) -> list[Envelope]:
    """A random history: mostly well-formed lifecycles, with invalid records mixed in
    (wrong signers, self-forwards, late or skewed records, mismatched references)."""
    by_pub = {p.pub: p for p in people}
    records: list[Envelope] = []

    def of(kind: type) -> list[Envelope]:
        return [r for r in records if isinstance(r.body, kind)]

    def pick(options: list[Envelope]) -> Envelope:
        return data.draw(st.sampled_from(options))

    def signer(rightful: PublicKey) -> Member:
        """Usually the member entitled to sign, sometimes anyone."""
        if data.draw(st.integers(0, 4)):
            return by_pub[rightful]
        return data.draw(st.sampled_from(people))

    def after(*refs: Envelope) -> int:
        """Usually a little after what a record refers to; sometimes before (a skewed clock)."""
        return max(r.created_at for r in refs) + data.draw(st.integers(-2, 12))

    def forwards_of(offer: Envelope) -> list[Envelope]:
        return [r for r in of(Forward) if getattr(r.body, "offer", None) == offer.id]

    for _ in range(data.draw(st.integers(1, 32))):
        kind = data.draw(st.sampled_from(KINDS))
        who = data.draw(st.sampled_from(people))
        offers = of(Offer)
        if kind == "lifecycle":
            records.extend(lifecycle(data, people))
        elif kind == "offer" or not offers:
            at = T0 + data.draw(st.integers(0, SPAN))
            expires = at + data.draw(st.integers(0, 2 * SPAN))
            records.append(who.offer(at=at, expires_at=expires, title=f"o{len(records)}"))
        elif kind == "forward":
            parent = pick(offers + of(Forward))
            to = data.draw(st.none() | st.sampled_from(people))
            records.append(who.forward(parent, to=to, at=after(parent)))
        elif kind == "accept":
            offer = pick(offers)
            ways = forwards_of(offer) if data.draw(st.integers(0, 5)) else of(Forward)
            via = data.draw(st.none() | st.sampled_from(ways)) if ways else None
            records.append(who.accept(offer, via=via, at=after(offer, via or offer)))
        elif kind == "handoff" and (accepts := of(Accept)):
            accept = pick(accepts)
            assert isinstance(accept.body, Accept)
            author = next(r.author for r in offers if r.id == accept.body.offer)
            to = None if data.draw(st.integers(0, 5)) else data.draw(st.sampled_from(people))
            records.append(signer(author).handoff(accept, to=to, at=after(accept)))
        elif kind == "outcome" and (handoffs := of(Handoff)):
            handoff = pick(handoffs)
            assert isinstance(handoff.body, Handoff)
            rightful = data.draw(st.sampled_from([handoff.author, handoff.body.to]))
            records.append(
                signer(rightful).outcome(
                    handoff,
                    fulfilled=data.draw(st.booleans()),
                    rating=data.draw(st.integers(0, 5)),
                    value=data.draw(st.integers(0, 100)),
                    at=after(handoff),
                )
            )
        elif kind == "withdraw":
            offer = pick(offers)
            records.append(signer(offer.author).withdraw(offer, at=after(offer)))
        elif kind == "vouch":
            at = T0 + data.draw(st.integers(0, SPAN))
            records.append(who.vouch(data.draw(st.sampled_from(people)), at=at))
        elif kind == "revoke" and (vouches := of(Vouch)):
            vouch = pick(vouches)
            records.append(signer(vouch.author).revoke(vouch, at=after(vouch)))
        elif kind == "profile":
            at = T0 + data.draw(st.integers(0, SPAN))
            records.append(who.profile(headline=f"h{at}", at=at))
    return records


def lifecycle(data: st.DataObject, people: list[Member]) -> list[Envelope]:
    """Offer, a chain of forwards, an accept through it, a hand-off and an outcome."""
    cast = data.draw(st.permutations(people))
    author, acceptor, relays = cast[0], cast[1], cast[2 : 2 + data.draw(st.integers(1, 3))]
    at = T0 + data.draw(st.integers(0, SPAN))
    offer = author.offer(at=at, expires_at=at + data.draw(st.integers(SPAN // 2, 3 * SPAN)))
    records, link = [offer], offer
    for i, relay in enumerate(relays):
        to = relays[i + 1] if i + 1 < len(relays) else acceptor
        link = relay.forward(link, to=to if data.draw(st.booleans()) else None, at=at + i + 1)
        records.append(link)
    accept = acceptor.accept(offer, via=None if link is offer else link, at=at + 5)
    handoff = author.handoff(accept, at=at + 6)
    records += [accept, handoff]
    if data.draw(st.integers(0, 3)):
        fulfilled = bool(data.draw(st.integers(0, 2)))
        records.append(author.outcome(handoff, fulfilled=fulfilled, value=7, at=at + 7))
    return records


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_any_order_and_duplicates_give_the_same_ledger(
    member: Callable[[str], Member], data: st.DataObject
) -> None:
    people = [member(name) for name in NAMES]
    records = scenario(data, people)
    # Leave a few out, so that pending records are compared too.
    missing = data.draw(st.sets(st.integers(0, len(records) - 1), max_size=3))
    present = [r for i, r in enumerate(records) if i not in missing]
    now = T0 + data.draw(st.integers(0, 3 * SPAN))

    reference = Ledger.build(present, now=now)
    shuffled = data.draw(st.permutations(present))
    repeated = data.draw(st.lists(st.sampled_from(present), max_size=5)) if present else []
    again = Ledger.build(iter([*shuffled, *repeated]), now=now)

    event(f"receipts: {min(len(reference.receipts), 2)}")
    event(f"rejected: {min(len(reference.rejected), 3)}")
    event(f"pending: {bool(reference.pending)}")
    event(f"connector credit: {bool(reference.connector_credit)}")
    assert dump(again) == dump(reference)
    assert again == reference
    for person in people:
        assert stats(again, person.pub) == stats(reference, person.pub)
    assert not set(reference.pending) & set(reference.rejected)
    assert not set(reference.pending) & set(reference.offers)
    ids = {r.id for r in present}
    assert set(reference.pending) <= ids
    assert set(reference.rejected) <= ids
    assert not set(reference.pending.values()) & ids  # a record waits only on a missing one
