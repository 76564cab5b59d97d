"""The incremental ledger (LedgerState.apply) equals a full rebuild, whatever the
order and the batches records arrive in; `check` says what `apply` then does; each
delta names exactly what changed."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_ledger_order import NAMES, SPAN, T0, dump, scenario

from p2pshare.domain.ledger import Ledger, LedgerDelta, LedgerState, OfferStatus
from protocol import Accept, Envelope, Forward, Revoke, Withdraw

if TYPE_CHECKING:  # a helper module on the test path (tests/support)
    from signers import Member


FIELDS = (
    "offers",
    "profiles",
    "vouches",
    "revoked",
    "receipts",
    "connector_credit",
    "rejected",
    "pending",
)


def snapshot(ledger: Ledger) -> dict[str, object]:
    """A copy of a ledger's content: its mappings are live views of the state."""
    values = {name: getattr(ledger, name) for name in FIELDS}
    return {k: dict(v) if isinstance(v, Mapping) else v for k, v in values.items()}


def batches(data: st.DataObject, records: Sequence[Envelope]) -> list[list[Envelope]]:
    """`records` cut into random consecutive batches (some empty)."""
    cuts = sorted(data.draw(st.lists(st.integers(0, len(records)), max_size=6)))
    bounds = [0, *cuts, len(records)]
    return [list(records[a:b]) for a, b in itertools.pairwise(bounds)]


def assert_delta_names_the_change(
    delta: LedgerDelta, before: dict[str, object], after: dict[str, object]
) -> None:
    def mapping(snap: dict[str, object], name: str) -> dict[object, object]:
        value = snap[name]
        assert isinstance(value, dict)
        return value

    def changed(name: str) -> set[object]:
        old, new = mapping(before, name), mapping(after, name)
        return {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}

    assert delta.offers == changed("offers")
    assert delta.profiles == changed("profiles")

    def items(snap: dict[str, object], name: str) -> set[object]:
        value = snap[name]
        assert isinstance(value, tuple)
        return set(value)

    old_v, new_v = items(before, "vouches"), items(after, "vouches")
    assert set(delta.vouches_added) == new_v - old_v
    assert set(delta.vouches_removed) == old_v - new_v
    old_r, new_r = items(before, "receipts"), items(after, "receipts")
    assert set(delta.receipts_added) == new_r - old_r
    assert set(delta.receipts_removed) == old_r - new_r
    if changed("connector_credit"):
        assert delta.credit_changed
    assert delta.rejected == mapping(after, "rejected").keys() - mapping(before, "rejected").keys()
    assert delta.pending == mapping(after, "pending").keys() - mapping(before, "pending").keys()
    assert delta.evidence_changed == bool(old_v ^ new_v or old_r ^ new_r)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_incremental_equals_a_full_rebuild(
    member: Callable[[str], Member], data: st.DataObject
) -> None:
    people = [member(name) for name in NAMES]
    records = scenario(data, people)
    missing = data.draw(st.sets(st.integers(0, len(records) - 1), max_size=3))
    present = [r for i, r in enumerate(records) if i not in missing]
    now = T0 + data.draw(st.integers(0, 3 * SPAN))
    reference = Ledger.build(present, now=now)

    state = LedgerState()
    arrivals = data.draw(st.permutations(present))
    repeats = data.draw(st.lists(st.sampled_from(present), max_size=3)) if present else []
    parts = batches(data, [*arrivals, *repeats])
    for batch in parts:
        before = snapshot(state.ledger(now))
        delta = state.apply(batch)
        assert_delta_names_the_change(delta, before, snapshot(state.ledger(now)))

    event(f"batches: {min(len(parts), 4)}")
    event(f"rejected: {min(len(reference.rejected), 3)}")
    event(f"pending: {bool(reference.pending)}")
    incremental = state.ledger(now)
    assert dump(incremental) == dump(reference)
    assert incremental == reference
    assert len(state) == len({r.id for r in present})
    # The clock alone: reading at another minute equals a rebuild at that minute.
    later = now + data.draw(st.integers(0, 2 * SPAN))
    assert dump(state.ledger(later)) == dump(Ledger.build(present, now=later))
    assert dump(state.ledger(now)) == dump(reference)  # and back
    flipped = set(state.expired_between(now, later))
    assert flipped == {
        rid
        for rid, offer in reference.offers.items()
        if offer.status is OfferStatus.OPEN
        and state.ledger(later).offers[rid].status is OfferStatus.EXPIRED
    }


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_check_says_what_apply_does(member: Callable[[str], Member], data: st.DataObject) -> None:
    people = [member(name) for name in NAMES]
    records = data.draw(st.permutations(scenario(data, people)))
    now = T0 + SPAN
    state = LedgerState()
    for record in records:
        before = dump(state.ledger(now))
        verdict = state.check(record)
        assert dump(state.ledger(now)) == before  # check changes nothing
        state.apply([record])
        ledger = state.ledger(now)
        if record.id in ledger.rejected:
            assert verdict == ledger.rejected[record.id]
        elif record.id in ledger.pending:
            assert verdict is not None
            assert verdict.startswith("it refers to a record")
        else:
            assert verdict is None
        assert state.check(record) == verdict  # a known record: its standing now
        event(f"verdict: {verdict.split(':')[0] if verdict else None}")


