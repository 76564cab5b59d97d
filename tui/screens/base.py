"""What every main screen shares: header, status bar, footer, the node and the app's signals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.screen import Screen
from textual.widgets import Footer, Header

from ..actions import AcceptOffer, Action, ForwardOffer
from ..messages import ActionRequested, ForwardChoice
from ..widgets.nav import NavBar
from ..widgets.status_bar import StatusBar, StatusInfo

if TYPE_CHECKING:
    from collections.abc import Sequence

    from textual.app import ComposeResult

    from p2pshare.events import Changed
    from p2pshare.service.port import NodePort

    from ..shell import Shell


class NodeScreen(Screen[Any]):
    """A screen over the node: composes `body()` between the header and the status bar."""

    MODE = ""  # the main screen this page belongs to, lit in the tab line

    def __init__(self, node: NodePort) -> None:
        super().__init__()
        self.node = node
        self._subscribed = False

    @property
    def shell(self) -> Shell:
        return cast("Shell", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield NavBar(self.MODE)
        yield from self.body()
        yield StatusBar()
        yield Footer(compact=True)

    def body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        # Textual calls this for a subclass's Mount as well as the subclass's own
        # on_mount (which also calls it through super()): subscribe once only.
        if not self._subscribed:
            self._subscribed = True
            self.shell.status_signal.subscribe(self, self._show_status)
            self.shell.changed_signal.subscribe(self, self.on_changed)
        self._show_status(self.shell.status_info)

    def _show_status(self, info: StatusInfo) -> None:
        for bar in self.query(StatusBar):
            bar.show(info)
        for nav in self.query(NavBar):
            nav.show_activity(info.activity, info.needs_you)

    def on_changed(self, event: Changed) -> None:
        """Records changed: refresh what this screen shows of them (in place)."""

    # -- actions shared by the feed and the offer page ---------------------------

    def request(self, action: Action) -> None:
        """Hand an action to the app, which sends it and says how it went."""
        self.post_message(ActionRequested(action))

    def ask_accept(self, offer_id: str, title: str) -> None:
        from .dialogs import NoteScreen

        def done(note: str | None) -> None:
            if note is not None:
                self.request(AcceptOffer(offer_id=offer_id, note=note))

        self.app.push_screen(
            NoteScreen(f"Accept “{title}”", "Accept", "a note for the author (optional)"), done
        )

    def ask_forward(
        self, offer_id: str, title: str, skills: Sequence[str], author: str = ""
    ) -> None:
        from .forward import ForwardScreen

        def done(choice: ForwardChoice | None) -> None:
            if choice is not None:
                self.request(ForwardOffer(offer_id=offer_id, to=choice.to, note=choice.note))

        self.app.push_screen(ForwardScreen(self.node, title, list(skills), author), done)
