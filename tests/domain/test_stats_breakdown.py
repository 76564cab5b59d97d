"""Return on sharing by month and by peer (issue 14): the figures the profile charts draw."""

from __future__ import annotations

from typing import TYPE_CHECKING

from p2pshare.domain.ledger import Ledger
from p2pshare.domain.stats import Figures, breakdown_report, month_of, stats

if TYPE_CHECKING:  # a helper module on the test path (tests/support)
    from signers import Member

    from protocol import Envelope

T0 = 1_700_000_000  # 2023-11-14 22:13 UTC
DAY = 86_400


def figures(
    *,
    passed: int = 0,
    fulfilled: int = 0,
    value: dict[str, int] | None = None,
    came_back: int = 0,
    earned: dict[str, int] | None = None,
) -> Figures:
    return Figures(
        passed=passed,
        fulfilled=fulfilled,
        value=value or {},
        came_back=came_back,
        earned=earned or {},
    )


def passed_on_and_fulfilled_next_month(
    alice: Member, bob: Member, carol: Member, *more: Envelope
) -> Ledger:
    """Alice posts in November, Bob forwards it to Carol; fulfilled in December, Bob credited."""
    offer = alice.offer(at=T0, value=5000, currency="EUR")
    fwd = bob.forward(offer, to=carol, at=T0 + DAY)
    accept = carol.accept(offer, via=fwd, at=T0 + 2 * DAY)
    handoff = alice.handoff(accept, at=T0 + 3 * DAY)
    credit = alice.credit(handoff, bob, at=T0 + 4 * DAY)
    outcome = alice.outcome(handoff, fulfilled=True, value=4000, at=T0 + 20 * DAY)
    other = bob.offer(title="a second one", at=T0 + 21 * DAY)  # Bob posts in December too
    records: list[Envelope] = [offer, fwd, accept, handoff, credit, outcome, other, *more]
    return Ledger.build(records, now=T0 + 25 * DAY)


def test_month_of_is_the_utc_month() -> None:
    assert month_of(T0) == "2023-11"
    assert month_of(T0 + 20 * DAY) == "2023-12"
    assert month_of(1_704_067_199) == "2023-12"  # the last second of 2023, UTC
    assert month_of(1_704_067_200) == "2024-01"


def test_the_author_passed_in_one_month_and_it_was_fulfilled_in_the_next(
    alice: Member, bob: Member, carol: Member
) -> None:
    a = stats(passed_on_and_fulfilled_next_month(alice, bob, carol), alice.pub)
    assert dict(a.by_month) == {
        "2023-11": figures(passed=1),
        "2023-12": figures(fulfilled=1, value={"EUR": 4000}),
    }
    assert dict(a.by_peer) == {carol.pub: figures(passed=1, fulfilled=1, value={"EUR": 4000})}


def test_the_forwarder_is_counted_for_the_hand_off_they_are_credited_on(
    alice: Member, bob: Member, carol: Member
) -> None:
    b = stats(passed_on_and_fulfilled_next_month(alice, bob, carol), bob.pub)
    assert dict(b.by_month) == {
        "2023-11": figures(passed=1),
        "2023-12": figures(passed=1, fulfilled=1, value={"EUR": 4000}),
    }
    assert dict(b.by_peer) == {carol.pub: figures(passed=1, fulfilled=1, value={"EUR": 4000})}
    # the months add up to the totals
    assert sum(f.passed for f in b.by_month.values()) == b.offers_posted + b.offers_forwarded
    assert sum(f.fulfilled for f in b.by_month.values()) == b.connector_credit


def test_what_came_back_to_the_fulfiller_and_from_whom(
    alice: Member, bob: Member, carol: Member
) -> None:
    c = stats(passed_on_and_fulfilled_next_month(alice, bob, carol), carol.pub)
    assert dict(c.by_month) == {
        "2023-11": figures(came_back=1),  # forwarded, then handed: one offer, counted once
        "2023-12": figures(earned={"EUR": 4000}),
    }
    assert dict(c.by_peer) == {
        alice.pub: figures(came_back=1, earned={"EUR": 4000}),
        bob.pub: figures(came_back=1),
    }


def test_a_network_forward_is_passed_on_but_to_no_peer(alice: Member, bob: Member) -> None:
    offer = alice.offer(at=T0)
    ledger = Ledger.build([offer, bob.forward(offer, at=T0 + DAY)], now=T0 + 2 * DAY)
    b = stats(ledger, bob.pub)
    assert dict(b.by_month) == {"2023-11": figures(passed=1)}
    assert dict(b.by_peer) == {}
    assert dict(stats(ledger, alice.pub).by_peer) == {}


def test_the_report_lists_months_in_order_and_the_busiest_peer_first(
    alice: Member, bob: Member, carol: Member
) -> None:
    names = {alice.pub: "Alice", bob.pub: "Bob", carol.pub: "Carol"}
    ledger = passed_on_and_fulfilled_next_month(
        alice, bob, carol, carol.offer(title="Carol's own", at=T0 + 5 * DAY)
    )
    report = breakdown_report(stats(ledger, carol.pub), names.__getitem__)
    assert [m["month"] for m in report["by_month"]] == ["2023-11", "2023-12"]
    assert report["by_month"][0] == {
        "month": "2023-11",
        "passed": 1,
        "fulfilled": 0,
        "value": {},
        "came_back": 1,
        "earned": {},
    }
    assert [(p["name"], p["came_back"], p["earned"]) for p in report["by_peer"]] == [
        ("Alice", 1, {"EUR": 4000}),
        ("Bob", 1, {}),
    ]
