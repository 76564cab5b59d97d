"""Small modal screens: a note, a passphrase, an error, help, outcome, vouch, pick one.

Titles, options and reports quote what members wrote (an offer's title, a name, a
note), so they are shown as plain text, never markup, with invisible and layout
characters escaped (tui/fmt.py `plain`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, Markdown, OptionList, Select, Static, Switch
from textual.widgets.option_list import Option

from ..fmt import csv, plain

if TYPE_CHECKING:
    from textual.app import ComposeResult


class DialogFrame(VerticalScroll, can_focus=False):
    """A dialog's box: it scrolls when the terminal is too short for it, and never takes
    focus itself, so a dialog opens with its first field focused and focus scrolls it."""


class Dialog(ModalScreen[Any]):
    """A modal over the current screen: its fields scroll, its buttons stay in sight.

    Under 30 rows (80x24) the class `-short` drops the margins between fields
    (app.tcss), so a dialog fits whole where it can and scrolls where it cannot.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteScreen(Dialog):
    """A title, one optional line of text, and a button: accept, withdraw…"""

    def __init__(self, title: str, verb: str, placeholder: str = "", *, body: str = "") -> None:
        super().__init__()
        self._title, self._verb, self._placeholder, self._body = title, verb, placeholder, body

    def compose(self) -> ComposeResult:
        with DialogFrame(classes="dialog"):
            yield Label(plain(self._title), classes="dialog-title")
            if self._body:
                yield Static(plain(self._body), classes="dialog-body")
            yield Input(placeholder=self._placeholder, id="note")
            with Horizontal(classes="buttons"):
                yield Button(self._verb, variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.dismiss(self.query_one("#note", Input).value.strip())

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(Dialog):
    """A yes-or-no question (y / n, enter, esc): e.g. before a draft is thrown away."""

    BINDINGS = [
        Binding("escape,n", "cancel", "No"),
        Binding("y", "yes", "Yes"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self._question, self._yes, self._no = question, yes, no

    def compose(self) -> ComposeResult:
        with DialogFrame(classes="dialog"):
            yield Label(self._question, classes="dialog-title")
            with Horizontal(classes="buttons"):
                yield Button(f"{self._yes} (y)", variant="error", id="ok")
                yield Button(f"{self._no} (n)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#ok")
    def action_yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def _no_pressed(self) -> None:
        self.dismiss(False)


class PassphraseScreen(Dialog):
    def __init__(self, reason: str = "") -> None:
        super().__init__()
        self._reason = reason

    def compose(self) -> ComposeResult:
        with DialogFrame(classes="dialog"):
            yield Label("Your key is encrypted", classes="dialog-title")
            if self._reason:
                yield Static(self._reason, classes="error")
            yield Input(placeholder="passphrase", password=True, id="secret")
            with Horizontal(classes="buttons"):
                yield Button("Unlock", variant="primary", id="ok")
                yield Button("Quit", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        value = self.query_one("#secret", Input).value
        if value:
            self.dismiss(value.encode())

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class ErrorScreen(Screen[None]):
    """When the home cannot be opened: the reason, and a way out. Never a traceback."""

    BINDINGS = [Binding("q,escape,enter", "close", "Quit")]

    def __init__(self, title: str, reason: str) -> None:
        super().__init__()
        self._title, self._reason = title, reason

    def compose(self) -> ComposeResult:
        with DialogFrame(classes="dialog -error"):
            yield Label(self._title, classes="dialog-title")
            yield Static(self._reason, id="reason", classes="error")
            yield Static("Details are in the log file of the home.", classes="dim")
            with Horizontal(classes="buttons"):
                yield Button("Quit", variant="error", id="quit")

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#quit")
    def _quit(self) -> None:
        self.dismiss(None)


HELP = """\
## p2pshare

Pass the work you cannot take to people you trust; see where it went.

* **Feed** (1): open offers, best first: trust in whoever posted or forwarded
  them, skill match, freshness. `●` unread, `★` forwarded to you, `✓` accepted.
  The trust column is colored: green trusted, amber known, red stranger.
* **Hand-offs** (2): what you posted or forwarded and where it stands, and what
  was handed to you.
* **Peers** (3): everyone you know, their trust and history; vouch, mute, block.
* **Profile** (4): your profile, member id, invite, your devices, and your
  return on sharing. `a` adds a device (a one-time code to type on the new
  machine); in the device list `x` revokes the highlighted one and `enter`
  copies its id.
* **Activity** (5): what needs you (`!`) and what became of what you passed on.

Every action is also in the command palette (**ctrl+p**), including the theme.
"""


class HelpScreen(Dialog):
    BINDINGS = [Binding("escape,question_mark,q", "cancel", "Close")]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__()
        self._under = under

    def compose(self) -> ComposeResult:
        """The app's own keys, grouped: this screen's, then those that work everywhere.

        Keys that widgets bring with them (a table's copy, a list's cursor keys) are
        left out: they are the same in every Textual app and not what a member looks for.
        """
        here: list[str] = []
        everywhere: list[str] = []
        seen = set()
        under, app = self._under, self.app
        ours = own_actions(under) | own_actions(app)
        for active in under.active_bindings.values():
            binding = active.binding
            if not binding.description or active.node not in (under, app):
                continue
            if binding.action not in ours:  # Textual's own (copy, palette…)
                continue
            if (binding.action, binding.description) in seen:
                continue
            seen.add((binding.action, binding.description))
            shown = binding.key_display or app.get_key_display(binding)
            row = f"| `{shown}` | {binding.description} |"
            (here if active.node is under else everywhere).append(row)
        lines = [HELP]
        for title, rows in (("This screen", here), ("Everywhere", everywhere)):
            if rows:
                lines += [f"\n### {title}\n", "| key | action |", "|---|---|", *rows]
        lines.append("\n`ctrl+p` opens the command palette: every action, and the theme.")
        with VerticalScroll(classes="dialog -wide", id="help"):
            yield Markdown("\n".join(lines))
            with Horizontal(classes="buttons"):
                yield Button("Close", id="close")

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)


def own_actions(node: object) -> set[str]:
    """Actions bound by this app's classes (tui.*), not by Textual's base classes."""
    actions: set[str] = set()
    for cls in type(node).__mro__:
        if cls.__module__.startswith("tui."):
            for item in cls.__dict__.get("BINDINGS", []):
                if isinstance(item, Binding):
                    actions.add(item.action)
                elif isinstance(item, tuple) and len(item) >= 2:
                    actions.add(str(item[1]))
    return actions


class OutcomeScreen(Dialog):
    """Report how a hand-off went: fulfilled or not, a rating, the value, a note."""

    # Start in the value field: typing goes somewhere visible and Enter reports. A
    # focused switch first meant a stray space silently flipped "fulfilled".
    AUTO_FOCUS = "#value"

    def __init__(
        self,
        title: str,
        handoffs: list[tuple[str, str]],
        *,
        reported: dict[str, Any] | None = None,
        by: str = "",
    ) -> None:
        super().__init__()
        self._title = title
        self._handoffs = handoffs  # (member id, name)
        self._reported = reported  # what the author reported: the confirmation starts from it
        self._by = by

    def compose(self) -> ComposeResult:
        report = self._reported
        with DialogFrame(classes="dialog"):
            if report is None:
                yield Label(plain(f"Outcome of “{self._title}”"), classes="dialog-title")
            else:
                said = "fulfilled" if report["fulfilled"] else "not fulfilled"
                stars = f", {'★' * report['rating']}" if report["rating"] else ""
                yield Label(
                    plain(f"Confirm the outcome of “{self._title}”"), classes="dialog-title"
                )
                yield Static(
                    plain(
                        f"{self._by or 'The author'} reported it {said}{stars}"
                        + (f": {report['note']}" if report["note"] else "")
                        + ". Change what you see differently, then Report."
                    ),
                    classes="dim",
                )
            if len(self._handoffs) > 1:
                yield Select(
                    [(plain(name), mid) for mid, name in self._handoffs],
                    id="to",
                    prompt="which hand-off",
                )
            ratings = [("★" * n if n else "no rating", n) for n in range(6)]
            with Horizontal(classes="field-row"):  # one row: the dialog fits 80x24 whole
                yield Label("fulfilled")
                yield Switch(value=True, id="fulfilled")
                yield Select(ratings, value=5, allow_blank=False, id="rating")
            yield Input(
                placeholder="value earned (whole number, optional)", id="value", type="integer"
            )
            yield Input(placeholder="note (optional)", id="note")
            yield Static("", id="error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Report", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        if (report := self._reported) is not None:
            self.query_one("#fulfilled", Switch).value = bool(report["fulfilled"])
            self.query_one("#rating", Select).value = int(report["rating"])
            if report["value"]:
                self.query_one("#value", Input).value = str(report["value"])

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        to = None
        if len(self._handoffs) > 1:
            value = self.query_one("#to", Select).value
            if value is Select.BLANK:
                self.query_one("#error", Static).update("choose which hand-off")
                return
            to = str(value)
        elif self._handoffs:
            to = self._handoffs[0][0]
        text = self.query_one("#value", Input).value.strip()
        self.dismiss(
            {
                "fulfilled": self.query_one("#fulfilled", Switch).value,
                "rating": int(self.query_one("#rating", Select).value),  # type: ignore[arg-type]
                "value": int(text) if text.isdigit() else 0,
                "note": self.query_one("#note", Input).value.strip(),
                "to": to,
            }
        )

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class VouchScreen(Dialog):
    def __init__(self, name: str, skills: list[str]) -> None:
        super().__init__()
        self._name, self._skills = name, skills

    def compose(self) -> ComposeResult:
        with DialogFrame(classes="dialog"):
            yield Label(plain(f"Vouch for {self._name}"), classes="dialog-title")
            yield Static(
                "A signed endorsement: members who trust you will trust them more.", classes="dim"
            )
            yield Input(
                value=", ".join(self._skills[:3]),
                placeholder="for skills (comma separated, optional)",
                id="skills",
            )
            yield Input(placeholder="note (optional)", id="note")
            with Horizontal(classes="buttons"):
                yield Button("Vouch", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.dismiss(
            {
                "skills": csv(self.query_one("#skills", Input).value),
                "note": self.query_one("#note", Input).value.strip(),
            }
        )

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class PickScreen(Dialog):
    """Pick one of a few options (e.g. which accepting member gets the hand-off)."""

    def __init__(self, title: str, options: list[tuple[str, str]], hint: str = "") -> None:
        super().__init__()
        self._title, self._options, self._hint = title, options, hint

    def compose(self) -> ComposeResult:
        with DialogFrame(classes="dialog"):
            yield Label(plain(self._title), classes="dialog-title")
            if self._hint:
                yield Static(plain(self._hint), classes="dim")
            yield OptionList(
                *[Option(plain(label), id=value) for value, label in self._options], id="pick"
            )
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
