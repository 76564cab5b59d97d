"""The p2pshare app: opens the member's node, paints, then starts the network.

Order matters for a quick first paint (DESIGN §2): the identity and store open
in a thread (NodeAPI.open), the feed paints, and only then does a worker start
the network, whose libp2p import alone takes most of a second. Nothing here
imports libp2p or trio; the node is behind NodeAPI and reports through events,
which arrive on this loop and are re-posted as Textual messages.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.signal import Signal
from textual.widgets import Static

from p2pshare.errors import UserError
from p2pshare.events import (
    Changed,
    NodeFailed,
    Notice,
)
from p2pshare.member import identity as ident
from p2pshare.member.home import Home
from p2pshare.service.api import NetworkOptions, NodeAPI

from .messages import NodeEvent, OpenOffer, OpenPeer
from .unread import SeenOffers
from .widgets.status_bar import StatusInfo

log = logging.getLogger(__name__)

MODES_ORDER = ("feed", "handoffs", "peers", "profile")


@dataclass(frozen=True, slots=True)
class ForwardChoice:
    """What the forward picker returns: a member id, or None for the whole network."""

    to: str | None
    note: str = ""


class SplashScreen(Screen[None]):
    """What paints while the identity and store open (a few milliseconds, usually)."""

    def compose(self) -> ComposeResult:
        yield Static("p2pshare\n\nopening your home…", id="splash")


class P2PShareApp(App[None]):
    """A member's node in a terminal: feed, offers, hand-offs, peers and profile."""

    CSS_PATH = "app.tcss"
    TITLE = "p2pshare"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("1", "mode('feed')", "Feed", show=False),
        Binding("2", "mode('handoffs')", "Hand-offs", show=False),
        Binding("3", "mode('peers')", "Peers", show=False),
        Binding("4", "mode('profile')", "Profile", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
        Binding("ctrl+t", "change_theme", "Theme", show=False),
    ]

    def __init__(
        self,
        home: Home,
        *,
        network: NetworkOptions | None = None,
        start_network: bool = True,
        clock: Callable[[], float] | None = None,
        passphrase: bytes | None = None,
    ) -> None:
        super().__init__()
        self.home = home
        self.network_options = network or NetworkOptions()
        self.start_network = start_network
        self.clock: Callable[[], float] = clock or time.time
        self._fixed_clock = clock
        self._passphrase = passphrase
        self.api: NodeAPI | None = None
        self._network_pending = False
        self.seen = SeenOffers.in_home(home.path)
        self.unread = 0
        self.status_signal: Signal[StatusInfo] = Signal(self, "status")
        self.changed_signal: Signal[Changed] = Signal(self, "changed")

    # -- start -------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        return SplashScreen()

    def on_mount(self) -> None:
        if not ident.exists(self.home):
            from .screens.onboarding import OnboardingScreen

            self.push_screen(OnboardingScreen(self.home), self._onboarded)
        elif (
            ident.is_encrypted(self.home)
            and self._passphrase is None
            and ident.passphrase_from_env() is None
        ):
            self._ask_passphrase()
        else:
            self.open_node(self._passphrase)

    def _ask_passphrase(self, reason: str = "") -> None:
        from .screens.dialogs import PassphraseScreen

        def done(secret: bytes | None) -> None:
            if secret is None:
                self.exit()
            else:
                self.open_node(secret)

        self.push_screen(PassphraseScreen(reason), done)

    def _onboarded(self, result: dict[str, Any] | None) -> None:
        if result is None:
            self.exit()
            return
        if peers := result.get("invite"):
            self.network_options = NetworkOptions(
                listen=self.network_options.listen,
                peers=(*self.network_options.peers, peers),
                mdns=self.network_options.mdns,
                community=self.network_options.community,
            )
        self.open_node(result.get("passphrase"))

    def make_api(self, passphrase: bytes | None) -> NodeAPI:
        secret = passphrase

        def ask() -> bytes | None:
            return secret if secret is not None else ident.passphrase_from_env()

        return NodeAPI(
            self.home, network=self.network_options, passphrase=ask, clock=self._fixed_clock
        )

    @work(exclusive=True, group="open", exit_on_error=False)
    async def open_node(self, passphrase: bytes | None) -> None:
        api = self.make_api(passphrase)
        api.subscribe(self._on_api_event)
        try:
            await api.open()
        except UserError as exc:
            await self._opening_failed(api, str(exc), encrypted=passphrase is not None)
            return
        except Exception as exc:  # a damaged home: say so, never a traceback
            log.exception("opening the home failed")
            await self._opening_failed(api, f"cannot open {self.home.path}: {exc}", False)
            return
        self.api = api
        self.seen.load()
        self._install_modes(api)
        await self.switch_mode("feed")
        self.publish_status()
        if self.start_network:
            self._network_pending = True
            self.set_timer(1.0, self.first_paint_done)  # in case the feed never reports

    def first_paint_done(self) -> None:
        """The feed is on screen: now start the network (importing libp2p blocks the loop)."""
        if self._network_pending:
            self._network_pending = False
            self.set_timer(0.1, self.run_network)

    async def _opening_failed(self, api: NodeAPI, reason: str, encrypted: bool) -> None:
        from .screens.dialogs import ErrorScreen

        await self._close(api)
        if encrypted and "passphrase" in reason:
            self._ask_passphrase(reason)
            return
        self.push_screen(
            ErrorScreen("p2pshare cannot open this home", reason), lambda _: self.exit()
        )

    def _install_modes(self, api: NodeAPI) -> None:
        from .screens.feed import FeedScreen
        from .screens.handoffs import HandoffsScreen
        from .screens.peers import PeersScreen
        from .screens.profile import ProfileScreen

        factories: dict[str, Callable[[], Screen[Any]]] = {
            "feed": partial(FeedScreen, api),
            "handoffs": partial(HandoffsScreen, api),
            "peers": partial(PeersScreen, api),
            "profile": partial(ProfileScreen, api),
        }
        for name, factory in factories.items():
            self.add_mode(name, factory)

    @work(exclusive=True, group="network", exit_on_error=False)
    async def run_network(self) -> None:
        assert self.api is not None
        self.publish_status()  # "starting…"
        try:
            await self.api.start_network()
        except UserError:
            pass  # NodeFailed was emitted: status bar and a notification say why
        except Exception as exc:
            log.exception("starting the network failed")
            self.notify(f"the node could not start: {exc}", severity="error")
        self.publish_status()

    # -- events ------------------------------------------------------------

    def _on_api_event(self, event: Any) -> None:
        self.post_message(NodeEvent(event))

    @on(NodeEvent)
    def _node_event(self, message: NodeEvent) -> None:
        event = message.event
        if isinstance(event, Changed):
            self.changed_signal.publish(event)
        elif isinstance(event, Notice):
            severity = (
                event.severity if event.severity in ("information", "warning") else "information"
            )
            self.notify(event.text, severity=severity, timeout=6)  # type: ignore[arg-type]
        elif isinstance(event, NodeFailed):
            self.notify(f"the node failed: {event.reason}", severity="error", timeout=10)
        self.publish_status()

    @property
    def status_info(self) -> StatusInfo:
        api = self.api
        if api is None:
            return StatusInfo(state="offline", unread=self.unread)
        status = api.status
        state, reason = status.state, status.reason
        if not self.start_network and state == "offline":
            reason = "network off"
        community = self.network_options.community or ""
        if status.info is not None:
            community = status.info.community or community
        return StatusInfo(
            state=state,
            reason=reason,
            peers=len(status.connected),
            syncing=len(status.syncing),
            community=community,
            unread=self.unread,
        )

    def publish_status(self) -> None:
        self.status_signal.publish(self.status_info)

    def set_unread(self, count: int) -> None:
        if count != self.unread:
            self.unread = count
            self.publish_status()

    # -- navigation --------------------------------------------------------

    async def action_mode(self, name: str) -> None:
        if self.api is None or name not in MODES_ORDER:
            return
        if self.current_mode == name and len(self.screen_stack) > 1:
            # back to the mode's own screen from a page opened on top of it
            while len(self.screen_stack) > 1:
                self.pop_screen()
            return
        await self.switch_mode(name)

    def action_help(self) -> None:
        from .screens.dialogs import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    @on(OpenOffer)
    def open_offer(self, message: OpenOffer) -> None:
        from .screens.offer import OfferScreen

        if self.api is not None:
            self.mark_seen(message.offer_id)
            self.push_screen(OfferScreen(self.api, message.offer_id))

    @on(OpenPeer)
    def open_peer(self, message: OpenPeer) -> None:
        from .screens.peer import PeerScreen

        if self.api is not None:
            self.push_screen(PeerScreen(self.api, message.member_id))

    def mark_seen(self, offer_id: str) -> None:
        if self.seen.mark(offer_id):
            self.changed_signal.publish(Changed(offers=frozenset(), peers=False))
            self._save_seen()

    @work(group="seen", exclusive=True, thread=True)
    def _save_seen(self) -> None:
        self.seen.save()

    # -- shared actions (feed and offer page) --------------------------------

    def accept_offer(self, offer_id: str, title: str) -> None:
        from .screens.dialogs import NoteScreen

        def done(note: str | None) -> None:
            if note is not None:
                self._act("Accepted", "accept", offer_id, note=note)

        self.push_screen(
            NoteScreen(f"Accept “{title}”", "Accept", "a note for the author (optional)"), done
        )

    def forward_offer(self, offer_id: str, title: str, skills: Iterable[str]) -> None:
        from .screens.forward import ForwardScreen

        def done(choice: ForwardChoice | None) -> None:
            if choice is not None:
                self._act("Forwarded", "forward", offer_id, to=choice.to, note=choice.note)

        assert self.api is not None
        self.push_screen(ForwardScreen(self.api, title, list(skills)), done)

    @work(group="act", exit_on_error=False)
    async def _act(self, done: str, method: str, *args: Any, **kwargs: Any) -> str | None:
        """Call an API action; UserError becomes a notification with its one-line reason."""
        assert self.api is not None
        try:
            record = await getattr(self.api, method)(*args, **kwargs)
        except UserError as exc:
            self.notify(str(exc), title=f"{method} refused", severity="error", timeout=8)
            return None
        self.notify(done, timeout=3)
        return str(record)

    # -- command palette -----------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.api is None:
            return
        for name, label in zip(
            MODES_ORDER, ("Feed", "Hand-offs", "Peers", "My profile"), strict=True
        ):
            yield SystemCommand(
                f"Go to {label}",
                f"Switch to the {label} screen",
                partial(self.run_action, f"mode('{name}')"),
            )
        yield SystemCommand("Help", "Keys and what the screens show", self.action_help)
        if self.start_network and self.api.status.state in ("failed", "offline"):
            yield SystemCommand(
                "Start the network", "Try to start the node again", self.run_network
            )
        seen = {"quit", "help", "change_theme", "command_palette"}
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if (
                not binding.description
                or binding.action in seen
                or binding.action.startswith("mode(")
            ):
                continue
            seen.add(binding.action)
            yield SystemCommand(
                binding.description,
                f"key {key}" + ("" if active.enabled else " (not available here)"),
                partial(self.call_later, active.node.run_action, binding.action),
            )

    # -- quit ----------------------------------------------------------------

    async def on_unmount(self) -> None:
        """However the app ends (q, ctrl+c, an error), the node stops and the store closes.

        The app's Unmount comes after its screens are gone and before the
        terminal is restored, so nothing is printed over the screen.
        """
        await self._close_api()

    async def _close_api(self) -> None:
        api, self.api = self.api, None
        if api is not None:
            await self._close(api)

    async def _close(self, api: NodeAPI) -> None:
        try:
            await asyncio.wait_for(api.close(), timeout=3)
        except Exception:
            log.exception("closing the node failed")
