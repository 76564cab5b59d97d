"""What the app may ask of a member's node: the port tui/ is written against.

`NodeAPI` (api.py) is the real implementation and satisfies these protocols
structurally (tests/tui/test_port.py checks it, with mypy and by signature); the
app's tests hand the app an in-memory fake instead. Nothing here runs: the
protocols name the calls, the views (p2pshare.domain.views) and the events
(p2pshare.events) that cross between the app and the node, so importing this
module loads neither the store nor the network.

`HomePort` is the step before a node exists: a first run makes an identity, a
locked key asks for its passphrase, and only then is a `NodePort` opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence, Set
    from pathlib import Path

    from p2pshare.domain.activity import ActivityItem
    from p2pshare.domain.device_views import DeviceItem, Pairing
    from p2pshare.domain.views import FeedItem, PeerItem
    from p2pshare.events import Event, NodeInfo


class NodeStatus(Protocol):
    """What the status bar shows of the node; read-only to the app."""

    @property
    def state(self) -> str: ...  # offline | starting | online | failed

    @property
    def reason(self) -> str: ...

    @property
    def info(self) -> NodeInfo | None: ...

    @property
    def connected(self) -> Set[str]: ...  # member ids connected now

    @property
    def reachability(self) -> str: ...  # public | private | unknown (dial-back)

    @property
    def syncing(self) -> Set[str]: ...


class NodePort(Protocol):
    """A member's open node: views, actions and a stream of events.

    Every call is a coroutine the app awaits from a worker; refusals raise
    `p2pshare.errors.UserError` with a one-line reason. Actions return the new
    record's id (hex); their effect arrives afterwards as a `Changed` event.
    """

    @property
    def status(self) -> NodeStatus: ...

    @property
    def member_id(self) -> str: ...

    # -- lifecycle and events ---------------------------------------------------

    def subscribe(self, listener: Callable[[Event], None]) -> None:
        """`listener` is called on the app's event loop for every event, in order."""
        ...

    async def open(self) -> None: ...

    async def start_network(self) -> NodeInfo: ...

    async def close(self) -> None: ...

    # -- views ------------------------------------------------------------------

    async def feed(self, *, include_closed: bool = False) -> list[FeedItem]: ...

    async def offer(self, offer_id: str) -> dict[str, Any]: ...  # views.offer_detail

    async def peers(self) -> list[PeerItem]: ...

    async def trust(
        self, member_id: str, *, explain: bool = True
    ) -> dict[str, Any]: ...  # views.trust_report

    # totals, and by_month and by_peer (domain.stats.breakdown_report) for the profile's charts
    async def stats(self) -> dict[str, Any]: ...  # views.stats_report

    async def profile(self) -> dict[str, Any]: ...

    async def activity(self) -> list[ActivityItem]: ...  # domain.activity, newest first

    # -- actions ----------------------------------------------------------------

    async def post_offer(self, **fields: Any) -> str: ...

    async def forward(self, offer_id: str, *, to: str | None, note: str = "") -> str: ...

    async def accept(self, offer_id: str, *, note: str = "") -> str: ...

    async def handoff(self, offer_id: str, *, to: str) -> str: ...

    async def outcome(
        self,
        offer_id: str,
        *,
        fulfilled: bool,
        rating: int = 0,
        value: int = 0,
        to: str | None = None,
        note: str = "",
        credit: Sequence[str] | None = None,
    ) -> str: ...

    async def credit(
        self, offer_id: str, forwarders: Sequence[str], *, to: str | None = None
    ) -> str: ...

    async def reply(self, offer_id: str, *, note: str, rating: int = 0) -> str: ...

    async def withdraw(self, offer_id: str, *, reason: str = "") -> str: ...

    async def decline(self, offer_id: str, *, note: str = "") -> str: ...  # "not for me"

    async def say(self, offer_id: str, text: str) -> str: ...  # a message about the offer

    async def conversation(self, offer_id: str) -> list[dict[str, Any]]: ...  # oldest first

    async def vouch(self, member_id: str, *, skills: Iterable[str] = (), note: str = "") -> str: ...

    async def revoke(self, vouch_id: str) -> str: ...

    async def set_profile(self, **fields: Any) -> str: ...

    async def mark(self, member_id: str, mark: str, on: bool = True) -> None: ...

    # -- this member's devices (issue 15) --

    async def devices(self) -> list[DeviceItem]: ...  # this device first, then by link date

    async def start_pairing(self, *, manage: bool = False) -> Pairing:
        """Offer a one-time code for a new device; the node pairs in the background
        and reports `DevicePaired` (or `DevicePairingFailed`: the code is used up)."""
        ...

    async def revoke_device(
        self, device_id: str, *, reason: str = "", since: int | None = None
    ) -> str:
        """Unlink one of this member's devices from `since` (default now); the record id."""
        ...


class HomePort(Protocol):
    """A member's home before its node is open: first run, a locked key, then the node."""

    @property
    def path(self) -> Path | None: ...  # where the app keeps its own small files; None: nowhere

    @property
    def community(self) -> str: ...  # the configured community, shown until the node reports

    def has_identity(self) -> bool: ...

    def needs_passphrase(self) -> bool:
        """The key is encrypted and no passphrase was given (e.g. in the environment)."""
        ...

    def create_identity(
        self, *, name: str, headline: str, skills: Sequence[str], passphrase: bytes | None
    ) -> str:
        """First run: make the keys and the first profile; returns the member id.

        Blocking (key derivation, the first record): the app calls it from a thread.
        """
        ...

    def recovery_words(self, passphrase: bytes | None) -> list[str]:
        """The words that restore this member on a new machine, shown once at first run.

        Blocking (reads and may decrypt the key): the app calls it from a thread.
        """
        ...

    def node(self, *, passphrase: bytes | None, peers: Sequence[str] = ()) -> NodePort:
        """A node over this home, not yet open; `peers` are dialled besides the configured ones."""
        ...
