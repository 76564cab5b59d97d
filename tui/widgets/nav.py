"""The tab line under the header: the main screens, clickable, the current one lit.

Activity carries its count of unread items (`!` when one needs you).
"""

from __future__ import annotations

from textual.widgets import Static

TABS = (
    ("feed", "1 Feed"),
    ("handoffs", "2 Hand-offs"),
    ("peers", "3 Peers"),
    ("profile", "4 Profile"),
    ("activity", "5 Activity"),
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
        self.activity = 0
        self.needs_you = 0

    def on_mount(self) -> None:
        self._paint()

    def show_activity(self, unread: int, needs_you: int) -> None:
        if (unread, needs_you) != (self.activity, self.needs_you):
            self.activity, self.needs_you = unread, needs_you
            self._paint()

    def _paint(self) -> None:
        parts = []
        for mode, label in TABS:
            if mode == "activity" and (self.activity or self.needs_you):
                label += " " + (f"[b]{self.activity}[/b]" if self.activity else "")
                label += "[b $warning]![/]" if self.needs_you else ""
            if mode == self.current:
                parts.append(f"[b reverse $accent] {label} [/]")
            else:
                parts.append(f"[@click=app.mode('{mode}')] {label} [/]")
        self.update(" ".join(parts) + "  [dim]? help · ^p commands[/dim]")
