"""First run: make this member's identity and first profile, and optionally join by invite."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static

from p2pshare.errors import UserError

from ..fmt import csv

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from p2pshare.service.port import HomePort


class OnboardingScreen(Screen[dict[str, Any] | None]):
    """Dismisses with {"passphrase": bytes | None, "invite": str} once the identity exists."""

    BINDINGS = [
        Binding("ctrl+s", "create", "Create", priority=True),
        Binding("escape", "quit", "Quit"),
    ]

    def __init__(self, home: HomePort) -> None:
        super().__init__()
        self.home = home

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="onboarding", classes="form", can_focus=False):
            yield Label("Welcome to p2pshare", classes="form-title")
            yield Static(
                "Pass the work you cannot take to people you trust, and see where it went.\n"
                f"Your keys and records stay on this machine, in [b]{self.home.path}[/b].",
                classes="dim",
            )
            yield Label("Your name")
            yield Input(placeholder="Dana Reyes", id="name", max_length=64)
            yield Static("", id="name-error", classes="error")
            yield Label("Headline")
            yield Input(placeholder="Keynote speaker on privacy engineering", id="headline")
            yield Static("", id="headline-error", classes="error")
            yield Label("Skills (comma separated)")
            yield Input(placeholder="keynote, privacy, workshops", id="skills")
            yield Static("", id="skills-error", classes="error")
            yield Label("Passphrase for your key (optional)")
            yield Input(password=True, placeholder="leave empty for none", id="passphrase")
            yield Input(password=True, placeholder="the same again", id="passphrase2")
            yield Static("", id="passphrase-error", classes="error")
            yield Label("Invite from a member (optional)")
            yield Input(
                placeholder="paste an invite, or skip and find peers on your LAN", id="invite"
            )
            yield Static("", id="form-error", classes="error")
            yield Button("Create my identity (ctrl+s)", variant="primary", id="create")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted, "#invite")
    @on(Button.Pressed, "#create")
    def action_create(self) -> None:
        for name in ("name", "headline", "skills", "passphrase", "form"):
            self.query_one(f"#{name}-error", Static).update("")
        name = self.query_one("#name", Input).value.strip()
        if not name:
            self.query_one("#name-error", Static).update(
                "a name is needed: it is how peers see you"
            )
            self.query_one("#name", Input).focus()
            return
        secret = self.query_one("#passphrase", Input).value
        if secret != self.query_one("#passphrase2", Input).value:
            self.query_one("#passphrase-error", Static).update("the passphrases differ")
            return
        self._create(
            name=name,
            headline=self.query_one("#headline", Input).value.strip(),
            skills=csv(self.query_one("#skills", Input).value),
            passphrase=secret.encode() or None,
            invite=self.query_one("#invite", Input).value.strip(),
        )

    @work(exclusive=True, group="onboarding", thread=True, exit_on_error=False)
    def _create(
        self, *, name: str, headline: str, skills: list[str], passphrase: bytes | None, invite: str
    ) -> None:
        try:
            self.home.create_identity(
                name=name, headline=headline, skills=skills, passphrase=passphrase
            )
        except UserError as exc:
            reason = str(exc)
            field = reason.split(":", 1)[0]
            target = field if field in ("name", "headline", "skills") else "form"
            self.app.call_from_thread(self.query_one(f"#{target}-error", Static).update, reason)
            return
        self.app.call_from_thread(self.dismiss, {"passphrase": passphrase, "invite": invite})

    def action_quit(self) -> None:
        self.dismiss(None)
