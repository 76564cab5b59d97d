"""Hand-offs: what I posted or forwarded and where it stands; what came to me.

Titles and names are what members wrote: escaped in the cells, and names are
told apart as the views show them (`display_name`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.binding import Binding
from textual.widgets import DataTable, Static

from ..fmt import safe, shown_name, status_word
from ..messages import OpenOffer
from .base import NodeScreen

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from p2pshare.domain.views import FeedItem
    from p2pshare.events import Changed

SCAN_LIMIT = 500  # others' offers checked for a forward of mine (newest first)


def stage(item: FeedItem, detail: dict[str, Any], me: str, role: str) -> tuple[str, str]:
    """(where it stands, the next step) for one row."""
    status = item.status
    handoffs = detail["handoffs"]
    if role == "posted":
        if status == "open":
            if not item.accepts:
                return "waiting for accepts", "open it (enter) to forward it to someone capable"
            n = item.accepts
            return f"{n} accept{'s' if n != 1 else ''}", "open it (enter), h hands it off"
        if status == "handed_off":
            names = ", ".join(shown_name(h["to"]) for h in handoffs)
            return f"handed to {names}", "open it (enter), o reports the outcome"
        return status_word(status), ""
    if role == "forwarded":
        mine = [f for f in detail["forwards"] if f["from"]["id"] == me]
        targets = ", ".join(shown_name(f["to"]) if f["to"] else "the network" for f in mine)
        return f"forwarded to {targets}", status_word(status)
    if role == "handed to me":
        if status == "handed_off":
            return "handed to you: contact unlocked", "do the work; the author reports it"
        handed = next((h for h in handoffs if h["to"]["id"] == me), None)
        if handed is not None and handed.get("outcome") and not handed.get("confirmation"):
            return f"reported {status_word(status)}", "confirm it: 5 Activity, enter"
        return status_word(status), ""
    if role == "accepted":
        if handoffs:
            return "handed to someone else", status_word(status)
        return "you accepted", "waiting for the author's hand-off"
    return "forwarded to you", "open it (enter): accept, forward or decline (d on the feed)"


class HandoffsScreen(NodeScreen):
    MODE = "handoffs"
    BINDINGS = [
        Binding("enter", "open", "Open", show=False),
        Binding("r", "reload", "Refresh"),
    ]

    def body(self) -> ComposeResult:
        yield Static("Where what you passed on stands, and what came to you.", id="handoffs-intro")
        table: DataTable[str] = DataTable(id="handoffs", cursor_type="row", zebra_stripes=True)
        yield table

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = "Hand-offs"
        table = self.query_one(DataTable)
        table.add_columns("role", "offer", "status", "where it stands", "next step")
        self._stale = True
        self.load()

    def on_screen_resume(self) -> None:
        if getattr(self, "_stale", False):
            self.load()

    def on_changed(self, event: Changed) -> None:
        if event.offers:
            self._stale = True
            if self.is_current:
                self.load()

    def action_reload(self) -> None:
        self.load()

    @work(exclusive=True, group="handoffs", exit_on_error=False)
    async def load(self) -> None:
        self._stale = False
        me = self.node.member_id
        items = await self.node.feed(include_closed=True)
        rows: list[tuple[str, FeedItem, dict[str, Any]]] = []
        others = sorted(
            (i for i in items if not (i.mine or i.handed_to_me or i.accepted or i.for_me)),
            key=lambda i: -i.created_at,
        )[:SCAN_LIMIT]
        for item in [
            i for i in items if i.mine or i.handed_to_me or i.accepted or i.for_me
        ] + others:
            detail = await self.node.offer(item.id)
            forwarded = any(f["from"]["id"] == me for f in detail["forwards"])
            if item.mine:
                role = "posted"
            elif item.handed_to_me:
                role = "handed to me"
            elif item.accepted:
                role = "accepted"
            elif forwarded:
                role = "forwarded"
            elif item.for_me:
                role = "for me"
            else:
                continue
            rows.append((role, item, detail))
        order = {"posted": 0, "forwarded": 1, "handed to me": 2, "accepted": 3, "for me": 4}
        rows.sort(key=lambda r: (order[r[0]], -r[1].created_at))
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for role, item, detail in rows:
            where, step = stage(item, detail, me, role)
            title = safe(item.title[:40])  # the cells are markup: escaped
            table.add_row(role, title, status_word(item.status), safe(where), step, key=item.id)
        if not rows:
            table.add_row("", "nothing yet: post (n on the feed) or forward an offer", "", "", "")
        elif cursor < len(rows):
            table.move_cursor(row=cursor)

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.post_message(OpenOffer(str(event.row_key.value)))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            if key.value:
                self.post_message(OpenOffer(str(key.value)))
