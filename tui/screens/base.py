"""What every main screen shares: header, status bar, footer and the app's signals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header

from p2pshare.events import Changed
from p2pshare.service.api import NodeAPI

from ..widgets.nav import NavBar
from ..widgets.status_bar import StatusBar, StatusInfo

if TYPE_CHECKING:
    from ..app import P2PShareApp


class NodeScreen(Screen[Any]):
    """A screen over the node API: composes `body()` between the header and the status bar."""

    def __init__(self, api: NodeAPI) -> None:
        super().__init__()
        self.api = api

    @property
    def papp(self) -> P2PShareApp:
        return cast("P2PShareApp", self.app)

    MODE = ""  # the main screen this page belongs to, lit in the tab line

    def compose(self) -> ComposeResult:
        yield Header()
        yield NavBar(self.MODE)
        yield from self.body()
        yield StatusBar()
        yield Footer(compact=True)

    def body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.papp.status_signal.subscribe(self, self._show_status)
        self.papp.changed_signal.subscribe(self, self.on_changed)
        self._show_status(self.papp.status_info)

    def _show_status(self, info: StatusInfo) -> None:
        for bar in self.query(StatusBar):
            bar.show(info)

    def on_changed(self, event: Changed) -> None:
        """Records changed: refresh what this screen shows of them (in place)."""
