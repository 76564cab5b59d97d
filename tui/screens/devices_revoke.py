"""Revoke a device (issue 15): confirm, say why, and from when its records stop counting.

An unlink refuses every record the device signed from a date on and keeps those
before (docs/PROTOCOL.md §Unlinks, §When clocks lie): from now by default, or from
the day the laptop was lost when the member knows it. The dialog checks what a
person types (a date in the past, a reason on one line of at most 200 characters)
and sends it with NodePort.revoke_device; a refusal of the node (the last device
that can sign, no authority to revoke) stays in the dialog with the node's reason.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import TYPE_CHECKING, cast

from rich.markup import escape
from textual import on, work
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, Static

from p2pshare.errors import UserError

from ..fmt import one_line, plain
from .dialogs import Dialog, DialogFrame

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from p2pshare.domain.device_views import DeviceItem
    from p2pshare.service.port import NodePort

    from ..shell import Shell

SINCE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M")
MAX_REASON = 200  # an unlink's reason (docs/PROTOCOL.md §14 unlink: text(200), one line)


def parse_since(text: str, now: float) -> int | None:
    """'' → None (from now); '2026-03-02' or '2026-03-02 14:30' in local time → unix
    seconds; ValueError with the reason for anything else, or for a moment to come."""
    text = " ".join(text.split())
    if not text:
        return None
    for form in SINCE_FORMATS:
        try:
            moment = dt.datetime.strptime(text, form)
        except ValueError:
            continue
        since = int(moment.timestamp())
        if since > now:
            raise ValueError("a moment to come: an unlink reaches only the past (empty: now)")
        return since
    raise ValueError("a date as 2026-03-02, or 2026-03-02 14:30 (empty: now)")


class RevokeDeviceScreen(Dialog):
    """Unlink one device; dismissed with True once the node wrote the unlink."""

    AUTO_FOCUS = "#revoke-reason"

    def __init__(self, node: NodePort, device: DeviceItem) -> None:
        super().__init__()
        self.node = node
        self.device = device

    def compose(self) -> ComposeResult:
        label = one_line(self.device.label) or "unnamed"
        with DialogFrame(classes="dialog", id="revoke"):
            yield Label(plain(f"Revoke “{label}”?"), classes="dialog-title")
            yield Static(plain(self.device.device_id), id="revoke-device", classes="dim")
            yield Static(
                "Every member refuses what it signs from then on; what it signed before is "
                "kept. To use that machine again, pair it anew.",
            )
            yield Input(
                placeholder="reason: lost, stolen, sold… (optional; peers see it)",
                id="revoke-reason",
                max_length=MAX_REASON,
            )
            yield Static("", id="revoke-reason-error", classes="error -hidden")
            yield Input(
                placeholder="since: 2026-03-02, or 2026-03-02 14:30 (empty: now)",
                id="revoke-since",
            )
            yield Static("", id="revoke-since-error", classes="error -hidden")
            yield Static("", id="revoke-error", classes="error -hidden")
            with Horizontal(classes="buttons"):
                yield Button("Revoke", variant="error", id="revoke-ok")
                yield Button("Cancel", id="revoke-cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#revoke-ok")
    def _ok(self) -> None:
        for where in ("reason-", "since-", ""):
            self._say(f"#revoke-{where}error", "")
        reason = self.query_one("#revoke-reason", Input).value.strip()
        if len(reason) > MAX_REASON:
            self._refuse("reason", f"at most {MAX_REASON} characters")
            return
        if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in reason):
            self._refuse("reason", "one line, without control characters")
            return
        clock = cast("Shell", self.app).clock
        try:
            since = parse_since(self.query_one("#revoke-since", Input).value, clock())
        except ValueError as exc:
            self._refuse("since", str(exc))
            return
        self.query_one("#revoke-ok", Button).disabled = True
        self._revoke(reason, since)

    def _refuse(self, where: str, reason: str) -> None:
        self._say(f"#revoke-{where}-error", reason)
        self.query_one(f"#revoke-{where}", Input).focus()

    def _say(self, where: str, reason: str) -> None:
        """An error line, shown only when it says something (the dialog fits 80x24)."""
        line = self.query_one(where, Static)
        line.update(escape(reason))
        line.set_class(not reason, "-hidden")

    @work(exclusive=True, group="revoke-device", exit_on_error=False)
    async def _revoke(self, reason: str, since: int | None) -> None:
        try:
            await self.node.revoke_device(self.device.device_id, reason=reason, since=since)
        except UserError as exc:
            self._say("#revoke-error", str(exc))
            self.query_one("#revoke-ok", Button).disabled = False
            return
        self.dismiss(True)

    @on(Button.Pressed, "#revoke-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
