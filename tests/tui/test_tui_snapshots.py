"""Snapshots of the main screens at 120x40, from deterministic data.

Keys derive from names and every member signs with the same fixed clock
(tui_helpers), so member ids, record ids, ranks and dates are identical on every
run. No sealed text (contacts, private notes) appears here: sealing uses fresh
ephemeral keys, which would change record ids and with them tie-breaking order.
Update with `pytest tests/tui --snapshot-update` after checking the new SVGs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from textual.widgets import DataTable, Input, OptionList
from tui_helpers import SIZE, World, feed_ready, local_app, select_title, state_of, wait_for

from p2pshare.member.home import Home
from tui.screens.compose import ComposeScreen
from tui.screens.forward import ForwardScreen
from tui.screens.offer import OfferScreen
from tui.screens.onboarding import OnboardingScreen
from tui.screens.peer import PeerScreen
from tui.screens.peers import PeersScreen
from tui.screens.profile import ProfileScreen

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from textual.pilot import Pilot

    from tui.app import P2PShareApp


class SnapCompare(Protocol):
    """pytest-textual-snapshot's fixture, as these tests call it."""

    def __call__(
        self,
        app: P2PShareApp,
        *,
        terminal_size: tuple[int, int],
        run_before: Callable[[Pilot[None]], Awaitable[None]],
    ) -> bool: ...


def rich_world(world: World) -> P2PShareApp:
    me = world.member(
        "me", skills=("keynote", "python"), headline="Speaker, Python trainer", region="Atlanta"
    )
    bob = world.member(
        "bob", skills=("design", "keynote"), headline="Brand designer", region="Lisbon"
    )
    carol = world.member("carol", skills=("legal",), headline="Contracts lawyer", region="Berlin")
    dave = world.member("dave", skills=("python", "data"), headline="Data engineer")
    bob.post_offer(
        title="Keynote on privacy engineering, Atlanta",
        description="Two-day conference, 600 attendees.\nThey want a practitioner, not a vendor.",
        skills=["keynote", "privacy"],
        region="Atlanta",
        value="6000 USD",
        expires_days=21,
    )
    bob.post_offer(
        title="Logo for a bakery", skills=["design"], remote=True, value="800 EUR", expires_days=9
    )
    carol.post_offer(
        title="NDA review for a startup", skills=["legal"], region="Berlin", expires_days=3
    )
    dave.post_offer(
        title="Airflow migration", skills=["python", "data"], remote=True, value="12000 USD"
    )
    me.post_offer(
        title="Python training, 3 days", skills=["python"], region="Atlanta", value="3000 USD"
    )
    world.sync("me", "bob", "carol", "dave")
    me.vouch(bob.me, skills=["design"], note="worked together for years")
    bob.vouch(carol.me)
    world.sync("me", "bob", "carol", "dave")
    keynote = state_of(bob, "Keynote on privacy engineering, Atlanta")
    bob.forward(keynote, to=None, note="anyone speaking on privacy?")
    world.sync("me", "bob", "carol", "dave")
    carol.accept(state_of(carol, "Keynote on privacy engineering, Atlanta"), note="I could")
    dave.accept(state_of(dave, "Python training, 3 days"), note="done this before")
    world.sync("me", "bob", "carol", "dave")
    return world.app()


async def on_feed(pilot: Pilot[None]) -> None:
    await feed_ready(pilot)
    await pilot.pause()


def test_feed(world: World, snap_compare: SnapCompare) -> None:
    assert snap_compare(rich_world(world), terminal_size=SIZE, run_before=on_feed)


def test_feed_filtered_and_searched(world: World, snap_compare: SnapCompare) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await pilot.press("x")
        screen.query_one("#f-skills", Input).value = "python, design"
        await pilot.press("slash")
        screen.query_one("#search", Input).value = "a"
        await pilot.pause()

    assert snap_compare(rich_world(world), terminal_size=SIZE, run_before=run_before)


def test_offer_page(world: World, snap_compare: SnapCompare) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await select_title(pilot, screen, "Keynote on privacy engineering, Atlanta")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(pilot.app.screen, OfferScreen) and pilot.app.screen.detail
        )
        await pilot.pause()

    assert snap_compare(rich_world(world), terminal_size=SIZE, run_before=run_before)


def test_my_offer_page_with_an_accept(world: World, snap_compare: SnapCompare) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await select_title(pilot, screen, "Python training, 3 days")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(pilot.app.screen, OfferScreen) and pilot.app.screen.detail
        )
        await pilot.pause()

    assert snap_compare(rich_world(world), terminal_size=SIZE, run_before=run_before)


def test_compose_with_an_inline_error(world: World, snap_compare: SnapCompare) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ComposeScreen))
        await pilot.press("ctrl+s")
        screen = pilot.app.screen
        title = screen.query_one("#title")
        await wait_for(pilot, lambda: title.has_class("-invalid") and title.has_focus)
        await pilot.pause()

    assert snap_compare(rich_world(world), terminal_size=SIZE, run_before=run_before)


def test_forward_picker(world: World, snap_compare: SnapCompare) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await select_title(pilot, screen, "Airflow migration")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ForwardScreen))
        peers = pilot.app.screen.query_one("#peers", OptionList)
        # the offer's author is never a choice, and strangers only when searched for
        await wait_for(pilot, lambda: peers.option_count > 0)
        await pilot.pause()

    assert snap_compare(rich_world(world), terminal_size=SIZE, run_before=run_before)


def test_peers(world: World, snap_compare: SnapCompare) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        await pilot.press("3")
        await wait_for(
            pilot, lambda: isinstance(pilot.app.screen, PeersScreen) and pilot.app.screen.peers
        )
        await pilot.pause()

    assert snap_compare(rich_world(world), terminal_size=SIZE, run_before=run_before)


def test_peer_page(world: World, snap_compare: SnapCompare) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        await pilot.press("3")
        await wait_for(
            pilot, lambda: isinstance(pilot.app.screen, PeersScreen) and pilot.app.screen.peers
        )
        screen = pilot.app.screen
        assert isinstance(screen, PeersScreen)
        row = next(i for i, p in enumerate(screen.peers) if p.name == "Carol")
        screen.query_one(DataTable).move_cursor(row=row)
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(pilot.app.screen, PeerScreen) and pilot.app.screen.report
        )
        await pilot.pause()

    assert snap_compare(rich_world(world), terminal_size=SIZE, run_before=run_before)


def test_profile(world: World, snap_compare: SnapCompare) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        await pilot.press("4")
        await wait_for(
            pilot, lambda: isinstance(pilot.app.screen, ProfileScreen) and pilot.app.screen.stats
        )
        await pilot.pause()

    assert snap_compare(rich_world(world), terminal_size=SIZE, run_before=run_before)


def test_handoffs(world: World, snap_compare: SnapCompare) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        await pilot.press("2")
        await wait_for(
            pilot,
            lambda: (
                pilot.app.screen.query(DataTable)
                and pilot.app.screen.query_one(DataTable).row_count >= 1
            ),
        )
        await pilot.pause()

    assert snap_compare(rich_world(world), terminal_size=SIZE, run_before=run_before)


def test_onboarding(snap_compare: SnapCompare) -> None:
    app = local_app(Home(Path("/home/dana/.local/share/p2pshare-snapshot")))

    async def run_before(pilot: Pilot[None]) -> None:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, OnboardingScreen))
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
