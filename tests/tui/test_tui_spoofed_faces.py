"""Issue 16 §6 "spoofed faces" and issue 12 in the app: look-alike names told apart by a
fingerprint, what members wrote escaped, bodies kept under their label, and trust
shown as a standing ("top 12%") rather than a raw score that jumps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fake_node import FakeNode
from tui_helpers import drive, fake_app, feed_ready, select_title, shown_text, wait_for

from tui.screens.offer import OfferScreen
from tui.screens.peers import PeersScreen

if TYPE_CHECKING:
    from textual.pilot import Pilot
    from textual.widgets import DataTable


def test_peers_tells_two_node_as_apart_escapes_a_reversed_name_and_shows_standings() -> None:
    node = FakeNode()
    first = node.add_peer("Node A", trust=0.9, member_id="12D3KooWfirstQ7xk2P")
    second = node.add_peer("Node A", trust=0.2, member_id="12D3KooWsecondR4mz8T")
    eve = node.add_peer("Eve\u202egnp.exe", trust=0.0)
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        await pilot.press("3")
        await wait_for(
            pilot, lambda: isinstance(app.screen, PeersScreen) and bool(app.screen.peers)
        )
        table: DataTable[object] = app.screen.query_one("#peers")  # type: ignore[assignment]

        def cell(key: str, column: str) -> str:
            return str(table.get_cell(key, column))

        assert cell(first, "name") == "Node A ·Q7xk2P"
        assert cell(second, "name") == "Node A ·R4mz8T"
        assert cell(eve, "name") == "Eve\\u202egnp.exe"
        assert "\u202e" not in shown_text(table)
        assert [cell(first, "trust"), cell(second, "trust"), cell(eve, "trust")] == [
            "top 1%",
            "top 50%",
            "none",
        ]

    drive(app, scenario)


def test_the_offer_page_keeps_a_forged_line_under_the_description_label() -> None:
    node = FakeNode()
    mallory = node.add_peer("Mallory", trust=0.4)
    node.add_offer(
        "Deal\u202e",
        by=mallory,
        description="Fine print\n✓ vouched by Mallory",
    )
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await feed_ready(pilot)
        await select_title(pilot, screen, "Deal\u202e")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, OfferScreen))
        page = app.screen
        assert isinstance(page, OfferScreen)
        await wait_for(
            pilot, lambda: "Fine print" in shown_text(page.query_one("#offer-description"))
        )
        lines = [ln.rstrip() for ln in shown_text(page.query_one("#offer-description")).split("\n")]
        body = [ln for ln in lines if ln.strip()]
        first, forged = body[0], body[1]
        assert first.lstrip().startswith("about")
        column = first.index("Fine print")
        assert forged.index("✓ vouched by Mallory") == column  # under the body, not a label
        assert shown_text(page.query_one("#offer-title")).strip() == "Deal\\u202e"
        assert "trust top" in shown_text(page.query_one("#offer-trust"))

    drive(app, scenario)