# -- deltas, one by one ---------------------------------------------------------


def test_delta_of_a_lifecycle(alice: Member, bob: Member, carol: Member) -> None:
    state = LedgerState()
    offer = alice.offer(at=T0)
    fwd = bob.forward(offer, to=carol, at=T0 + 1)
    accept = carol.accept(offer, via=fwd, at=T0 + 2)
    handoff = alice.handoff(accept, at=T0 + 3)
    failed = alice.outcome(handoff, fulfilled=False, at=T0 + 4)
    fixed = alice.outcome(handoff, fulfilled=True, at=T0 + 5)
    credit = alice.credit(handoff, bob, at=T0 + 4)

    assert state.apply([accept]).pending == {accept.id}
    delta = state.apply([offer])
    assert delta.offers == {offer.id}
    assert not delta.pending
    assert dict(state.ledger(T0).pending) == {accept.id: fwd.id}  # now on the forward
    delta = state.apply([fwd, handoff])
    assert delta.offers == {offer.id}
    assert not delta.pending
    assert not delta.rejected
    assert not delta.evidence_changed
    delta = state.apply([failed, credit])
    assert [r.id for r in delta.receipts_added] == [failed.id]
    assert not delta.credit_changed
    delta = state.apply([fixed])
    assert [r.id for r in delta.receipts_added] == [fixed.id]
    assert [r.id for r in delta.receipts_removed] == [failed.id]
    assert delta.credit_changed
    assert dict(state.ledger(T0).connector_credit) == {bob.pub: 1}
    assert state.apply([fixed, offer]) == LedgerDelta()  # nothing new


def test_delta_of_vouches_revokes_and_profiles(alice: Member, bob: Member) -> None:
    state = LedgerState()
    old = alice.vouch(bob, skills=("a",), at=T0 + 1)
    new = alice.vouch(bob, skills=("b",), at=T0 + 2)
    revoke = alice.revoke(new, at=T0 + 3)
    assert state.apply([revoke]).pending == {revoke.id}
    assert state.apply([old]).vouches_added == (state.ledger(T0).vouches[0],)
    delta = state.apply([new])  # revoked at once: the old vouch stays the newest live one
    assert not delta.evidence_changed
    assert dict(state.ledger(T0).revoked) == {new.id: revoke.id}
    state2 = LedgerState()
    state2.apply([old])
    delta = state2.apply([new])
    assert [e.id for e in delta.vouches_added] == [new.id]
    assert [e.id for e in delta.vouches_removed] == [old.id]
    delta = state2.apply([revoke])
    assert [e.id for e in delta.vouches_added] == [old.id]
    assert [e.id for e in delta.vouches_removed] == [new.id]

    first, second = alice.profile(headline="1", at=T0), alice.profile(headline="2", at=T0 + 1)
    assert state.apply([second]).profiles == {alice.pub}
    assert state.apply([first]).profiles == frozenset()  # older: not shown
    assert state.ledger(T0).profiles[alice.pub].id == second.id


def test_the_view_is_live_and_the_clock_costs_no_rebuild(alice: Member, bob: Member) -> None:
    state = LedgerState()
    offer = alice.offer(at=T0, expires_at=T0 + 100)
    state.apply([offer])
    ledger = state.ledger(T0)
    assert ledger.offers[offer.id].status is OfferStatus.OPEN
    assert state.ledger(T0 + 101).offers[offer.id].status is OfferStatus.EXPIRED
    assert next(iter(state.ledger(T0 + 101).offers.values())).status is OfferStatus.EXPIRED
    assert state.expired_between(T0 + 50, T0 + 101) == [offer.id]
    assert state.expired_between(T0 + 101, T0 + 200) == []
    accept = bob.accept(offer, at=T0 + 1)
    state.apply([accept])
    assert [a.id for a in ledger.offers[offer.id].accepts] == [accept.id]  # live
    withdraw = alice.withdraw(offer, at=T0 + 2)
    state.apply([withdraw])
    assert state.ledger(T0 + 500).offers[offer.id].status is OfferStatus.WITHDRAWN
    assert state.expired_between(T0, T0 + 500) == []  # no longer open
    assert dataclasses.replace(state.ledger(T0), now=T0) == Ledger.build(
        [offer, accept, withdraw], now=T0
    )


