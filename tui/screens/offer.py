"""An offer's page: description, the verified forward chain, accepts, hand-offs, outcome.

What members wrote is shown escaped (tui/fmt.py): names told apart as the views give
them (`display_name`), titles and notes on one line, the description and messages
beside their label with every line in the body's column; trust as a standing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, Static

from p2pshare.errors import UserError

from ..actions import HandOff, ReportOutcome, SayMessage, WithdrawOffer
from ..fmt import ago, labelled, money, safe, shown_name, status_word, trust_text, until
from ..widgets.badge import TrustBadge, trust_markup
from .base import NodeScreen

if TYPE_CHECKING:
    from rich.table import Table
    from textual.app import ComposeResult

    from p2pshare.events import Changed
    from p2pshare.service.port import NodePort


def _who(person: dict[str, Any], me: str) -> str:
    if person["id"] == me:
        return "[b]you[/b]"
    name = escape(shown_name(person))
    return f"[b]{name}[/b] {trust_markup(person.get('standing', 0.0))}"


class OfferScreen(NodeScreen):
    BINDINGS = [
        Binding("escape,backspace", "back", "Back"),
        Binding("a", "accept", "Accept"),
        Binding("f", "forward", "Forward"),
        Binding("h", "handoff", "Hand off"),
        Binding("o", "outcome", "Outcome"),
        Binding("w", "withdraw", "Withdraw"),
        Binding("s", "say", "Message"),
    ]

    def __init__(self, node: NodePort, offer_id: str) -> None:
        super().__init__(node)
        self.offer_id = offer_id
        self.detail: dict[str, Any] | None = None
        self.talk: list[dict[str, Any]] = []

    def body(self) -> ComposeResult:
        with VerticalScroll(id="offer"):
            with Horizontal(id="offer-head"):
                yield Label("", id="offer-title")
                yield Label("", id="offer-status", classes="chip")
            with Horizontal(id="offer-by"):
                yield Label("", id="offer-author")
                yield TrustBadge(0.0, id="offer-trust")
            yield Static("loading…", id="offer-meta")
            yield Static("", id="offer-description")
            yield Static("", id="offer-contact")
            yield Label("Forward chain", classes="section")
            yield Static("", id="offer-chain")
            yield Label("Accepted by", classes="section")
            yield Static("", id="offer-accepts")
            yield Label("Conversation", classes="section")
            yield Static("", id="offer-talk")
            yield Label("Hand-off and outcome", classes="section")
            yield Static("", id="offer-handoffs")

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = "Offer"
        self.load()

    @property
    def me(self) -> str:
        return self.node.member_id

    @property
    def mine(self) -> bool:
        return self.detail is not None and self.detail["author"]["id"] == self.me

    def on_changed(self, event: Changed) -> None:
        if self.detail is None:
            return
        if event.trust or any(rid.hex() == self.detail["id"] for rid in event.offers):
            self.load()

    @work(exclusive=True, group="offer", exit_on_error=False)
    async def load(self) -> None:
        try:
            self.detail = await self.node.offer(self.offer_id)
        except UserError as exc:
            self.query_one("#offer-meta", Static).update(f"[$error]{escape(str(exc))}[/]")
            return
        self.offer_id = self.detail["id"]
        self._show(self.detail)
        self.refresh_bindings()
        self.talk = await self.node.conversation(self.offer_id)
        self.query_one("#offer-talk", Static).update(self._talk(self.talk))

    def _talk(self, talk: list[dict[str, Any]]) -> str | Table:
        if not talk:
            return "[dim]no messages yet · s writes to everyone on this offer (sealed)[/dim]"
        now = self.shell.clock()
        return labelled(
            [
                (
                    Text.assemble(
                        (shown_name({"name": m["who_name"]}), "bold"),
                        " ",
                        (ago(m["at"], now), "dim"),
                    ),
                    str(m["text"]),
                )
                for m in talk
            ]
        )

    def action_say(self) -> None:
        from .dialogs import NoteScreen

        if self.detail is None:
            return

        def done(text: str | None) -> None:
            if text:
                self.request(SayMessage(offer_id=self.offer_id, text=text))

        self.app.push_screen(
            NoteScreen(
                f"A message about “{self.detail['title']}”",
                "Send",
                "sealed to the author, its forwarders and who accepted it",
            ),
            done,
        )

    def _show(self, d: dict[str, Any]) -> None:
        now = self.shell.clock()
        me = self.me
        self.query_one("#offer-title", Label).update(safe(d["title"]))
        status = self.query_one("#offer-status", Label)
        status.update(status_word(d["status"]))
        status.set_classes(f"chip -{d['status'].replace('_', '-')}")
        author = d["author"]
        self.query_one("#offer-author", Label).update(
            "posted by [b]you[/b]"
            if author["id"] == me
            else f"posted by [b]{escape(shown_name(author))}[/b]"
        )
        badge = self.query_one("#offer-trust", TrustBadge)
        badge.set_standing(author.get("standing", 0.0), me=author["id"] == me)
        badge.display = author["id"] != me  # "posted by you", not "you  you"
        where = ", ".join(x for x in (d["region"], "remote" if d["remote"] else "") if x)
        meta = [
            f"skills  {safe(', '.join(d['skills'])) or '—'}",
            f"where   {safe(where) or '—'}",
            f"value   {safe(money(d['value'], d['currency'])) or '—'}",
            f"posted  {ago(d['created_at'], now)}   ·   "
            + (
                f"open for {until(d['expires_at'], now)}"
                if d["status"] == "open"
                else status_word(d["status"])
            ),
        ]
        self.query_one("#offer-meta", Static).update("\n".join(meta))
        self.query_one("#offer-description", Static).update(
            labelled([(Text("about", style="dim"), d["description"])])
            if d["description"]
            else "[dim]no description[/dim]"
        )
        contact = self.query_one("#offer-contact", Static)
        if d["contact"]:
            contact.update(f"[b]contact[/b] (private to you): {safe(d['contact'])}")
        elif d["has_contact"]:
            contact.update(
                "[dim]contact: sealed — revealed only to the member it is handed to[/dim]"
            )
        else:
            contact.update("")
        self.query_one("#offer-chain", Static).update(self._chain(d, me))
        self.query_one("#offer-accepts", Static).update(self._accepts(d, me, now))
        self.query_one("#offer-handoffs", Static).update(self._handoffs(d, me, now))

    def _chain(self, d: dict[str, Any], me: str) -> str:
        if not d["forwards"]:
            return "[dim]not forwarded: straight from the author[/dim]"
        lines = [f"{_who(d['author'], me)} posted it"]
        for link in d["forwards"]:
            target = _who(link["to"], me) if link["to"] else "[i]the network[/i]"
            note = f"  [i]“{safe(link['note'])}”[/i]" if link["note"] else ""
            indent = "  " * link["depth"]
            lines.append(f"{indent}↳ {_who(link['from'], me)} → {target}{note}")
        lines.append("[dim]every link is signed and checked against its parent[/dim]")
        return "\n".join(lines)

    def _accepts(self, d: dict[str, Any], me: str, now: float) -> str:
        if not d["accepts"]:
            return "[dim]nobody yet[/dim]"
        lines = []
        handed = {h["to"]["id"] for h in d["handoffs"]}
        for a in d["accepts"]:
            note = f"  [i]“{safe(a['note'])}”[/i]" if a["note"] else ""
            via = f"  via {len(a['chain'])} forward(s)" if a["chain"] else ""
            mark = "  [b $success]handed off[/]" if a["member"]["id"] in handed else ""
            lines.append(f"• {_who(a['member'], me)}  {ago(a['created_at'], now)}{via}{note}{mark}")
        return "\n".join(lines)

    def _handoffs(self, d: dict[str, Any], me: str, now: float) -> str:
        lines = []
        for h in d["handoffs"]:
            lines.append(f"handed to {_who(h['to'], me)}  {ago(h['created_at'], now)}")
            if (o := h["outcome"]) is not None:
                word = (
                    "[b $success]fulfilled[/]" if o["fulfilled"] else "[b $error]not fulfilled[/]"
                )
                rating = f", rated {'★' * o['rating']}" if o["rating"] else ""
                value = f", value {o['value']:,}" if o["value"] else ""
                confirmed = "  [dim](confirmed by both)[/dim]" if h["confirmed"] else ""
                note = f"  [i]“{safe(o['note'])}”[/i]" if o["note"] else ""
                lines.append(f"  outcome: {word}{rating}{value}{confirmed}{note}")
            elif d["author"]["id"] == me:
                lines.append("  [dim]waiting for your outcome report (o)[/dim]")
            else:
                lines.append("  [dim]waiting for the author's outcome report[/dim]")
        if d["withdrawn"]:
            reason = d["withdrawn"]["reason"] or "no reason given"
            lines.append(f"[b $warning]withdrawn[/]: {safe(reason)}")
        if not lines:
            if d["author"]["id"] == me and d["accepts"]:
                return "[dim]pick who gets it: hand off (h)[/dim]"
            return "[dim]not handed off yet[/dim]"
        return "\n".join(lines)

    # -- actions -----------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Actions that do not apply to this offer (or to me) are hidden from the footer."""
        d = self.detail
        if action not in ("accept", "forward", "handoff", "outcome", "withdraw"):
            return True
        if d is None:
            return False
        live = d["status"] in ("open", "handed_off")
        me = self.me
        handed = {h["to"]["id"] for h in d["handoffs"]}
        if action == "accept":
            return not self.mine and live and all(a["member"]["id"] != me for a in d["accepts"])
        if action == "forward":
            return live
        if action == "handoff":
            return self.mine and live and any(a["member"]["id"] not in handed for a in d["accepts"])
        if action == "outcome":
            return bool(d["handoffs"]) if self.mine else me in handed
        return self.mine and live  # withdraw

    def action_back(self) -> None:
        self.dismiss()

    def action_accept(self) -> None:
        if self.detail:
            self.ask_accept(self.offer_id, self.detail["title"])

    def action_forward(self) -> None:
        if self.detail:
            self.ask_forward(
                self.offer_id,
                self.detail["title"],
                self.detail["skills"],
                self.detail["author"]["id"],
            )

    def action_handoff(self) -> None:
        from .dialogs import PickScreen

        if self.detail is None:
            return
        handed = {h["to"]["id"] for h in self.detail["handoffs"]}
        options = [
            (
                a["member"]["id"],
                f"{shown_name(a['member'])}  trust {trust_text(a['member'].get('standing', 0.0))}"
                + (f"  “{a['note']}”" if a["note"] else ""),
            )
            for a in self.detail["accepts"]
            if a["member"]["id"] not in handed
        ]

        def done(member_id: str | None) -> None:
            if member_id:
                self.request(HandOff(offer_id=self.offer_id, to=member_id))

        self.app.push_screen(
            PickScreen(
                f"Hand off “{self.detail['title']}”",
                options,
                "The contact details will be sealed to the member you pick.",
            ),
            done,
        )

    def action_outcome(self) -> None:
        from .dialogs import OutcomeScreen

        if self.detail is None:
            return
        me = self.me
        handoffs = [
            (h["to"]["id"], shown_name(h["to"]))
            for h in self.detail["handoffs"]
            if self.mine or h["to"]["id"] == me
        ]

        def done(result: dict[str, Any] | None) -> None:
            if result is not None:
                if not self.mine:
                    result["to"] = None
                self.request(ReportOutcome(offer_id=self.offer_id, **result))

        self.app.push_screen(OutcomeScreen(self.detail["title"], handoffs), done)

    def action_withdraw(self) -> None:
        from .dialogs import NoteScreen

        if self.detail is None:
            return

        def done(reason: str | None) -> None:
            if reason is not None:
                self.request(WithdrawOffer(offer_id=self.offer_id, reason=reason))

        self.app.push_screen(
            NoteScreen(f"Withdraw “{self.detail['title']}”", "Withdraw", "reason (optional)"), done
        )
