"""The fake node's devices: this member's two devices, and pairing a third.

Owns `FakeDevices`: the member's devices (this one, its root, and a phone), the
NodePort's device calls (`devices`, `start_pairing`, `revoke_device`, with the
real node's refusals) and the test's hand on the other side of a pairing
(`complete_pairing`: the new device joins with the code offered; `fail_pairing`:
it does not). Separate from offers and trust: a device is the member's own key
material, not a record of the feed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from fake_state import FakeState
from fake_world import DAY, ME, NOON, PAIRING_TTL, PAIRING_WORDS, PHONE, T0, fixed_clock

from p2pshare.domain.device_views import DeviceItem, Pairing
from p2pshare.errors import NotFound, UserError
from p2pshare.events import Changed, DevicePaired, DevicePairingFailed

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


class FakeDevices(FakeState):
    """The NodePort's device calls, and a pairing's other side for the tests."""

    def __init__(self, *, name: str = "Me", skills: Sequence[str] = ()) -> None:
        super().__init__(name=name, skills=skills)
        self.my_devices: list[DeviceItem] = [
            DeviceItem(
                device_id=ME,
                label="laptop",
                this_device=True,
                root=True,
                manage=True,
                linked_at=NOON - 90 * DAY,
                unlinked_from=None,
            ),
            DeviceItem(
                device_id=PHONE,
                label="phone",
                this_device=False,
                root=False,
                manage=False,
                linked_at=NOON - 30 * DAY,
                unlinked_from=None,
            ),
        ]
        self.pairing: Pairing | None = None  # the code offered, until a device joins with it
        self.clock: Callable[[], float] = fixed_clock  # when a code is offered, for its expiry
        self._pairing_manage = False

    def complete_pairing(self, label: str = "desktop") -> str:
        """A new device joins with the code offered: certified, listed, `DevicePaired`."""
        assert self.pairing is not None, "no pairing was started"
        code = self.pairing.code
        device_id = f"12D3KooW{label.lower()}"
        self.my_devices.append(
            DeviceItem(
                device_id=device_id,
                label=label,
                this_device=False,
                root=False,
                manage=self._pairing_manage,
                linked_at=NOON,
                unlinked_from=None,
            )
        )
        self.pairing = None
        self._emit(Changed(peers=True))
        self._emit(DevicePaired(device_id=device_id, label=label, code=code))
        return device_id

    def fail_pairing(self, reason: str = "a wrong code was typed", *, code: str = "") -> None:
        """A new device tries the code offered (or `code`, another this home offered from
        the command line) and does not pair: used up, `DevicePairingFailed`."""
        if not code:
            assert self.pairing is not None, "no pairing was started"
            code, self.pairing = self.pairing.code, None
        self._emit(DevicePairingFailed(reason=reason, code=code))

    async def devices(self) -> list[DeviceItem]:
        return sorted(self.my_devices, key=lambda d: (not d.this_device, d.linked_at, d.device_id))

    async def start_pairing(self, *, manage: bool = False) -> Pairing:
        self._call("start_pairing", {"manage": manage})
        info = self.status.info
        if info is None:  # as NodeAPI: the pairing runs on the network
            raise UserError("the node is not running: a new device has nothing to dial")
        if not self._this_device().manage:
            raise UserError("this device may not add devices: pair it with manage first")
        self.pairing = Pairing(
            code=f"{self._seq % 9 + 1}-{PAIRING_WORDS}",
            addresses=info.addresses,
            expires_at=int(self.clock()) + PAIRING_TTL,
        )
        self._pairing_manage = manage
        self._seq += 1
        return self.pairing

    async def revoke_device(
        self, device_id: str, *, reason: str = "", since: int | None = None
    ) -> str:
        self._call("revoke_device", {"device_id": device_id, "reason": reason, "since": since})
        found = [d for d in self.my_devices if d.device_id == device_id]
        if not found:
            raise NotFound(f"no device {device_id} of yours")
        device = found[0]
        if device.root:
            raise UserError("the root key is rotated, never unlinked")
        if not (self._this_device().manage or device.this_device):
            raise UserError("this device may not revoke devices: pair it with manage first")
        until = T0 if since is None else since
        if until > T0:
            raise UserError("since: a date to come; an unlink reaches only the past")
        if device.unlinked_from is not None and device.unlinked_from <= until:
            until, reason = device.unlinked_from, device.reason  # the earliest holds
        index = self.my_devices.index(device)
        self.my_devices[index] = replace(device, unlinked_from=until, reason=reason)
        self._emit(Changed(peers=True))
        return self._new_id("unlink", device_id)

    def _this_device(self) -> DeviceItem:
        return next(d for d in self.my_devices if d.this_device)
