"""Every dialog at 80x24 (issue 14): its buttons inside the screen, every field either
in sight or brought into sight when it takes focus."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import pytest
from fake_node import FakeNode
from textual.containers import ScrollableContainer
from textual.geometry import Region
from textual.widgets import Button, Input, OptionList, Select, Switch
from tui_helpers import drive, fake_app, feed_ready, select_title, wait_for

from tui.screens.dialogs import (
    ConfirmScreen,
    Dialog,
    HelpScreen,
    NoteScreen,
    OutcomeScreen,
    PassphraseScreen,
    PickScreen,
    VouchScreen,
)
from tui.screens.forward import ForwardScreen

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.pilot import Pilot
    from textual.widget import Widget

    from tui.app import P2PShareApp

SMALL = (80, 24)
LONG_NOTE = "went well; they asked for a second workshop in spring and a follow-up call " * 2


def crowded_node() -> FakeNode:
    """Enough peers to fill the forward list twice over."""
    node = FakeNode(skills=("python",))
    for name in ("Ann", "Bob", "Cy", "Dee", "Eli", "Fay", "Gus", "Hal", "Ivy", "Jo", "Kim"):
        node.add_peer(name, skills=("python", "design"), trust=0.5)
    node.add_offer("Keynote in Atlanta", skills=("python",))
    return node


DIALOGS: dict[str, Callable[[FakeNode, P2PShareApp], Dialog]] = {
    "confirm outcome": lambda node, app: OutcomeScreen(
        "Keynote in Atlanta",
        [("12D3KooWann", "Ann"), ("12D3KooWbob", "Bob")],
        reported={"fulfilled": True, "rating": 4, "value": 900, "note": LONG_NOTE},
        by="Ann",
    ),
    "outcome": lambda node, app: OutcomeScreen("Keynote", [("12D3KooWann", "Ann")]),
    "forward": lambda node, app: ForwardScreen(node, "Keynote in Atlanta", ["python"]),
    "vouch": lambda node, app: VouchScreen("Bob", ["python", "design"]),
    "note with a long body": lambda node, app: NoteScreen(
        "Accept “Keynote in Atlanta”", "Accept", "why you", body=LONG_NOTE * 2
    ),
    "pick one of many": lambda node, app: PickScreen(
        "Hand off to", [(f"id{i}", f"Person {i}") for i in range(30)], hint="who gets it"
    ),
    "confirm": lambda node, app: ConfirmScreen("Throw away the draft?"),
    "passphrase": lambda node, app: PassphraseScreen("wrong passphrase"),
    "help": lambda node, app: HelpScreen(app.screen),
}


def inside(outer: Region, inner: Region) -> bool:
    return outer.contains_region(inner)


def in_sight(frame: ScrollableContainer, field: Widget) -> bool:
    """The field's first row is in the dialog's visible part, above the buttons docked at
    its bottom (a long list scrolls itself)."""
    view = frame.scrollable_content_region
    buttons = frame.query_one(".buttons").region
    if buttons.y > view.y:
        view = Region(view.x, view.y, view.width, buttons.y - view.y)
    region = field.region
    return inside(view, Region(region.x, region.y, region.width, 1))


@pytest.mark.parametrize("which", list(DIALOGS))
def test_every_dialog_fits_80x24_or_scrolls_to_the_focused_field(which: str) -> None:
    node = crowded_node()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        dialog = DIALOGS[which](node, app)
        app.push_screen(dialog)
        await wait_for(pilot, lambda: app.screen is dialog)
        await pilot.pause()
        screen_region = Region(0, 0, *SMALL)
        frame = dialog.query_one(".dialog", ScrollableContainer)
        assert inside(screen_region, frame.region), (which, frame.region)
        if not isinstance(dialog, HelpScreen):  # typing goes to a field, not to the box
            assert dialog.focused is not None
            assert dialog.focused is not frame
        buttons = list(dialog.query(Button))
        assert buttons
        for button in buttons:
            assert inside(frame.region, button.region), (which, button.label, button.region)
        fields: list[Widget] = [*dialog.query(Input), *dialog.query(Select)]
        fields += [
            *dialog.query(Switch),
            *(w for w in dialog.query(OptionList) if type(w) is OptionList),
        ]
        for field in fields:
            field.focus()
            await pilot.pause()
            await wait_for(pilot, partial(in_sight, frame, field))
        for button in buttons:  # and the buttons never scrolled away with the fields
            assert inside(frame.region, button.region), (which, button.label)

    drive(app, scenario, size=SMALL)


def test_the_forward_dialog_opened_with_f_shows_list_note_and_buttons_at_once() -> None:
    node = crowded_node()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        feed = await feed_ready(pilot)
        await select_title(pilot, feed, "Keynote in Atlanta")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, ForwardScreen))
        dialog = app.screen
        peers = dialog.query_one("#peers", OptionList)
        await wait_for(pilot, lambda: peers.option_count == 11)
        frame = dialog.query_one(".dialog", ScrollableContainer)
        visible = frame.scrollable_content_region
        for widget in (dialog.query_one("#find"), peers, dialog.query_one("#note")):
            assert inside(visible, widget.region), widget
        assert inside(frame.region, dialog.query_one("#ok", Button).region)
        await pilot.press("down", "enter")  # the list is there to pick from
        await wait_for(pilot, lambda: not isinstance(app.screen, ForwardScreen))
        assert [c["to"] for c in node.calls_to("forward")] == [node.peer("Ann").id]

    drive(app, scenario, size=SMALL)
