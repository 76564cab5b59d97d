"""Where each of the node's events goes in the app: a signal the screens hear, or a toast.

The node has one listener, this router's `relay`, which re-posts each event as a
NodeEvent message on Textual's loop; the app hands each back to `route`, which
decides, in one place, what becomes of it: records changed go out on `changed`,
which every main screen subscribes to, and the activity inbox is read again once
a burst has passed; this member's devices (a device paired, a pairing that
failed) go out on `devices`, which the Profile and the add-a-device dialog
subscribe to; what a member must be told with no screen to show it becomes a
toast. So no screen subscribes to the node itself, and an event reaches a screen
the same way whichever screen is on top. After each event the app publishes the
status bar again, whose node part (`status_of`) is read here too. Kept apart from
the app, which owns the node's lifecycle and the member's requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual.signal import Signal

from .messages import NodeEvent
from .widgets.status_bar import StatusInfo

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import App
    from textual.timer import Timer

    from p2pshare.events import Changed, DevicePaired, DevicePairingFailed, Event
    from p2pshare.service.port import NodeStatus

    DeviceEvent = DevicePaired | DevicePairingFailed

ACTIVITY_DELAY = 0.3  # coalesce bursts of records into one read of the inbox


class EventRouter:
    """The app's part of the node's events: the signals screens subscribe to, and toasts."""

    def __init__(self, app: App[Any], *, read_activity: Callable[[], object]) -> None:
        self._app = app
        self._read_activity = read_activity
        self._activity_timer: Timer | None = None
        self.changed: Signal[Changed] = Signal(app, "changed")
        self.devices: Signal[DeviceEvent] = Signal(app, "devices")

    def relay(self, event: Event) -> None:
        """The node's listener (on the app's loop): each event becomes a NodeEvent message,
        handled in turn with the app's others, which hands it to `route`."""
        self._app.post_message(NodeEvent(event))

    def route(self, event: Event) -> None:
        # imported here, as the node's first event comes: not before the first frame
        from p2pshare.events import (
            Changed,
            DevicePaired,
            DevicePairingFailed,
            NodeFailed,
            Notice,
        )

        app = self._app
        if isinstance(event, Changed):
            self.changed.publish(event)
            if event.offers or event.trust:
                self._activity_soon()
        elif isinstance(event, Notice):
            text = f"{event.text}\n[dim]5: Activity[/dim]"  # the toast leads to the inbox
            warning = event.severity == "warning"
            app.notify(text, severity="warning" if warning else "information", timeout=6)
        elif isinstance(event, NodeFailed):
            app.notify(f"the node failed: {event.reason}", severity="error", timeout=10)
        elif isinstance(event, DevicePaired):
            self.devices.publish(event)  # the Profile closes the dialog and says so
        elif isinstance(event, DevicePairingFailed):
            from .fmt import one_line  # the reason may be the joining device's words

            self.devices.publish(event)
            if not self._pairing_dialog_open(event.code):
                app.notify(
                    f"A device did not pair: {escape(one_line(event.reason))}",
                    title="Pairing failed",
                    severity="warning",
                    timeout=8,
                )

    def seen_changed(self) -> None:
        """Only the offers this member opened changed: screens repaint their unread markers."""
        from p2pshare.events import Changed

        self.changed.publish(Changed(offers=frozenset(), peers=False))

    def _pairing_dialog_open(self, code: str) -> bool:
        """The add-a-device dialog showing `code` says its failure itself and offers a new
        code."""
        from .screens.devices_pairing import PairingScreen

        return any(
            isinstance(screen, PairingScreen) and screen.waiting and screen.is_for(code)
            for screen in self._app.screen_stack
        )

    def _activity_soon(self) -> None:
        if self._activity_timer is not None:
            self._activity_timer.stop()
        self._activity_timer = self._app.set_timer(ACTIVITY_DELAY, self._activity_due)

    def _activity_due(self) -> None:
        self._activity_timer = None
        self._read_activity()


def status_of(status: NodeStatus, *, network_on: bool, community: str) -> StatusInfo:
    """The node's part of the status bar: its state, peers, syncing, community, reach.
    `community` is the home's, until the running node names its own."""
    reason = status.reason
    if not network_on and status.state == "offline":
        reason = "network off"
    if status.info is not None:
        community = status.info.community or community
    return StatusInfo(
        state=status.state,
        reason=reason,
        peers=len(status.connected),
        syncing=len(status.syncing),
        community=community,
        reachability=status.reachability,
    )
