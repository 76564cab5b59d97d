"""Activity: everything that needs you, and what became of what you passed on.

The app keeps the items (it counts them for the tab line whatever screen is up)
and which were read; this screen lists them, newest first, those that need you
on top. Enter does the item's one thing: confirm an outcome (the dialog starts
from what the author reported), open the offer to hand it off, or open it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.widgets import DataTable, Static

from ..actions import ReportOutcome
from ..fmt import one_line
from ..messages import MarkActivityRead, OpenOffer
from .base import NodeScreen

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from p2pshare.domain.activity import ActivityItem

    from ..widgets.status_bar import StatusInfo

EMPTY = (
    "Nothing here yet. When someone accepts your offer, hands one to you, reports an "
    "outcome or vouches for you, and whatever becomes of the offers you forward, it shows "
    "here. Press 1 for the feed: n posts an offer, f forwards one."
)


def ordered(items: list[ActivityItem]) -> list[ActivityItem]:
    """Those that need you first, then the rest; each newest first (as given)."""
    return [i for i in items if i.needs_you] + [i for i in items if not i.needs_you]


class ActivityScreen(NodeScreen):
    MODE = "activity"
    BINDINGS = [
        Binding("enter", "do", "Do it", show=False),
        Binding("m", "toggle_read", "Mark read"),
        Binding("M", "all_read", "Mark all read"),
    ]

    def body(self) -> ComposeResult:
        yield Static(id="activity-intro")
        yield DataTable(id="activity", cursor_type="row", zebra_stripes=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = "Activity"
        table = self.query_one(DataTable)
        table.focus()
        self.items: list[ActivityItem] = []
        self.show(self.shell.activity_items)

    def _show_status(self, info: StatusInfo) -> None:
        super()._show_status(info)
        if getattr(self, "items", None) is not None and self.is_mounted:
            current = self.shell.activity_items
            if [i.id for i in ordered(current)] != [i.id for i in self.items]:
                self.show(current)
            else:
                self.repaint_marks()

    def on_resize(self) -> None:
        if getattr(self, "items", None) is not None:
            self.show(self.shell.activity_items)

    def _columns(self, table: DataTable[Any]) -> None:
        """Columns afresh: the text takes the rest of the width (cut with an ellipsis)."""
        width = max(20, self.app.size.width - 2 - 12 - 8)
        table.clear(columns=True)
        table.add_column("", key="mark", width=2)
        table.add_column("when", key="when", width=12)
        table.add_column("what", key="what", width=width)

    def show(self, items: list[ActivityItem]) -> None:
        table = self.query_one(DataTable)
        keep = self.current
        self._columns(table)
        self.items = ordered(items)
        for item in self.items:
            table.add_row(self._mark(item), self._when(item.at), self._what(item), key=item.id)
        if keep is not None and keep.id in {i.id for i in self.items}:
            table.move_cursor(row=next(n for n, i in enumerate(self.items) if i.id == keep.id))
        waiting = sum(1 for i in self.items if i.needs_you)
        intro = self.query_one("#activity-intro", Static)
        if not self.items:
            intro.update(EMPTY)
        else:
            head = f"{waiting} need{'s' if waiting == 1 else ''} you · " if waiting else ""
            intro.update(
                f"{head}enter: confirm, hand off or open · m: mark read · M: mark all read"
            )

    def repaint_marks(self) -> None:
        table = self.query_one(DataTable)
        for item in self.items:
            table.update_cell(item.id, "mark", self._mark(item))
            table.update_cell(item.id, "what", self._what(item))

    def _read(self, item: ActivityItem) -> bool:
        return item.id in self.shell.activity_read

    def _mark(self, item: ActivityItem) -> Text:
        if item.needs_you:
            return Text("!", style="bold yellow")
        return Text("●", style="bold") if not self._read(item) else Text(" ")

    def _what(self, item: ActivityItem) -> Text:
        style = "" if self._read(item) and not item.needs_you else "bold"
        # the text quotes titles, notes and names members wrote: escaped, on one line
        return Text(one_line(item.text), style=style, overflow="ellipsis", no_wrap=True)

    def _when(self, at: int) -> str:
        now = self.shell.clock()
        ago = max(0, int(now) - at)
        if ago < 60:
            return "just now"
        if ago < 3600:
            return f"{ago // 60} min ago"
        if ago < 86400:
            return f"{ago // 3600} h ago"
        return dt.datetime.fromtimestamp(at).strftime("%d %b %H:%M")

    @property
    def current(self) -> ActivityItem | None:
        table = self.query_one(DataTable)
        if not getattr(self, "items", None) or not 0 <= table.cursor_row < len(self.items):
            return None
        return self.items[table.cursor_row]

    # -- actions -------------------------------------------------------------

    @on(DataTable.RowSelected)
    def action_do(self) -> None:
        item = self.current
        if item is None:
            return
        self.post_message(MarkActivityRead((item.id,)))
        if item.action == "confirm" and item.outcome is not None:
            self.ask_confirm(item, item.outcome)
        elif item.offer:
            self.post_message(OpenOffer(item.offer))

    def ask_confirm(self, item: ActivityItem, reported: dict[str, Any]) -> None:
        from .dialogs import OutcomeScreen

        def done(result: dict[str, Any] | None) -> None:
            if result is not None:
                result["to"] = None  # my confirmation of the hand-off to me
                self.request(ReportOutcome(offer_id=item.offer, **result))

        self.app.push_screen(
            OutcomeScreen(
                item.offer_title, [], reported=reported, by=item.who_display_name or item.who_name
            ),
            done,
        )

    def action_toggle_read(self) -> None:
        if (item := self.current) is not None:
            self.post_message(MarkActivityRead((item.id,), read=not self._read(item)))

    def action_all_read(self) -> None:
        self.post_message(MarkActivityRead(tuple(i.id for i in self.items)))
