"""The tab line under the header: the four main screens, clickable, the current one lit."""

from __future__ import annotations

from textual.widgets import Static

TABS = (
    ("feed", "1 Feed"),
    ("handoffs", "2 Hand-offs"),
    ("peers", "3 Peers"),
    ("profile", "4 Profile"),
)


class NavBar(Static):
    DEFAULT_CSS = """
    NavBar {
        height: 1;
        background: $boost;
        padding: 0 1;
    }
    """

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def on_mount(self) -> None:
        parts = []
        for mode, label in TABS:
            if mode == self.current:
                parts.append(f"[b reverse $accent] {label} [/]")
            else:
                parts.append(f"[@click=app.mode('{mode}')] {label} [/]")
        self.update("  ".join(parts) + "   [dim]? help · ctrl+p commands[/dim]")
