"""The Feed read again (trust moved, or the node ranked it again) holds one feed, not
two (issue 10's memory): the list adopts the new reading's rows and the old ones
are freed, where it used to keep its old rows that read the same as the new ones
while the screen's rows held the new, a second feed of 100,000 rows at 100k offers.

FeedItem has no weak reference slot, so the test counts the live FeedItem objects
(the fake node makes new ones at every read, as the real node does for every row
whose rank moved)."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from fake_node import FakeNode
from fake_world import T0
from tui_helpers import drive, fake_app, feed_ready, wait_for

from p2pshare.domain.views import FeedItem
from tui.widgets.offer_list import OfferList

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from tui.screens.feed import FeedScreen

N_OFFERS = 40


def live_rows() -> int:
    """FeedItem objects alive in this process (after a collection of garbage cycles)."""
    gc.collect()
    return sum(1 for obj in gc.get_objects() if type(obj) is FeedItem)


def carols_offers() -> tuple[FakeNode, str]:
    node = FakeNode()
    carol = node.add_peer("Carol", trust=0.9)
    for i in range(N_OFFERS):
        node.add_offer(f"Offer {i}", by=carol, skills=("design",), created_at=T0 - i * 60)
    return node, carol


async def read_again(pilot: Pilot[None], screen: FeedScreen, node: FakeNode, carol: str) -> None:
    """Trust moves (a vouch): the screen reads the whole feed again; wait until it has."""
    reloads = screen.reloads
    await node.vouch(carol)
    await wait_for(pilot, lambda: screen.reloads > reloads)
    await pilot.pause()


def test_a_feed_read_again_frees_the_rows_of_the_last_reading() -> None:
    node, carol = carols_offers()
    app = fake_app(node)
    before_app = live_rows()

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        offers = screen.query_one(OfferList)
        await pilot.press("down", "down")  # the cursor away from the top
        assert live_rows() - before_app == N_OFFERS
        for _ in range(3):
            await read_again(pilot, screen, node, carol)
            assert len(offers.items) == N_OFFERS
            assert offers.current is not None
            assert offers.current.title == "Offer 2"  # the same offers, the same places
            assert live_rows() - before_app == N_OFFERS, "the last reading's rows are alive"

    drive(app, scenario)


def test_a_row_that_changed_in_a_reading_is_repainted() -> None:
    node, carol = carols_offers()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        offers = screen.query_one(OfferList)
        node.offer_state("Offer 0").title = "Offer 0, renamed"
        await read_again(pilot, screen, node, carol)
        assert offers.items[0].title == "Offer 0, renamed"
        assert "Offer 0, renamed" in offers.render_line(0).text

    drive(app, scenario)
