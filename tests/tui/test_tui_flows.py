"""The app's flows, driven with Pilot against a real NodeAPI over temporary homes.

The network is off (start_network=False): records from "other members" arrive
the way the CLI's would, written into the app's store and picked up by the
API's store watcher. Tests wait on conditions with a bounded timeout.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Select, Static, Switch
from tui_helpers import World, drive, feed_ready, select_title, state_of, titles, wait_for

from p2pshare.member import identity as ident
from p2pshare.member.home import Home
from p2pshare.service.api import create_identity
from tui.app import P2PShareApp
from tui.screens.compose import ComposeScreen
from tui.screens.dialogs import ErrorScreen, NoteScreen, PassphraseScreen
from tui.screens.feed import FeedScreen
from tui.screens.forward import ForwardScreen
from tui.screens.offer import OfferScreen
from tui.screens.onboarding import OnboardingScreen
from tui.screens.peer import PeerScreen
from tui.screens.peers import PeersScreen
from tui.screens.profile import ProfileScreen
from tui.widgets.offer_list import OfferList
from tui.widgets.status_bar import StatusBar


def status_text(pilot: Pilot[None]) -> str:
    return str(pilot.app.screen.query_one(StatusBar).render())


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


def test_onboarding_creates_identity_then_shows_feed(tmp_path) -> None:
    home = Home.resolve(tmp_path / "new")
    app = P2PShareApp(home, start_network=False)

    async def scenario(pilot: Pilot[None]) -> None:
        await wait_for(pilot, lambda: isinstance(app.screen, OnboardingScreen))
        await pilot.press("ctrl+s")  # no name yet: an inline error, nothing created
        await wait_for(
            pilot,
            lambda: "name is needed" in str(app.screen.query_one("#name-error", Static).render()),
        )
        assert not ident.exists(home)
        app.screen.query_one("#name", Input).value = "Dana"
        app.screen.query_one("#headline", Input).value = "Keynotes on privacy"
        app.screen.query_one("#skills", Input).value = "keynote, privacy"
        await pilot.press("ctrl+s")
        screen = await feed_ready(pilot)
        assert ident.exists(home)
        assert app.api is not None
        profile = await app.api.profile()
        assert profile["name"] == "Dana" and profile["skills"] == ["keynote", "privacy"]
        assert titles(screen) == []

    drive(app, scenario)


def test_wrong_passphrase_asks_again_then_opens(tmp_path) -> None:
    home = Home.resolve(tmp_path / "locked")
    create_identity(home, name="Lock", passphrase=b"right")
    app = P2PShareApp(home, start_network=False, passphrase=b"wrong")

    async def scenario(pilot: Pilot[None]) -> None:
        await wait_for(pilot, lambda: isinstance(app.screen, PassphraseScreen))
        assert "wrong passphrase" in str(app.screen.query_one(".error", Static).render())
        app.screen.query_one("#secret", Input).value = "right"
        await pilot.press("enter")
        await feed_ready(pilot)

    drive(app, scenario)


def test_unreadable_identity_shows_an_error_screen_not_a_traceback(tmp_path) -> None:
    home = Home.resolve(tmp_path / "broken").ensure()
    home.key_file.write_bytes(b"not a key")
    app = P2PShareApp(home, start_network=False)

    async def scenario(pilot: Pilot[None]) -> None:
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorScreen))
        assert "not a p2pshare key file" in str(app.screen.query_one("#reason", Static).render())
        await pilot.press("enter")

    drive(app, scenario)
    assert app.return_code == 0


# -- feed ----------------------------------------------------------------------


def test_feed_is_in_api_order_with_trust_and_unread(world: World) -> None:
    small_world(world)
    world.members["me"].vouch(world.members["bob"].me, skills=["design"])
    app = world.app()

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        assert app.api is not None
        expected = [item.title for item in await app.api.feed()]
        assert titles(screen) == expected
        items = screen.query_one(OfferList).items
        assert {i.title: i.signal for i in items}["Keynote in Atlanta"] > 0.5
        assert app.unread == 3
        assert "3 unread" in status_text(pilot)
        assert "offline" in status_text(pilot)

    drive(app, scenario)


def test_next_unread_and_opening_marks_read(world: World) -> None:
    small_world(world)
    world.members["me"].post_offer(title="Mine", skills=["python"])
    app = world.app()

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        offers = screen.query_one(OfferList)
        offers.set_cursor(0)
        await pilot.press("u")
        first = offers.current
        assert first is not None and not first.mine and screen.is_unread(first)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, OfferScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.unread == 2)
        assert not screen.is_unread(first)
        await pilot.press("u")
        assert offers.current is not None and offers.current.id != first.id
        await pilot.press("enter", "escape", "u", "enter", "escape")
        await wait_for(pilot, lambda: app.unread == 0)
        await pilot.press("u")  # nothing left: a notice, the cursor stays
        await wait_for(pilot, lambda: (app.home.path / "tui-seen.json").exists())

    drive(app, scenario)


def test_filters_by_skill_region_trust_and_for_me(world: World) -> None:
    small_world(world)
    me, bob = world.members["me"], world.members["bob"]
    bob.forward(state_of(bob, "Logo design"), to=me.me, note="for you")
    world.sync("me", "bob")
    app = world.app()

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await pilot.press("x")
        screen.query_one("#f-skills", Input).value = "legal"
        await wait_for(pilot, lambda: titles(screen) == ["NDA review"])
        screen.query_one("#f-skills", Input).value = ""
        screen.query_one("#f-region", Input).value = "atl"
        await wait_for(pilot, lambda: titles(screen) == ["Keynote in Atlanta"])
        screen.query_one("#f-region", Input).value = ""
        await wait_for(pilot, lambda: len(titles(screen)) == 3)
        screen.query_one("#f-forme", Switch).value = True
        await wait_for(pilot, lambda: titles(screen) == ["Logo design"])
        screen.query_one("#f-forme", Switch).value = False
        screen.query_one("#f-strangers", Switch).value = False  # nobody here is trusted yet
        await wait_for(pilot, lambda: titles(screen) == [])
        screen.query_one("#f-strangers", Switch).value = True
        screen.query_one("#f-trust", Select).value = 0.5
        await wait_for(pilot, lambda: titles(screen) == [])
        screen.query_one("#f-trust", Select).value = 0.0
        await wait_for(pilot, lambda: len(titles(screen)) == 3)

    drive(app, scenario)


def test_search_filters_as_you_type_and_escape_clears(world: World) -> None:
    small_world(world)
    app = world.app()

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await pilot.press("slash", "l", "o", "g", "o")
        await wait_for(pilot, lambda: titles(screen) == ["Logo design"])
        await pilot.press("escape")  # leaves the input; a second escape clears
        await pilot.press("slash", "ctrl+a")
        screen.query_one("#search", Input).value = "carol"  # author names match too
        await wait_for(pilot, lambda: titles(screen) == ["NDA review"])
        await pilot.press("enter")  # back to the list
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(titles(screen)) == 3)

    drive(app, scenario)


def test_new_records_update_the_feed_in_place(world: World) -> None:
    small_world(world)
    app = world.app()

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        offers = screen.query_one(OfferList)
        await select_title(pilot, screen, "NDA review")
        world.members["bob"].post_offer(title="Fresh one", skills=["python"])
        world.sync("me", "bob")
        await wait_for(pilot, lambda: "Fresh one" in titles(screen))
        assert offers.current is not None and offers.current.title == "NDA review"  # cursor kept
        assert app.unread == 4

    drive(app, scenario)


# -- post, accept, forward -------------------------------------------------------


def test_post_offer_with_inline_errors(world: World) -> None:
    world.member("me")
    app = world.app()

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen))
        compose = app.screen
        await pilot.press("ctrl+s")
        assert "title is needed" in str(compose.query_one("#title-error", Static).render())
        compose.query_one("#title", Input).value = "Workshop in Lisbon"
        compose.query_one("#skills", Input).value = "x" * 60  # the API refuses it: shown inline
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: "skill" in str(compose.query_one("#skills-error", Static).render())
        )
        assert compose.query_one("#skills", Input).has_class("-invalid")
        compose.query_one("#skills", Input).value = "workshops, python"
        compose.query_one("#region", Input).value = "Lisbon"
        compose.query_one("#value", Input).value = "2000 EUR"
        compose.query_one("#expires", Input).value = "0"
        await pilot.press("ctrl+s")
        assert "1 or more" in str(compose.query_one("#expires-error", Static).render())
        compose.query_one("#expires", Input).value = "10"
        compose.query_one("#contact", Input).value = "me@example.com"
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: app.screen is screen and "Workshop in Lisbon" in titles(screen)
        )
        state = state_of(world.members["me"], "Workshop in Lisbon")
        assert state.offer.skills == ("workshops", "python") and state.offer.value == 2000

    drive(app, scenario)


def test_accept_from_the_feed(world: World) -> None:
    small_world(world)
    app = world.app()

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await select_title(pilot, screen, "Keynote in Atlanta")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen))
        await pilot.press(*"I can do it")
        await pilot.press("enter")
        me = world.members["me"]
        await wait_for(
            pilot, lambda: state_of(me, "Keynote in Atlanta").accepted_by(me.me) is not None
        )
        assert state_of(me, "Keynote in Atlanta").accepted_by(me.me).note == "I can do it"
        await wait_for(
            pilot,
            lambda: (
                next(
                    i for i in screen.query_one(OfferList).items if i.title == "Keynote in Atlanta"
                ).accepted
            ),
        )

    drive(app, scenario)


def test_forward_to_a_peer_picked_by_fuzzy_search(world: World) -> None:
    small_world(world)
    app = world.app()

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await select_title(pilot, screen, "Keynote in Atlanta")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, ForwardScreen))
        picker = app.screen
        options = picker.query_one("#peers", OptionList)
        await wait_for(pilot, lambda: options.option_count == 2)
        await pilot.press("c", "r", "l")  # fuzzy: c…r…l → Carol
        await wait_for(pilot, lambda: options.option_count == 1)
        picker.query_one("#note", Input).value = "you would like this"
        picker.query_one("#note", Input).focus()
        await pilot.press("enter")
        me, carol = world.members["me"], world.members["carol"]
        await wait_for(pilot, lambda: state_of(me, "Keynote in Atlanta").forwarded_by(me.me))
        world.sync("me", "carol")
        state = state_of(carol, "Keynote in Atlanta")
        assert state.forwarded_to(carol.me)
        link = state.forwarded_to(carol.me)[0]
        assert carol.open_note(state, link.id) == "you would like this"

    drive(app, scenario)


def test_forward_to_the_whole_network(world: World) -> None:
    small_world(world)
    app = world.app()

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await select_title(pilot, screen, "NDA review")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, ForwardScreen))
        await pilot.press("ctrl+n")
        me = world.members["me"]
        await wait_for(pilot, lambda: state_of(me, "NDA review").forwarded_by(me.me))
        assert state_of(me, "NDA review").forwarded_by(me.me)[0].to == b""

    drive(app, scenario)


# -- the author's side: hand off and outcome ------------------------------------


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
        assert "ceo@acme.test" in str(page.query_one("#offer-contact", Static).render())
        world.sync("me", "bob")
        bob.accept(state_of(bob, "Brand refresh"), note="happy to")
        world.sync("me", "bob")
        # the accept arrives: a toast, and the page updates in place
        await wait_for(pilot, lambda: page.detail is not None and len(page.detail["accepts"]) == 1)
        assert any("accepted your offer" in n.message for n in app._notifications)
        assert "Bob" in str(page.query_one("#offer-accepts", Static).render())
        await pilot.press("h")
        await wait_for(pilot, lambda: app.screen.query("#pick"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: page.detail is not None and page.detail["handoffs"])
        world.sync("me", "bob")
        assert bob.open_contact(state_of(bob, "Brand refresh")) == "ceo@acme.test"
        await pilot.press("o")
        await wait_for(pilot, lambda: app.screen.query("#fulfilled"))
        # keyboard only: the dialog opens in the value field, and enter reports
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "value")
        await pilot.press(*"1200", "enter")
        await wait_for(
            pilot, lambda: page.detail is not None and page.detail["status"] == "fulfilled"
        )
        outcome = page.detail["handoffs"][0]["outcome"]
        assert outcome["fulfilled"] and outcome["rating"] == 5 and outcome["value"] == 1200

    drive(app, scenario)


def test_withdraw_my_offer(world: World) -> None:
    world.member("me").post_offer(title="Changed my mind")
    app = world.app()

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await select_title(pilot, screen, "Changed my mind")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, OfferScreen) and app.screen.detail is not None
        )
        page = app.screen
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen))
        await pilot.press(*"filled", "enter")
        await wait_for(
            pilot, lambda: page.detail is not None and page.detail["status"] == "withdrawn"
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: "Changed my mind" not in titles(screen))

    drive(app, scenario)


# -- peers ---------------------------------------------------------------------


async def open_peer(pilot: Pilot[None], name: str) -> PeerScreen:
    app = pilot.app
    await pilot.press("3")
    await wait_for(pilot, lambda: isinstance(app.screen, PeersScreen) and app.screen.peers)
    table = app.screen.query_one(DataTable)
    row = next(i for i, p in enumerate(app.screen.peers) if p.name == name)
    table.move_cursor(row=row)
    table.focus()
    await pilot.press("enter")
    await wait_for(
        pilot, lambda: isinstance(app.screen, PeerScreen) and app.screen.peer is not None
    )
    screen = app.screen
    assert isinstance(screen, PeerScreen)
    return screen


def test_vouch_then_revoke(world: World) -> None:
    small_world(world)
    app = world.app()
    me, bob = world.members["me"], world.members["bob"]

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        page = await open_peer(pilot, "Bob")
        assert page.peer is not None and page.peer.trust == 0.0
        await pilot.press("v")
        await wait_for(pilot, lambda: app.screen.query("#skills"))
        app.screen.query_one("#note", Input).value = "great designer"
        await pilot.press("enter")
        await wait_for(pilot, lambda: page.peer is not None and page.peer.vouched_by_me != "")
        assert page.peer.trust > 0.5
        assert any(e.voucher == me.me and e.subject == bob.me for e in me.ledger().vouches)
        assert "vouch" in str(page.query_one("#peer-explain", Static).render())
        await pilot.press("r")
        await wait_for(pilot, lambda: page.peer is not None and page.peer.vouched_by_me == "")
        assert not any(e.voucher == me.me for e in me.ledger().vouches)

    drive(app, scenario)


def test_mute_hides_offers_and_the_filter_shows_them(world: World) -> None:
    small_world(world)
    app = world.app()

    async def scenario(pilot: Pilot[None]) -> None:
        feed = await feed_ready(pilot)
        page = await open_peer(pilot, "Carol")
        await pilot.press("m")
        await wait_for(pilot, lambda: page.peer is not None and page.peer.muted)
        await pilot.press("1")
        await wait_for(pilot, lambda: "NDA review" not in titles(feed) and len(titles(feed)) == 2)
        await pilot.press("x")
        feed.query_one("#f-muted", Switch).value = True
        await wait_for(pilot, lambda: "NDA review" in titles(feed))

    drive(app, scenario)


def test_block_hides_the_member(world: World) -> None:
    small_world(world)
    app = world.app()

    async def scenario(pilot: Pilot[None]) -> None:
        feed = await feed_ready(pilot)
        page = await open_peer(pilot, "Bob")
        await pilot.press("b")
        await wait_for(pilot, lambda: page.peer is not None and page.peer.blocked)
        await pilot.press("1")
        await wait_for(pilot, lambda: titles(feed) == ["NDA review"])

    drive(app, scenario)


# -- profile, hand-offs, status, palette, quit ----------------------------------


def test_profile_edit_copy_and_stats(world: World) -> None:
    world.member("me", skills=("python",)).post_offer(title="One")
    app = world.app()

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen) and app.screen.stats)
        screen = app.screen
        assert "posted" in str(screen.query_one("#stats", Static).render())
        screen.query_one("#headline", Input).value = "Now with a headline"
        screen.query_one("#available", Switch).value = False
        await pilot.press("ctrl+s")

        await wait_for(
            pilot, lambda: world.members["me"].profile().headline == "Now with a headline"
        )
        assert world.members["me"].profile().available is False
        screen.query_one("#stats").focus()
        await pilot.press("i")
        assert app.clipboard == world.members["me"].identity.member_id
        await pilot.press("c")  # offline: no invite yet, a warning instead
        assert any("no invite" in n.message for n in app._notifications)

    drive(app, scenario)


def test_handoffs_screen_shows_where_things_stand(world: World) -> None:
    small_world(world)
    me, bob = world.members["me"], world.members["bob"]
    me.post_offer(title="Posted by me")
    me.forward(state_of(me, "NDA review"), to=None, note="anyone?")
    me.accept(state_of(me, "Keynote in Atlanta"))
    app = world.app()

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        await pilot.press("2")
        await wait_for(
            pilot,
            lambda: app.screen.query(DataTable) and app.screen.query_one(DataTable).row_count >= 3,
        )
        table = app.screen.query_one(DataTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        roles = {row[1]: (row[0], row[3]) for row in rows}
        assert roles["Posted by me"] == ("posted", "waiting for accepts")
        assert roles["NDA review"][0] == "forwarded" and "the network" in roles["NDA review"][1]
        assert roles["Keynote in Atlanta"] == ("accepted", "you accepted")
        assert bob  # bob's offer is the accepted one

    drive(app, scenario)


def test_network_failure_shows_in_the_status_bar(world: World, monkeypatch) -> None:
    world.member("me")
    from p2pshare.errors import UserError
    from p2pshare.service.api import NodeAPI

    async def failing(self: NodeAPI) -> None:
        self.status.state = "starting"
        self._fail("port 4001 is in use")
        raise UserError("port 4001 is in use")

    monkeypatch.setattr(NodeAPI, "start_network", failing)
    app = world.app(start_network=True)

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        await wait_for(pilot, lambda: "failed: port 4001 is in use" in status_text(pilot))
        assert app.screen.query_one(StatusBar).has_class("-failed")
        assert any("port 4001" in n.message for n in app._notifications)

    drive(app, scenario)


def test_every_binding_is_in_the_command_palette(world: World) -> None:
    small_world(world)
    app = world.app()

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        commands = {c.title for c in app.get_system_commands(screen)}
        for title in (
            "New offer",
            "Accept",
            "Forward",
            "Search",
            "Filters",
            "Unread",
            "Theme",
            "Go to Peers",
            "Go to Hand-offs",
            "Go to My profile",
            "Help",
            "Quit",
        ):
            assert title in commands, title
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: app.screen.query("#help"))
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: app.screen.query("CommandInput"))
        await pilot.press(*"new off", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen))

    drive(app, scenario)


def test_quit_closes_the_node(world: World) -> None:
    world.member("me")
    app = world.app()
    opened = []

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        opened.append(app.api)
        await pilot.press("q")

    drive(app, scenario)
    api = opened[0]
    assert api is not None and api.status.state == "offline" and api._member is None
    assert app.api is None


def test_feed_screen_is_not_confused_by_an_empty_home(world: World) -> None:
    world.member("me")
    app = world.app()

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        assert isinstance(screen, FeedScreen) and titles(screen) == []
        await pilot.press("a", "f", "u", "enter")  # nothing selected: no crash, no dialog
        assert app.screen is screen

    drive(app, scenario)
