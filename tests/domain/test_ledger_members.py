"""Records count for their member, not their key (issue 15; docs/PROTOCOL.md §Members and devices).

Examples first: a member's offer handed off from another of its devices, an
accept and a confirmation by different devices of the recipient, devices that
cannot vouch for each other, an unlink that voids a device's later records
and keeps its earlier ones, a record before its certificate waiting. Then the
property: the ledger is a function of the record set, member records included,
whatever the order and the batches they arrive in (so through the rebuild a
member record triggers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_ledger_order import SPAN, T0, dump, scenario

import protocol as p
from p2pshare.domain.attribution import NOT_COUNTED
from p2pshare.domain.ledger import Ledger, LedgerState, OfferStatus
from p2pshare.domain.ledger_part import PENDING
from p2pshare.domain.stats import stats
from p2pshare.domain.trust import TrustGraph

if TYPE_CHECKING:
    from collections.abc import Callable

    from signers import Member


def certify(
    author: Member, device: Member, *, member: Member | None = None, at: int, manage: bool = False
) -> p.Envelope:
    """A certificate by `author` that `device` signs for `member` (the author, by default)."""
    owner = member or author
    body = p.Device(
        member=owner.pub,
        device=device.pub,
        label=f"{device.name}'s",
        manage=manage,
        consent=p.sign_consent(p.DEVICE_CONSENT, owner.pub, key=device.key),
    )
    return author.sign(body, at=at)


def unlink(
    author: Member, device: Member, *, member: Member | None = None, at: int, since: int
) -> p.Envelope:
    owner = member or author
    body = p.Unlink(member=owner.pub, device=device.pub, valid_until=since, reason="lost")
    return author.sign(body, at=at)


def test_a_members_offer_is_handed_off_and_reported_from_another_device(
    member: Callable[[str], Member],
) -> None:
    """The phone posts, the laptop (the member's root) hands off, the phone reports:
    one member's offer, its receipt names the member, and a stranger's hand-off fails."""
    ana, phone, ben, eve = member("ana"), member("ana-phone"), member("ben"), member("eve")
    offer = phone.offer(at=T0 + 10)
    accept = ben.accept(offer, at=T0 + 11)
    handoff = ana.handoff(accept, at=T0 + 12)
    outcome = phone.outcome(handoff, at=T0 + 13)
    forged = eve.handoff(accept, at=T0 + 12)
    ledger = Ledger.build(
        [certify(ana, phone, at=T0), offer, accept, handoff, outcome, forged], now=T0 + 20
    )

    state = ledger.offers[offer.id]
    assert state.author == ana.pub
    assert state.status is OfferStatus.FULFILLED
    assert [h.id for h in state.handoffs] == [handoff.id]
    assert [(r.author, r.fulfiller) for r in ledger.receipts] == [(ana.pub, ben.pub)]
    assert "only the offer's author" in ledger.rejected[forged.id]


def test_an_accept_and_its_confirmation_by_two_devices_count_for_one_member(
    member: Callable[[str], Member],
) -> None:
    ana, ben, tablet = member("ana"), member("ben"), member("ben-tablet")
    offer = ana.offer(at=T0 + 10)
    accept = tablet.accept(offer, at=T0 + 11)
    handoff = ana.handoff(accept, at=T0 + 12)  # to the tablet's key: the member's
    outcome = ana.outcome(handoff, fulfilled=False, at=T0 + 13)
    reply = ben.outcome(handoff, fulfilled=True, at=T0 + 14)  # from ben's root
    ledger = Ledger.build(
        [certify(ben, tablet, at=T0), offer, accept, handoff, outcome, reply], now=T0 + 20
    )

    state = ledger.offers[offer.id]
    assert [a.author for a in state.accepts] == [ben.pub]
    assert state.handoff_to(ben.pub) is not None
    (receipt,) = ledger.receipts
    assert receipt.fulfiller == ben.pub
    assert receipt.disputed  # ben's own reply, from another device, counts as the recipient's


def test_a_members_devices_cannot_vouch_for_each_other_or_accept_its_offers(
    member: Callable[[str], Member],
) -> None:
    ana, phone, ben = member("ana"), member("ana-phone"), member("ben")
    offer = ana.offer(at=T0 + 10)
    self_vouch = phone.vouch(ana, at=T0 + 11)
    self_accept = phone.accept(offer, at=T0 + 12)
    vouch = ben.vouch(phone, at=T0 + 13)  # for the phone's key: for ana
    ledger = Ledger.build(
        [certify(ana, phone, at=T0), offer, self_vouch, self_accept, vouch], now=T0 + 20
    )

    assert "cannot vouch for themselves" in ledger.rejected[self_vouch.id]
    assert "cannot accept their own offer" in ledger.rejected[self_accept.id]
    assert [(e.voucher, e.subject) for e in ledger.vouches] == [(ben.pub, ana.pub)]
    graph = TrustGraph(ledger.vouches, ledger.receipts, now=T0 + 20)
    assert graph.scores(ben.pub).get(ana.pub, 0.0) > 0.0
    assert phone.pub not in graph.scores(ben.pub)


def test_an_unlink_voids_the_devices_records_from_its_date_and_keeps_the_earlier(
    member: Callable[[str], Member],
) -> None:
    """Stored before the unlink arrived, they go when it does; the door refuses more."""
    ana, phone, ben = member("ana"), member("ana-phone"), member("ben")
    before = phone.offer(at=T0 + 10, title="before")
    after = phone.offer(at=T0 + 30, title="after")
    accept = ben.accept(after, at=T0 + 31)
    state = LedgerState(now=T0 + 40)
    state.apply([certify(ana, phone, at=T0), before, after, accept])
    assert set(state.ledger(T0 + 40).offers) == {before.id, after.id}

    delta = state.apply([unlink(ana, phone, at=T0 + 35, since=T0 + 20)])

    ledger = state.ledger(T0 + 40)
    assert delta.members_changed
    assert after.id in delta.offers
    assert set(ledger.offers) == {before.id}
    assert ledger.offers[before.id].author == ana.pub
    assert ledger.rejected[after.id].startswith(f"offer: {NOT_COUNTED}")
    assert "unlinked from" in ledger.rejected[after.id]
    assert "was rejected" in ledger.rejected[accept.id]
    later = phone.offer(at=T0 + 36, title="later")
    reason = state.check(later)
    assert reason is not None
    assert reason.startswith(NOT_COUNTED)
    assert state.check(phone.offer(at=T0 + 15, title="earlier")) is None


def test_a_record_whose_certificate_chain_is_not_here_yet_waits(
    member: Callable[[str], Member],
) -> None:
    """The phone (managing) certified the tablet; the phone's own certificate has
    not arrived: the tablet's record waits, and counts once it does."""
    ana, phone, tablet = member("ana"), member("ana-phone"), member("ana-tablet")
    phones_cert = certify(ana, phone, at=T0, manage=True)
    tablets_cert = certify(phone, tablet, member=ana, at=T0 + 5)
    offer = tablet.offer(at=T0 + 10)
    state = LedgerState(now=T0 + 20)
    state.apply([tablets_cert])

    reason = state.check(offer)
    assert reason is not None
    assert reason.startswith(PENDING)
    state.apply([offer])  # stored anyway (an import, an older node): it does not count
    assert offer.id not in state.ledger(T0 + 20).offers

    state.apply([phones_cert])
    assert state.check(offer) is None
    assert state.ledger(T0 + 20).offers[offer.id].author == ana.pub


def test_a_devices_records_before_its_certificate_count_as_its_own_then_as_the_members(
    member: Callable[[str], Member],
) -> None:
    """A key no member record names is its own member: its records are taken, and
    move to the member when the certificate arrives (the same as in the other order)."""
    ana, phone, ben = member("ana"), member("ana-phone"), member("ben")
    cert = certify(ana, phone, at=T0)
    offer = phone.offer(at=T0 + 10)
    accept = ben.accept(offer, at=T0 + 11)
    handoff = ana.handoff(accept, at=T0 + 12)
    state = LedgerState(now=T0 + 20)
    state.apply([offer, accept])
    assert state.check(handoff) is not None  # not the phone's own: refused for now
    state.apply([cert])
    assert state.check(handoff) is None
    state.apply([handoff])

    reference = Ledger.build([cert, offer, accept, handoff], now=T0 + 20)
    assert dump(state.ledger(T0 + 20)) == dump(reference)
    assert reference.offers[offer.id].status is OfferStatus.HANDED_OFF


# -- order independence, member records included ----------------------------------


def member_records(data: st.DataObject, people: dict[str, Member]) -> list[p.Envelope]:
    """Certificates (some through a managing device, some by a stranger), unlinks
    (by the root or a device, with their `valid_until` in the past), maybe two
    members claiming one key (a contested key)."""
    ana, phone, tablet = people["ana"], people["ana-phone"], people["ana-tablet"]
    ben, eve = people["ben"], people["eve"]

    def at() -> int:
        offset: int = data.draw(st.integers(-5, SPAN))
        return int(T0 + offset)

    records: list[p.Envelope] = []
    if data.draw(st.booleans()):
        records.append(certify(ana, phone, at=at(), manage=data.draw(st.booleans())))
    if data.draw(st.booleans()):
        author = data.draw(st.sampled_from([ana, phone, eve]))
        records.append(certify(author, tablet, member=ana, at=at()))
    if data.draw(st.booleans()):
        records.append(certify(ben, people["ben-tablet"], at=at()))
    for _ in range(data.draw(st.integers(0, 2))):
        author = data.draw(st.sampled_from([ana, phone, tablet]))
        device = data.draw(st.sampled_from([phone, tablet]))
        signed = at()
        since = signed - data.draw(st.integers(0, SPAN // 2))
        records.append(unlink(author, device, member=ana, at=signed, since=since))
    if not data.draw(st.integers(0, 5)):
        records.append(certify(eve, tablet, at=at()))  # the tablet consents to eve too
    return records


NAMES = ("ana", "ana-phone", "ana-tablet", "ben", "ben-tablet", "eve")


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_order_and_any_batches_give_the_same_ledger_with_devices(
    member: Callable[[str], Member], data: st.DataObject
) -> None:
    people = {name: member(name) for name in NAMES}
    records = scenario(data, list(people.values())) + member_records(data, people)
    now = T0 + data.draw(st.integers(0, 3 * SPAN))
    reference = Ledger.build(records, now=now)

    shuffled = data.draw(st.permutations(records))
    cuts = sorted(data.draw(st.sets(st.integers(0, len(shuffled)), max_size=6)))
    state = LedgerState(now=now)
    start = 0
    for cut in [*cuts, len(shuffled)]:
        state.apply(shuffled[start:cut])
        start = cut
    again = state.ledger(now)

    event(f"member records: {min(len(state.members.directory.members()), 2)}")
    event(f"void: {min(sum(NOT_COUNTED in r for r in reference.rejected.values()), 2)}")
    assert dump(again) == dump(reference)
    for person in people.values():
        assert stats(again, person.pub) == stats(reference, person.pub)
    devices = {people[n].pub for n in ("ana-phone", "ana-tablet", "ben-tablet")}
    claimed = {
        r.body.device
        for r in records
        if isinstance(r.body, p.Device) and not state.members.directory.contested(r.body.device)
    }
    for state_of in reference.offers.values():  # a certified device never authors an offer
        assert state_of.author not in devices & claimed
