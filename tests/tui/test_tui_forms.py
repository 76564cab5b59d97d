"""Safe forms (issue 14): no hidden focus stops, no app key fires while typing, no draft lost.

Driven by the keyboard only, against the in-memory node (fake_node.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fake_node import FakeNode
from textual.widgets import Button, Checkbox, Input, TextArea
from tui_helpers import drive, fake_app, feed_ready, titles, wait_for

from tui.screens.compose import ComposeScreen
from tui.screens.dialogs import ConfirmScreen
from tui.screens.feed import FeedScreen
from tui.screens.forward import ForwardScreen
from tui.screens.handoffs import HandoffsScreen

if TYPE_CHECKING:
    from textual.pilot import Pilot

FOCUS_ORDER = [
    "title",
    "description",
    "skills",
    "region",
    "remote",
    "value",
    "expires",
    "contact",
    "post",
    "cancel",
]


def focused_id(pilot: Pilot[None]) -> str | None:
    focused = pilot.app.focused
    return focused.id if focused is not None else None


async def open_compose(pilot: Pilot[None]) -> ComposeScreen:
    await feed_ready(pilot)
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ComposeScreen))
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ComposeScreen)
    return screen


def test_every_tab_stop_in_the_new_offer_form_is_a_field() -> None:
    app = fake_app(FakeNode())

    async def scenario(pilot: Pilot[None]) -> None:
        await open_compose(pilot)
        seen = [focused_id(pilot)]
        for _ in FOCUS_ORDER[1:]:
            await pilot.press("tab")
            seen.append(focused_id(pilot))
        assert seen == FOCUS_ORDER
        await pilot.press("tab")
        assert focused_id(pilot) == "title"  # round again, nothing hidden in between

    drive(app, scenario)


def test_type_a_whole_offer_with_tab_between_every_field_and_post_it() -> None:
    node = FakeNode()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        await open_compose(pilot)
        # letters and digits that are app keys elsewhere (q quits, 1-4 switch, ? help, n new)
        await pilot.press(*"Q4 audit: 12 queries?")
        await pilot.press("tab", *"quick question, 3 days; no answer needed", "tab")
        await pilot.press(*"sql, q", "tab", *"Porto 2", "tab", "space", "tab")
        await pilot.press(*"1200 EUR", "tab", "backspace", "backspace", *"14", "tab")
        await pilot.press(*"q@example.com", "tab")
        assert focused_id(pilot) == "post"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FeedScreen))
        await wait_for(pilot, lambda: "Q4 audit: 12 queries?" in titles(app.screen))  # type: ignore[arg-type]
        assert app.is_running
        assert node.calls_to("post_offer") == [
            {
                "title": "Q4 audit: 12 queries?",
                "description": "quick question, 3 days; no answer needed",
                "skills": ["sql", "q"],
                "region": "Porto 2",
                "remote": True,
                "value": "1200 EUR",
                "expires_days": 14,
                "contact": "q@example.com",
            }
        ]
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen))
        assert app.screen.query_one("#title", Input).value == ""  # posted: no draft left

    drive(app, scenario)


def test_no_app_key_fires_while_an_input_has_focus() -> None:
    app = fake_app(FakeNode())

    async def scenario(pilot: Pilot[None]) -> None:
        compose = await open_compose(pilot)
        await pilot.press(*"qa1234?nq")
        assert app.is_running
        assert app.screen is compose
        assert compose.query_one("#title", Input).value == "qa1234?nq"
        await pilot.press("tab", *"q2")
        assert compose.query_one("#description", TextArea).text == "q2"
        assert app.is_running
        assert app.screen is compose

    drive(app, scenario)


def test_press_1_to_4_mid_draft_and_come_back_to_it() -> None:
    app = fake_app(FakeNode())

    async def scenario(pilot: Pilot[None]) -> None:
        compose = await open_compose(pilot)
        await pilot.press(*"Logo for a bakery", "tab", *"two colours")
        # on a checkbox (not a text field) the digits switch screens
        compose.query_one("#remote", Checkbox).focus()
        for key in "234":
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, ComposeScreen)
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, HandoffsScreen))
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen))
        screen = app.screen
        assert screen.query_one("#title", Input).value == "Logo for a bakery"
        assert screen.query_one("#description", TextArea).text == "two colours"
        # 1 again goes back to the feed itself; the draft waits behind n
        screen.query_one("#remote", Checkbox).focus()
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, FeedScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen))
        assert app.screen.query_one("#title", Input).value == "Logo for a bakery"

    drive(app, scenario)


def test_escape_keeps_the_draft_and_cancel_asks_before_discarding() -> None:
    app = fake_app(FakeNode())

    async def scenario(pilot: Pilot[None]) -> None:
        await open_compose(pilot)
        await pilot.press(*"Translation EN-PT")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, FeedScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen))
        compose = app.screen
        assert compose.query_one("#title", Input).value == "Translation EN-PT"
        compose.query_one("#cancel", Button).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")  # no: keep editing
        await wait_for(pilot, lambda: app.screen is compose)
        assert compose.query_one("#title", Input).value == "Translation EN-PT"
        compose.query_one("#cancel", Button).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, FeedScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen))
        assert app.screen.query_one("#title", Input).value == ""

    drive(app, scenario)


def test_q_does_not_quit_from_a_form_even_off_the_text_fields() -> None:
    app = fake_app(FakeNode())

    async def scenario(pilot: Pilot[None]) -> None:
        compose = await open_compose(pilot)
        await pilot.press(*"Draft")
        compose.query_one("#remote", Checkbox).focus()
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running
        assert app.screen is compose

    drive(app, scenario)


# -- the feed patches rows from Changed.rows -------------------------------------------


def test_the_feed_patches_rows_from_the_event_without_reading_the_feed_again() -> None:
    node = FakeNode(skills=("python",))
    bob = node.add_peer("Bob", trust=0.5)
    node.add_offer("First", by=bob, skills=("python",))
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        reloads = screen.reloads
        node.arrive_offer("Second", by=bob, skills=("design",))
        await wait_for(pilot, lambda: "Second" in titles(screen))
        assert titles(screen) == ["First", "Second"]  # in the node's order
        node.arrive_accept("First", by=bob)
        await pilot.pause()
        assert screen.reloads == reloads  # patched in place
        assert screen.patched == 2
        node.offer_state("Second").status = "withdrawn"
        node._changed(node.id_of("Second"))  # the row is no longer shown
        await wait_for(pilot, lambda: titles(screen) == ["First"])
        assert screen.reloads == reloads

    drive(app, scenario)


def test_forward_by_typing_a_name_then_enter() -> None:
    """README step 3: `f`, type the name, enter — forwarded, no second enter."""
    node = FakeNode()
    bob = node.add_peer("Bob", trust=0.4)
    node.add_peer("Priya", trust=0.5)
    node.add_offer("Keynote", by=bob)
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, ForwardScreen))
        await pilot.pause()
        await pilot.press(*"Priya", "enter")
        await wait_for(pilot, lambda: bool(node.calls_to("forward")))
        assert node.calls_to("forward")[0]["to"] == node.peer("Priya").id

    drive(app, scenario)
