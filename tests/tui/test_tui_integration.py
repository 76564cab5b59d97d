"""The app over the real NodeAPI on real homes: the port's other side, end to end.

The network is off (start_network=False): records from "other members" arrive
the way the CLI's would, written into the app's store and picked up by the
API's store watcher. These few flows are the ones a fake cannot stand in for:
identity files, the store watcher, sealed contacts, the ledger's own refusals,
and closing the store. The rest of the app's flows run on fake_node.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Input, Static
from tui_helpers import (
    World,
    drive,
    feed_ready,
    local_app,
    select_title,
    state_of,
    titles,
    wait_for,
)

from p2pshare.member import identity as ident
from p2pshare.member.home import Home
from p2pshare.member.recovery import identity_from_words
from p2pshare.service.api import create_identity
from tui.lazy_node import LazyNode
from tui.screens.compose import ComposeScreen
from tui.screens.dialogs import ErrorScreen, PassphraseScreen
from tui.screens.offer import OfferScreen
from tui.screens.onboarding import OnboardingScreen, RecoveryWords
from tui.widgets.offer_list import OfferList

if TYPE_CHECKING:
    from pathlib import Path

    from textual.pilot import Pilot


def small_world(world: World) -> None:
    world.member("me", skills=("python", "keynote"), region="Atlanta")
    bob = world.member("bob", skills=("design", "keynote"))
    carol = world.member("carol", skills=("legal", "python"))
    bob.post_offer(
        title="Keynote in Atlanta", skills=["keynote"], region="Atlanta", value="5000 USD"
    )
    bob.post_offer(title="Logo design", skills=["design"], remote=True)
    carol.post_offer(title="NDA review", skills=["legal"], region="Berlin")
    world.sync("me", "bob", "carol")


# -- first run -----------------------------------------------------------------


def test_onboarding_creates_identity_then_shows_feed(tmp_path: Path) -> None:
    home = Home.resolve(tmp_path / "new")
    app = local_app(home)

    async def scenario(pilot: Pilot[None]) -> None:
        await wait_for(pilot, lambda: isinstance(app.screen, OnboardingScreen))
        assert not ident.exists(home)
        app.screen.query_one("#name", Input).value = "Dana"
        app.screen.query_one("#headline", Input).value = "Keynotes on privacy"
        app.screen.query_one("#skills", Input).value = "keynote, privacy"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, RecoveryWords))
        shown = str(app.screen.query_one("#words", Static).render())
        restored = identity_from_words(shown)  # what the member copies restores them
        assert restored.member_id == ident.load(home).member_id
        await pilot.click("#written")
        screen = await feed_ready(pilot)
        assert ident.exists(home)
        assert app.node is not None
        profile = await app.node.profile()
        assert profile["name"] == "Dana"
        assert profile["skills"] == ["keynote", "privacy"]
        assert titles(screen) == []

    drive(app, scenario)


def test_wrong_passphrase_asks_again_then_opens(tmp_path: Path) -> None:
    home = Home.resolve(tmp_path / "locked")
    create_identity(home, name="Lock", passphrase=b"right")
    app = local_app(home, passphrase=b"wrong")

    async def scenario(pilot: Pilot[None]) -> None:
        await wait_for(pilot, lambda: isinstance(app.screen, PassphraseScreen))
        assert "wrong passphrase" in str(app.screen.query_one(".error", Static).render())
        app.screen.query_one("#secret", Input).value = "right"
        await pilot.press("enter")
        await feed_ready(pilot)

    drive(app, scenario)


def test_unreadable_identity_shows_an_error_screen_not_a_traceback(tmp_path: Path) -> None:
    home = Home.resolve(tmp_path / "broken").ensure()
    home.key_file.write_bytes(b"not a key")
    app = local_app(home)

    async def scenario(pilot: Pilot[None]) -> None:
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorScreen))
        assert "not a p2pshare key file" in str(app.screen.query_one("#reason", Static).render())
        await pilot.press("enter")

    drive(app, scenario)
    assert app.return_code == 0


# -- records written by another process ----------------------------------------


def test_records_written_to_the_store_update_the_feed_in_place(world: World) -> None:
    small_world(world)
    app = world.app()

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        offers = screen.query_one(OfferList)
        await select_title(pilot, screen, "NDA review")
        world.members["bob"].post_offer(title="Fresh one", skills=["python"])
        world.sync("me", "bob")
        await wait_for(pilot, lambda: "Fresh one" in titles(screen))
        assert offers.current is not None
        assert offers.current.title == "NDA review"
        await wait_for(pilot, lambda: app.unread == 4)

    drive(app, scenario)


# -- actions through the real node -----------------------------------------------


def test_post_offer_shows_the_nodes_refusal_under_its_field(world: World) -> None:
    world.member("me")
    app = world.app()

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen))
        compose = app.screen
        compose.query_one("#title", Input).value = "Workshop in Lisbon"
        compose.query_one("#skills", Input).value = "x" * 60  # the API refuses it: shown inline
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: "skill" in str(compose.query_one("#skills-error", Static).render())
        )
        assert compose.query_one("#skills", Input).has_class("-invalid")
        compose.query_one("#skills", Input).value = "workshops, python"
        compose.query_one("#value", Input).value = "2000 EUR"
        compose.query_one("#contact", Input).value = "me@example.com"
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: app.screen is screen and "Workshop in Lisbon" in titles(screen)
        )
        state = state_of(world.members["me"], "Workshop in Lisbon")
        assert state.offer.skills == ("workshops", "python")
        assert state.offer.value == 2000

    drive(app, scenario)


def test_accept_arrives_then_hand_off_then_outcome(world: World) -> None:
    world.member("me")
    bob = world.member("bob", skills=("design",))
    me = world.members["me"]
    me.post_offer(title="Brand refresh", skills=["design"], contact="ceo@acme.test")
    app = world.app()

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await select_title(pilot, screen, "Brand refresh")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, OfferScreen) and app.screen.detail is not None
        )
        page = app.screen
        assert isinstance(page, OfferScreen)
        assert "ceo@acme.test" in str(page.query_one("#offer-contact", Static).render())
        world.sync("me", "bob")
        bob.accept(state_of(bob, "Brand refresh"), note="happy to")
        world.sync("me", "bob")
        # the accept arrives: a toast, and the page updates in place
        await wait_for(pilot, lambda: page.detail is not None and len(page.detail["accepts"]) == 1)
        assert any("accepted your offer" in n.message for n in app._notifications)
        await pilot.press("h")
        await wait_for(pilot, lambda: bool(app.screen.query("#pick")))
        await pilot.press("enter")
        await wait_for(pilot, lambda: page.detail is not None and bool(page.detail["handoffs"]))
        world.sync("me", "bob")
        assert bob.open_contact(state_of(bob, "Brand refresh")) == "ceo@acme.test"
        await pilot.press("o")
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "value")
        await pilot.press(*"1200", "enter")
        await wait_for(
            pilot, lambda: page.detail is not None and page.detail["status"] == "fulfilled"
        )
        assert page.detail is not None
        outcome = page.detail["handoffs"][0]["outcome"]
        assert outcome["fulfilled"]
        assert outcome["rating"] == 5
        assert outcome["value"] == 1200

    drive(app, scenario)


def test_quit_closes_the_node_and_the_store(world: World) -> None:
    world.member("me")
    app = world.app()
    opened: list[LazyNode] = []

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        assert isinstance(app.node, LazyNode)  # over the home's NodeAPI (test_lazy_node.py)
        opened.append(app.node)
        await pilot.press("q")

    drive(app, scenario)
    api = opened[0]
    assert api.status.state == "offline"
    assert api._member is None
    assert app.node is None
