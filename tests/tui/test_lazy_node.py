"""The app paints the feed before the node is open, and the real node is built when opened.

The first frame is the splash ("opening your home…"); then the feed, in its loading
state (the same words, the status bar saying so, the keys that need the node dimmed),
while the identity and store open; the offers fill in once they have. With the
real home, LocalHome's node is built (its imports run) only when the app opens
it, and whatever listened before hears it afterwards.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from fake_home import FakeHome
from fake_node import FakeNode
from tui_helpers import feed_ready, fixed_clock, titles, wait_for, write_identity

from p2pshare.events import Changed, Event
from p2pshare.member.home import Home
from p2pshare.service.api import NodeAPI
from tui.app import P2PShareApp
from tui.launch import LocalHome
from tui.lazy_node import LazyNode
from tui.screens.feed import FeedScreen
from tui.widgets.offer_list import OfferList
from tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from pathlib import Path

    from textual.pilot import Pilot


class SlowNode(FakeNode):
    """A node whose home takes as long to open as the test says."""

    def __init__(self) -> None:
        super().__init__()
        self.may_open = asyncio.Event()

    async def open(self) -> None:
        await self.may_open.wait()
        await super().open()


def test_the_feed_paints_while_the_home_opens_then_fills_in() -> None:
    node = SlowNode()
    node.add_offer("Keynote in Atlanta", by=node.add_peer("Bob"))
    app = P2PShareApp(FakeHome(node), start_network=False, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        # the splash paints first; then the feed is mounted, in its loading state
        await wait_for(pilot, lambda: isinstance(app.screen, FeedScreen) and app.screen.is_mounted)
        screen = app.screen
        assert isinstance(screen, FeedScreen)
        assert screen.sub_title == "Feed"
        offers = screen.query_one(OfferList)
        assert "opening your home" in str(offers.render_line(0).text)
        assert "opening your home" in str(screen.query_one(StatusBar).render())
        assert screen.check_action("compose", ()) is None  # shown, dimmed: nothing to post to
        await pilot.press("n")
        assert app.screen is screen
        node.may_open.set()
        await feed_ready(pilot)
        assert titles(screen) == ["Keynote in Atlanta"]
        assert "opening" not in str(screen.query_one(StatusBar).render())
        assert screen.check_action("compose", ()) is True

    async def main() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await scenario(pilot)

    asyncio.run(main())


def test_the_real_node_is_built_when_opened_and_keeps_its_listeners(tmp_path: Path) -> None:
    home = Home.resolve(tmp_path / "me").ensure()
    write_identity(home, "me")
    node = LocalHome(home, mdns=False, clock=fixed_clock).node(passphrase=None)
    assert isinstance(node, LazyNode)
    changed = asyncio.Event()

    def hear(event: Event) -> None:
        if isinstance(event, Changed):
            changed.set()

    node.subscribe(hear)  # before the node is built
    assert node.status.state == "offline"

    async def run() -> None:
        await node.open()
        try:
            assert isinstance(node._node, NodeAPI)
            assert node.member_id  # the real node's, now open
            await node.post_offer(title="Fresh one", skills=["python"])
            await asyncio.wait_for(changed.wait(), 10)  # heard through the built node
            assert [item.title for item in await node.feed()] == ["Fresh one"]
        finally:
            await node.close()

    asyncio.run(run())
