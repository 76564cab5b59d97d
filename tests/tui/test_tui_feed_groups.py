"""The Feed's list as a member reads it (issues 14, 12 and 16 §6): the same offer
posted three times is one row counted "x3" (drawn with a multiplication sign) that
space opens and folds, another author's offer of that title stays apart, a fourth
copy arriving bumps the count, filters and search still find the copies; trust reads
as a standing, names keep their fingerprint, and titles are escaped."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fake_node import FakeNode
from fake_world import DAY, T0
from textual.widgets import Input, Switch
from tui_helpers import drive, fake_app, feed_ready, shown_text, wait_for

from tui.screens.offer import OfferScreen
from tui.widgets.offer_columns import TIMES
from tui.widgets.offer_list import OfferList

if TYPE_CHECKING:
    from test_tui_snapshots import SnapCompare
    from textual.pilot import Pilot

    from tui.screens.feed import FeedScreen

ROOF = "Roof repair, Lisbon"


def spammy_node() -> tuple[FakeNode, list[str], str]:
    """Mallory posted the roof repair three times (once in other case and spacing), and
    Bob once; Carol posted something else."""
    node = FakeNode()
    mallory = node.add_peer("Mallory", trust=0.3)
    bob = node.add_peer("Bob", trust=0.6)
    carol = node.add_peer("Carol", trust=0.9)
    copies = [
        node.add_offer(title, by=mallory, skills=("roofing",), region="Lisbon", created_at=at)
        for title, at in ((ROOF, T0 - DAY), ("roof  REPAIR, lisbon ", T0 - 2 * DAY), (ROOF, T0))
    ]
    node.add_offer(ROOF, by=bob, skills=("roofing",), region="Lisbon")
    node.add_offer("Garden design", by=carol, skills=("design",))
    return node, copies, mallory


def lines(screen: FeedScreen) -> list[str]:
    """The list's lines as drawn, blank ones left out."""
    return [ln for ln in shown_text(screen.query_one(OfferList)).split("\n") if ln.strip()]


def roof_lines(screen: FeedScreen) -> list[str]:
    return [ln for ln in lines(screen) if "roof" in ln.casefold()]


def mallory_lines(screen: FeedScreen) -> list[str]:
    return [ln for ln in lines(screen) if "Mallory" in ln]


async def cursor_to(pilot: Pilot[None], screen: FeedScreen, offer_id: str) -> None:
    offers = screen.query_one(OfferList)
    index = offers.index_of(offer_id)
    assert index is not None
    offers.set_cursor(index)
    offers.focus()
    await pilot.pause()


def summary(screen: FeedScreen) -> str:
    return shown_text(screen.query_one("#feed-summary"))


def footer(screen: FeedScreen) -> str:
    """The keys the footer offers, as drawn."""
    return " ".join(shown_text(key) for key in screen.query("FooterKey"))


def test_three_copies_are_one_row_counted_three_and_another_authors_stays_apart() -> None:
    node, _, _ = spammy_node()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        roofs = roof_lines(screen)
        assert len(roofs) == 2, roofs
        mallorys = next(ln for ln in roofs if "Mallory" in ln)
        bobs = next(ln for ln in roofs if "Bob" in ln)
        assert f"{TIMES}3 {ROOF}" in mallorys  # the newest copy: the best ranked
        assert TIMES not in bobs
        assert len(lines(screen)) == 3  # and Carol's
        assert "5 offers" in summary(screen)
        assert screen.query_one(OfferList).items[0].title == "Garden design"

    drive(app, scenario)


def test_space_lists_the_copies_and_folds_them_and_enter_opens_the_best() -> None:
    node, copies, _ = spammy_node()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        offers = screen.query_one(OfferList)
        await cursor_to(pilot, screen, copies[2])  # the group's row: its newest copy
        await pilot.press("space")
        await wait_for(pilot, lambda: len(mallory_lines(screen)) == 3)
        listed = mallory_lines(screen)
        assert f"{TIMES}3" in listed[0]
        assert [("└" in ln) for ln in listed] == [False, True, True]
        assert "roof  REPAIR, lisbon" in listed[2]  # the oldest last
        await pilot.press("down", "space")  # folded again from a copy: back on the best
        await wait_for(pilot, lambda: len(mallory_lines(screen)) == 1)
        assert offers.current is not None
        assert offers.current.id == copies[2]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, OfferScreen))
        assert app.screen.offer_id == copies[2]  # type: ignore[attr-defined]
        assert all(c in app.seen for c in copies)  # the copies were read with it

    drive(app, scenario)


def test_the_footer_offers_space_where_the_cursor_rests_on_a_group_and_only_there() -> None:
    """Space works on a group's row at once; the footer says so once the cursor rests
    (redrawing it on every key was the slowest cursor move, issue 10)."""
    node, copies, _ = spammy_node()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        offers = screen.query_one(OfferList)
        garden = next(item.id for item in offers.items if item.title == "Garden design")
        await cursor_to(pilot, screen, garden)
        drawn = "Filters"  # a key the footer always offers: it is drawn, not being redrawn
        # (the cursor may have rested on a group on its way here: the footer settles)
        await wait_for(pilot, lambda: drawn in footer(screen) and "Copies" not in footer(screen))
        await cursor_to(pilot, screen, copies[2])
        await wait_for(pilot, lambda: "Copies" in footer(screen))
        # through the group and off it again quickly: the footer ends where the cursor is
        group_row = offers.cursor
        offers.set_cursor(offers.index_of(garden) or 0)
        offers.set_cursor(group_row)
        offers.set_cursor(offers.index_of(garden) or 0)
        await wait_for(pilot, lambda: drawn in footer(screen) and "Copies" not in footer(screen))

    drive(app, scenario)


