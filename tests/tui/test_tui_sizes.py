"""Snapshots at 80x24 and 160x48, in a dark and a light theme (issue 14): the feed,
the activity inbox and the new-offer form, over the rich world of test_tui_snapshots."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from test_tui_snapshots import SnapCompare, rich_world
from tui_helpers import World, feed_ready, wait_for

from tui.screens.activity import ActivityScreen
from tui.screens.compose import ComposeScreen

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from textual.pilot import Pilot

SIZES = [(80, 24), (160, 48)]
THEMES = ["textual-dark", "textual-light"]


def on(screen: str, theme: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        pilot.app.theme = theme
        if screen == "activity":
            await pilot.press("5")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, ActivityScreen))
        elif screen == "compose":
            await pilot.press("n")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, ComposeScreen))
            await pilot.press(*"Keynote in Porto", "tab", *"A talk on privacy")
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("screen", ["feed", "activity", "compose"])
def test_screens_at_both_sizes_and_themes(
    world: World, snap_compare: SnapCompare, screen: str, theme: str, size: tuple[int, int]
) -> None:
    assert snap_compare(rich_world(world), terminal_size=size, run_before=on(screen, theme))
