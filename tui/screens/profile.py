"""My profile: edit it; my member id and invite (copyable); my devices, to add one with
a pairing code or revoke one (devices*.py, issue 15); my return on sharing, in totals
and as charts by month and by peer (widgets/share_chart.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, OptionList, Static, Switch

from p2pshare.errors import UserError

from ..fmt import csv, name_fit, one_line
from ..widgets.share_chart import LEGEND, ChartRow, ShareChart, month_label, months_between
from .base import NodeScreen
from .compose import field_of
from .devices import DeviceList, revocable

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from p2pshare.events import Changed, DevicePaired, DevicePairingFailed
    from p2pshare.service.port import NodePort

    from ..widgets.status_bar import StatusInfo

BAR_WIDTH = 16  # the totals fit beside the form at 80 columns


def bars(rows: list[tuple[str, int]], width: int = BAR_WIDTH) -> str:
    """Text bars: 'posted     ████████ 8'."""
    top = max((n for _, n in rows), default=0) or 1
    label_width = max((len(label) for label, _ in rows), default=0)
    out = []
    for label, n in rows:
        filled = round(width * n / top)
        out.append(
            f"{label:<{label_width}}  [$accent]{'█' * filled}[/]{'░' * (width - filled)} {n}"
        )
    return "\n".join(out)


def money(values: dict[str, int]) -> str:
    """'4,000 EUR, 30 USD'; '0' for nothing."""
    return ", ".join(f"{v:,} {c}".strip() for c, v in values.items()) or "0"


def _note(figures: dict[str, Any]) -> str:
    """A row's value fulfilled, and what came back (offers, and what they earned)."""
    parts = [money(figures["value"])] if figures["value"] else []
    if figures["came_back"] or figures["earned"]:
        earned = f" ({money(figures['earned'])})" if figures["earned"] else ""
        parts.append(f"↩ {figures['came_back']}{earned}")
    return "  ".join(parts)


MONTHS_SHOWN = 12
PEERS_SHOWN = 8


def month_rows(by_month: list[dict[str, Any]]) -> list[ChartRow]:
    """The last twelve months up to the latest with figures, quiet months included."""
    figures = {m["month"]: m for m in by_month}
    if not figures:
        return []
    months = months_between(min(figures), max(figures))[-MONTHS_SHOWN:]
    rows = []
    for month in months:
        f = figures.get(month)
        rows.append(
            ChartRow(
                label=month_label(month),
                passed=f["passed"] if f else 0,
                fulfilled=f["fulfilled"] if f else 0,
                note=_note(f) if f else "",
            )
        )
    return rows


def peer_rows(by_peer: list[dict[str, Any]]) -> list[ChartRow]:
    """The peers with the most between you and them (the report's order), a few."""
    return [
        ChartRow(
            label=name_fit(p["name"], p.get("display_name", ""), 14),
            passed=p["passed"],
            fulfilled=p["fulfilled"],
            note=_note(p),
        )
        for p in by_peer[:PEERS_SHOWN]
    ]