def test_a_fourth_copy_arriving_bumps_the_count_and_marks_the_row_unread() -> None:
    node, _, mallory = spammy_node()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await pilot.press("M")  # all read
        await wait_for(pilot, lambda: not any("●" in ln for ln in lines(screen)))
        node.arrive_offer(ROOF, by=mallory, skills=("roofing",), region="Lisbon", created_at=T0)
        await wait_for(pilot, lambda: any(f"{TIMES}4" in ln for ln in lines(screen)))
        row = next(ln for ln in roof_lines(screen) if "Mallory" in ln)
        assert row.lstrip().startswith("●")
        assert "6 offers" in summary(screen)
        # Bob's copy arriving again does not join Mallory's
        node.arrive_offer(ROOF, by=node.peer("Bob").id, skills=("roofing",), region="Lisbon")
        await wait_for(pilot, lambda: any(f"{TIMES}2" in ln for ln in lines(screen)))
        assert len(roof_lines(screen)) == 2

    drive(app, scenario)


def test_search_and_filters_find_the_copies_and_count_those_that_pass() -> None:
    node, _, _ = spammy_node()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await pilot.press("slash")
        await pilot.press(*"roofing", "space", "l")  # skill and region: every roof repair
        search = screen.query_one("#search", Input)
        assert search.value == "roofing l"  # space typed into the search, not a group key
        await wait_for(pilot, lambda: len(lines(screen)) == 2)
        assert any(f"{TIMES}3" in ln for ln in mallory_lines(screen))
        assert "4 of 5 offers" in summary(screen)
        await pilot.press("escape")
        # one copy forwarded to me: "only for me" passes that copy alone, uncounted
        node.arrive_forward_to_me(ROOF, by=node.peer("Carol").id)
        await wait_for(pilot, lambda: any("★" in ln for ln in lines(screen)))
        await pilot.press("x")
        screen.query_one("#f-forme", Switch).value = True
        await wait_for(pilot, lambda: len(lines(screen)) == 1)
        (only,) = lines(screen)
        assert TIMES not in only
        assert "Mallory" in only

    drive(app, scenario)


def test_the_list_shows_standings_fingerprints_and_escaped_titles() -> None:
    node = FakeNode()
    first = node.add_peer("Node A", trust=0.9, member_id="12D3KooWfirstQ7xk2P")
    second = node.add_peer("Node A", trust=0.2, member_id="12D3KooWsecondR4mz8T")
    stranger = node.add_peer("Eve", trust=0.0)
    node.add_offer("Audit", by=first, created_at=T0)
    node.add_offer("Audit help", by=second, created_at=T0 - DAY)
    node.add_offer("Invoice\u202efdp.exe", by=stranger)
    node.add_offer("My own", created_at=T0 - 3 * DAY)
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        drawn = lines(screen)
        by_title = {title: next(ln for ln in drawn if title in ln) for title in ("Audit ", "help")}
        # the fake's standings are its trusts: 0.9 is "top 10%", 0.2 "top 80%"
        # the two "Node A"s: the fingerprint kept whole, the name cut to make room
        assert "Node… ·Q7xk2P" in by_title["Audit "]
        assert "top 10%" in by_title["Audit "]
        assert "Node… ·R4mz8T" in by_title["help"]
        assert "top 80%" in by_title["help"]
        eve = next(ln for ln in drawn if "Eve" in ln)
        assert "Invoice\\u202efdp.exe" in eve
        assert "none" in eve
        assert "\u202e" not in "".join(drawn)
        assert "you" in next(ln for ln in drawn if "My own" in ln)

    drive(app, scenario)


def test_a_narrow_list_keeps_the_fingerprint_of_a_long_look_alike_name() -> None:
    node = FakeNode()
    long = "Alexandra Konstantinopoulou"
    node.add_peer(long, trust=0.5, member_id="12D3KooWfirstQ7xk2P")
    twin = node.add_peer(long, trust=0.5, member_id="12D3KooWsecondR4mz8T")
    node.add_offer("Translation", by=twin)
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        row = next(ln for ln in lines(screen) if "Translation" in ln)
        assert "…·R4mz8T" in row or "… ·R4mz8T" in row

    drive(app, scenario, size=(80, 24))


def test_snapshot_of_a_group_listed_under_its_best(snap_compare: SnapCompare) -> None:
    """What a member sees: Mallory's three copies listed under the best (space), the
    cursor on the group, Bob's offer of that title on a row of its own."""
    node, copies, _ = spammy_node()

    async def run_before(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await cursor_to(pilot, screen, copies[2])
        await pilot.press("space")
        await wait_for(pilot, lambda: len(mallory_lines(screen)) == 3)
        await wait_for(pilot, lambda: "Copies" in footer(screen))  # once the cursor rests
        await pilot.pause()

    assert snap_compare(fake_app(node), terminal_size=(120, 24), run_before=run_before)
