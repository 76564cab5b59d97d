"""The offer ledger's rules, each with a valid case and a rejected one, on real records."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import pytest

from p2pshare.domain.ledger import MAX_CHAIN, NETWORK, Ledger, OfferStatus
from p2pshare.domain.stats import stats
from protocol import Envelope, Forward, Handoff, Outcome, RecordId, Revoke

if TYPE_CHECKING:  # a helper module on the test path (tests/support)
    from collections.abc import Callable

    from signers import Member

T0 = 1_700_000_000  # as in support/signers.py: records default to it, offers expire 30 days later
DAY = 86_400
NOW = T0 + DAY


def build(*records: Envelope, now: int = NOW) -> Ledger:
    return Ledger.build(records, now=now)


def reason(ledger: Ledger, record: Envelope) -> str:
    assert record.id in ledger.rejected, f"{record.body.NAME} was not rejected"
    return ledger.rejected[record.id]


def assert_clean(ledger: Ledger) -> None:
    assert dict(ledger.rejected) == {}
    assert dict(ledger.pending) == {}


# -- the full lifecycle ------------------------------------------------------


def test_lifecycle_forward_accept_handoff_fulfilled(
    alice: Member, bob: Member, carol: Member
) -> None:
    offer = alice.offer(at=T0, value=5000, currency="EUR")
    fwd = bob.forward(offer, to=carol, note="right up your street", at=T0 + 10)
    accept = carol.accept(offer, via=fwd, at=T0 + 20)
    handoff = alice.handoff(accept, at=T0 + 30, contact=b"sealed")
    outcome = alice.outcome(handoff, fulfilled=True, rating=5, value=4000, at=T0 + 40)
    confirm = carol.outcome(handoff, fulfilled=True, rating=4, at=T0 + 50)
    credit = alice.credit(handoff, bob, at=T0 + 45)
    ledger = build(offer, fwd, accept, handoff, outcome, confirm, credit)

    assert_clean(ledger)
    state = ledger.offers[offer.id]
    assert state.status is OfferStatus.FULFILLED
    assert state.author == alice.pub
    assert state.offer == offer.body
    assert [link.id for link in state.forwards] == [fwd.id]
    link = state.forwards[0]
    assert (link.author, link.to, link.parent, link.depth) == (bob.pub, carol.pub, offer.id, 1)
    assert link.note == "right up your street"
    assert state.forwarded_to(carol.pub) == (link,)
    assert state.forwarded_by(bob.pub) == (link,)
    view = state.accepted_by(carol.pub)
    assert view is not None
    assert view.id == accept.id
    assert view.chain == (bob.pub,)
    assert state.chain_to(carol.pub) == (link,)
    assert state.chain_to(bob.pub) == ()
    ho = state.handoff_to(carol.pub)
    assert ho is not None
    assert ho.contact == b"sealed"
    assert ho.forwarders == ho.credited == (bob.pub,)
    assert ho.outcome is not None
    assert ho.outcome.id == outcome.id
    assert ho.outcome.value == 4000
    assert ho.confirmation is not None
    assert ho.confirmation.id == confirm.id
    assert ho.confirmed
    assert state.value == 4000
    assert state.withdrawn is None

    (receipt,) = ledger.receipts
    assert receipt.id == outcome.id
    assert receipt.offer == offer.id
    assert (receipt.author, receipt.fulfiller) == (alice.pub, carol.pub)
    assert receipt.forwarders == (bob.pub,)
    assert (receipt.fulfilled, receipt.rating, receipt.created_at) == (True, 5, T0 + 40)
    assert dict(ledger.connector_credit) == {bob.pub: 1}

    a = stats(ledger, alice.pub)
    assert (a.offers_posted, a.offers_handed_off, a.offers_fulfilled) == (1, 1, 1)
    assert dict(a.value_fulfilled) == {"EUR": 4000}
    assert dict(a.fulfilled_to) == {carol.pub: 1}
    assert (a.offers_forwarded, a.connector_credit, a.handoffs_received) == (0, 0, 0)
    b = stats(ledger, bob.pub)
    assert (b.offers_posted, b.offers_forwarded, b.connector_credit) == (0, 1, 1)
    assert dict(b.value_earned) == {}
    assert b.fulfilled_by_member == 0
    c = stats(ledger, carol.pub)
    assert (c.forwarded_to_member, c.offers_accepted, c.handoffs_received) == (1, 1, 1)
    assert c.fulfilled_by_member == 1
    assert dict(c.value_earned) == {"EUR": 4000}
    assert (c.offers_posted, c.connector_credit) == (0, 0)


def test_duplicates_are_ignored(alice: Member, bob: Member) -> None:
    offer = alice.offer()
    fwd = bob.forward(offer, at=T0 + 1)
    ledger = build(offer, fwd, offer, fwd, fwd)
    assert len(ledger.offers) == 1
    assert len(ledger.offers[offer.id].forwards) == 1
    assert ledger == build(fwd, offer)


# -- forwards ----------------------------------------------------------------


def test_forward_chain_network_and_directed(
    alice: Member, bob: Member, carol: Member, dave: Member
) -> None:
    offer = alice.offer()
    first = alice.forward(offer, to=bob, at=T0 + 1)  # the author may direct it
    second = bob.forward(first, at=T0 + 2)  # the recipient passes it to the network
    third = dave.forward(second, to=carol, at=T0 + 3)  # anyone continues a network link
    ledger = build(offer, first, second, third)
    assert_clean(ledger)
    state = ledger.offers[offer.id]
    assert [link.depth for link in state.forwards] == [1, 2, 3]
    assert state.chain_to(carol.pub) == state.forwards
    assert state.forwarded_to(NETWORK) == (state.forwards[1],)


def test_forward_of_a_link_directed_to_someone_else(
    alice: Member, bob: Member, carol: Member
) -> None:
    offer = alice.offer()
    to_bob = alice.forward(offer, to=bob, at=T0 + 1)
    stolen = carol.forward(to_bob, at=T0 + 2)
    assert "forwarded to someone else" in reason(build(offer, to_bob, stolen), stolen)


def test_forward_to_oneself(alice: Member, bob: Member) -> None:
    offer = alice.offer()
    selfish = bob.forward(offer, to=bob, at=T0 + 1)
    assert "to themselves" in reason(build(offer, selfish), selfish)


def test_forward_parent_of_another_offer(alice: Member, bob: Member) -> None:
    one, two = alice.offer(title="one"), alice.offer(title="two")
    fwd_two = bob.forward(two, at=T0 + 1)
    mixed = bob.forward(fwd_two, offer=one.id, at=T0 + 2)
    other_offer = bob.forward(two, offer=one.id, at=T0 + 3)
    ledger = build(one, two, fwd_two, mixed, other_offer)
    assert "belongs to another offer" in reason(ledger, mixed)
    assert "is an offer, not a forward" in reason(ledger, other_offer)
    assert len(ledger.offers[two.id].forwards) == 1
    assert ledger.offers[one.id].forwards == ()


def test_forward_parent_of_the_wrong_kind(alice: Member, bob: Member) -> None:
    offer = alice.offer()
    accept = bob.accept(offer, at=T0 + 1)
    odd = bob.forward(accept, at=T0 + 2)
    assert "is an accept, not a forward" in reason(build(offer, accept, odd), odd)


def test_forward_after_withdraw(alice: Member, bob: Member, carol: Member) -> None:
    offer = alice.offer()
    before = bob.forward(offer, at=T0 + 9)
    withdraw = alice.withdraw(offer, at=T0 + 10)
    same_second = carol.forward(offer, at=T0 + 10)
    after = carol.forward(before, at=T0 + 11)
    ledger = build(offer, before, withdraw, same_second, after)
    assert [link.id for link in ledger.offers[offer.id].forwards] == [before.id]
    assert "withdrawn" in reason(ledger, same_second)
    assert "withdrawn" in reason(ledger, after)


def test_forward_after_expiry(alice: Member, bob: Member, carol: Member) -> None:
    offer = alice.offer(expires_at=T0 + 100)
    last_second = bob.forward(offer, at=T0 + 100)
    late = carol.forward(offer, at=T0 + 101)
    ledger = build(offer, last_second, late)
    assert last_second.id not in ledger.rejected
    assert "expired" in reason(ledger, late)


def test_forward_dated_before_its_parent(alice: Member, bob: Member, carol: Member) -> None:
    offer = alice.offer(at=T0)
    early = bob.forward(offer, at=T0 - 1)
    fwd = bob.forward(offer, at=T0 + 10)
    skewed = carol.forward(fwd, at=T0 + 5)
    ledger = build(offer, early, fwd, skewed)
    assert "dated before its parent" in reason(ledger, early)
    assert "dated before its parent" in reason(ledger, skewed)


def test_forward_under_a_rejected_parent(alice: Member, bob: Member, carol: Member) -> None:
    offer = alice.offer()
    bad = bob.forward(offer, to=bob, at=T0 + 1)
    child = carol.forward(bad, at=T0 + 2)
    ledger = build(offer, bad, child)
    assert "was rejected" in reason(ledger, child)


def test_forward_chain_has_a_depth_bound(alice: Member, member: Callable[[str], Member]) -> None:
    offer = alice.offer()
    records = [offer]
    parent = offer
    for depth in range(1, MAX_CHAIN + 2):
        parent = member(f"relay{depth}").forward(parent, at=T0 + depth)
        records.append(parent)
    ledger = build(*reversed(records))
    assert len(ledger.offers[offer.id].forwards) == MAX_CHAIN
    assert "longer than" in reason(ledger, records[-1])


def _forged(record: Envelope, *, parent: RecordId, rid: RecordId) -> Envelope:
    """A forward with a chosen id and parent: impossible with real hashes, so the
    loop guard is tested on records a buggy or hostile store might hand us."""
    assert isinstance(record.body, Forward)
    body = dataclasses.replace(record.body, parent=parent)
    return dataclasses.replace(record, body=body, id=rid)


def test_forward_loop_is_rejected_not_followed(alice: Member, bob: Member, carol: Member) -> None:
    offer = alice.offer()
    x, y = RecordId(b"x" * 32), RecordId(b"y" * 32)
    fx = _forged(bob.forward(offer, at=T0 + 1), parent=y, rid=x)
    fy = _forged(carol.forward(offer, at=T0 + 2), parent=x, rid=y)
    ledger = build(offer, fx, fy)
    assert "loops" in reason(ledger, fx)
    assert "loops" in reason(ledger, fy)
    assert ledger == build(fy, fx, offer)


def test_forward_waits_for_missing_records(alice: Member, bob: Member, carol: Member) -> None:
    offer = alice.offer()
    fwd = bob.forward(offer, at=T0 + 1)
    child = carol.forward(fwd, at=T0 + 2)
    without_offer = build(fwd, child)
    assert dict(without_offer.pending) == {fwd.id: offer.id, child.id: offer.id}
    without_parent = build(offer, child)
    assert dict(without_parent.pending) == {child.id: fwd.id}
    assert dict(without_parent.rejected) == {}
    complete = build(offer, child, fwd)
    assert_clean(complete)
    assert [link.id for link in complete.offers[offer.id].forwards] == [fwd.id, child.id]


# -- accepts -----------------------------------------------------------------


def test_accept_direct_and_via_a_forward(
    alice: Member, bob: Member, carol: Member, dave: Member
) -> None:
    offer = alice.offer()
    fwd = bob.forward(offer, at=T0 + 1)
    direct = dave.accept(offer, at=T0 + 2)
    via = carol.accept(offer, via=fwd, at=T0 + 3)
    ledger = build(offer, fwd, direct, via)
    assert_clean(ledger)
    state = ledger.offers[offer.id]
    assert [a.id for a in state.accepts] == [direct.id, via.id]
    direct_view, via_view = state.accepted_by(dave.pub), state.accepted_by(carol.pub)
    assert direct_view is not None
    assert direct_view.chain == ()
    assert via_view is not None
    assert via_view.chain == (bob.pub,)


def test_accept_of_ones_own_offer(alice: Member) -> None:
    offer = alice.offer()
    own = alice.accept(offer, at=T0 + 1)
    assert "own offer" in reason(build(offer, own), own)


def test_accept_via_a_forward_of_another_offer(alice: Member, bob: Member, carol: Member) -> None:
    one, two = alice.offer(title="one"), alice.offer(title="two")
    fwd_two = bob.forward(two, at=T0 + 1)
    accept = carol.accept(one, via=fwd_two, at=T0 + 2)
    assert "another offer" in reason(build(one, two, fwd_two, accept), accept)


def test_accept_via_a_forward_to_someone_else(
    alice: Member, bob: Member, carol: Member, dave: Member
) -> None:
    offer = alice.offer()
    to_carol = bob.forward(offer, to=carol, at=T0 + 1)
    accept = dave.accept(offer, via=to_carol, at=T0 + 2)
    assert "forward to someone else" in reason(build(offer, to_carol, accept), accept)


def test_accept_via_a_record_that_is_no_forward(alice: Member, bob: Member) -> None:
    offer = alice.offer()
    vouch = alice.vouch(bob, at=T0 + 1)
    accept = bob.accept(offer, via=vouch, at=T0 + 2)
    assert "is a vouch, not a forward" in reason(build(offer, vouch, accept), accept)


def test_accept_after_withdraw_or_expiry(alice: Member, bob: Member, carol: Member) -> None:
    withdrawn, expiring = alice.offer(title="w"), alice.offer(title="e", expires_at=T0 + 50)
    withdraw = alice.withdraw(withdrawn, at=T0 + 10)
    late = bob.accept(withdrawn, at=T0 + 10)
    early = carol.accept(withdrawn, at=T0 + 9)
    expired = bob.accept(expiring, at=T0 + 51)
    ledger = build(withdrawn, expiring, withdraw, late, early, expired)
    assert "withdrawn" in reason(ledger, late)
    assert "expired" in reason(ledger, expired)
    assert [a.id for a in ledger.offers[withdrawn.id].accepts] == [early.id]


def test_one_accept_per_member_counts(alice: Member, bob: Member) -> None:
    offer = alice.offer()
    first = bob.accept(offer, note="me!", at=T0 + 5)
    again = bob.accept(offer, note="me again", at=T0 + 6)
    ledger = build(again, first, offer)
    assert [a.id for a in ledger.offers[offer.id].accepts] == [first.id]
    assert "already accepted" in reason(ledger, again)


def test_accept_dated_before_its_forward(alice: Member, bob: Member, carol: Member) -> None:
    offer = alice.offer()
    fwd = bob.forward(offer, at=T0 + 10)
    accept = carol.accept(offer, via=fwd, at=T0 + 9)
    assert "dated before" in reason(build(offer, fwd, accept), accept)


def test_accept_waits_for_its_forward(alice: Member, bob: Member, carol: Member) -> None:
    offer = alice.offer()
    fwd = bob.forward(offer, at=T0 + 1)
    accept = carol.accept(offer, via=fwd, at=T0 + 2)
    assert dict(build(offer, accept).pending) == {accept.id: fwd.id}
    assert build(offer, accept, fwd).offers[offer.id].accepts[0].id == accept.id


# -- hand-offs ---------------------------------------------------------------


def test_handoff_to_several_acceptors(alice: Member, bob: Member, carol: Member) -> None:
    offer = alice.offer()
    a_bob, a_carol = bob.accept(offer, at=T0 + 1), carol.accept(offer, at=T0 + 2)
    h_bob, h_carol = alice.handoff(a_bob, at=T0 + 3), alice.handoff(a_carol, at=T0 + 4)
    ledger = build(offer, a_bob, a_carol, h_bob, h_carol)
    assert_clean(ledger)
    state = ledger.offers[offer.id]
    assert [h.to for h in state.handoffs] == [bob.pub, carol.pub]
    assert state.status is OfferStatus.HANDED_OFF


def test_handoff_by_someone_else(alice: Member, bob: Member, carol: Member) -> None:
    offer = alice.offer()
    accept = bob.accept(offer, at=T0 + 1)
    hijack = carol.handoff(accept, at=T0 + 2)
    assert "only the offer's author" in reason(build(offer, accept, hijack), hijack)


def test_handoff_to_someone_who_did_not_accept(alice: Member, bob: Member, carol: Member) -> None:
    offer = alice.offer()
    accept = bob.accept(offer, at=T0 + 1)
    wrong = alice.handoff(accept, to=carol, at=T0 + 2)
    assert "someone other than" in reason(build(offer, accept, wrong), wrong)


def test_handoff_names_an_accept_of_another_offer(alice: Member, bob: Member) -> None:
    one, two = alice.offer(title="one"), alice.offer(title="two")
    accept_two = bob.accept(two, at=T0 + 1)
    body = alice.handoff(accept_two).body
    assert isinstance(body, Handoff)
    wrong = alice.sign(dataclasses.replace(body, offer=one.id), at=T0 + 2)
    assert "another offer" in reason(build(one, two, accept_two, wrong), wrong)


def test_handoff_of_a_rejected_accept(alice: Member, bob: Member) -> None:
    offer = alice.offer()
    first, again = bob.accept(offer, at=T0 + 1), bob.accept(offer, note="2", at=T0 + 2)
    handoff = alice.handoff(again, at=T0 + 3)
    assert "was rejected" in reason(build(offer, first, again, handoff), handoff)


def test_handoff_after_withdraw_or_expiry(alice: Member, bob: Member) -> None:
    withdrawn, expiring = alice.offer(title="w"), alice.offer(title="e", expires_at=T0 + 50)
    a_w, a_e = bob.accept(withdrawn, at=T0 + 1), bob.accept(expiring, at=T0 + 1)
    withdraw = alice.withdraw(withdrawn, at=T0 + 10)
    h_w, h_e = alice.handoff(a_w, at=T0 + 11), alice.handoff(a_e, at=T0 + 51)
    ledger = build(withdrawn, expiring, a_w, a_e, withdraw, h_w, h_e)
    assert "withdrawn" in reason(ledger, h_w)
    assert "expired" in reason(ledger, h_e)
    assert ledger.offers[withdrawn.id].status is OfferStatus.WITHDRAWN
    assert ledger.offers[expiring.id].status is OfferStatus.EXPIRED
    assert build(expiring, now=T0 + 50).offers[expiring.id].status is OfferStatus.OPEN


def test_second_handoff_to_the_same_member(alice: Member, bob: Member) -> None:
    offer = alice.offer()
    accept = bob.accept(offer, at=T0 + 1)
    first, again = alice.handoff(accept, at=T0 + 2), alice.handoff(accept, at=T0 + 3)
    ledger = build(offer, accept, again, first)
    assert [h.id for h in ledger.offers[offer.id].handoffs] == [first.id]
    assert "already handed off" in reason(ledger, again)


def test_withdraw_after_handoff_keeps_the_handoff(alice: Member, bob: Member) -> None:
    offer = alice.offer()
    accept = bob.accept(offer, at=T0 + 1)
    handoff = alice.handoff(accept, at=T0 + 2)
    withdraw = alice.withdraw(offer, reason="client cancelled", at=T0 + 3)
    state = build(offer, accept, handoff, withdraw).offers[offer.id]
    assert state.status is OfferStatus.HANDED_OFF
    assert state.withdrawn is not None
    assert state.withdrawn.reason == "client cancelled"
    assert [h.id for h in state.handoffs] == [handoff.id]


# -- withdraws ---------------------------------------------------------------


def test_withdraw_only_by_author_and_earliest_counts(alice: Member, bob: Member) -> None:
    offer = alice.offer()
    forged = bob.withdraw(offer, at=T0 + 1)
    first = alice.withdraw(offer, reason="first", at=T0 + 2)
    second = alice.withdraw(offer, reason="second", at=T0 + 3)
    early = alice.withdraw(offer, at=T0 - 1)
    ledger = build(second, first, forged, offer, early)
    state = ledger.offers[offer.id]
    assert state.status is OfferStatus.WITHDRAWN
    assert state.withdrawn is not None
    assert state.withdrawn.id == first.id
    assert "only the offer's author" in reason(ledger, forged)
    assert "already withdrawn" in reason(ledger, second)
    assert "dated before its offer" in reason(ledger, early)


def test_withdraw_of_a_missing_offer_waits(alice: Member) -> None:
    offer = alice.offer()
    withdraw = alice.withdraw(offer, at=T0 + 1)
    assert dict(build(withdraw).pending) == {withdraw.id: offer.id}


# -- outcomes ----------------------------------------------------------------


def _handed(alice: Member, bob: Member, **offer_fields: Any) -> tuple[Envelope, ...]:
    offer = alice.offer(**offer_fields)
    accept = bob.accept(offer, at=T0 + 1)
    return offer, accept, alice.handoff(accept, at=T0 + 2)


def test_latest_outcome_of_the_author_counts(alice: Member, bob: Member) -> None:
    records = _handed(alice, bob)
    handoff = records[2]
    fail = alice.outcome(handoff, fulfilled=False, rating=1, at=T0 + 10)
    fixed = alice.outcome(handoff, fulfilled=True, rating=4, at=T0 + 20)
    ledger = build(fixed, *records, fail)
    state = ledger.offers[records[0].id]
    assert state.handoffs[0].outcome is not None
    assert state.handoffs[0].outcome.id == fixed.id
    assert state.status is OfferStatus.FULFILLED
    assert [r.id for r in ledger.receipts] == [fixed.id]
    assert fail.id not in ledger.rejected  # superseded, not invalid


def test_outcomes_in_the_same_second_tie_break_by_id(alice: Member, bob: Member) -> None:
    records = _handed(alice, bob)
    one = alice.outcome(records[2], fulfilled=True, at=T0 + 10)
    two = alice.outcome(records[2], fulfilled=False, at=T0 + 10)
    latest = max(one, two, key=lambda e: e.id)
    for order in ((one, two), (two, one)):
        handoff = build(*records, *order).offers[records[0].id].handoffs[0]
        assert handoff.outcome is not None
        assert handoff.outcome.id == latest.id


def test_recipient_outcome_is_a_confirmation(alice: Member, bob: Member) -> None:
    records = _handed(alice, bob)
    outcome = alice.outcome(records[2], fulfilled=True, at=T0 + 10)
    agrees = bob.outcome(records[2], fulfilled=True, at=T0 + 11)
    disagrees = bob.outcome(records[2], fulfilled=False, at=T0 + 12)
    handoff = build(*records, outcome, agrees).offers[records[0].id].handoffs[0]
    assert handoff.confirmed
    handoff = build(*records, outcome, agrees, disagrees).offers[records[0].id].handoffs[0]
    assert not handoff.confirmed
    assert handoff.confirmation is not None
    assert handoff.confirmation.id == disagrees.id
    only_bob = build(*records, agrees)
    handoff = only_bob.offers[records[0].id].handoffs[0]
    assert handoff.outcome is None
    assert not handoff.confirmed
    assert only_bob.receipts == ()
    assert only_bob.offers[records[0].id].status is OfferStatus.HANDED_OFF


def test_outcome_by_a_third_party(alice: Member, bob: Member, carol: Member) -> None:
    records = _handed(alice, bob)
    meddle = carol.outcome(records[2], fulfilled=False, at=T0 + 10)
    ledger = build(*records, meddle)
    assert "only the offer's author or the hand-off's recipient" in reason(ledger, meddle)


def test_outcome_after_withdraw_and_expiry_counts(alice: Member, bob: Member) -> None:
    records = _handed(alice, bob, expires_at=T0 + 100)
    withdraw = alice.withdraw(records[0], at=T0 + 50)
    outcome = alice.outcome(records[2], fulfilled=False, at=T0 + 500)
    ledger = build(*records, withdraw, outcome, now=T0 + 1000)
    assert_clean(ledger)
    assert ledger.offers[records[0].id].status is OfferStatus.NOT_FULFILLED


def test_outcome_of_a_rejected_missing_or_foreign_handoff(alice: Member, bob: Member) -> None:
    offer, accept, handoff = _handed(alice, bob)
    other = alice.offer(title="other")
    again = alice.handoff(accept, at=T0 + 3)  # rejected: a second hand-off to bob
    on_rejected = alice.outcome(again, at=T0 + 10)
    body = alice.outcome(handoff).body
    assert isinstance(body, Outcome)
    foreign = alice.sign(dataclasses.replace(body, offer=other.id), at=T0 + 10)
    counts = alice.outcome(handoff, at=T0 + 10)
    waiting = build(offer, accept, other, foreign, counts)
    assert dict(waiting.pending) == {foreign.id: handoff.id, counts.id: handoff.id}
    ledger = build(offer, accept, other, handoff, again, on_rejected, foreign, counts)
    assert "was rejected" in reason(ledger, on_rejected)
    assert "another offer" in reason(ledger, foreign)
    counted = ledger.offers[offer.id].handoffs[0].outcome
    assert counted is not None
    assert counted.id == counts.id


def test_outcome_dated_before_its_handoff(alice: Member, bob: Member) -> None:
    records = _handed(alice, bob)
    early = alice.outcome(records[2], at=T0 + 1)
    assert "dated before its hand-off" in reason(build(*records, early), early)


# -- status and receipts -----------------------------------------------------


def test_status_with_several_handoffs(alice: Member, bob: Member, carol: Member) -> None:
    offer = alice.offer()
    a_bob, a_carol = bob.accept(offer, at=T0 + 1), carol.accept(offer, at=T0 + 1)
    h_bob, h_carol = alice.handoff(a_bob, at=T0 + 2), alice.handoff(a_carol, at=T0 + 2)
    base = (offer, a_bob, a_carol, h_bob, h_carol)
    bob_failed = alice.outcome(h_bob, fulfilled=False, value=10, at=T0 + 3)
    carol_failed = alice.outcome(h_carol, fulfilled=False, value=10, at=T0 + 3)
    carol_did = alice.outcome(h_carol, fulfilled=True, value=70, at=T0 + 3)

    def status(*extra: Envelope) -> OfferStatus:
        return build(*base, *extra).offers[offer.id].status

    assert status() is OfferStatus.HANDED_OFF
    assert status(bob_failed) is OfferStatus.HANDED_OFF
    assert status(bob_failed, carol_failed) is OfferStatus.NOT_FULFILLED
    assert status(bob_failed, carol_did) is OfferStatus.FULFILLED
    ledger = build(*base, bob_failed, carol_did)
    assert ledger.offers[offer.id].value == 70
    assert {(r.fulfiller, r.fulfilled) for r in ledger.receipts} == {
        (bob.pub, False),
        (carol.pub, True),
    }
    assert status(bob_failed) is OfferStatus.HANDED_OFF


def test_receipt_forwarders_are_deduplicated(
    alice: Member, bob: Member, carol: Member, dave: Member
) -> None:
    offer = alice.offer()
    f1 = alice.forward(offer, to=bob, at=T0 + 1)  # the author is no forwarder
    f2 = bob.forward(f1, to=carol, at=T0 + 2)
    f3 = carol.forward(f2, to=bob, at=T0 + 3)
    f4 = bob.forward(f3, to=dave, at=T0 + 4)
    f5 = dave.forward(f4, at=T0 + 5)  # the fulfiller is no forwarder either
    accept = dave.accept(offer, via=f5, at=T0 + 6)
    handoff = alice.handoff(accept, at=T0 + 7)
    outcome = alice.outcome(handoff, at=T0 + 8)
    credit = alice.credit(handoff, carol, bob, at=T0 + 8)
    ledger = build(offer, f1, f2, f3, f4, f5, accept, handoff, outcome, credit)
    assert_clean(ledger)
    assert ledger.offers[offer.id].accepts[0].chain == (
        alice.pub,
        bob.pub,
        carol.pub,
        bob.pub,
        dave.pub,
    )
    assert ledger.receipts[0].forwarders == (bob.pub, carol.pub)
    assert dict(ledger.connector_credit) == {bob.pub: 1, carol.pub: 1}


def test_failed_handoffs_earn_no_connector_credit(
    alice: Member, bob: Member, carol: Member
) -> None:
    offer = alice.offer()
    fwd = bob.forward(offer, at=T0 + 1)
    accept = carol.accept(offer, via=fwd, at=T0 + 2)
    handoff = alice.handoff(accept, at=T0 + 3)
    outcome = alice.outcome(handoff, fulfilled=False, rating=1, at=T0 + 4)
    credit = alice.credit(handoff, bob, at=T0 + 4)
    ledger = build(offer, fwd, accept, handoff, outcome, credit)
    assert ledger.receipts[0].forwarders == (bob.pub,)
    assert not ledger.receipts[0].fulfilled
    assert dict(ledger.connector_credit) == {}


# -- vouches and profiles ----------------------------------------------------


def test_vouches_and_revokes(alice: Member, bob: Member, carol: Member) -> None:
    keep = alice.vouch(bob, skills=("design",), at=T0 + 1)
    revoked = alice.vouch(carol, at=T0 + 2)
    revoke = alice.revoke(revoked, at=T0 + 3)
    forged_revoke = bob.revoke(keep, at=T0 + 4)
    self_vouch = carol.vouch(carol, at=T0 + 5)
    assert isinstance(revoke.body, Revoke)
    not_a_vouch = alice.sign(dataclasses.replace(revoke.body, vouch=revoke.id), at=T0 + 6)
    early_revoke = alice.revoke(keep, at=T0)
    ledger = build(keep, revoked, revoke, forged_revoke, self_vouch, not_a_vouch, early_revoke)
    assert [(e.id, e.voucher, e.subject, e.skills) for e in ledger.vouches] == [
        (keep.id, alice.pub, bob.pub, ("design",))
    ]
    assert dict(ledger.revoked) == {revoked.id: revoke.id}
    assert "only the vouch's author" in reason(ledger, forged_revoke)
    assert "for themselves" in reason(ledger, self_vouch)
    assert "is a revoke, not a vouch" in reason(ledger, not_a_vouch)
    assert "dated before its vouch" in reason(ledger, early_revoke)


def test_newest_vouch_per_pair_and_pending_revoke(alice: Member, bob: Member) -> None:
    old = alice.vouch(bob, skills=("a",), at=T0 + 1)
    new = alice.vouch(bob, skills=("b",), at=T0 + 2)
    assert [e.id for e in build(old, new).vouches] == [new.id]
    revoke_new = alice.revoke(new, at=T0 + 3)
    assert [e.id for e in build(old, new, revoke_new).vouches] == [old.id]
    assert dict(build(old, revoke_new).pending) == {revoke_new.id: new.id}


def test_newest_profile_wins(alice: Member, bob: Member) -> None:
    old = alice.profile(headline="old", at=T0 + 1)
    new = alice.profile(headline="new", at=T0 + 2)
    bobs = bob.profile(at=T0)
    ledger = build(new, bobs, old)
    assert ledger.profiles[alice.pub].id == new.id
    assert ledger.profiles[alice.pub].profile.headline == "new"
    assert ledger.profiles[bob.pub].author == bob.pub
    assert old.id not in ledger.rejected


def test_value_fulfilled_is_per_currency(alice: Member, bob: Member) -> None:
    records: list[Envelope] = []
    for currency, value in (("EUR", 100), ("USD", 30), ("EUR", 5)):
        offer = alice.offer(title=f"{currency}{value}", currency=currency)
        accept = bob.accept(offer, at=T0 + 1)
        handoff = alice.handoff(accept, at=T0 + 2)
        records += [offer, accept, handoff, alice.outcome(handoff, value=value, at=T0 + 3)]
    ledger = build(*records)
    assert dict(stats(ledger, alice.pub).value_fulfilled) == {"EUR": 105, "USD": 30}
    bob_stats = stats(ledger, bob.pub)
    assert dict(bob_stats.value_earned) == {"EUR": 105, "USD": 30}
    assert bob_stats.fulfilled_by_member == 3
    assert bob_stats.offers_accepted == 3


@pytest.mark.parametrize("now", [T0 - DAY, T0 + 29 * DAY, T0 + 31 * DAY])
def test_status_of_an_untouched_offer_depends_only_on_now(alice: Member, now: int) -> None:
    offer = alice.offer()
    expected = OfferStatus.EXPIRED if now > T0 + 30 * DAY else OfferStatus.OPEN
    assert build(offer, now=now).offers[offer.id].status is expected