class ProfileScreen(NodeScreen):
    MODE = "profile"
    AUTO_FOCUS = "#profile-side"  # not a field: 1-4, c and i work on arrival; tab to edit
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("c", "copy_invite", "Copy invite"),
        Binding("i", "copy_id", "Copy id", show=False),  # said by its heading: 80 columns
        Binding("a", "add_device", "Add device"),
        Binding("x", "revoke_device", "Revoke device"),
        Binding("r", "reload", "Refresh", show=False),
    ]

    def __init__(self, node: NodePort) -> None:
        super().__init__(node)
        self.profile: dict[str, Any] = {}
        self.stats: dict[str, Any] = {}
        self.devices_loaded = False
        self._listening = False

    def body(self) -> ComposeResult:
        with Horizontal(id="profile"):
            with VerticalScroll(id="profile-form", classes="form", can_focus=False):
                yield Label("Your profile (signed; peers see it)", classes="form-title")
                yield Label("Name")
                yield Input(id="name", max_length=64)
                yield Static("", id="name-error", classes="error")
                yield Label("Headline")
                yield Input(id="headline", placeholder="what you do, in a line")
                yield Static("", id="headline-error", classes="error")
                yield Label("Skills")
                yield Input(id="skills", placeholder="keynote, python, design")
                yield Static("", id="skills-error", classes="error")
                yield Label("Region")
                yield Input(id="region", placeholder="Atlanta, US")
                yield Static("", id="region-error", classes="error")
                with Horizontal(classes="field-row"):
                    yield Label("Available for work ")
                    yield Switch(value=True, id="available")
                yield Static("", id="form-error", classes="error")
                yield Button("Save (ctrl+s)", variant="primary", id="save")
            with VerticalScroll(id="profile-side"):
                yield Label("Member id (i to copy)", classes="section")
                yield Static("", id="member-id", classes="copyable")
                yield Label("Invite (c to copy)", classes="section")
                yield Static("", id="invite", classes="copyable")
                yield Label("Devices (a to add; tab, then x to revoke)", classes="section")
                yield DeviceList(id="devices")
                yield Static("", id="devices-note", classes="dim -hidden")
                yield Label("Return on sharing, by month", classes="section")
                yield ShareChart(
                    "nothing passed on yet: forward an offer (f, in the feed)", id="by-month"
                )
                yield Label("… and by peer", classes="section")
                yield ShareChart("nobody yet: pass an offer to a peer", id="by-peer")
                yield Static(LEGEND, id="chart-legend")
                yield Label("In all", classes="section")
                yield Static("", id="stats")

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = "My profile"
        if not self._listening:  # a device paired: for this screen alone, no toast from the app
            self._listening = True
            self.shell.devices_signal.subscribe(self, self._device_event)
        self.load()

    def on_changed(self, event: Changed) -> None:
        if event.offers or event.trust:
            self._load_stats()
        if event.peers:  # a certificate or an unlink may have arrived (from the CLI too)
            self.load_devices()

    def _show_status(self, info: StatusInfo) -> None:
        super()._show_status(info)
        if self.profile and not self.profile.get("invite") and info.state == "online":
            self.load()  # the invite exists once the node listens

    def action_reload(self) -> None:
        self.load()

    @work(exclusive=True, group="profile", exit_on_error=False)
    async def load(self) -> None:
        self.profile = p = await self.node.profile()
        self.query_one("#name", Input).value = p["name"]
        self.query_one("#headline", Input).value = p["headline"]
        self.query_one("#skills", Input).value = ", ".join(p["skills"])
        self.query_one("#region", Input).value = p["region"]
        self.query_one("#available", Switch).value = p["available"]
        self.query_one("#member-id", Static).update(p["id"])
        self.query_one("#invite", Static).update(
            escape(p["invite"]) or "[dim]no invite yet: the node is not online[/dim]"
        )
        self._load_stats()
        self.load_devices()

    @work(exclusive=True, group="devices", exit_on_error=False)
    async def load_devices(self) -> None:
        note = self.query_one("#devices-note", Static)
        try:
            devices = await self.node.devices()
        except UserError as exc:
            note.update(f"[$error]{escape(str(exc))}[/]")
            note.remove_class("-hidden")
            return
        self.query_one(DeviceList).show(devices)
        this = next((d for d in devices if d.this_device), None)
        may_manage = this is not None and (this.root or this.manage)
        note.update("this device may not add or revoke devices: the root or a managing one may")
        note.set_class(may_manage, "-hidden")
        self.devices_loaded = True
        self.refresh_bindings()

    @work(exclusive=True, group="stats", exit_on_error=False)
    async def _load_stats(self) -> None:
        self.stats = s = await self.node.stats()

        rows = [
            ("posted", s["offers_posted"]),
            ("forwarded", s["offers_forwarded"]),
            ("handed off", s["offers_handed_off"]),
            ("fulfilled", s["offers_fulfilled"]),
            ("forwarded to you", s["forwarded_to_me"]),
            ("accepted", s["offers_accepted"]),
            ("handed to you", s["handoffs_received"]),
            ("fulfilled by you", s["fulfilled_by_me"]),
        ]
        who = (
            ", ".join(
                f"{r.get('display_name') or r['name']} x{r['count']}" for r in s["fulfilled_to"][:5]
            )
            or "—"
        )
        self.query_one("#stats", Static).update(
            bars(rows)
            + f"\n\nconnector credit  {s['connector_credit']}"
            + f"\nvalue fulfilled   {money(s['value_fulfilled'])}"
            + f"\nvalue earned      {money(s['value_earned'])}"
            + f"\nfulfilled by      {escape(who)}"
        )
        self.query_one("#by-month", ShareChart).show(month_rows(s.get("by_month", [])))
        self.query_one("#by-peer", ShareChart).show(peer_rows(s.get("by_peer", [])))

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        for name in ("name", "headline", "skills", "region", "form"):
            self.query_one(f"#{name}-error", Static).update("")
        name = self.query_one("#name", Input).value.strip()
        if not name:
            self.query_one("#name-error", Static).update("a name is needed")
            return
        self._save(
            {
                "name": name,
                "headline": self.query_one("#headline", Input).value.strip(),
                "skills": csv(self.query_one("#skills", Input).value),
                "region": self.query_one("#region", Input).value.strip(),
                "available": self.query_one("#available", Switch).value,
            }
        )

    @work(exclusive=True, group="profile-save", exit_on_error=False)
    async def _save(self, fields: dict[str, Any]) -> None:
        try:
            await self.node.set_profile(**fields)
        except UserError as exc:
            where = field_of(str(exc))
            where = where if where in ("name", "headline", "skills", "region") else "form"
            self.query_one(f"#{where}-error", Static).update(str(exc))
            return
        self.notify("Profile saved and signed", timeout=3)

    def action_copy_invite(self) -> None:
        invite = self.profile.get("invite", "")
        if invite:
            self.app.copy_to_clipboard(invite)
            self.notify("Invite copied", timeout=2)
        else:
            self.notify("no invite yet: the node is not online", severity="warning", timeout=3)

    def action_copy_id(self) -> None:
        if member_id := self.profile.get("id"):
            self.app.copy_to_clipboard(member_id)
            self.notify("Member id copied", timeout=2)

    # -- devices (issue 15) -----------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "revoke_device":  # shown dimmed until a device that can go is highlighted
            device = self.query_one(DeviceList).current
            return True if device is not None and revocable(device) else None
        return True

    @on(OptionList.OptionHighlighted, "#devices")
    def _device_highlighted(self) -> None:
        self.refresh_bindings()

    @on(OptionList.OptionSelected, "#devices")
    def _copy_device_id(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.copy_to_clipboard(event.option.id)
            self.notify("Device id copied", timeout=2)

    def action_add_device(self) -> None:
        from .devices_pairing import PairingScreen

        if not isinstance(self.app.screen, PairingScreen):
            self.app.push_screen(PairingScreen(self.node))

    def _device_event(self, event: DevicePaired | DevicePairingFailed) -> None:
        """A device joined (the app's `devices` signal): close the dialog and say so; a failed
        pairing is the dialog's to show (devices_pairing.py), or the app's toast."""
        from p2pshare.events import DevicePaired

        from .devices_pairing import PairingScreen

        if not isinstance(event, DevicePaired):
            return
        if isinstance(self.app.screen, PairingScreen) and self.app.screen.is_for(event.code):
            self.app.screen.dismiss(None)
        label = escape(one_line(event.label)) or "a new device"
        self.notify(f"“{label}” is one of your devices now", title="Device added", timeout=6)
        self.load_devices()

    def action_revoke_device(self) -> None:
        from .devices_revoke import RevokeDeviceScreen

        device = self.query_one(DeviceList).current
        if device is None or not revocable(device):
            return

        def done(revoked: bool | None) -> None:
            if revoked:
                label = escape(one_line(device.label)) or "the device"
                self.notify(f"“{label}” unlinked: what it signs from then on is refused")
                self.load_devices()

        self.app.push_screen(RevokeDeviceScreen(self.node, device), done)
