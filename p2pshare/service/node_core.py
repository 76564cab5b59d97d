"""The node as the app holds it: its lifecycle, its events, and its one consumer of changes.

`NodeCore` opens the member's home, starts and stops the libp2p node, passes the
node's events on to the app (keeping `Status` current from them), and takes in
every change to the member's records through one `ChangeFeed` (changes.py),
telling the app what changed. The actions (node_actions.py) and the views
(node_views.py) build on it; together they are `NodeAPI` (api.py).

It lives on the asyncio side (Textual's loop). Store and ledger work runs in one
worker thread (`_run`), so the UI never waits on SQLite or on a trust
computation; the libp2p node runs as a trio guest on the same loop (bridge.py)
and is imported only when `start_network()` is called, after the app has painted.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import protocol
from p2pshare.domain.ledger_part import PENDING, partition_of
from p2pshare.errors import UserError
from p2pshare.events import (
    Changed,
    ClockSkew,
    DevicePaired,
    Event,
    NodeFailed,
    NodeInfo,
    NodeStarted,
    NodeStopped,
    Notice,
    PeerConnected,
    PeerDisconnected,
    RecordsArrived,
    SyncProgress,
)
from p2pshare.member import identity as ident
from p2pshare.member.actions import Absorbed, Member
from p2pshare.service import app_heap
from p2pshare.service.changes import ChangeFeed
from p2pshare.service.feed_cache import FeedCache
from p2pshare.service.notices import clock_notice, notices_for, trusted_ids
from p2pshare.store import StoreError
from protocol import Decline, Say

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from p2pshare.domain import views
    from p2pshare.domain.ledger import OfferState
    from p2pshare.member.home import Home

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkOptions:
    listen: Sequence[str] = ()
    peers: Sequence[str] = ()
    mdns: bool = True
    community: str | None = None


@dataclass(slots=True, kw_only=True)
class Status:
    """What the status bar shows."""

    state: str = "offline"  # offline | starting | online | failed
    reason: str = ""
    info: NodeInfo | None = None
    connected: set[str] = field(default_factory=set)
    syncing: set[str] = field(default_factory=set)
    # Can others dial this node: public | private | unknown (net/reach.py); kept
    # current by peers() and reachability().
    reachability: str = "unknown"


class NodeCore:
    """The running part of a member's node; `NodeAPI` adds what the app asks and reads."""

    def __init__(
        self,
        home: Home,
        *,
        network: NetworkOptions | None = None,
        passphrase: Callable[[], bytes | None] | None = None,
        clock: Callable[[], float] | None = None,
        freeze_heap: bool = False,
    ) -> None:
        """`freeze_heap`: the app's own process (not tests, which hold many nodes)."""
        self.home = home
        self._clock = clock  # a fixed clock for tests and snapshots; None = time.time
        self._freeze_heap = freeze_heap
        self.network = network or NetworkOptions()
        self.status = Status()
        self._passphrase = passphrase or ident.passphrase_from_env
        self._member: Member | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="p2pshare-store")
        # Held by the worker while it runs; the door's judge (on the loop) only tries it.
        self._state_lock = threading.Lock()
        self._listeners: list[Callable[[Event], None]] = []
        self._bridge: Any = None
        self._node: Any = None
        self._tasks: list[asyncio.Task[None]] = []
        self._changes = ChangeFeed(self._absorb)
        # the feed, kept current (worker thread only)
        self._feed_cache = FeedCache(freeze_heap=freeze_heap)
        self._trusted: frozenset[str] = frozenset()  # whom the node keeps connected first

    # -- lifecycle -------------------------------------------------------------

    @property
    def member(self) -> Member:
        if self._member is None:
            raise RuntimeError("NodeAPI.open() first")
        return self._member

    @property
    def member_id(self) -> str:
        return self.member.identity.member_id

    async def open(self) -> None:
        """Load the identity and the store (UserError with a reason if they cannot be)."""

        def load() -> Member:
            clock = self._clock or time.time
            try:
                return Member.open(
                    self.home,
                    passphrase=self._passphrase,
                    whole=True,
                    follow_store=False,  # the change feed drives it
                    clock=clock,
                )
            except StoreError as exc:
                raise UserError(str(exc)) from None

        if self._freeze_heap:  # before the first load: its large blocks are given back
            app_heap.keep_large_blocks_mapped()
        self._member = await self._run(load)
        self._changes.start(self.home.store_file)
        self._changes.catch_up()  # the first load of the derived state

    async def start_network(self) -> NodeInfo:
        """Start the libp2p node inside this loop; UserError with the reason if it fails."""
        self.status.state = "starting"
        try:
            from p2pshare.net.bridge import TrioBridge
            from p2pshare.net.node import Node, NodeConfig

            config = NodeConfig(
                listen=tuple(self.network.listen),
                peers=tuple(self.network.peers),
                mdns=self.network.mdns,
                community=self.network.community,
                doorbell=False,  # the change feed listens, and kicks the node
            )
            self._bridge = TrioBridge()
            self._node = Node(
                self.home,
                self.member.identity,
                config,
                emit=self._bridge.emit,
                known=self.member.has_record,
            )
            self._node.trusted = lambda member_id: member_id in self._trusted
            self._node.judge = self._judge
            info: NodeInfo = await self._bridge.start(self._node.run)
        except UserError as exc:
            self._fail(str(exc))
            raise
        except Exception as exc:
            log.exception("node failed to start")
            self._fail(f"the node could not start: {exc}")
            raise UserError(f"the node could not start: {exc}") from None
        self.status.state, self.status.info = "online", info
        self._tasks.append(asyncio.create_task(self._pump_events(), name="p2pshare-events"))
        self._emit(NodeStarted(info=info))
        return info

    def _fail(self, reason: str) -> None:
        self.status.state, self.status.reason = "failed", reason
        self._emit(NodeFailed(reason=reason))

    async def close(self) -> None:
        """Stop the node (within about a second) and release the store."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        await self._changes.close()
        if self._bridge is not None:
            await self._bridge.stop(timeout=1.5)
            self._bridge = None
            self._emit(NodeStopped())
        if self._member is not None:
            await self._run(self._member.close)
            self._member = None
        self._worker.shutdown(wait=False)
        self.status.state = "offline"

    # -- events ----------------------------------------------------------------

    def subscribe(self, listener: Callable[[Event], None]) -> None:
        """`listener` is called on the event loop for every event, in order."""
        self._listeners.append(listener)

    def _emit(self, event: Event) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("event listener failed on %r", event)

    async def _pump_events(self) -> None:
        while self._bridge is not None:
            event = await self._bridge.events.get()
            if isinstance(event, PeerConnected):
                self.status.connected.add(event.member_id)
            elif isinstance(event, PeerDisconnected):
                self.status.connected.discard(event.member_id)
                self.status.syncing.discard(event.member_id)
            elif isinstance(event, SyncProgress):
                (self.status.syncing.discard if event.done else self.status.syncing.add)(
                    event.member_id
                )
            elif isinstance(event, NodeFailed):
                self.status.state, self.status.reason = "failed", event.reason
            if self._node is not None:  # the trio guest runs on this thread: a plain read
                self.status.reachability = self._node.reachability
            self._emit(event)
            if isinstance(event, ClockSkew) and event.suspect:
                self._emit(clock_notice(event))
            if isinstance(event, RecordsArrived):
                self._changes.add(event.records, event.seqs)
            if isinstance(event, DevicePaired):  # the node stored the device's certificate
                self._changes.catch_up()

    async def refresh(self) -> None:
        """Read what other processes wrote to the store now, and wait until it shows."""
        self._changes.catch_up()
        await self._changes.settled()

    async def _absorb(
        self, records: Sequence[protocol.Envelope], seqs: Sequence[int], catch_up: bool
    ) -> None:
        """The change feed's one consumer: update the derived state, then tell listeners."""

        def work() -> tuple[Absorbed, list[Notice], dict[str, views.FeedItem | None] | None]:
            absorbed = self.member.absorb(records, seqs, catch_up=catch_up)
            if not absorbed.fresh:
                return absorbed, [], None
            told = [] if absorbed.first else notices_for(self.member, absorbed.fresh)
            rows = self._feed_cache.patch(self.member, absorbed)
            if absorbed.first or absorbed.trust:
                self._trusted = self._with_devices(trusted_ids(self.member.scores()))
            return absorbed, told, rows

        absorbed, told, rows = await self._run(work)
        if absorbed.first and self._freeze_heap:
            # The first load leaves hundreds of thousands of long-lived objects (records,
            # ledger, feed rows). Left to the cyclic GC, each full collection walks them
            # all (~0.6 s at 100k offers), and one lands on a keystroke now and then.
            # They stay for the process's life: move them out of its reach.
            gc.freeze()
        if not absorbed.fresh:
            return
        trust = absorbed.trust or absorbed.first
        # messages and declines change no offer's state, but their offer's page and
        # the activity inbox show them
        talk = {env.body.offer for env in absorbed.fresh if isinstance(env.body, Say | Decline)}
        offers = absorbed.offers | talk if talk else absorbed.offers
        self._emit(Changed(offers=offers, trust=trust, peers=True, rows=rows))
        for notice in told:
            self._emit(notice)
        me = self.member.me
        if self._node is not None and any(env.author == me for env in absorbed.fresh):
            self._kick()

    def _with_devices(self, members: frozenset[str]) -> frozenset[str]:
        """Member ids, and the peer ids of their devices (each device is its own peer)."""
        keys_of = self.member.keys_of
        devices = {
            protocol.member_id(key)
            for member in members
            for key in keys_of(protocol.public_key_of(member))
        }
        return members | devices

    def _judge(self, envelope: protocol.Envelope) -> str | None:
        """The ledger's verdict at the node's door (issue 16 §5), on the event loop.

        The derived state belongs to the worker thread, and the gossip validator
        must not block the loop on it, so the judge only tries the worker's lock.
        When the worker is busy, a record that starts its own partition (an offer,
        a vouch) or a profile goes in unjudged, as before the ledger judged at the
        door (the ledger still ignores it if its rules refuse it), so a catch-up of
        thousands of offers never stalls on the worker; any other record waits in
        the door's queue and is judged once the worker is done (`_run` rechecks).
        """
        if self._member is None:
            return None
        if not self._state_lock.acquire(blocking=False):
            # A key a member record names (a device) may sign a record that does not
            # count: judged once the worker is done, like a record naming another.
            if partition_of(envelope) in (None, envelope.id) and not self._member.is_device_key(
                envelope.author
            ):
                return None
            return f"{PENDING} yet (the member's state is being updated)"
        try:
            return self._member.judge(envelope)
        finally:
            self._state_lock.release()

    def _kick(self) -> None:
        """Tell the node the outbox has something new (publish now, not at the next poll)."""
        if self._bridge is not None and self._node is not None and self._bridge.running:
            self._bridge.call_sync(self._node.kick)

    # -- plumbing --------------------------------------------------------------

    async def _run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        def locked() -> T:
            with self._state_lock:
                return fn(*args, **kwargs)

        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._worker, locked)
        finally:
            if self._bridge is not None and self._node is not None and self._bridge.running:
                self._bridge.call_sync(self._node.recheck)  # what waited may be judged now

    async def _act(self, fn: Callable[[Member], protocol.Envelope]) -> str:
        envelope = await self._run(fn, self.member)
        self._changes.add([envelope])
        await self._changes.settled()
        return envelope.id.hex()

    def _offer(self, offer_id: str) -> OfferState:
        return self.member.resolve_offer(offer_id)
