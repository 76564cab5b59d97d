"""Members with real homes for the app's tests: deterministic keys, a fixed clock.

`World` makes homes whose keys derive from the member's name and whose Member
objects sign with a fixed clock, so record ids, member ids and every date on
screen are the same on every run (snapshots depend on it). Records move between
homes the way the network would move them: verified ingest into the other store.
The app under test has its own NodeAPI on "me"'s home (through tui.launch's
LocalHome, as in production) and sees what the test writes there through the
API's store watcher. Tests that need no real store use fake_node.py instead.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from fake_home import FakeHome

from p2pshare.member.actions import Member
from p2pshare.member.home import Home
from p2pshare.member.identity import Identity
from p2pshare.store import Store
from tui.app import P2PShareApp
from tui.launch import LocalHome
from tui.screens.feed import FeedScreen
from tui.widgets.offer_list import OfferList

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from pathlib import Path

    from fake_node import FakeNode
    from textual.pilot import Pilot
    from textual.widget import Widget

    from p2pshare.domain.ledger import OfferState

T0 = 1_700_000_000  # 2023-11-14, as in tests/support/signers.py
SIZE = (120, 40)


def fixed_clock() -> float:
    return float(T0)


def write_identity(home: Home, name: str) -> Identity:
    """Keys derived from the name, written as p2pshare's key file (identity.pem)."""
    seed = hashlib.sha256(b"p2pshare-tui-test\0" + name.encode()).digest()
    seal = hashlib.sha256(b"p2pshare-tui-seal\0" + name.encode()).digest()
    identity = Identity(
        Ed25519PrivateKey.from_private_bytes(seed), X25519PrivateKey.from_private_bytes(seal)
    )
    pem = b"".join(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        for key in (identity.signing_key, identity.seal_key)
    )
    home.ensure()
    fd = os.open(home.key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return identity


class World:
    """Several members, each with a home under `root`; `me` is the app's member."""

    def __init__(self, root: Path, clock: Callable[[], float] = fixed_clock) -> None:
        self.root = root
        self.clock = clock
        self.members: dict[str, Member] = {}

    def member(
        self, name: str, *, skills: tuple[str, ...] = (), headline: str = "", region: str = ""
    ) -> Member:
        if name not in self.members:
            home = Home.resolve(self.root / name)
            identity = write_identity(home, name)
            m = Member(home, identity, Store.open(home.store_file), clock=self.clock)
            m.set_profile(
                name=name.capitalize(),
                headline=headline,
                skills=skills,
                region=region,
                available=True,
            )
            self.members[name] = m
        return self.members[name]

    def home(self, name: str) -> Home:
        return self.members[name].home

    def sync(self, *names: str) -> None:
        """Every named member ends up holding every record any of them holds."""
        members = [self.members[n] for n in names]
        records = {env.id: env.data for m in members for env in m.store.all()}
        for m in members:
            m.store.ingest_many(list(records.values()), now=int(self.clock()) + 1)

    def app(
        self, name: str = "me", *, start_network: bool = False, passphrase: bytes | None = None
    ) -> P2PShareApp:
        """The app on `name`'s home, over a real NodeAPI, with the world's fixed clock."""
        return local_app(
            self.home(name), start_network=start_network, passphrase=passphrase, clock=self.clock
        )

    def close(self) -> None:
        for m in self.members.values():
            m.close()


def local_app(
    home: Home,
    *,
    start_network: bool = False,
    passphrase: bytes | None = None,
    clock: Callable[[], float] = fixed_clock,
) -> P2PShareApp:
    """The app over a real NodeAPI on `home` (no mDNS: tests never reach the LAN)."""
    local = LocalHome(home, mdns=False, clock=clock)
    return P2PShareApp(local, start_network=start_network, passphrase=passphrase, clock=clock)


def fake_app(
    node: FakeNode, *, start_network: bool = False, home: FakeHome | None = None
) -> P2PShareApp:
    """The app over an in-memory node: no store, no threads, events at once."""
    return P2PShareApp(home or FakeHome(node), start_network=start_network, clock=fixed_clock)


async def wait_for(
    pilot: Pilot[None], condition: Callable[[], object], seconds: float = 30.0
) -> None:
    """Pause the pilot until `condition()` is true; fail after `seconds` (a bound for a
    busy machine: it returns as soon as the condition holds)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds}s waiting for {condition}")
        await pilot.pause(0.05)


def drive(
    app: P2PShareApp,
    scenario: Callable[[Pilot[None]], Awaitable[None]],
    size: tuple[int, int] = SIZE,
) -> None:
    """Run the app headless at `size` and play `scenario` with its pilot."""

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await scenario(pilot)

    asyncio.run(main())


async def feed_ready(pilot: Pilot[None]) -> FeedScreen:
    """Wait until the feed has painted its first load, and return it."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, FeedScreen) and app.screen.loaded)
    screen = app.screen
    assert isinstance(screen, FeedScreen)
    return screen


def titles(screen: FeedScreen) -> list[str]:
    return [item.title for item in screen.query_one(OfferList).items]


async def select_title(pilot: Pilot[None], screen: FeedScreen, title: str) -> None:
    offers = screen.query_one(OfferList)
    index = next(i for i, item in enumerate(offers.items) if item.title == title)
    offers.set_cursor(index)
    offers.focus()
    await pilot.pause()


def state_of(member: Member, title: str) -> OfferState:
    """The ledger's state of the offer with this title, as `member`'s home sees it now."""
    return next(s for s in member.ledger().offers.values() if s.offer.title == title)


def shown_text(widget: Widget) -> str:
    """What a widget draws, as plain text, whatever it renders (markup, a Rich table)."""
    return "\n".join(
        strip.text for strip in widget.render_lines(widget.content_region.reset_offset)
    )
