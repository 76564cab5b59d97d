"""A peer's page: profile, history, why I trust them (the paths from me drawn as a tree,
widgets/trust_paths.py); vouch, revoke, mute, block.

A member may sign with several device keys (issue 15): the page lists them under its
member id. Their name is the views' `display_name` (a fingerprint after a name that looks like
another's), their trust a standing ("top 12%"), and all they wrote is escaped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import work
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, Static

from p2pshare.errors import UserError

from ..actions import RevokeVouch, VouchFor
from ..fmt import safe, shown_name
from ..widgets.badge import TrustBadge
from ..widgets.trust_paths import TrustPaths
from .base import NodeScreen

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from p2pshare.domain.views import PeerItem
    from p2pshare.events import Changed
    from p2pshare.service.port import NodePort


def explain_rest(report: dict[str, Any], *, drawn: bool) -> str:
    """The explanation's lines the drawing does not already say: with the paths drawn, the
    evidence and the factors under them; without, every line."""
    lines = list(report.get("explanation", []))
    if drawn:  # the score is in the badge, the paths and the remainder in the tree
        lines = [
            line.strip()
            for line in lines[1:]
            if not line.lstrip().startswith(("you ", "and other paths"))
        ]
    return "\n".join(safe(line) for line in lines) or ("" if drawn else "[dim]—[/dim]")


def device_lines(p: PeerItem) -> list[str]:
    """'devices    <id>' and one line for each further key; one line when the member's
    own key is its only one."""
    devices = [d for d in p.devices if d] or [p.id]
    if devices == [p.id]:
        return ["devices    one, its member key"]
    pad = " " * len("devices    ")
    return [f"{'devices    ' if i == 0 else pad}{escape(d)}" for i, d in enumerate(devices)]


class PeerScreen(NodeScreen):
    BINDINGS = [
        Binding("escape,backspace", "back", "Back"),
        Binding("v", "vouch", "Vouch"),
        Binding("r", "revoke", "Revoke vouch"),
        Binding("m", "mute", "Mute/unmute"),
        Binding("b", "block", "Block/unblock"),
    ]

    def __init__(self, node: NodePort, member_id: str) -> None:
        super().__init__(node)
        self.member_id = member_id
        self.peer: PeerItem | None = None
        self.report: dict[str, Any] | None = None

    def body(self) -> ComposeResult:
        with VerticalScroll(id="peer"):
            with Horizontal(id="peer-head"):
                yield Label("", id="peer-name")
                yield TrustBadge(0.0, id="peer-trust")
                yield Label("", id="peer-conn", classes="chip")
            yield Static("loading…", id="peer-profile")
            yield Label("History", classes="section")
            yield Static("", id="peer-history")
            yield Label("Why this trust", classes="section")
            yield TrustPaths("", id="peer-paths")
            yield Static("", id="peer-explain")
            yield Label("Their offers", classes="section")
            yield Static("", id="peer-offers")

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = "Peer"
        self.load()

    def on_changed(self, event: Changed) -> None:
        if event.peers or event.trust or event.offers:
            self.load()

    @work(exclusive=True, group="peer", exit_on_error=False)
    async def load(self) -> None:
        try:
            peers = await self.node.peers()
            self.report = await self.node.trust(self.member_id, explain=True)
            feed = await self.node.feed(include_closed=True)
        except UserError as exc:
            self.query_one("#peer-profile", Static).update(f"[$error]{escape(str(exc))}[/]")
            return
        self.peer = next((p for p in peers if p.id == self.member_id), None)
        p, r = self.peer, self.report
        self.query_one("#peer-name", Label).update(escape(shown_name(r)))
        self.query_one("#peer-trust", TrustBadge).set_standing(r.get("standing", 0.0))
        conn = self.query_one("#peer-conn", Label)
        connected = bool(p and p.connected)
        conn.update("connected" if connected else "not connected")
        conn.set_classes("chip -connected" if connected else "chip")
        if p is not None:
            marks = [m for m, on in (("muted", p.muted), ("blocked", p.blocked)) if on]
            lines = [
                safe(p.headline) or "[dim]no headline[/dim]",
                f"skills     {safe(', '.join(p.skills)) or '—'}",
                f"region     {safe(p.region) or '—'}",
                f"available  {'yes' if p.available else 'no'}",
                f"member id  {p.id}",
                *device_lines(p),
            ]
            if marks:
                lines.append(f"[b $warning]{', '.join(marks)}[/] (only on this machine)")
            self.query_one("#peer-profile", Static).update("\n".join(lines))
            vouched = "yes (r to revoke)" if p.vouched_by_me else "no (v to vouch)"
            self.query_one("#peer-history", Static).update(
                f"vouches for them  {p.vouches}     vouched by you  {vouched}\n"
                f"fulfilled hand-offs  {p.fulfilled}     failed  {p.failed}"
                f"     routed to a fulfiller  {p.connector_credit}"
            )
        paths = r.get("paths", [])
        self.query_one("#peer-paths", TrustPaths).show(paths, r.get("more_paths"))
        self.query_one("#peer-explain", Static).update(explain_rest(r, drawn=bool(paths)))
        theirs = [i for i in feed if i.author == self.member_id][:20]
        self.query_one("#peer-offers", Static).update(
            "\n".join(f"• {safe(i.title)}  [dim]{i.status}[/dim]" for i in theirs)
            or "[dim]none that you hold[/dim]"
        )
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "revoke":
            return bool(self.peer and self.peer.vouched_by_me)
        if action == "vouch":
            return bool(self.peer and not self.peer.vouched_by_me)
        return True

    def action_back(self) -> None:
        self.dismiss()

    def action_vouch(self) -> None:
        from .dialogs import VouchScreen

        if self.peer is None:
            return
        name = self.peer.display_name or self.peer.name

        def done(result: dict[str, Any] | None) -> None:
            if result is not None:
                self.request(VouchFor(member_id=self.member_id, name=escape(name), **result))

        # the app's notice of the vouch is markup: the name goes in escaped
        self.app.push_screen(VouchScreen(name, self.peer.skills), done)

    def action_revoke(self) -> None:
        if self.peer and self.peer.vouched_by_me:
            self.request(RevokeVouch(vouch_id=self.peer.vouched_by_me))

    def action_mute(self) -> None:
        if self.peer is not None:
            self._mark("muted", not self.peer.muted)

    def action_block(self) -> None:
        if self.peer is not None:
            self._mark("blocked", not self.peer.blocked)

    @work(group="mark", exit_on_error=False)
    async def _mark(self, mark: str, on: bool) -> None:
        try:
            await self.node.mark(self.member_id, mark, on)
        except UserError as exc:
            self.notify(str(exc), severity="error")
            return
        name = (self.peer.display_name or self.peer.name) if self.peer else ""
        word = {"muted": "muted", "blocked": "blocked"}[mark]
        self.notify(f"{escape(name)} {word if on else 'un' + word}", timeout=3)
