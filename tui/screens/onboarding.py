"""First run: make this member's identity and first profile, show its recovery words once,
and optionally join by invite."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen, Screen
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
        words = self.home.recovery_words(passphrase)
        done = {"passphrase": passphrase, "invite": invite}
        self.app.call_from_thread(self._show_words, words, done)

    def _show_words(self, words: list[str], done: dict[str, Any]) -> None:
        """The recovery words, once, before the app opens: the one way back after a
        lost laptop. Dismissing them is the member saying they wrote them down."""
        self.app.push_screen(RecoveryWords(words), lambda _: self.dismiss(done))

    def action_quit(self) -> None:
        self.dismiss(None)


class RecoveryWords(ModalScreen[None]):
    """The words that restore this member (p2pshare init --recover), shown once."""

    BINDINGS = [Binding("ctrl+s", "written", "Written down", priority=True)]

    def __init__(self, words: list[str]) -> None:
        super().__init__()
        self.words = words

    def compose(self) -> ComposeResult:
        per_line = 4
        lines = [
            "   ".join(
                f"{i + 1:2}. {word:<9}"
                for i, word in list(enumerate(self.words))[row : row + per_line]
            ).rstrip()
            for row in range(0, len(self.words), per_line)
        ]
        with VerticalScroll(id="recovery-words", classes="dialog", can_focus=False):
            yield Label("Your recovery words", classes="form-title")
            yield Static(
                "Write these words on paper and keep them somewhere safe. They are the "
                "only way to restore you on a new machine ([b]p2pshare init --recover[/b]), "
                "and anyone who reads them can act as you. They are not shown again.",
                classes="dim",
            )
            yield Static("\n".join(lines), id="words")
            with Horizontal(classes="buttons"):
                yield Button("I have written them down (ctrl+s)", variant="primary", id="written")

    def on_mount(self) -> None:
        self.query_one("#written", Button).focus()

    @on(Button.Pressed, "#written")
    def action_written(self) -> None:
        self.dismiss(None)
