"""The screen under everything: what shows before the first main screen, or while the
node stops ("stopping…"), when there is nothing else to show."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.app import ComposeResult


class SplashScreen(Screen[None]):
    """The app's name and what it is doing."""

    def __init__(self, doing: str = "opening your home…") -> None:
        super().__init__()
        self._doing = doing

    def compose(self) -> ComposeResult:
        yield Static(f"p2pshare\n\n{self._doing}", id="splash")
