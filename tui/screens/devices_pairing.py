"""Add a device (issue 15): a one-time code, and what to type on the new machine.

The member chooses whether the new device may manage the others, asks the node for
a code (NodePort.start_pairing), and reads it here, large, with the command for the
new machine (`p2pshare init --join CODE --peer ADDR`) and the time left. The node
pairs in the background: its `DevicePaired` reaches the Profile screen (the app's
`devices` signal, tui/node_events.py), which closes this dialog with the device
(profile.py). The dialog counts down, and says when the code is over and offers a
new one: expired, or used up by a pairing that failed (`DevicePairingFailed`, on
the same signal), then with the node's reason, which the app shows here rather
than as a toast. A refusal (this device may not add devices) is shown in the
dialog with the node's reason too.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, cast

from rich.markup import escape
from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static, Switch

from p2pshare.errors import UserError

from ..fmt import one_line
from .dialogs import Dialog, DialogFrame

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.timer import Timer

    from p2pshare.domain.device_views import Pairing
    from p2pshare.events import DevicePaired, DevicePairingFailed
    from p2pshare.service.port import NodePort

    from ..shell import Shell


OFFLINE = "this device is offline: the new one looks for it through your community's peers"


def best_address(addresses: tuple[str, ...]) -> str:
    """The address a new machine most likely reaches: not loopback, direct before relayed."""

    def rank(address: str) -> tuple[int, int]:
        parts = address.split("/")
        host = parts[2] if len(parts) > 2 else ""
        try:
            local = ipaddress.ip_address(host).is_loopback
        except ValueError:
            local = False  # a dns name
        return (int(local), int("p2p-circuit" in address))

    return min(addresses, key=rank) if addresses else ""


def join_command(pairing: Pairing) -> str:
    """What to type on the new machine; without an address it finds this one through
    the community's peers."""
    command = f"p2pshare init --join {pairing.code}"
    if address := best_address(pairing.addresses):
        command += f" --peer {address}"
    return command


def time_left(seconds: float) -> str:
    """'9:58 left', or '' once it is over."""
    left = int(seconds)
    return f"{left // 60}:{left % 60:02d} left" if left > 0 else ""


class PairingScreen(Dialog):
    """The code for one new device. Dismissed with nothing; the Profile closes it when the
    device joins."""

    BINDINGS = [
        Binding("escape", "cancel", "Close"),
        Binding("c", "copy", "Copy command"),
    ]
    AUTO_FOCUS = "#pair-ok"

    def __init__(self, node: NodePort) -> None:
        super().__init__()
        self.node = node
        self.pairing: Pairing | None = None
        self.expired = False  # the code shown is over: expired, or used up by a failed pairing
        self._ticker: Timer | None = None

    def compose(self) -> ComposeResult:
        with DialogFrame(classes="dialog", id="pairing"):
            yield Label("Add a device", classes="dialog-title")
            yield Static(
                "A one-time code for a new machine of yours. Once paired it acts as you: "
                "what one device posts, the other shows as its own.",
                classes="dim",
            )
            with Horizontal(classes="field-row", id="pair-ask"):
                yield Label("it may add and revoke devices too")
                yield Switch(value=False, id="pair-manage")
            with Vertical(id="pair-offer", classes="-hidden"):
                yield Static("", id="pair-code")
                yield Label("On the new machine, type (c to copy):")
                yield Static("", id="pair-command", classes="copyable")
                yield Static("", id="pair-left")
            yield Static("", id="pair-error", classes="error -hidden")
            with Horizontal(classes="buttons"):
                yield Button("Get a code", variant="primary", id="pair-ok")
                yield Button("Close", id="pair-close")

    def on_mount(self) -> None:
        cast("Shell", self.app).devices_signal.subscribe(self, self._device_event)

    @property
    def waiting(self) -> bool:
        """A code is shown and may still pair a device."""
        return self.pairing is not None and not self.expired

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "copy":
            return self.waiting
        return True

    @on(Button.Pressed, "#pair-ok")
    def _ask(self) -> None:
        self.query_one("#pair-error", Static).add_class("-hidden")
        self.query_one("#pair-ok", Button).disabled = True
        self._start(self.query_one("#pair-manage", Switch).value)

    @work(exclusive=True, group="pairing", exit_on_error=False)
    async def _start(self, manage: bool) -> None:
        try:
            pairing = await self.node.start_pairing(manage=manage)
        except UserError as exc:
            error = self.query_one("#pair-error", Static)
            error.update(escape(str(exc)))
            error.remove_class("-hidden")
            self.query_one("#pair-ok", Button).disabled = False
            return
        self.show(pairing)

    def show(self, pairing: Pairing) -> None:
        self.pairing, self.expired = pairing, False
        self.query_one("#pair-ask").add_class("-hidden")
        self.query_one("#pair-offer").remove_class("-hidden")
        self.query_one("#pair-code", Static).update(escape(pairing.code))
        self.query_one("#pair-code", Static).remove_class("-expired")
        hint = "" if pairing.addresses else f"\n[dim]{OFFLINE}[/dim]"
        self.query_one("#pair-command", Static).update(escape(join_command(pairing)) + hint)
        ok = self.query_one("#pair-ok", Button)
        ok.label, ok.disabled = "New code", False
        ok.add_class("-hidden")  # until this one expires
        self.set_focus(self.query_one("#pair-close", Button))  # now, not on a later turn
        if self._ticker is None:
            self._ticker = self.set_interval(1.0, self._tick)
        self._tick()
        self.refresh_bindings()

    def _tick(self) -> None:
        if self.pairing is None or self.expired:
            return
        clock = cast("Shell", self.app).clock
        left = time_left(self.pairing.expires_at - clock())
        shown = self.query_one("#pair-left", Static)
        if left:
            shown.update(f"{left}  [dim]· waiting for the new device…[/dim]")
            return
        self._code_over("[b $warning]This code expired.[/] Get a new one to pair a device.")

    def _device_event(self, event: DevicePaired | DevicePairingFailed) -> None:
        """A pairing failed (the app's `devices` signal): one attempt per code, so it is over."""
        from p2pshare.events import DevicePairingFailed

        if isinstance(event, DevicePairingFailed) and self.waiting and self.is_for(event.code):
            self._code_over(
                f"[b $warning]This code is used up:[/] {escape(one_line(event.reason))}\n"
                "Get a new one to pair a device."
            )

    def is_for(self, code: str) -> bool:
        """Whether an event about `code` is about the code shown here (another code of
        this home, offered from the command line, is not this dialog's)."""
        return self.pairing is not None and code == self.pairing.code

    def _code_over(self, why: str) -> None:
        """Stop the count-down, say why the code no longer pairs, offer a new one."""
        self.expired = True
        self.query_one("#pair-left", Static).update(why)
        self.query_one("#pair-code", Static).add_class("-expired")
        ok = self.query_one("#pair-ok", Button)
        # Shown again as "New code": the last press's 0.2 s effect (Textual's Button
        # ignores a press while it lasts) is not this button's, it must press now
        ok.remove_class("-hidden", "-active")
        # At once (Screen.set_focus), not Widget.focus's later turn: a key pressed before
        # that turn reached the button that had the focus until then
        self.set_focus(ok)
        self.refresh_bindings()

    def action_copy(self) -> None:
        if self.pairing is not None and self.waiting:
            self.app.copy_to_clipboard(join_command(self.pairing))
            self.notify("Command copied", timeout=2)

    @on(Button.Pressed, "#pair-close")
    def _close(self) -> None:
        self.dismiss(None)
