"""Themes (issue 14): every built-in theme readable; the chosen one kept in config.toml."""

from __future__ import annotations

import asyncio
import tomllib
from typing import TYPE_CHECKING

import pytest
from fake_home import FakeHome
from fake_node import FakeNode
from tui_helpers import drive, fake_app, feed_ready, wait_for

from tui import settings
from tui.app import P2PShareApp
from tui.widgets.offer_list import MIN_CONTRAST, OfferList, contrast

if TYPE_CHECKING:
    from pathlib import Path

    from textual.pilot import Pilot


def themes() -> list[str]:
    app = P2PShareApp(FakeHome(FakeNode()), start_network=False)
    # the ansi themes use the terminal's own palette: nothing to measure here
    return sorted(t for t in app.available_themes if not t.startswith("ansi"))


def feed_node() -> FakeNode:
    node = FakeNode(skills=("python",))
    trusted = node.add_peer("Tina", trust=0.9)
    known = node.add_peer("Ken", trust=0.3)
    stranger = node.add_peer("Sam", trust=0.0)
    node.add_offer("Trusted", by=trusted, skills=("python",), region="Porto", remote=True)
    node.add_offer("Known", by=known, skills=("design",), value=500, currency="EUR")
    node.add_offer("Strange", by=stranger, skills=("legal",), region="Oslo")
    node.add_offer("Mine", skills=("python",))
    node.arrive_forward_to_me("Known", by=trusted)
    return node


@pytest.mark.parametrize("theme", themes())
def test_every_column_of_the_feed_reads_in_every_theme(theme: str) -> None:
    app = fake_app(feed_node())

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        app.theme = theme
        await pilot.pause()
        offers = app.screen.query_one(OfferList)
        worst = []
        for row in range(len(offers.items)):
            for focused in (True, False):
                if not focused:
                    app.screen.set_focus(None)
                    await pilot.pause()
                for segment in offers.render_line(row):
                    style = segment.style
                    if not segment.text.strip() or style is None:
                        continue
                    assert style.color is not None
                    assert style.bgcolor is not None
                    ratio = contrast(style.color.get_truecolor(), style.bgcolor.get_truecolor())
                    worst.append((ratio, row, segment.text.strip()))
        assert min(worst)[0] >= MIN_CONTRAST, min(worst)

    drive(app, scenario)


def test_the_theme_is_kept_in_config_toml(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('listen = ["/ip4/0.0.0.0/tcp/4001"]\n')
    node = FakeNode()
    app = fake_app(node, home=FakeHome(node, path=tmp_path))

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        app.theme = "catppuccin-latte"
        await wait_for(pilot, lambda: "latte" in (tmp_path / "config.toml").read_text())

    drive(app, scenario)
    data = tomllib.loads((tmp_path / "config.toml").read_text())
    assert data == {"listen": ["/ip4/0.0.0.0/tcp/4001"], "app": {"theme": "catppuccin-latte"}}
    again = fake_app(node, home=FakeHome(node, path=tmp_path))

    async def reopen() -> None:
        async with again.run_test(size=(80, 24)) as pilot:
            await feed_ready(pilot)
            assert again.theme == "catppuccin-latte"

    asyncio.run(reopen())


def test_settings_keep_other_tables(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[app]\ntheme = "nord"\nx = "y"\n\n[net]\nport = 1\n')
    settings.save(tmp_path, theme="dracula")
    data = tomllib.loads((tmp_path / "config.toml").read_text())
    assert data == {"app": {"theme": "dracula", "x": "y"}, "net": {"port": 1}}