def test_the_offers_a_tick_turns_across_hours_and_years(alice: Member) -> None:
    """expired_between reads its index by the hour: an expiry on either side of an
    hour's edge, several in one hour, and a jump of years all come out, in order."""
    hour, day = 3600, 86_400
    base = (T0 // hour + 1) * hour  # an hour's first second
    expiries = [
        base - 1,
        base,
        base + 5,
        base + 5,
        base + hour - 1,
        base + 3 * hour,
        base + 900 * day,
    ]
    offers = [
        alice.offer(at=T0 + i, title=f"job {i}", expires_at=at) for i, at in enumerate(expiries)
    ]
    state = LedgerState()
    state.apply(reversed(offers))

    def turned(low: int, high: int) -> list[Envelope]:
        by_id = {o.id: o for o in offers}
        return [by_id[rid] for rid in state.expired_between(low, high)]

    def expected(low: int, high: int) -> list[Envelope]:
        lo, hi = sorted((low, high))
        chosen = [o for o in offers if lo <= o.body.expires_at < hi]  # type: ignore[union-attr]
        return sorted(chosen, key=lambda o: (o.body.expires_at, o.id))  # type: ignore[union-attr]

    for low, high in [
        (base - 1, base),  # the second before the hour
        (base, base + 5),  # the hour's first second, not the two at its end
        (base, base + 6),  # the hour's first second and two at once
        (base + 6, base + hour),  # the hour's last second
        (base - 1, base + 3 * hour + 1),  # four hours
        (T0, T0 + 1000 * day),  # years: only the hours that hold offers are read
        (base + 1000 * day, base - 10),  # backwards, as the clock may go
        (base + 6, base + 6),  # no time at all
    ]:
        assert turned(low, high) == expected(low, high), (low - base, high - base)
    assert len(turned(T0, T0 + 1000 * day)) == len(offers)


def test_check_of_a_new_record(alice: Member, bob: Member, carol: Member) -> None:
    state = LedgerState()
    offer = alice.offer(at=T0, expires_at=T0 + 100)
    state.apply([offer, bob.accept(offer, at=T0 + 1)])
    assert state.check(carol.accept(offer, at=T0 + 2)) is None
    assert state.check(bob.accept(offer, note="again", at=T0 + 3)) == (
        "accept: already accepted by this member"
    )
    assert state.check(carol.accept(offer, at=T0 + 101)) == "accept: the offer had expired"
    fwd = bob.forward(offer, at=T0 + 1)
    verdict = state.check(carol.forward(fwd, at=T0 + 2))
    assert verdict is not None
    assert fwd.id.hex()[:8] in verdict
    assert state.check(alice.profile(at=T0)) is None
    assert state.check(alice.vouch(alice, at=T0)) == "vouch: a member cannot vouch for themselves"
    assert len(state) == 2  # nothing was added


# -- what partitioning changed -----------------------------------------------------


def test_references_into_another_offer_are_rejected_at_once(
    alice: Member, bob: Member, carol: Member
) -> None:
    """Decided from the referenced record's body, whatever that record's own standing."""
    one, two = alice.offer(title="one"), alice.offer(title="two")
    fwd_two = bob.forward(two, at=T0 + 1)  # pending: offer two is missing
    accept = carol.accept(one, via=fwd_two, at=T0 + 2)
    child = carol.forward(fwd_two, offer=one.id, at=T0 + 2)
    ledger = Ledger.build([one, fwd_two, accept, child], now=T0)
    assert dict(ledger.pending) == {fwd_two.id: two.id}
    assert ledger.rejected[accept.id] == "accept: it came via a forward of another offer"
    assert ledger.rejected[child.id] == "forward: its parent forward belongs to another offer"


def test_records_naming_a_record_of_the_wrong_kind_in_any_order(
    alice: Member, bob: Member, carol: Member
) -> None:
    """The named record may arrive last, and be a profile (kept outside partitions)."""
    offer = alice.offer(at=T0)
    profile = bob.profile(at=T0)
    vouch = alice.vouch(bob, at=T0)
    revoke = alice.revoke(vouch, at=T0 + 1)
    fwd = bob.forward(offer, at=T0 + 1)
    assert isinstance(revoke.body, Revoke)
    assert isinstance(fwd.body, Forward)
    odd = [
        carol.sign(dataclasses.replace(fwd.body, parent=profile.id), at=T0 + 2),
        carol.sign(Accept(offer=vouch.id, via=vouch.id, note=""), at=T0 + 2),
        alice.sign(dataclasses.replace(revoke.body, vouch=revoke.id), at=T0 + 2),
        alice.sign(Withdraw(offer=fwd.id, reason=""), at=T0 + 2),
        alice.sign(dataclasses.replace(revoke.body, vouch=offer.id), at=T0 + 2),
    ]
    everything = [offer, profile, vouch, revoke, fwd, *odd]
    reference = Ledger.build(everything, now=T0)
    assert set(reference.rejected) == {r.id for r in odd}
    assert "is a profile, not a forward" in reference.rejected[odd[0].id]
    assert "its offer" in reference.rejected[odd[1].id]
    assert "is a vouch, not an offer" in reference.rejected[odd[1].id]
    assert "is a revoke, not a vouch" in reference.rejected[odd[2].id]
    assert "is a forward, not an offer" in reference.rejected[odd[3].id]
    assert "is an offer, not a vouch" in reference.rejected[odd[4].id]
    for arrivals in (everything, everything[::-1], [*odd, *everything[:5]]):
        state = LedgerState(now=T0)
        for record in arrivals:
            state.apply([record])
        assert dump(state.ledger(T0)) == dump(reference)
