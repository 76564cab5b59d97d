"""What a member sees of its own devices, and of a pairing it has started (issue 15).

The views the app and `p2pshare device list --json` show: one row per device key
the member's records certify (docs/PROTOCOL.md §Members and devices), and the
one-time code a new device types to join. Plain values, built by the node from
its MemberDirectory; nothing here reads the store or the network.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceItem:
    """One of this member's device keys."""

    device_id: str  # the device key's peer id
    label: str  # its name, from its latest certificate ("laptop", "phone")
    this_device: bool  # the key this node signs with
    root: bool  # it holds the member's root authority now
    manage: bool  # it may add and revoke the member's devices
    linked_at: int  # unix seconds: the date of its first valid certificate
    unlinked_from: int | None  # its records dated from then on are refused; None: linked
    reason: str = ""  # the unlink's reason


@dataclass(frozen=True, slots=True, kw_only=True)
class Pairing:
    """A pairing this device offers: a new device joins with `code` before `expires_at`."""

    code: str  # short, typed by a person; one use
    addresses: tuple[str, ...]  # where the new device can dial this one (with /p2p/ suffix)
    expires_at: int  # unix seconds
