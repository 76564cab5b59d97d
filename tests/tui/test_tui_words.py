"""Words and help (issue 14): the help lists the app's own keys, grouped; the palette only
meaningful commands; the empty feed says what to do next."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fake_node import FakeNode
from textual.command import CommandPalette
from textual.widgets import Markdown
from tui_helpers import drive, fake_app, feed_ready, wait_for

from tui.screens.dialogs import HelpScreen
from tui.widgets.offer_list import OfferList

if TYPE_CHECKING:
    from textual.pilot import Pilot


def test_help_lists_the_apps_own_keys_grouped_at_80_columns() -> None:
    node = FakeNode()
    node.add_offer("Mine")
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        text = app.screen.query_one(Markdown).source
        assert "### This screen" in text
        assert "### Everywhere" in text
        assert "New offer" in text
        assert "Not for me" in text
        for generic in ("super+c", "slash", "question_mark", "Focus Next", "| `down`"):
            assert generic not in text, generic
        assert app.screen.query_one("#help").region.right <= 80

    drive(app, scenario, size=(80, 24))


def test_the_palette_lists_no_widget_keys() -> None:
    app = fake_app(FakeNode())

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        names = [c.title for c in app.get_system_commands(screen)]
        assert "New offer" in names
        assert "Go to Activity" in names
        assert not {"Down", "Up", "Focus Next", "Open"} & set(names)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))

    drive(app, scenario)


def test_an_empty_feed_and_an_empty_search_say_what_to_do() -> None:
    node = FakeNode()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        offers = screen.query_one(OfferList)
        assert "--peer INVITE" in offers.empty_text
        node.arrive_offer("Logo", by=node.add_peer("Bob"))
        await wait_for(pilot, lambda: len(offers.items) == 1)
        await pilot.press("slash", *"zzz")
        await wait_for(pilot, lambda: "no offer matches “zzz”" in offers.empty_text)

    drive(app, scenario)


def test_quitting_says_stopping_while_the_node_closes() -> None:
    import asyncio

    node = FakeNode()
    seen: list[str] = []
    app = fake_app(node)
    close = node.close

    async def slow_close() -> None:
        seen.append(str(app.screen.query_one("#splash").render()))
        await asyncio.sleep(0.2)
        await close()

    node.close = slow_close  # type: ignore[method-assign]

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        await pilot.press("q")
        await wait_for(pilot, lambda: node.closed)

    drive(app, scenario)
    assert seen
    assert "stopping…" in seen[0]


def test_mark_all_read_in_the_feed() -> None:
    node = FakeNode()
    bob = node.add_peer("Bob", trust=0.4)
    node.add_offer("One", by=bob)
    node.add_offer("Two", by=bob)
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        await wait_for(pilot, lambda: app.unread == 2)
        await pilot.press("M")
        await wait_for(pilot, lambda: app.unread == 0)

    drive(app, scenario)
