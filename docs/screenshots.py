"""Regenerate the README's screenshots: the app on a seeded demo world, as SVG.

    .venv/bin/python docs/screenshots.py

The demo's history is created in a temporary folder, the app opens on the
newcomer's home without its network (the pictures show the seeded records),
and Textual exports each screen as SVG into docs/.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from p2pshare.demo.world import NEWCOMER, World
from tui.app import P2PShareApp
from tui.launch import LocalHome
from tui.screens.feed import FeedScreen

DOCS = Path(__file__).resolve().parent
SIZE = (120, 34)


async def shoot(home_root: Path) -> None:
    world = World(home_root)
    world.seed(6, int(time.time()), newcomer_name="Sam")
    app = P2PShareApp(LocalHome(world.home(NEWCOMER)), start_network=False)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):  # the feed loads in a worker: wait for its first paint
            if isinstance(app.screen, FeedScreen) and app.screen.loaded:
                break
            await pilot.pause(0.1)
        app.save_screenshot("screenshot-feed.svg", path=str(DOCS))
        await pilot.press("enter")
        await pilot.pause(0.5)
        app.save_screenshot("screenshot-offer.svg", path=str(DOCS))
        await pilot.press("escape", "3")
        await pilot.pause(0.8)
        app.save_screenshot("screenshot-peers.svg", path=str(DOCS))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(shoot(Path(tmp) / "demo"))
    print("wrote", ", ".join(sorted(p.name for p in DOCS.glob("screenshot-*.svg"))))


if __name__ == "__main__":
    main()
