"""The p2pshare app: paints the feed, opens the member's node, then starts the network.

Order matters for a quick first paint (DESIGN §2). The first frame is plain: the
splash ("opening your home…"); before it the app reads only its theme, and the
identity check (and its cryptography), the feed's modules and the node's all come
after. Once it is on screen (Textual's Ready) the app checks the home's identity
and paints the feed in its loading state; then the identity and store open in a
thread (NodePort.open; the real node's modules are imported there too,
lazy_node.py) and the feed fills in; only then does a worker start the network,
whose libp2p import alone takes most of a second. Screens other than the feed are
imported when first shown (modes.py). The node is injected: the app is given a
`HomePort` (tui/launch.py passes the real one, tests a fake) and knows the node
only through `NodePort`; where each of its events goes is node_events.py's.
Screens ask the app for things with the messages of messages.py and never import
this module.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.signal import Signal

from p2pshare.errors import UserError

from .messages import (
    ActionRequested,
    FeedPainted,
    MarkActivityRead,
    MarkOffersRead,
    NodeEvent,
    OpenOffer,
    OpenPeer,
    UnreadCounted,
)
from .modes import MODES_ORDER, install_modes
from .node_events import EventRouter, status_of
from .screens.splash import SplashScreen
from .unread import SeenOffers
from .widgets.status_bar import StatusInfo

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from textual.screen import Screen

    from p2pshare.domain.activity import ActivityItem
    from p2pshare.events import Changed, DevicePaired, DevicePairingFailed
    from p2pshare.service.port import HomePort, NodePort

    from .actions import Action

log = logging.getLogger(__name__)


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
        Binding("5", "mode('activity')", "Activity", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit_app", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
        Binding("ctrl+t", "change_theme", "Theme", show=False),
    ]

    def __init__(
        self,
        home: HomePort,
        *,
        start_network: bool = True,
        clock: Callable[[], float] | None = None,
        passphrase: bytes | None = None,
    ) -> None:
        super().__init__()
        self.home = home
        self.start_network = start_network
        self.clock: Callable[[], float] = clock or time.time
        self._passphrase = passphrase
        self._invites: tuple[str, ...] = ()  # given at onboarding, dialled besides the configured
        self.node: NodePort | None = None  # once open
        self._opening = False
        self._network_pending = False
        self.seen = SeenOffers.in_home(home.path)
        self.activity_read = SeenOffers.in_home(home.path, "tui-activity-read.json")
        self.activity_items: list[ActivityItem] = []
        self.unread = 0
        self.drafts: dict[str, dict[str, Any]] = {}  # forms' unsent text (Shell.drafts)
        self.status_signal: Signal[StatusInfo] = Signal(self, "status")
        self.events = EventRouter(self, read_activity=self.load_activity)
        self.changed_signal: Signal[Changed] = self.events.changed
        self.devices_signal: Signal[DevicePaired | DevicePairingFailed] = self.events.devices

    # -- start -------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        return SplashScreen()

    def on_mount(self) -> None:
        from . import settings

        theme = settings.load(self.home.path).get("theme", "")  # the first frame's colours too
        if theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, self._keep_theme)

    def on_ready(self) -> None:
        """The first frame (the splash: "opening your home…") is on screen; now the rest."""
        if not self.home.has_identity():
            from .screens.onboarding import OnboardingScreen

            self.push_screen(OnboardingScreen(self.home), self._onboarded)
        elif self._passphrase is None and self.home.needs_passphrase():
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
        if invite := result.get("invite"):
            self._invites = (*self._invites, invite)
        self.open_node(result.get("passphrase"))

    @work(exclusive=True, group="open", exit_on_error=False)
    async def open_node(self, passphrase: bytes | None) -> None:
        node = self.home.node(passphrase=passphrase, peers=self._invites)
        node.subscribe(self.events.relay)
        # With nothing to ask again if opening fails, the feed paints at once, in its
        # loading state, while the identity and store open (DESIGN §2: first paint)
        feed_first = passphrase is None
        self._opening = True
        if feed_first:
            await self._show_feed(node)
        try:
            await node.open()
        except UserError as exc:
            await self._opening_failed(node, str(exc), encrypted=passphrase is not None)
            return
        except Exception as exc:  # a damaged home: say so, never a traceback
            log.exception("opening the home failed")
            await self._opening_failed(node, f"cannot open {self.home.path}: {exc}", False)
            return
        finally:
            self._opening = False
        self.node = node
        self.seen.load()
        self.activity_read.load()
        self.load_activity()
        if not feed_first:
            await self._show_feed(node)
        self.publish_status()  # the node is open: the feed reads it now (Shell.node_open)
        if self.start_network:
            self._network_pending = True
            self.set_timer(1.0, self.first_paint_done)  # in case the feed never reports

    async def _show_feed(self, node: NodePort) -> None:
        install_modes(self, node)
        await self.switch_mode("feed")

    @on(FeedPainted)
    def first_paint_done(self) -> None:
        """The feed is on screen: now start the network (importing libp2p blocks the loop)."""
        if self._network_pending:
            self._network_pending = False
            self.set_timer(0.1, self.run_network)

    async def _opening_failed(self, node: NodePort, reason: str, encrypted: bool) -> None:
        from .screens.dialogs import ErrorScreen

        await self._close(node)
        if encrypted and "passphrase" in reason:
            self._ask_passphrase(reason)
            return
        self.push_screen(
            ErrorScreen("p2pshare cannot open this home", reason), lambda _: self.exit()
        )

    @work(exclusive=True, group="network", exit_on_error=False)
    async def run_network(self) -> None:
        if self.node is None:
            return
        self.publish_status()  # "starting…"
        try:
            await self.node.start_network()
        except UserError:
            pass  # NodeFailed was emitted: status bar and a notification say why
        except Exception as exc:
            log.exception("starting the network failed")
            self.notify(f"the node could not start: {exc}", severity="error")
        self.publish_status()

    # -- events ------------------------------------------------------------

    @on(NodeEvent)
    def _node_event(self, message: NodeEvent) -> None:
        self.events.route(message.event)
        self.publish_status()

    @property
    def status_info(self) -> StatusInfo:
        node = self.node
        if node is None:
            reason = "opening your home…" if self._opening else ""
            return StatusInfo(state="offline", reason=reason, unread=self.unread)
        return replace(
            status_of(node.status, network_on=self.start_network, community=self.home.community),
            unread=self.unread,
            activity=self.activity_unread,
            needs_you=sum(1 for item in self.activity_items if item.needs_you),
        )

    @property
    def node_open(self) -> bool:
        return self.node is not None

    # -- activity ------------------------------------------------------------

    @property
    def activity_unread(self) -> int:
        read = self.activity_read
        return sum(1 for item in self.activity_items if item.id not in read)

    @work(exclusive=True, group="activity", exit_on_error=False)
    async def load_activity(self) -> None:
        if self.node is None:
            return
        self.activity_items = await self.node.activity()
        self.publish_status()

    @on(MarkActivityRead)
    def _mark_activity(self, message: MarkActivityRead) -> None:
        mark = self.activity_read.mark if message.read else self.activity_read.unmark
        if any([mark(item_id) for item_id in message.ids]):
            self.publish_status()
            self._save_activity_read()

    @work(group="activity-read", exclusive=True, thread=True)
    def _save_activity_read(self) -> None:
        self.activity_read.save()

    def publish_status(self) -> None:
        self.status_signal.publish(self.status_info)

    @on(UnreadCounted)
    def set_unread(self, message: UnreadCounted) -> None:
        if message.count != self.unread:
            self.unread = message.count
            self.publish_status()

    def _keep_theme(self, theme: object) -> None:
        self._save_settings(self.theme)

    @work(group="settings", exclusive=True, thread=True)
    def _save_settings(self, theme: str) -> None:
        from . import settings

        settings.save(self.home.path, theme=theme)

    # -- keys --------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A letter or digit typed into a field is text, never an app action (keys.py)."""
        from .keys import one_key_allowed  # with TextArea's module: no cost to the first frame

        return one_key_allowed(action, self.focused, self.screen)

    async def action_quit_app(self) -> None:
        await self.action_quit()

    async def action_quit(self) -> None:
        """Say "stopping…" while the node closes (the demo's take seconds), then exit."""
        node, self.node = self.node, None
        if node is not None:
            await self.push_screen(SplashScreen("stopping…"))
            await asyncio.sleep(0.05)  # paint it before the node's close takes the loop
            await self._close(node)
        self.exit()

    # -- navigation --------------------------------------------------------

    async def action_mode(self, name: str) -> None:
        if self.node is None or name not in MODES_ORDER:
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

        if self.node is not None:
            self.mark_seen(message.offer_id)
            self.push_screen(OfferScreen(self.node, message.offer_id))

    @on(OpenPeer)
    def open_peer(self, message: OpenPeer) -> None:
        from .screens.peer import PeerScreen

        if self.node is not None:
            self.push_screen(PeerScreen(self.node, message.member_id))

    @on(MarkOffersRead)
    def _mark_offers(self, message: MarkOffersRead) -> None:
        if any([self.seen.mark(offer_id) for offer_id in message.ids]):
            self._seen_changed()

    def mark_seen(self, offer_id: str) -> None:
        if self.seen.mark(offer_id):
            self._seen_changed()

    def _seen_changed(self) -> None:
        self.events.seen_changed()
        self._save_seen()

    @work(group="seen", exclusive=True, thread=True)
    def _save_seen(self) -> None:
        self.seen.save()

    # -- actions -------------------------------------------------------------

    @on(ActionRequested)
    def _action_requested(self, message: ActionRequested) -> None:
        self.send_action(message.action)

    @work(group="act", exit_on_error=False)
    async def send_action(self, action: Action) -> None:
        """Send a member's action; a refusal becomes a notification with its one-line reason."""
        if self.node is None:
            return
        try:
            await action.send(self.node)
        except UserError as exc:
            self.notify(str(exc), title=f"{action.VERB} refused", severity="error", timeout=8)
            return
        self.notify(action.done, timeout=3)

    # -- command palette -----------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        from .palette import system_commands

        yield from super().get_system_commands(screen)
        yield from system_commands(self, screen)

    # -- quit ----------------------------------------------------------------

    async def on_unmount(self) -> None:
        """However the app ends (q, ctrl+c, an error), the node stops and the store closes.

        The app's Unmount comes after its screens are gone and before the
        terminal is restored, so nothing is printed over the screen.
        """
        node, self.node = self.node, None
        if node is not None:
            await self._close(node)

    async def _close(self, node: NodePort) -> None:
        try:
            await asyncio.wait_for(node.close(), timeout=3)
        except Exception:
            log.exception("closing the node failed")
