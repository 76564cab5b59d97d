"""App-wide messages: what screens ask of the app, and node events on Textual's loop.

Screens never call the app: they post these, and the app (tui/app.py) handles
them. A screen's own widgets keep their messages as nested classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from p2pshare.events import Event

    from .actions import Action


@dataclass(frozen=True, slots=True)
class ForwardChoice:
    """What the forward picker returns: a member id, or None for the whole network."""

    to: str | None
    note: str = ""


class NodeEvent(Message):
    """An event from the node, re-posted as a Textual message."""

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event


class ActionRequested(Message):
    """Ask the app to send a member's action to the node (it reports how that went)."""

    def __init__(self, action: Action) -> None:
        super().__init__()
        self.action = action


class OpenOffer(Message):
    """Ask the app to open an offer's page (from a toast, the palette, a list)."""

    def __init__(self, offer_id: str) -> None:
        super().__init__()
        self.offer_id = offer_id


class OpenPeer(Message):
    """Ask the app to open a peer's page."""

    def __init__(self, member_id: str) -> None:
        super().__init__()
        self.member_id = member_id


class FeedPainted(Message):
    """The feed's first load is on screen: the app may start the network now."""


class UnreadCounted(Message):
    """The feed counted the offers not opened yet (shown in the status bar)."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count


class MarkActivityRead(Message):
    """Mark these activity items read (or unread again)."""

    def __init__(self, ids: tuple[str, ...], *, read: bool = True) -> None:
        super().__init__()
        self.ids = ids
        self.read = read


class MarkOffersRead(Message):
    """Mark these offers read, as if each had been opened (the feed's mark all read)."""

    def __init__(self, ids: tuple[str, ...]) -> None:
        super().__init__()
        self.ids = ids
