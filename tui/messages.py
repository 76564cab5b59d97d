"""App-wide messages: node events, delivered on Textual's loop."""

from __future__ import annotations

from textual.message import Message

from p2pshare.events import Event


class NodeEvent(Message):
    """An event from the NodeAPI, re-posted as a Textual message."""

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event


class OpenOffer(Message):
    """Ask the app to open an offer's page (from a toast, the palette, a list)."""

    def __init__(self, offer_id: str) -> None:
        super().__init__()
        self.offer_id = offer_id


class OpenPeer(Message):
    def __init__(self, member_id: str) -> None:
        super().__init__()
        self.member_id = member_id
