"""The app's flows, driven with Pilot against the in-memory node (fake_node.py).

The fake answers at once and emits its events before a call returns, so these
tests wait only for the app to repaint. What the app asked of the node is read
back from the fake's record of calls; that the real node does the same with
them is test_tui_integration.py's part.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fake_home import FakeHome
from fake_node import FakeNode
from fake_world import ME
from textual.widgets import DataTable, Input, OptionList, Select, Static, Switch
from tui_helpers import drive, fake_app, feed_ready, select_title, titles, wait_for

from tui.screens.compose import ComposeScreen
from tui.screens.dialogs import NoteScreen
from tui.screens.forward import ForwardScreen
from tui.screens.offer import OfferScreen
from tui.screens.onboarding import OnboardingScreen, RecoveryWords
from tui.screens.peer import PeerScreen
from tui.screens.peers import PeersScreen
from tui.screens.profile import ProfileScreen
from tui.widgets.offer_list import OfferList
from tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from pathlib import Path

    from textual.pilot import Pilot

    from tui.screens.feed import FeedScreen


def status_text(pilot: Pilot[None]) -> str:
    return str(pilot.app.screen.query_one(StatusBar).render())


def small_node(*, bob_trust: float = 0.0) -> FakeNode:
    """Me, Bob and Carol; Bob posted two offers, Carol one."""
    node = FakeNode(skills=("python", "keynote"))
    bob = node.add_peer("Bob", skills=("design", "keynote"), trust=bob_trust)
    carol = node.add_peer("Carol", skills=("legal", "python"))
    node.add_offer(
        "Keynote in Atlanta",
        by=bob,
        skills=("keynote",),
        region="Atlanta",
        value=5000,
        currency="USD",
    )
    node.add_offer("Logo design", by=bob, skills=("design",), remote=True)
    node.add_offer("NDA review", by=carol, skills=("legal",), region="Berlin")
    return node


async def open_offer_page(pilot: Pilot[None], screen: FeedScreen, title: str) -> OfferScreen:
    await select_title(pilot, screen, title)
    await pilot.press("enter")
    app = pilot.app
    await wait_for(
        pilot, lambda: isinstance(app.screen, OfferScreen) and app.screen.detail is not None
    )
    assert isinstance(app.screen, OfferScreen)
    return app.screen


async def open_peer(pilot: Pilot[None], name: str) -> PeerScreen:
    app = pilot.app
    await pilot.press("3")
    await wait_for(pilot, lambda: isinstance(app.screen, PeersScreen) and bool(app.screen.peers))
    assert isinstance(app.screen, PeersScreen)
    table = app.screen.query_one(DataTable)
    row = next(i for i, p in enumerate(app.screen.peers) if p.name == name)
    table.move_cursor(row=row)
    table.focus()
    await pilot.press("enter")
    await wait_for(
        pilot, lambda: isinstance(app.screen, PeerScreen) and app.screen.peer is not None
    )
    assert isinstance(app.screen, PeerScreen)
    return app.screen


# -- first run -----------------------------------------------------------------


def test_onboarding_asks_for_a_name_then_opens_the_node_with_the_invite() -> None:
    node = FakeNode()
    home = FakeHome(node, identity=False)
    app = fake_app(node, home=home)

    async def scenario(pilot: Pilot[None]) -> None:
        await wait_for(pilot, lambda: isinstance(app.screen, OnboardingScreen))
        await pilot.press("ctrl+s")  # no name yet: an inline error, nothing created
        await wait_for(
            pilot,
            lambda: "name is needed" in str(app.screen.query_one("#name-error", Static).render()),
        )
        assert home.created == []
        app.screen.query_one("#name", Input).value = "Dana"
        app.screen.query_one("#skills", Input).value = "keynote, privacy"
        app.screen.query_one("#invite", Input).value = "/ip4/10.0.0.2/tcp/4001/p2p/x"
        await pilot.press("ctrl+s")
        # the recovery words, once, before anything opens
        await wait_for(pilot, lambda: isinstance(app.screen, RecoveryWords))
        shown = str(app.screen.query_one("#words", Static).render())
        assert " 1. acid" in shown
        assert "24. habit" in shown
        assert not node.opened
        await pilot.press("ctrl+s")
        await feed_ready(pilot)
        assert home.created == [
            {"name": "Dana", "headline": "", "skills": ["keynote", "privacy"], "passphrase": None}
        ]
        assert home.opened_with == [(None, ("/ip4/10.0.0.2/tcp/4001/p2p/x",))]
        assert node.opened

    drive(app, scenario)


# -- feed ----------------------------------------------------------------------


def test_feed_is_in_the_nodes_order_with_trust_and_unread() -> None:
    node = small_node(bob_trust=0.8)
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        assert titles(screen) == [item.title for item in await node.feed()]
        items = screen.query_one(OfferList).items
        assert {i.title: i.signal for i in items}["Keynote in Atlanta"] > 0.5
        await wait_for(pilot, lambda: app.unread == 3)
        # the status bar shows it at its next refresh (later on a busy machine)
        await wait_for(pilot, lambda: "3 unread" in status_text(pilot))
        assert "offline" in status_text(pilot)

    drive(app, scenario)


def test_next_unread_and_opening_marks_read(tmp_path: Path) -> None:
    node = small_node()
    node.add_offer("Mine", skills=("python",))
    app = fake_app(node, home=FakeHome(node, path=tmp_path))

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        offers = screen.query_one(OfferList)
        offers.set_cursor(0)
        await pilot.press("u")
        first = offers.current
        assert first is not None
        assert not first.mine
        assert screen.is_unread(first)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, OfferScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.unread == 2)
        assert not screen.is_unread(first)
        await pilot.press("u")
        assert offers.current is not None
        assert offers.current.id != first.id
        await pilot.press("enter", "escape", "u", "enter", "escape")
        await wait_for(pilot, lambda: app.unread == 0)
        await pilot.press("u")  # nothing left: a notice, the cursor stays
        await wait_for(pilot, lambda: (tmp_path / "tui-seen.json").exists())

    drive(app, scenario)


def test_filters_by_skill_region_trust_and_for_me() -> None:
    node = small_node()
    node.arrive_forward_to_me("Logo design", by=node.peer("Bob").id, note="for you")
    app = fake_app(node)

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


def test_search_filters_as_you_type_and_escape_clears() -> None:
    app = fake_app(small_node())

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


def test_an_offer_arriving_updates_the_feed_in_place() -> None:
    node = small_node()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        offers = screen.query_one(OfferList)
        await select_title(pilot, screen, "NDA review")
        node.arrive_offer("Fresh one", by=node.peer("Bob").id, skills=("python",))
        await wait_for(pilot, lambda: "Fresh one" in titles(screen))
        assert offers.current is not None
        assert offers.current.title == "NDA review"
        await wait_for(pilot, lambda: app.unread == 4)

    drive(app, scenario)


def test_feed_screen_is_not_confused_by_an_empty_node() -> None:
    app = fake_app(FakeNode())

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        assert titles(screen) == []
        await pilot.press("a", "f", "u", "enter")  # nothing selected: no crash, no dialog
        assert app.screen is screen

    drive(app, scenario)


# -- post, accept, forward -------------------------------------------------------


def test_post_offer_checks_the_form_and_shows_a_refusal_under_its_field() -> None:
    node = FakeNode()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen))
        compose = app.screen
        await pilot.press("ctrl+s")
        assert "title is needed" in str(compose.query_one("#title-error", Static).render())
        compose.query_one("#title", Input).value = "Workshop in Lisbon"
        compose.query_one("#expires", Input).value = "0"
        await pilot.press("ctrl+s")
        assert "1 or more" in str(compose.query_one("#expires-error", Static).render())
        compose.query_one("#expires", Input).value = "10"
        node.refuse("post_offer", "skills: 'x…' is longer than 40 characters")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: "longer" in str(compose.query_one("#skills-error", Static).render())
        )
        assert compose.query_one("#skills", Input).has_class("-invalid")
        compose.query_one("#skills", Input).value = "workshops, python"
        compose.query_one("#region", Input).value = "Lisbon"
        compose.query_one("#value", Input).value = "2000 EUR"
        compose.query_one("#contact", Input).value = "me@example.com"
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: app.screen is screen and "Workshop in Lisbon" in titles(screen)
        )
        assert node.calls_to("post_offer") == [
            {
                "title": "Workshop in Lisbon",
                "description": "",
                "skills": ["workshops", "python"],
                "region": "Lisbon",
                "remote": False,
                "value": "2000 EUR",
                "expires_days": 10,
                "contact": "me@example.com",
            }
        ]

    drive(app, scenario)


def test_accept_from_the_feed() -> None:
    node = small_node()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await select_title(pilot, screen, "Keynote in Atlanta")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen))
        await pilot.press(*"I can do it")
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(node.calls_to("accept")))
        offer_id = node.id_of("Keynote in Atlanta")
        assert node.calls_to("accept") == [{"offer_id": offer_id, "note": "I can do it"}]
        await wait_for(
            pilot,
            lambda: (
                next(
                    i for i in screen.query_one(OfferList).items if i.title == "Keynote in Atlanta"
                ).accepted
            ),
        )
        assert any(n.message == "Accepted" for n in app._notifications)

    drive(app, scenario)


def test_a_refused_action_is_one_line_in_a_notification() -> None:
    node = small_node()
    node.refuse("accept", "you already accepted this offer")
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await select_title(pilot, screen, "NDA review")
        await pilot.press("a", "enter")
        await wait_for(
            pilot, lambda: any("already accepted" in n.message for n in app._notifications)
        )
        note = next(n for n in app._notifications if "already accepted" in n.message)
        assert note.title == "accept refused"
        assert note.severity == "error"
        assert node.calls_to("accept") == []

    drive(app, scenario)


def test_forward_to_a_peer_picked_by_fuzzy_search() -> None:
    node = small_node()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await select_title(pilot, screen, "Keynote in Atlanta")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, ForwardScreen))
        picker = app.screen
        options = picker.query_one("#peers", OptionList)
        # Bob posted it: the author is never offered as a target
        await wait_for(pilot, lambda: options.option_count == 1)
        assert options.get_option_at_index(0).id == node.peer("Carol").id
        await pilot.press("c", "r", "l")  # fuzzy: c…r…l → Carol
        await wait_for(pilot, lambda: options.option_count == 1)
        picker.query_one("#note", Input).value = "you would like this"
        picker.query_one("#note", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(node.calls_to("forward")))
        assert node.calls_to("forward") == [
            {
                "offer_id": node.id_of("Keynote in Atlanta"),
                "to": node.peer("Carol").id,
                "note": "you would like this",
            }
        ]

    drive(app, scenario)


def test_forward_to_the_whole_network() -> None:
    node = small_node()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await select_title(pilot, screen, "NDA review")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, ForwardScreen))
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: bool(node.calls_to("forward")))
        assert node.calls_to("forward") == [
            {"offer_id": node.id_of("NDA review"), "to": None, "note": ""}
        ]

    drive(app, scenario)


# -- the author's side: hand off and outcome ------------------------------------


def test_accept_arrives_then_hand_off_then_outcome() -> None:
    node = FakeNode()
    bob = node.add_peer("Bob", skills=("design",))
    node.add_offer("Brand refresh", skills=("design",), contact="ceo@acme.test")
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        page = await open_offer_page(pilot, await feed_ready(pilot), "Brand refresh")
        assert "ceo@acme.test" in str(page.query_one("#offer-contact", Static).render())
        node.arrive_accept("Brand refresh", by=bob, note="happy to")
        # the accept arrives: a toast, and the page updates in place
        await wait_for(pilot, lambda: page.detail is not None and len(page.detail["accepts"]) == 1)
        assert any("Bob accepted your offer" in n.message for n in app._notifications)
        assert "Bob" in str(page.query_one("#offer-accepts", Static).render())
        await pilot.press("h")
        await wait_for(pilot, lambda: bool(app.screen.query("#pick")))
        await pilot.press("enter")
        await wait_for(pilot, lambda: page.detail is not None and bool(page.detail["handoffs"]))
        offer_id = node.id_of("Brand refresh")
        assert node.calls_to("handoff") == [{"offer_id": offer_id, "to": bob}]
        await pilot.press("o")
        await wait_for(pilot, lambda: bool(app.screen.query("#fulfilled")))
        # keyboard only: the dialog opens in the value field, and enter reports
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "value")
        await pilot.press(*"1200", "enter")
        await wait_for(
            pilot, lambda: page.detail is not None and page.detail["status"] == "fulfilled"
        )
        assert node.calls_to("outcome") == [
            {
                "offer_id": offer_id,
                "fulfilled": True,
                "rating": 5,
                "value": 1200,
                "to": bob,
                "note": "",
            }
        ]

    drive(app, scenario)


def test_withdraw_my_offer() -> None:
    node = FakeNode()
    node.add_offer("Changed my mind")
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        page = await open_offer_page(pilot, screen, "Changed my mind")
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen))
        await pilot.press(*"filled", "enter")
        await wait_for(
            pilot, lambda: page.detail is not None and page.detail["status"] == "withdrawn"
        )
        assert node.calls_to("withdraw") == [
            {"offer_id": node.id_of("Changed my mind"), "reason": "filled"}
        ]
        await pilot.press("escape")
        await wait_for(pilot, lambda: "Changed my mind" not in titles(screen))

    drive(app, scenario)


def test_offer_page_offers_only_the_actions_that_apply() -> None:
    node = small_node()
    node.add_offer("Mine")
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        feed = await feed_ready(pilot)
        theirs = await open_offer_page(pilot, feed, "NDA review")
        assert theirs.check_action("accept", ())
        assert theirs.check_action("forward", ())
        assert not theirs.check_action("withdraw", ())
        assert not theirs.check_action("handoff", ())
        await pilot.press("escape")
        mine = await open_offer_page(pilot, feed, "Mine")
        assert mine.check_action("withdraw", ())
        assert not mine.check_action("accept", ())
        assert not mine.check_action("handoff", ())  # nobody accepted yet

    drive(app, scenario)


# -- peers ---------------------------------------------------------------------


def test_vouch_then_revoke() -> None:
    node = small_node()
    app = fake_app(node)
    bob = node.peer("Bob").id

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        page = await open_peer(pilot, "Bob")
        assert page.peer is not None
        assert page.peer.trust == 0.0
        await pilot.press("v")
        await wait_for(pilot, lambda: bool(app.screen.query("#skills")))
        app.screen.query_one("#note", Input).value = "great designer"
        await pilot.press("enter")
        await wait_for(pilot, lambda: page.peer is not None and page.peer.vouched_by_me != "")
        assert page.peer is not None
        assert page.peer.trust > 0.5
        assert node.calls_to("vouch") == [
            {"member_id": bob, "skills": ["design", "keynote"], "note": "great designer"}
        ]
        assert "vouch" in str(page.query_one("#peer-explain", Static).render())
        assert any(n.message == "Vouched for Bob" for n in app._notifications)
        await pilot.press("r")
        await wait_for(pilot, lambda: page.peer is not None and page.peer.vouched_by_me == "")
        assert len(node.calls_to("revoke")) == 1

    drive(app, scenario)


def test_mute_hides_offers_and_the_filter_shows_them() -> None:
    node = small_node()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        feed = await feed_ready(pilot)
        page = await open_peer(pilot, "Carol")
        await pilot.press("m")
        await wait_for(pilot, lambda: page.peer is not None and page.peer.muted)
        assert node.calls_to("mark") == [
            {"member_id": node.peer("Carol").id, "mark": "muted", "on": True}
        ]
        await pilot.press("1")
        await wait_for(pilot, lambda: "NDA review" not in titles(feed) and len(titles(feed)) == 2)
        await pilot.press("x")
        feed.query_one("#f-muted", Switch).value = True
        await wait_for(pilot, lambda: "NDA review" in titles(feed))

    drive(app, scenario)


def test_block_hides_the_member() -> None:
    node = small_node()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        feed = await feed_ready(pilot)
        page = await open_peer(pilot, "Bob")
        await pilot.press("b")
        await wait_for(pilot, lambda: page.peer is not None and page.peer.blocked)
        await pilot.press("1")
        await wait_for(pilot, lambda: titles(feed) == ["NDA review"])

    drive(app, scenario)


# -- profile, hand-offs, status, palette, quit ----------------------------------


def test_profile_edit_copy_and_stats() -> None:
    node = FakeNode(skills=("python",))
    node.add_offer("One")
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        await pilot.press("4")
        await wait_for(
            pilot, lambda: isinstance(app.screen, ProfileScreen) and bool(app.screen.stats)
        )
        screen = app.screen
        assert "posted" in str(screen.query_one("#stats", Static).render())
        screen.query_one("#headline", Input).value = "Now with a headline"
        screen.query_one("#available", Switch).value = False
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(node.calls_to("set_profile")))
        assert node.calls_to("set_profile") == [
            {
                "name": "Me",
                "headline": "Now with a headline",
                "skills": ["python"],
                "region": "",
                "available": False,
            }
        ]
        screen.query_one("#stats").focus()
        await pilot.press("i")
        assert app.clipboard == ME
        await pilot.press("c")  # offline: no invite yet, a warning instead
        assert any("no invite" in n.message for n in app._notifications)

    drive(app, scenario)


def test_handoffs_screen_shows_where_things_stand() -> None:
    node = small_node()
    node.add_offer("Posted by me")
    node.offer_state("NDA review").forwards.append(
        {
            "id": "f1",
            "from": {"id": ME, "name": "Me", "trust": 1.0},
            "to": None,
            "depth": 0,
            "note": "anyone?",
            "created_at": 0,
        }
    )
    node.offer_state("Keynote in Atlanta").accepts.append(
        {
            "id": "a1",
            "member": {"id": ME, "name": "Me", "trust": 1.0},
            "chain": [],
            "note": "",
            "created_at": 0,
        }
    )
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        await pilot.press("2")
        await wait_for(
            pilot,
            lambda: (
                bool(app.screen.query(DataTable)) and app.screen.query_one(DataTable).row_count >= 3
            ),
        )
        table = app.screen.query_one(DataTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        roles = {row[1]: (row[0], row[3]) for row in rows}
        assert roles["Posted by me"] == ("posted", "waiting for accepts")
        assert roles["NDA review"][0] == "forwarded"
        assert "the network" in roles["NDA review"][1]
        assert roles["Keynote in Atlanta"] == ("accepted", "you accepted")

    drive(app, scenario)


def test_the_network_starts_after_the_first_paint() -> None:
    node = FakeNode()
    app = fake_app(node, start_network=True)

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        await wait_for(pilot, lambda: "● online" in status_text(pilot))
        assert node.status.info is not None

    drive(app, scenario)


def test_network_failure_shows_in_the_status_bar() -> None:
    node = FakeNode()
    node.network_failure = "port 4001 is in use"
    app = fake_app(node, start_network=True)

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        await wait_for(pilot, lambda: "failed: port 4001 is in use" in status_text(pilot))
        assert app.screen.query_one(StatusBar).has_class("-failed")
        assert any("port 4001" in n.message for n in app._notifications)
        screen = app.screen
        commands = {c.title for c in app.get_system_commands(screen)}
        assert "Start the network" in commands

    drive(app, scenario)


def test_every_binding_is_in_the_command_palette() -> None:
    app = fake_app(small_node())

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
        await wait_for(pilot, lambda: bool(app.screen.query("#help")))
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: bool(app.screen.query("CommandInput")))
        await pilot.press(*"new off", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen))

    drive(app, scenario)


def test_quit_closes_the_node() -> None:
    node = FakeNode()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        assert app.node is node
        await pilot.press("q")

    drive(app, scenario)
    assert node.closed
    assert app.node is None


def test_peers_show_how_each_is_reached_and_the_status_bar_whether_we_are() -> None:
    """Issue 11: ● direct, ◐ through a relay, ○ not connected; the status bar says
    whether peers can dial us or we are behind a NAT, reached through relays."""
    from dataclasses import replace

    node = small_node()
    bob, carol = node.peer("Bob").id, node.peer("Carol").id
    node._peers[bob].item = replace(node._peers[bob].item, connected=True, connection="direct")
    node._peers[carol].item = replace(node._peers[carol].item, connected=True, connection="relayed")
    node.status.connected |= {bob, carol}
    node.status.reachability = "private"
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        await pilot.press("3")
        await wait_for(
            pilot, lambda: isinstance(app.screen, PeersScreen) and bool(app.screen.peers)
        )
        table: DataTable[object] = app.screen.query_one(DataTable)
        cells = {str(table.get_cell(key, "name")): str(table.get_cell(key, "conn"))
                 for key in (bob, carol)}  # fmt: skip
        assert cells == {"Bob": "●", "Carol": "◐"}
        node.status.state = "online"
        app.publish_status()
        bar = app.screen.query_one(StatusBar)
        await wait_for(pilot, lambda: "behind NAT" in str(bar.render()))

    drive(app, scenario)
