"""The member's libp2p node (trio side): the composition root of p2pshare/net/.

One `Node` per home. It owns its store connection and the home's NodeLock,
publishes the outbox, stores what gossip and sync bring (through the store's
own validation), keeps connections to up to `max_peers` peers, and reports what
happens as plain events (events.py) through `emit`. The app runs it as a trio
guest (bridge.py); `p2pshare serve` runs it with trio.run. libp2p types stay
inside this module and p2pshare/net/.

This module only builds the parts (each in its own module, see __init__.py),
wires them to each other and runs them in one nursery: the records path
(record_flow.py), the peers (dialer, peer_watch, peer_sharing, peer_standing),
reach (traversal), what the node says about itself (status); the host, pubsub
and mDNS start and stop as lifecycle.py says.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import trio
from libp2p.peer.id import ID

from p2pshare.errors import UserError
from p2pshare.events import DevicePaired, DevicePairingFailed
from p2pshare.member.home import Home, ensure_listen
from p2pshare.net import gossip
from p2pshare.net import host as hostmod  # first: it routes libp2p's logging (see there)
from p2pshare.net.config import NodeConfig
from p2pshare.net.dialer import Dialer
from p2pshare.net.discovery import Mdns, PeerBook, bootstrap
from p2pshare.net.invite import parse_peer
from p2pshare.net.lifecycle import close_connections, serve_host, start_mdns
from p2pshare.net.member_keys import PROTOCOL as MEMBER_KEYS_PROTOCOL
from p2pshare.net.member_keys import MemberKeys
from p2pshare.net.pairing import PROTOCOL as PAIR_PROTOCOL
from p2pshare.net.pairing import Joined, PairingDesk, join
from p2pshare.net.peer_sharing import PeerSharing
from p2pshare.net.peer_standing import PeerStanding
from p2pshare.net.peer_watch import PeerWatch
from p2pshare.net.record_flow import RecordFlow
from p2pshare.net.refusals import Refusals
from p2pshare.net.status import NodeStatus, remove_node_file
from p2pshare.net.traversal import Traversal
from p2pshare.store import NodeLock, NodeLockedError, Store, StoreError

if TYPE_CHECKING:
    from collections.abc import Callable

    from p2pshare.events import NodeInfo
    from p2pshare.member.identity import Identity
    from p2pshare.net.connections import ConnectionManager
    from p2pshare.net.door import Door
    from protocol import Envelope, RecordId

__all__ = ["Node", "NodeConfig"]

log = logging.getLogger(__name__)


class Node:
    """A running member node. Construct, then `await run()` in a trio nursery."""

    def __init__(
        self,
        home: Home,
        identity: Identity,
        config: NodeConfig | None = None,
        emit: Callable[[Any], None] | None = None,
        known: Callable[[RecordId], bool] | None = None,
    ) -> None:
        self.home = home
        self.identity = identity
        self.config = config or NodeConfig()
        self._emit = emit or (lambda event: None)
        self._known = known  # "stored already?" from the owner's memory (the app's ledger)
        self.community = self.config.community or gossip.DEFAULT_COMMUNITY
        self.topic = gossip.topic_for(self.community)
        self.member_id = identity.member_id
        self.store: Store | None = None
        self._connected: set[str] = set()  # shared by the parts below, kept by PeerWatch
        self._book = PeerBook(home.peers_file, self.member_id)
        self._standing = PeerStanding(lambda member_id: self.trusted(member_id))
        self._blocked = self._standing.blocked
        self._refusals = Refusals()
        self._nursery: trio.Nursery | None = None
        # Built by run(), when the host is:
        self._host: Any = None
        self._pubsub: Any = None
        self._conns: ConnectionManager | None = None
        self._traversal: Traversal | None = None  # reachability, relays, DCUtR
        self._gate: gossip.RecordGate | None = None
        self._door: Door | None = None
        self._flow: RecordFlow | None = None  # gossip, door, ingest, catch-up, outbox
        self._dialer: Dialer | None = None
        self._sharing: PeerSharing | None = None
        self._status: NodeStatus | None = None
        self.member_keys: MemberKeys | None = None  # the member's seal keys among its devices
        # Set by the owner: members it trusts, never trimmed (peer_standing.py).
        self.trusted: Callable[[str], bool] = lambda member_id: False
        # Set by the owner: the ledger's verdict on a record at the door (door.py),
        # None when it would take it (issue 16 §5); unset, the door skips that check.
        self.judge: Callable[[Envelope], str | None] | None = None

    # -- public API (trio side) ------------------------------------------------

    def kick(self) -> None:
        """The outbox has something new: publish now. Sync, never blocks."""
        if self._flow is not None:
            self._flow.kick()

    def recheck(self) -> None:
        """The owner's state took in new records: those waiting at the door for a
        record not judged yet (waiting.py) may be judged now. Sync, never blocks."""
        if self._flow is not None:
            self._flow.door.waiting.poke()

    @property
    def published(self) -> int:
        return self._flow.published if self._flow is not None else 0

    @property
    def info(self) -> NodeInfo | None:
        """Addresses and invite; None until the node listens."""
        return self._status.info if self._status is not None else None

    def connected(self) -> list[str]:
        return sorted(self._connected)

    def refusals(self) -> dict[str, dict[str, int]]:
        """Per peer (member id), what the node refused from it and why, with counts."""
        return self._refusals.snapshot()

    def peer_links(self) -> dict[str, dict[str, Any]]:
        """Connected peers: how each is reached (`direct` or `relayed`) and the
        addresses of those connections."""
        return self._status.peer_links() if self._status is not None else {}

    @property
    def reachability(self) -> str:
        return self._status.reachability if self._status is not None else "unknown"

    async def dial(self, address: str) -> None:
        """Connect to a multiaddr or invite now and remember it; UserError if it fails."""
        assert self._dialer is not None, "the node is not running"
        await self._dialer.dial(address)

    async def find(self, member_id: str) -> list[str]:
        """Ask the connected peers where `member_id` is; fresh addresses go to the
        book (first). Every address learned, [] if nobody knows."""
        assert self._sharing is not None, "the node is not running"
        return await self._sharing.find(member_id)

    async def pair(self, address: str, *, code: str, label: str) -> Joined:
        """As a new device: dial the device offering `code` at `address` and pair with it
        (net/pairing.py); PairingFailed or UserError say why not."""
        assert self._dialer is not None, "the node is not running"
        assert self._host is not None
        parse_peer(address)  # a UserError saying what is wrong with it
        # the device is the last /p2p/ part: a circuit address names its relay first
        peer = address.rstrip("/").rsplit("/p2p/", 1)[-1]
        if peer not in self._connected and not await self._dialer.dial_peer(peer, [address]):
            raise UserError(f"could not connect to {peer}")
        with trio.fail_after(10):
            stream = await self._host.new_stream(ID.from_base58(peer), [PAIR_PROTOCOL])
        return await join(stream, code=code, device_key=self.identity.signing_key, label=label)

    async def sync_with(self, member_id: str) -> int:
        """Run one catch-up session with a connected peer now; records received."""
        assert self._flow is not None
        return await self._flow.catchup.sync_with(member_id)

    def synced_with(self, member_id: str) -> int:
        """How many catch-up sessions with the peer ran to their end (either side started
        them): 0 while every one failed to open or broke off."""
        assert self._flow is not None
        return self._flow.catchup.completed.get(member_id, 0)

    # -- lifecycle -------------------------------------------------------------

    async def run(self, *, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
        lock = NodeLock(self.home.lock_file)
        try:
            lock.acquire()
        except NodeLockedError as exc:
            raise UserError(str(exc)) from None
        try:
            try:
                self.store = Store.open(self.home.store_file)
            except StoreError as exc:
                raise UserError(str(exc)) from None
            try:
                await self._run(task_status)
            finally:
                self.store.close()
        finally:
            if self.config.write_node_file:  # no await here: nothing to shield
                remove_node_file(self.home.node_file)
            lock.release()

    async def _run(self, task_status: Any) -> None:
        assert self.store is not None
        cfg, standing, nursery = self.config, self._standing, lambda: self._nursery
        key_pair = hostmod.keypair_of(self.identity.signing_key)
        host = self._host = hostmod.make_host(key_pair)
        conns = self._conns = hostmod.manage_connections(
            host, cfg.connections, standing.is_protected
        )
        traversal = self._traversal = Traversal(
            host, relay=cfg.relay, on_change=self._addresses_changed
        )
        gossip.enlarge_queues()
        router = gossip.make_router(gossip.score_params(standing.app_score))
        pubsub = self._pubsub = gossip.make_pubsub(host, router, self.topic)
        keys = self.member_keys = MemberKeys(
            host, self.home, self.identity, store=lambda: self.store, connected=self._connected
        )
        emit = keys.watching(self._emit)  # a peer or a profile came: maybe a seal key to fetch
        watch = PeerWatch(
            host,
            pubsub,
            standing,
            self._connected,
            emit=emit,
            refusals=self._refusals,
            block_seconds=cfg.block_seconds,
            nursery=nursery,
            arrived=self._peer_arrived,
            left=self._peer_left,
        )
        dialer = self._dialer = Dialer(
            host,
            traversal,
            self._book,
            standing,
            self._connected,
            member_id=self.member_id,
            max_peers=cfg.max_peers,
            nursery=nursery,
            find=self.find,
        )
        sharing = self._sharing = PeerSharing(
            host,
            self._book,
            self._connected,
            member_id=self.member_id,
            own_addresses=lambda: list(self.info.addresses) if self.info else [],
            wake_dialer=dialer.wake,
            nursery=nursery,
        )
        status = self._status = NodeStatus(
            host,
            traversal,
            self._refusals,
            member_id=self.member_id,
            community=self.community,
            node_file=self.home.node_file if cfg.write_node_file else None,
            on_relays=dialer.reservations_changed,
            on_new_addresses=sharing.announce,
        )
        flow = self._flow = RecordFlow(
            host,
            pubsub,
            router,
            self.store,
            topic=self.topic,
            config=cfg,
            emit=emit,
            known=self._known,
            trusted_author=lambda member_id: self.trusted(member_id),
            trusted_peer=standing.is_named,
            on_misbehaving=watch.block,
            judge=self._judge,
            connected=lambda: self._connected,
            blocked=lambda name: name in standing.blocked,
            refusals=self._refusals,
            nursery=nursery,
        )
        self._door, self._gate = flow.door, flow.gate
        await flow.prepare()
        sharing.install()
        desk = PairingDesk(
            self.home,
            self.identity,
            community=self.community,
            store=lambda: self.store,
            published=self.kick,
            paired=lambda device, label, code: self._emit(
                DevicePaired(device_id=device, label=label, code=code)
            ),
            failed=lambda reason, code: self._emit(DevicePairingFailed(reason=reason, code=code)),
        )
        host.set_stream_handler(PAIR_PROTOCOL, desk.on_stream)
        host.set_stream_handler(MEMBER_KEYS_PROTOCOL, keys.on_stream)
        self._book.load()
        standing.configured.update(bootstrap(self._book, self.home, cfg.peers))
        # The port chosen at init and kept in config.toml: an invite outlives a restart.
        listen = hostmod.listen_addrs(cfg.listen or ensure_listen(self.home))
        hostmod.check_port_free(listen)
        mdns: Mdns | None = None
        async with trio.open_nursery() as root:
            host_scope: trio.CancelScope = await root.start(
                serve_host, host, pubsub, router, listen
            )
            try:
                with trio.fail_after(5):
                    await pubsub.wait_until_ready()
                subscription = await pubsub.subscribe(self.topic)
                addresses = status.listening()
                async with trio.open_nursery() as tasks:
                    self._nursery = tasks
                    flow.start(tasks, subscription, self.home.store_file)
                    tasks.start_soon(watch.run)
                    tasks.start_soon(conns.run)
                    tasks.start_soon(dialer.run)
                    await tasks.start(traversal.run)
                    tasks.start_soon(status.keep_node_file)
                    tasks.start_soon(keys.run)
                    log.info("node %s listening on %s", self.member_id, addresses)
                    task_status.started(self.info)
                    if cfg.mdns:
                        mdns = Mdns(dialer.on_mdns_peer)
                        tasks.start_soon(start_mdns, mdns, host)
            finally:
                with trio.CancelScope(shield=True), trio.move_on_after(1.0):
                    await close_connections(host, mdns)  # at once (see close_all)
                    self._book.save()
                    await host.close()
                host_scope.cancel()

    # -- what the node does as peers come and go -----------------------------------

    def _peer_arrived(self, name: str) -> None:
        assert self._nursery is not None
        self._nursery.start_soon(self._welcome, name)
        self.kick()  # someone to publish to, maybe

    async def _welcome(self, name: str) -> None:
        assert self._dialer is not None
        assert self._traversal is not None
        assert self._sharing is not None
        # A relay came (back): dial who is behind it now, then every few seconds for
        # a while (discovery.VIA_WINDOW): they reserve on it again when they see it
        # back, which under load takes seconds; until then we get NO_RESERVATION.
        self._dialer.relay_arrived(name)
        self._traversal.reservations.wake()  # maybe a relay to reserve on
        await self._sharing.exchange(name)
        # Both sides see the connection; the lower id starts the sync, so one
        # session (which moves records both ways) runs per connection.
        if self.config.sync_on_connect and self.member_id < name:
            assert self._flow is not None
            await self._flow.catchup.on_connect(name)

    def _peer_left(self, name: str) -> None:
        if self._flow is not None:
            self._flow.forget(ID.from_base58(name))
        if self._dialer is not None:
            self._dialer.wake()

    def _addresses_changed(self) -> None:
        if self._status is not None:
            self._status.addresses_changed()

    def _judge(self, envelope: Envelope) -> str | None:
        return self.judge(envelope) if self.judge is not None else None
