"""The Activity screen (issue 14), by keyboard only, against the in-memory node."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fake_node import FakeNode
from fake_world import ME
from textual.widgets import DataTable, Input, Select, Switch
from tui_helpers import (
    drive,
    fake_app,
    feed_ready,
    select_title,
    shown_text,
    titles,
    wait_for,
)

from tui.screens.activity import ActivityScreen
from tui.screens.dialogs import NoteScreen, OutcomeScreen
from tui.screens.offer import OfferScreen
from tui.widgets.nav import NavBar
from tui.widgets.offer_list import OfferList

if TYPE_CHECKING:
    from textual.pilot import Pilot


def nav_text(pilot: Pilot[None]) -> str:
    return str(pilot.app.screen.query_one(NavBar).render())


def node_with_news() -> FakeNode:
    node = FakeNode()
    alice = node.add_peer("Alice", trust=0.6)
    node.add_offer("Logo for a bakery", by=alice)
    node.add_offer("My keynote", by=ME)
    node.add_activity(
        "outcome_to_confirm",
        "Logo for a bakery",
        by=alice,
        text="Alice reported “Logo for a bakery” fulfilled, ★★★★ · confirm it",
        needs_you=True,
        action="confirm",
        outcome={"fulfilled": True, "rating": 4, "value": 300, "note": "great"},
        at=100,
    )
    node.add_activity("vouched", "", by=alice, text="Alice vouched for you", at=50)
    return node


async def open_activity(pilot: Pilot[None]) -> ActivityScreen:
    await feed_ready(pilot)
    await pilot.press("5")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ActivityScreen))
    screen = pilot.app.screen
    assert isinstance(screen, ActivityScreen)
    await wait_for(pilot, lambda: screen.query_one(DataTable).row_count == 2)
    return screen


def test_the_tab_line_counts_activity_and_marks_what_needs_you() -> None:
    node = node_with_news()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        await wait_for(pilot, lambda: "5 Activity 2!" in nav_text(pilot))
        screen = await open_activity(pilot)
        assert [i.kind for i in screen.items] == ["outcome_to_confirm", "vouched"]
        await pilot.press("M")  # mark all read: the confirmation still needs me
        await wait_for(pilot, lambda: "5 Activity !" in nav_text(pilot))
        assert app.activity_unread == 0

    drive(app, scenario)


def test_confirm_an_outcome_in_one_keystroke_prefilled() -> None:
    node = node_with_news()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        await open_activity(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, OutcomeScreen))
        dialog = app.screen
        assert dialog.query_one("#fulfilled", Switch).value
        assert dialog.query_one("#rating", Select).value == 4
        assert dialog.query_one("#value", Input).value == "300"
        await pilot.press("enter")  # Report, from the value field
        await wait_for(pilot, lambda: bool(node.calls_to("outcome")))
        assert node.calls_to("outcome") == [
            {
                "offer_id": node.id_of("Logo for a bakery"),
                "fulfilled": True,
                "rating": 4,
                "value": 300,
                "to": None,
                "note": "",
            }
        ]

    drive(app, scenario)


def test_an_accept_arriving_shows_in_activity_and_opens_the_offer() -> None:
    node = FakeNode()
    bob = node.add_peer("Bob", trust=0.4)
    node.add_offer("My keynote", by=ME)
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        await pilot.press("5")
        await wait_for(pilot, lambda: isinstance(app.screen, ActivityScreen))
        node.arrive_accept("My keynote", by=bob)
        screen = app.screen
        assert isinstance(screen, ActivityScreen)
        await wait_for(pilot, lambda: screen.query_one(DataTable).row_count == 1)
        assert screen.items[0].text == "Bob accepted your offer “My keynote”"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, OfferScreen))
        assert app.activity_unread == 0

    drive(app, scenario)


def test_not_for_me_tells_the_forwarder_and_hides_the_offer() -> None:
    node = FakeNode()
    bob = node.add_peer("Bob", trust=0.5)
    carol = node.add_peer("Carol", trust=0.5)
    node.add_offer("Tax audit", by=carol)
    node.add_offer("Logo", by=carol)
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        node.arrive_forward_to_me("Tax audit", by=bob)
        await wait_for(pilot, lambda: any(i.for_me for i in screen.query_one(OfferList).items))
        await select_title(pilot, screen, "Tax audit")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen))
        await pilot.press(*"not my field", "enter")
        await wait_for(pilot, lambda: titles(screen) == ["Logo"])
        assert node.calls_to("decline") == [
            {"offer_id": node.id_of("Tax audit"), "note": "not my field"}
        ]
        await select_title(pilot, screen, "Logo")  # not forwarded to me: nothing to decline
        await pilot.press("d")
        await pilot.pause()
        assert app.screen is screen

    drive(app, scenario)


def test_a_message_from_the_offer_page() -> None:
    node = FakeNode()
    carol = node.add_peer("Carol", trust=0.5)
    node.add_offer("Keynote in Lyon", by=carol)
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await select_title(pilot, screen, "Keynote in Lyon")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, OfferScreen))
        page = app.screen
        assert isinstance(page, OfferScreen)
        await wait_for(
            pilot, lambda: "no messages yet" in shown_text(page.query_one("#offer-talk"))
        )
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen))
        await pilot.press(*"Is the date fixed?", "enter")
        await wait_for(
            pilot, lambda: "Is the date fixed?" in shown_text(page.query_one("#offer-talk"))
        )
        assert node.calls_to("say") == [
            {"offer_id": node.id_of("Keynote in Lyon"), "text": "Is the date fixed?"}
        ]

    drive(app, scenario)
