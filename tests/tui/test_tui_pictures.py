"""Pictures (issue 14): the return on sharing charted by month and by peer on the profile,
and the trust paths from me to a peer drawn as a tree on their page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fake_node import FakeNode
from fake_world import DAY, T0
from test_tui_snapshots import SnapCompare, rich_world
from textual.widgets import OptionList, Static
from tui_helpers import World, drive, fake_app, feed_ready, select_title, wait_for

from tui.screens.forward import ForwardScreen
from tui.screens.peer import PeerScreen
from tui.screens.profile import ProfileScreen
from tui.widgets.share_chart import ShareChart, bar
from tui.widgets.trust_paths import TrustPaths

if TYPE_CHECKING:
    from textual.pilot import Pilot
    from textual.widget import Widget


def text_of(widget: Widget) -> str:
    return str(widget.render())


def hand_off(node: FakeNode, title: str, to: str, *, fulfilled: bool, value: int, at: int) -> None:
    """My offer `title`, handed to the peer named `to`, its outcome reported two days later."""
    node.offer_state(title).handoffs.append(
        {
            "id": f"handoff {title}",
            "to": {"id": node.peer(to).id, "name": to, "trust": 0.5},
            "created_at": at,
            "outcome": {
                "id": f"outcome {title}",
                "fulfilled": fulfilled,
                "rating": 5,
                "value": value,
                "note": "",
                "created_at": at + 2 * DAY,
            },
            "confirmation": None,
            "confirmed": False,
        }
    )


def sharing_node() -> FakeNode:
    """September: a keynote, fulfilled by Bob for 4,000 EUR. October: nothing.
    November: a workshop handed to Carol, not fulfilled."""
    node = FakeNode()
    node.add_peer("Bob", trust=0.5)
    node.add_peer("Carol", trust=0.5)
    september = T0 - 60 * DAY  # 2023-09-15
    node.add_offer("Keynote", created_at=september, value=5000, currency="EUR")
    hand_off(node, "Keynote", "Bob", fulfilled=True, value=4000, at=september)
    node.add_offer("Workshop", created_at=T0, currency="EUR")
    hand_off(node, "Workshop", "Carol", fulfilled=False, value=0, at=T0)
    return node


async def open_profile(pilot: Pilot[None]) -> ProfileScreen:
    await feed_ready(pilot)
    await pilot.press("4")
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen) and bool(app.screen.stats))
    assert isinstance(app.screen, ProfileScreen)
    return app.screen


def test_the_month_chart_shows_each_months_figures_quiet_months_included() -> None:
    app = fake_app(sharing_node())

    async def scenario(pilot: Pilot[None]) -> None:
        profile = await open_profile(pilot)
        chart = profile.query_one("#by-month", ShareChart)
        await wait_for(pilot, lambda: "Sep 2023" in text_of(chart))
        lines = text_of(chart).splitlines()
        assert [line.split("  ")[0] for line in lines] == ["Sep 2023", "Oct 2023", "Nov 2023"]
        september, october, november = lines
        assert "1 → 1" in september
        assert "4,000 EUR" in september
        assert "█" in september
        assert "0 → 0" in october
        assert "█" not in october
        assert "1 → 0" in november
        assert "EUR" not in november

    drive(app, scenario, size=(80, 24))


def test_the_peer_chart_shows_who_it_went_to_busiest_first() -> None:
    node = sharing_node()
    node.add_offer("Logo", created_at=T0, currency="EUR")
    hand_off(node, "Logo", "Carol", fulfilled=True, value=300, at=T0)
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        profile = await open_profile(pilot)
        chart = profile.query_one("#by-peer", ShareChart)
        await wait_for(pilot, lambda: "Carol" in text_of(chart))
        carol, bob = text_of(chart).splitlines()
        assert carol.startswith("Carol")
        assert "2 → 1" in carol
        assert "300 EUR" in carol
        assert bob.startswith("Bob")
        assert "1 → 1" in bob
        assert "4,000 EUR" in bob

    drive(app, scenario, size=(80, 24))


def test_nothing_passed_on_yet_says_what_to_do() -> None:
    app = fake_app(FakeNode())

    async def scenario(pilot: Pilot[None]) -> None:
        profile = await open_profile(pilot)
        chart = profile.query_one("#by-month", ShareChart)
        await wait_for(pilot, lambda: "forward an offer" in text_of(chart))
        assert chart.rows == []

    drive(app, scenario, size=(80, 24))


def test_a_bar_is_green_as_far_as_fulfilled_and_accent_for_the_rest() -> None:
    assert bar(4, 1, 4, 8) == "[$success]██[/][$accent]██████[/]"
    assert bar(2, 2, 4, 8) == "[$success]████[/][$accent][/]    "
    assert bar(0, 0, 4, 8) == " " * 8
    assert "▏" in bar(1, 0, 1000, 8)  # one offer among many still shows


def two_hops_node() -> tuple[FakeNode, str]:
    """Carol is two hops away: I vouched for Bob, Bob signed 2 fulfilled hand-offs for her."""
    node = FakeNode()
    bob = node.add_peer("Bob", trust=0.8)
    dave = node.add_peer("Dave", trust=0.5)
    carol = node.add_peer("Carol", trust=0.4)
    node.add_trust_path(
        (bob, "vouch", 0),
        (carol, "fulfilled", 2),
        share=0.62,
        evidence="Carol: 2 fulfilled hand-offs (signed by members you trust)",
    )
    node.add_trust_path((bob, "vouch", 0), (dave, "vouch", 0), (carol, "vouch", 0), share=0.25)
    return node, carol


def test_a_peer_two_hops_away_shows_both_hops_as_a_tree_with_shares() -> None:
    node, carol = two_hops_node()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        app.push_screen(PeerScreen(node, carol))
        await wait_for(pilot, lambda: isinstance(app.screen, PeerScreen) and app.screen.report)
        page = app.screen
        drawing = text_of(page.query_one("#peer-paths", TrustPaths)).splitlines()
        assert drawing[0] == "you"
        assert drawing[1].startswith("└─ Bob (vouch)")  # both paths begin with the same hop
        hop_two = drawing[2]
        assert hop_two.startswith("   ├─ Carol (2 fulfilled hand-offs)")
        assert hop_two.rstrip().endswith("62%")
        assert drawing[3].startswith("   └─ Dave (vouch)")
        assert drawing[4].startswith("      └─ Carol (vouch)")
        assert drawing[4].rstrip().endswith("25%")
        assert "other paths" in drawing[5]
        assert drawing[5].rstrip().endswith("13%")
        # the words under it say what the tree does not: the evidence, not the paths again
        words = text_of(page.query_one("#peer-explain", Static))
        assert "2 fulfilled hand-offs (signed by members you trust)" in words
        assert "you →" not in words

    drive(app, scenario, size=(80, 24))


def test_a_peer_without_paths_keeps_the_words_and_draws_nothing() -> None:
    node, _ = two_hops_node()
    bob = node.peer("Bob").id
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        app.push_screen(PeerScreen(node, bob))
        await wait_for(pilot, lambda: isinstance(app.screen, PeerScreen) and app.screen.report)
        page = app.screen
        assert not page.query_one("#peer-paths", TrustPaths).display
        assert "no path from you" in text_of(page.query_one("#peer-explain", Static))

    drive(app, scenario, size=(80, 24))


# -- snapshots at 80x24, over the rich world of test_tui_snapshots ----------------------


def test_profile_at_80x24(world: World, snap_compare: SnapCompare) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await open_profile(pilot)
        await pilot.pause()

    assert snap_compare(rich_world(world), terminal_size=(80, 24), run_before=run_before)


def test_forward_dialog_at_80x24(world: World, snap_compare: SnapCompare) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await select_title(pilot, screen, "Airflow migration")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ForwardScreen))
        peers = pilot.app.screen.query_one("#peers", OptionList)
        await wait_for(pilot, lambda: peers.option_count > 0)
        await pilot.pause()

    assert snap_compare(rich_world(world), terminal_size=(80, 24), run_before=run_before)
