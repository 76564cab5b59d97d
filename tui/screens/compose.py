"""Post an offer: a validated form; the API's one-line reasons shown under the field."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
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


DRAFT = "offer"  # the key of this form's draft in the app's drafts
TEXT_FIELDS = ("title", "skills", "region", "value", "expires", "contact")


class ComposeScreen(NodeScreen):
    """The new-offer form. Every Tab stop is a field; nothing typed is ever lost.

    The draft is kept by the app (Shell.drafts) as it is typed: esc, another tab
    or a page opened on top leave it there, and `n` brings it back. Only Cancel
    throws it away, after asking; posting clears it.
    """

    FORM = True  # the app's one-key actions (q, ?) stay off while this screen is up
    BINDINGS = [
        Binding("ctrl+s", "post", "Post", priority=True),
        Binding("escape", "back", "Close (draft kept)"),
    ]

    def body(self) -> ComposeResult:
        with VerticalScroll(id="compose", classes="form", can_focus=False):
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
                with Vertical(classes="form-col"):
                    yield Label("Skills needed")
                    yield Input(placeholder="keynote, privacy", id="skills")
                    yield Static("", id="skills-error", classes="error")
                with Vertical(classes="form-col"):
                    yield Label("Region")
                    yield Input(placeholder="Atlanta, US", id="region")
                    yield Checkbox("can be done remotely", id="remote")
                    yield Static("", id="region-error", classes="error")
            with Horizontal(classes="form-row"):
                with Vertical(classes="form-col"):
                    yield Label("Rough value")
                    yield Input(placeholder="5000 USD", id="value")
                    yield Static("", id="value-error", classes="error")
                with Vertical(classes="form-col"):
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
        self._restoring = True
        if draft := self.shell.drafts.get(DRAFT):
            self._restore(draft)
            self.notify("your draft is back", timeout=2)
        self._restoring = False
        self.query_one("#title", Input).focus()

    # -- the draft -----------------------------------------------------------

    def draft(self) -> dict[str, Any]:
        """What is typed now, field by field (the raw text, as the member left it)."""
        values: dict[str, Any] = {
            name: self.query_one(f"#{name}", Input).value for name in TEXT_FIELDS
        }
        values["description"] = self.query_one("#description", TextArea).text
        values["remote"] = self.query_one("#remote", Checkbox).value
        return values

    def _restore(self, draft: dict[str, Any]) -> None:
        for name in TEXT_FIELDS:
            self.query_one(f"#{name}", Input).value = str(draft.get(name, ""))
        self.query_one("#description", TextArea).text = str(draft.get("description", ""))
        self.query_one("#remote", Checkbox).value = bool(draft.get("remote", False))

    def has_draft(self) -> bool:
        values = self.draft()
        return any(
            str(v).strip() for k, v in values.items() if k not in ("expires", "remote")
        ) or values["expires"].strip() not in ("30", "")

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Checkbox.Changed)
    def _keep_draft(self) -> None:
        if getattr(self, "_restoring", True):
            return
        if self.has_draft():
            self.shell.drafts[DRAFT] = self.draft()
        else:
            self.shell.drafts.pop(DRAFT, None)

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
        self.shell.drafts.pop(DRAFT, None)
        self.notify(f"Posted “{fields['title']}”", timeout=3)
        self.dismiss()

    def action_back(self) -> None:
        """Close the form; the draft stays for the next `n`."""
        if self.has_draft():
            self.notify("draft kept: press n to go on with it", timeout=3)
        self.dismiss()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        """Throw the draft away, after asking (nothing to ask about an empty form)."""
        if not self.has_draft():
            self.shell.drafts.pop(DRAFT, None)
            self.dismiss()
            return
        from .dialogs import ConfirmScreen

        def done(discard: bool | None) -> None:
            if discard:
                self.shell.drafts.pop(DRAFT, None)
                self.dismiss()

        self.app.push_screen(ConfirmScreen("Discard this draft?", "Discard", "Keep editing"), done)
