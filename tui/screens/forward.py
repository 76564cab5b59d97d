"""Forward an offer: peers ranked by trust and skill match, fuzzy search, a note.

Peers are named as the views show them (a fingerprint after look-alike names, so the
offer goes to the "Node A" meant) and ranked by standing, shown as "top 12%".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal
from textual.fuzzy import Matcher
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ..fmt import plain, safe, trust_level, trust_text
from ..messages import ForwardChoice
from .dialogs import Dialog, DialogFrame

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from p2pshare.domain.views import PeerItem
    from p2pshare.service.port import NodePort


def rank(peer: PeerItem, skills: list[str]) -> float:
    match = len(set(skills) & set(peer.skills)) / len(skills) if skills else 0.0
    return 0.7 * peer.standing + 0.3 * match + (0.05 if peer.available else 0.0)


class ForwardScreen(Dialog):
    """Returns a ForwardChoice (to=None: the whole network), or None if cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+n", "network", "To the network"),
        Binding("down", "focus_list", "Peers", show=False),
    ]

    def __init__(self, node: NodePort, title: str, skills: list[str], author: str = "") -> None:
        super().__init__()
        self.node = node
        self._title = title
        self._skills = skills
        self._author = author  # the offer's author: never a choice
        self._peers: list[PeerItem] = []

    def compose(self) -> ComposeResult:
        with DialogFrame(classes="dialog -wide", id="forward"):
            yield Label(plain(f"Forward “{self._title}”"), classes="dialog-title")
            yield Input(placeholder="find a peer by name or skill", id="find")
            yield OptionList(id="peers")
            yield Input(placeholder="note (sealed to them; public on a network forward)", id="note")
            yield Static("", id="error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Forward to peer", variant="primary", id="ok")
                yield Button("To the whole network", id="network")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#find", Input).focus()
        self._load()

    @work(exclusive=True, group="forward-peers", exit_on_error=False)
    async def _load(self) -> None:
        peers = await self.node.peers()
        self._peers = sorted(
            (p for p in peers if not p.blocked and p.id != self._author),
            key=lambda p: (-rank(p, self._skills), p.name.casefold(), p.id),
        )
        self._show("")

    def _show(self, query: str) -> None:
        peers = self._peers
        if not query:  # strangers (no trust at all) only when searched for
            peers = [p for p in peers if p.standing > 0.0] or peers
        else:
            matcher = Matcher(query)
            scored = [
                (matcher.match(f"{p.display_name or p.name} {' '.join(p.skills)}"), p)
                for p in peers
            ]
            peers = [p for score, p in sorted(scored, key=lambda sp: -sp[0]) if score > 0]
        options = self.query_one("#peers", OptionList)
        options.clear_options()
        for peer in peers:
            shared = [s for s in peer.skills if s in self._skills]
            level = trust_level(peer.standing)[1:]
            color = {"trusted": "$success", "known": "$warning", "untrusted": "$error"}[level]
            label = (
                f"[b]{safe(peer.display_name or peer.name)}[/b]"
                f"  [{color}]{trust_text(peer.standing)}[/]"
                f"  [dim]{safe(', '.join(peer.skills[:5]))}[/dim]"
                + (f"  [$accent]matches {safe(', '.join(shared))}[/]" if shared else "")
                + ("" if peer.available else "  [dim](unavailable)[/dim]")
            )
            options.add_option(Option(label, id=peer.id))
        if peers:
            options.highlighted = 0
        else:
            options.add_option(
                Option("[dim]no peers known yet — forward to the network[/dim]", disabled=True)
            )

    @on(Input.Changed, "#find")
    def _find(self, event: Input.Changed) -> None:
        self._show(event.value.strip())

    @on(Input.Submitted, "#find")
    def _find_done(self, event: Input.Submitted) -> None:
        """Enter after a name forwards to the best match; with nothing typed, go to the list."""
        if event.value.strip() and self.query_one("#peers", OptionList).highlighted is not None:
            self._ok()
        else:
            self.query_one("#peers", OptionList).focus()

    def action_focus_list(self) -> None:
        self.query_one("#peers", OptionList).focus()

    @on(OptionList.OptionSelected)
    def _selected(self) -> None:
        self._ok()

    @on(Input.Submitted, "#note")
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        options = self.query_one("#peers", OptionList)
        option = options.highlighted_option
        if option is None or option.disabled or option.id is None:
            self.query_one("#error", Static).update(
                "choose a peer, or forward to the whole network"
            )
            return
        self.dismiss(ForwardChoice(to=option.id, note=self.query_one("#note", Input).value.strip()))

    @on(Button.Pressed, "#network")
    def action_network(self) -> None:
        self.dismiss(ForwardChoice(to=None, note=self.query_one("#note", Input).value.strip()))

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
