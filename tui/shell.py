"""What a screen may read of the app it runs in; P2PShareApp provides it.

Screens do not import the app (tui/app.py imports them): they read shared view
state through this protocol and ask for everything else with the messages of
messages.py. tests/tui/test_port.py checks that the app satisfies it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from textual.signal import Signal

    from p2pshare.domain.activity import ActivityItem
    from p2pshare.events import Changed, DevicePaired, DevicePairingFailed

    from .unread import SeenOffers
    from .widgets.status_bar import StatusInfo


class Shell(Protocol):
    @property
    def clock(self) -> Callable[[], float]: ...  # fixed in tests and snapshots

    @property
    def node_open(self) -> bool: ...  # the node's views can be read (the app paints before)

    @property
    def seen(self) -> SeenOffers: ...  # offers this member has opened

    @property
    def activity_items(self) -> list[ActivityItem]: ...  # the inbox, newest first

    @property
    def activity_read(self) -> SeenOffers: ...  # activity items read

    @property
    def drafts(self) -> dict[str, dict[str, Any]]: ...  # forms' unsent text, by form

    @property
    def status_info(self) -> StatusInfo: ...

    @property
    def status_signal(self) -> Signal[StatusInfo]: ...  # published whenever the status changes

    @property
    def changed_signal(self) -> Signal[Changed]: ...  # records changed (or only the seen set)

    @property
    def devices_signal(self) -> Signal[DevicePaired | DevicePairingFailed]: ...  # my devices
