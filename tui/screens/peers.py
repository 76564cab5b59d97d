"""Everyone this member knows: trust, vouches, fulfilled and failed, connection state.

One row per member, however many device keys sign for it (issue 15): a member with
several reads "2 devices" first among its marks; the peer's page lists them.

Trust is the member's standing ("top 12%", as `p2pshare peers` writes it), which does
not jump when a new best peer appears; names are told apart by the fingerprint the
views give look-alikes, kept when the column cuts a long name; every text a member
wrote is a plain Text with its invisible characters escaped (tui/fmt.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.widgets import DataTable, Input

from ..fmt import name_fit, plain, trust_level, trust_text
from ..messages import OpenPeer
from .base import NodeScreen

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from p2pshare.domain.views import PeerItem
    from p2pshare.events import Changed
    from p2pshare.service.port import NodePort

    from ..widgets.status_bar import StatusInfo

TRUST_STYLE = {"-trusted": "bold green", "-known": "yellow", "-untrusted": "red"}


NAME_WIDTH = 20


def trust_cell(standing: float) -> Text:
    """A standing in words, colored by level: "top 12%", "none"."""
    return Text(trust_text(standing), style=TRUST_STYLE[trust_level(standing)], justify="right")


class PeersScreen(NodeScreen):
    MODE = "peers"
    BINDINGS = [
        Binding("enter", "open", "Open", show=False),
        Binding("slash", "search", "Search"),
        Binding("escape", "clear", "Clear", show=False),
    ]

    def __init__(self, node: NodePort) -> None:
        super().__init__(node)
        self.peers: list[PeerItem] = []
        self._query = ""

    def body(self) -> ComposeResult:
        yield Input(placeholder="find by name or skill", id="peer-search", classes="-hidden")
        table: DataTable[str | Text] = DataTable(id="peers", cursor_type="row", zebra_stripes=True)
        yield table

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = "Peers"
        table = self.query_one(DataTable)
        table.add_column("", key="conn", width=2)
        table.add_column("name", key="name", width=NAME_WIDTH)
        table.add_column("trust", key="trust", width=8)
        table.add_column("vouches", key="vouches", width=7)
        table.add_column("fulfilled", key="fulfilled", width=9)
        table.add_column("failed", key="failed", width=6)
        table.add_column("skills", key="skills", width=26)
        table.add_column("marks", key="marks", width=20)
        table.add_column("headline", key="headline")
        table.focus()
        self.load()

    def on_changed(self, event: Changed) -> None:
        if event.peers or event.trust:
            self.load()

    def _show_status(self, info: StatusInfo) -> None:
        super()._show_status(info)
        if self.peers:  # connection dots follow the node's peer events
            self.load()

    @work(exclusive=True, group="peers", exit_on_error=False)
    async def load(self) -> None:
        self.peers = await self.node.peers()
        self._fill()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        query = self._query.casefold()
        rows = [
            p
            for p in self.peers
            if not query or query in f"{p.display_name} {' '.join(p.skills)}".casefold()
        ]
        current = {str(k.value) for k in table.rows}
        wanted = [p.id for p in rows]
        if list(current) and [str(k.value) for k in table.rows] == wanted:
            for p in rows:  # same peers, same order: update the cells in place
                for column, value in self._cells(p).items():
                    table.update_cell(p.id, column, value)
            return
        cursor = table.cursor_row
        table.clear()
        for p in rows:
            table.add_row(*self._cells(p).values(), key=p.id)
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))

    def _cells(self, p: PeerItem) -> dict[str, str | Text]:
        marks = ", ".join(
            m
            for m, on_ in (
                (f"{len(p.devices)} devices", len(p.devices) > 1),
                ("vouched", bool(p.vouched_by_me)),
                ("muted", p.muted),
                ("blocked", p.blocked),
            )
            if on_
        )
        return {
            "conn": _reach_cell(p),
            "name": Text(name_fit(p.name, p.display_name, NAME_WIDTH)),
            "trust": trust_cell(p.standing),
            "vouches": str(p.vouches),
            "fulfilled": str(p.fulfilled),
            "failed": str(p.failed),
            "skills": plain(", ".join(p.skills)),
            "marks": marks,
            "headline": plain(p.headline),
        }

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.post_message(OpenPeer(str(event.row_key.value)))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            self.post_message(OpenPeer(str(key.value)))

    def action_search(self) -> None:
        search = self.query_one("#peer-search", Input)
        search.remove_class("-hidden")
        search.focus()

    def action_clear(self) -> None:
        search = self.query_one("#peer-search", Input)
        search.value = ""
        search.add_class("-hidden")
        self.query_one(DataTable).focus()

    @on(Input.Changed, "#peer-search")
    def _search(self, event: Input.Changed) -> None:
        self._query = event.value.strip()
        self._fill()

    @on(Input.Submitted, "#peer-search")
    def _search_done(self) -> None:
        self.query_one(DataTable).focus()


def _reach_cell(p: PeerItem) -> Text:
    """How the node reaches a peer now: ● direct, ◐ through a relay, ○ not connected."""
    if p.connection == "relayed":
        return Text("◐", style="yellow")
    if p.connected:
        return Text("●", style="green")
    return Text("○", style="dim")
