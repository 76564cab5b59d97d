"""The Profile's Devices section (issue 15): this member's device keys, one option each.

A member is one identity over several device keys; this list is where the member
sees them: which one this is, which holds the root and which may manage the others,
since when each is linked, and the unlinked ones dimmed with the reason given. The
unlinked ones cannot be highlighted, so a revoke only ever names a linked device.
Labels and reasons are written by a device of the member, yet shown escaped like
everything a key wrote (tui/fmt.py `one_line`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..fmt import one_line

if TYPE_CHECKING:
    from p2pshare.domain.device_views import DeviceItem

ID_SHOWN = 20  # "12D3KooW" and twelve more: unique among a member's keys, and it fits 80 columns


def day(unix_seconds: int) -> str:
    """A date as the member's calendar has it: '2023-11-14'."""
    return dt.datetime.fromtimestamp(unix_seconds).strftime("%Y-%m-%d")


def short_id(device_id: str) -> str:
    return device_id if len(device_id) <= ID_SHOWN + 1 else device_id[:ID_SHOWN] + "…"


def roles(device: DeviceItem) -> str:
    """What the device may do beyond signing: 'root', 'manages devices', or ''."""
    if device.root:
        return "root"
    return "manages devices" if device.manage else ""


def revocable(device: DeviceItem) -> bool:
    """A device this one may try to unlink: another, linked, never the root (it is rotated)."""
    return not (device.this_device or device.root or device.unlinked_from is not None)


def device_prompt(device: DeviceItem) -> Content:
    """Two lines: '● laptop · this device · root', then its id and since when it is linked."""
    values = {
        "label": one_line(device.label) or "unnamed",
        "id": short_id(device.device_id),
        # a root holds from the member's start, with no certificate (PROTOCOL.md §Roots)
        "linked": day(device.linked_at) if device.linked_at > 0 else "from the start",
    }
    if device.unlinked_from is not None:
        reason = one_line(device.reason)
        values["unlinked"] = day(device.unlinked_from) + (f": {reason}" if reason else "")
        values["this"] = " · this device" if device.this_device else ""
        # the member's words go in as values, never as markup (Content.from_markup)
        return Content.from_markup(
            "[dim]  $label$this · unlinked from $unlinked\n  $id  linked $linked[/dim]", **values
        )
    tags = [t for t in ("this device" if device.this_device else "", roles(device)) if t]
    values["tags"] = "".join(f" · {t}" for t in tags)
    mark = "[bold $success]●[/] " if device.this_device else "  "
    return Content.from_markup(
        mark + "[b]$label[/b][$text-muted]$tags[/]\n[$text-muted]  $id  linked $linked[/]",
        **values,
    )


class DeviceList(OptionList):
    """This member's devices, this one first; the highlighted one is what Revoke names."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.devices: list[DeviceItem] = []

    def show(self, devices: list[DeviceItem]) -> None:
        """Replace the options, keeping the highlight on the same device where it still is."""
        kept = self.current.device_id if self.current is not None else None
        self.devices = list(devices)
        self.clear_options()
        self.add_options(
            Option(device_prompt(d), id=d.device_id, disabled=d.unlinked_from is not None)
            for d in self.devices
        )
        ids = [d.device_id for d in self.devices]
        if kept in ids and not self.devices[ids.index(kept)].unlinked_from:
            self.highlighted = ids.index(kept)
        elif self.devices:
            self.highlighted = 0  # this device: nothing to revoke until the member moves

    @property
    def current(self) -> DeviceItem | None:
        index = self.highlighted
        if index is None or not 0 <= index < len(self.devices):
            return None
        return self.devices[index]
