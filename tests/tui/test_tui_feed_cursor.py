"""The Feed's cursor through filters: it stays on its offer while a filter narrows the
list and when it is cleared (found by bisection in the feed's order, not by a pass
over every row: issue 10), and keeps its place when its offer is filtered out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fake_node import FakeNode
from fake_world import T0
from textual.widgets import Input
from tui_helpers import drive, fake_app, feed_ready, select_title, wait_for

from tui.widgets.offer_list import OfferList

if TYPE_CHECKING:
    from textual.pilot import Pilot


def design_and_legal() -> FakeNode:
    """Thirty offers by Carol, every third one for a designer, the others for a lawyer."""
    node = FakeNode()
    carol = node.add_peer("Carol", trust=0.9)
    for i in range(30):
        skills = ("design",) if i % 3 == 0 else ("legal",)
        node.add_offer(f"Offer {i}", by=carol, skills=skills, created_at=T0 - i * 60)
    return node


def test_the_cursor_stays_on_its_offer_through_a_filter_and_back() -> None:
    app = fake_app(design_and_legal())

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        offers = screen.query_one(OfferList)
        await select_title(pilot, screen, "Offer 21")  # a designer's, far down the list
        await pilot.press("x")
        skills = screen.query_one("#f-skills", Input)
        skills.value = "design"
        await wait_for(pilot, lambda: len(offers.items) == 10)
        assert offers.current is not None
        assert offers.current.title == "Offer 21"
        skills.value = ""
        await wait_for(pilot, lambda: len(offers.items) == 30)
        assert offers.current is not None
        assert offers.current.title == "Offer 21"
        # a lawyer's offer, filtered out: the cursor keeps its place, as far as the list goes
        await select_title(pilot, screen, "Offer 29")
        skills.value = "design"
        await wait_for(pilot, lambda: len(offers.items) == 10)
        assert offers.cursor == 9
        assert offers.current is not None
        assert "design" in offers.current.skills

    drive(app, scenario)
