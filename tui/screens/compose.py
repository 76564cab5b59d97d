"""Post an offer: a validated form; the API's one-line reasons shown under the field."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Static, TextArea

from p2pshare.errors import UserError

from ..fmt import csv
from .base import NodeScreen

if TYPE_CHECKING:
    from textual.app import ComposeResult

FIELDS = ("title", "description", "skills", "region", "value", "expires", "contact")


def field_of(reason: str) -> str:
    """Which field an API reason is about ('title: length 0 not in 1..200' → title)."""
    head = reason.split(":", 1)[0].strip()
    if head in FIELDS:
        return head
    if "expires" in reason or "stay open" in reason:
        return "expires"
    if "private text" in reason or "contact" in reason:
        return "contact"
    if "value" in reason:
        return "value"
    return "form"


class ComposeScreen(NodeScreen):
    BINDINGS = [
        Binding("ctrl+s", "post", "Post", priority=True),
        Binding("escape", "back", "Cancel"),
    ]

    def body(self) -> ComposeResult:
        with VerticalScroll(id="compose", classes="form"):
            yield Label("New offer — an opportunity you cannot serve", classes="form-title")
            yield Label("Title")
            yield Input(
                placeholder="e.g. Keynote on data privacy, Atlanta, 12 March",
                id="title",
                max_length=200,
            )
            yield Static("", id="title-error", classes="error")
            yield Label("Description")
            yield TextArea(id="description", soft_wrap=True)
            yield Static("", id="description-error", classes="error")
            with Horizontal(classes="form-row"):
                with VerticalScroll(classes="form-col"):
                    yield Label("Skills needed")
                    yield Input(placeholder="keynote, privacy", id="skills")
                    yield Static("", id="skills-error", classes="error")
                with VerticalScroll(classes="form-col"):
                    yield Label("Region")
                    yield Input(placeholder="Atlanta, US", id="region")
                    yield Checkbox("can be done remotely", id="remote")
                    yield Static("", id="region-error", classes="error")
            with Horizontal(classes="form-row"):
                with VerticalScroll(classes="form-col"):
                    yield Label("Rough value")
                    yield Input(placeholder="5000 USD", id="value")
                    yield Static("", id="value-error", classes="error")
                with VerticalScroll(classes="form-col"):
                    yield Label("Open for (days)")
                    yield Input(value="30", id="expires", type="integer")
                    yield Static("", id="expires-error", classes="error")
            yield Label("Private contact (sealed; revealed only to whom you hand it off)")
            yield Input(placeholder="jane@example.com, +1 555 0100", id="contact")
            yield Static("", id="contact-error", classes="error")
            yield Static("", id="form-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Post offer (ctrl+s)", variant="primary", id="post")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = "New offer"
        self.query_one("#title", Input).focus()

    def _clear_errors(self) -> None:
        for name in (*FIELDS, "form"):
            self.query_one(f"#{name}-error", Static).update("")
            if name in FIELDS:
                self.query_one(f"#{name}").remove_class("-invalid")

    def _error(self, name: str, reason: str) -> None:
        self.query_one(f"#{name}-error", Static).update(reason)
        if name in FIELDS:
            widget = self.query_one(f"#{name}")
            widget.add_class("-invalid")
            widget.focus()

    def _fields(self) -> dict[str, object] | None:
        """The form's values, or None after showing what is wrong (checked here first)."""
        title = self.query_one("#title", Input).value.strip()
        expires = self.query_one("#expires", Input).value.strip()
        if not title:
            self._error("title", "a title is needed")
            return None
        if not expires.isdigit() or int(expires) < 1:
            self._error("expires", "a whole number of days, 1 or more")
            return None
        return {
            "title": title,
            "description": self.query_one("#description", TextArea).text.strip(),
            "skills": csv(self.query_one("#skills", Input).value),
            "region": self.query_one("#region", Input).value.strip(),
            "remote": self.query_one("#remote", Checkbox).value,
            "value": self.query_one("#value", Input).value.strip(),
            "expires_days": int(expires),
            "contact": self.query_one("#contact", Input).value.strip(),
        }

    @on(Button.Pressed, "#post")
    def action_post(self) -> None:
        self._clear_errors()
        if (fields := self._fields()) is not None:
            self._post(fields)

    @work(exclusive=True, group="compose", exit_on_error=False)
    async def _post(self, fields: dict[str, object]) -> None:
        try:
            await self.node.post_offer(**fields)
        except UserError as exc:
            self._error(field_of(str(exc)), str(exc))
            return
        self.notify(f"Posted “{fields['title']}”", timeout=3)
        self.dismiss()

    @on(Button.Pressed, "#cancel")
    def action_back(self) -> None:
        self.dismiss()
