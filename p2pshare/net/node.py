"""The member's libp2p node (trio side): host, gossip, catch-up sync, discovery.

One `Node` per home. It owns its store connection and the home's NodeLock,
publishes the outbox, stores what gossip and sync bring (through the store's
own validation), keeps connections to up to `max_peers` peers, and reports what
happens as plain events (events.py) through `emit`. The app runs it as a trio
guest (bridge.py); `p2pshare serve` runs it with trio.run. libp2p types stay
inside this module and p2pshare/net/.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import trio
from libp2p.custom_types import TProtocol
from libp2p.peer.id import ID
from libp2p.tools.anyio_service import background_trio_service

from p2pshare.errors import UserError
from p2pshare.events import (
    ClockSkew,
    NodeInfo,
    PeerConnected,
    PeerDisconnected,
    RecordRejected,
)
from p2pshare.member.home import Home, ensure_listen
from p2pshare.net import gossip, peer_exchange
from p2pshare.net import host as hostmod  # first: it routes libp2p's logging (see there)
from p2pshare.net.catchup import PROTOCOL as CATCHUP_PROTOCOL
from p2pshare.net.catchup import CatchUp
from p2pshare.net.clock_watch import ClockWatch
from p2pshare.net.connections import ConnectionLimits, ConnectionManager, close_all
from p2pshare.net.discovery import BACKOFF_MAX, Mdns, PeerBook, config_peers
from p2pshare.net.door import FLOODS, Door, DoorLimits
from p2pshare.net.held import HeldRecords
from p2pshare.net.ingest import Ingest
from p2pshare.net.invite import make_invite, parse_peer
from p2pshare.net.outbox import Outbox
from p2pshare.net.refusals import Refusals
from p2pshare.net.relay import REDIAL_CAP
from p2pshare.net.send_budget import SendBudget, SendLimits
from p2pshare.net.traversal import Traversal
from p2pshare.store import NodeLock, NodeLockedError, Store, StoreError

if TYPE_CHECKING:
    from collections.abc import Callable

    from p2pshare.member.identity import Identity
    from protocol import Envelope, RecordId

log = logging.getLogger(__name__)

PEERS_PROTOCOL = TProtocol(peer_exchange.PROTOCOL)
FIND_PROTOCOL = TProtocol(peer_exchange.FIND_PROTOCOL)
FIND_EVERY = 60.0  # seconds between two community look-ups of one member


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeConfig:
    listen: tuple[str, ...] = ()  # multiaddrs; default: config.toml's (home.ensure_listen)
    peers: tuple[str, ...] = ()  # multiaddrs with /p2p/ or invites, dialed at start
    mdns: bool = True
    community: str | None = None  # None: gossip.DEFAULT_COMMUNITY
    max_peers: int = 8  # connections the node dials up to (inbound ones are accepted)
    # Inbound caps per IP and subnet, handshake rates, trimming (connections.py)
    connections: ConnectionLimits = field(default_factory=ConnectionLimits)
    sync_interval: float = 30.0  # periodic catch-up with one random peer, +-20 % jitter
    sync_on_connect: bool = True
    gossip_rate: float = 50.0  # records/s accepted per peer over gossip
    gossip_burst: float = 200.0
    block_seconds: float = 600.0  # how long a misbehaving peer stays blocked
    max_skew: int = 600  # seconds a record may be dated ahead and be live (later: held)
    # The door's other budgets (door.py; gossip_rate/burst are its strangers' per-peer
    # budget, max_skew its max_skew) and what sync sessions may send (send_budget.py)
    door: DoorLimits = field(default_factory=DoorLimits)
    send: SendLimits = field(default_factory=SendLimits)
    write_node_file: bool = True
    relay: bool = False  # also relay for members behind NAT (serve --relay; relay.py)
    # Listen for writes to the store by other processes (a CLI command) and
    # publish them at once. The app listens itself and kicks the node instead.
    doorbell: bool = True


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
        self.info: NodeInfo | None = None
        self.store: Store | None = None
        self._wake_dialer = trio.Event()
        self._connected: set[str] = set()
        self._dialing: dict[str, trio.Event] = {}  # peer -> set when that dial ends
        self._blocked: dict[str, float] = {}
        self._catchup: CatchUp | None = None
        self._reject_log: dict[tuple[str, str], float] = {}
        self._book = PeerBook(home.peers_file, self.member_id)
        self._nursery: trio.Nursery | None = None
        self._host: Any = None
        self._pubsub: Any = None
        self._router: Any = None
        self._gate: gossip.RecordGate | None = None
        self._ingest: Ingest | None = None
        self._outbox: Outbox | None = None
        self._conns: ConnectionManager | None = None
        self._traversal: Traversal | None = None  # reachability, relays, DCUtR
        self._direct_addrs: tuple[str, ...] = ()
        self._reserved_on: set[str] = set()  # relays holding a reservation for us
        self._looked_up: dict[str, float] = {}  # member -> when we last asked the community
        self._node_file_data: dict[str, Any] = {}
        self._configured: set[str] = set()  # peers from config: never trimmed
        self._named: set[str] = set()  # peers the owner dialled (`dial`): a trust path
        self._since: dict[str, float] = {}  # connected peers: since when (monotonic)
        self._refusals = Refusals()
        self._door: Door | None = None
        # Set by the owner: members it trusts, never trimmed (see _is_protected).
        self.trusted: Callable[[str], bool] = lambda member_id: False
        # Set by the owner: the ledger's verdict on a record at the door (door.py),
        # None when it would take it (issue 16 §5); unset, the door skips that check.
        self.judge: Callable[[Envelope], str | None] | None = None

    # -- public API (trio side) ------------------------------------------------

    def kick(self) -> None:
        """The outbox has something new: publish now. Sync, never blocks."""
        if self._outbox is not None:
            self._outbox.kick()

    @property
    def published(self) -> int:
        return self._outbox.published if self._outbox is not None else 0

    def connected(self) -> list[str]:
        return sorted(self._connected)

    def refusals(self) -> dict[str, dict[str, int]]:
        """Per peer (member id), what the node refused from it and why, with counts."""
        return self._refusals.snapshot()

    def _is_connected(self, member_id: str) -> bool:
        return self._host is not None and any(
            p.to_base58() == member_id for p in self._host.get_connected_peers()
        )

    async def dial(self, address: str) -> None:
        """Connect to a multiaddr or invite now and remember it; UserError if it fails."""
        peer = parse_peer(address)
        if peer.member_id == self.member_id:
            raise UserError("that address is this node itself")
        self._book.add(peer.member_id, peer.addrs)
        self._named.add(peer.member_id)
        with trio.move_on_after(10):
            if (dialing := self._dialing.get(peer.member_id)) is not None:
                await dialing.wait()  # the dialer is already at it
        if peer.member_id in self._connected or self._is_connected(peer.member_id):
            return
        if not await self._dial(peer.member_id, list(peer.addrs)):
            raise UserError(f"could not connect to {peer.member_id}")

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
                with contextlib.suppress(OSError):
                    self.home.node_file.unlink(missing_ok=True)
            lock.release()

    async def _run(self, task_status: Any) -> None:
        assert self.store is not None
        key_pair = hostmod.keypair_of(self.identity.signing_key)
        host = self._host = hostmod.make_host(key_pair)
        conns = self._conns = hostmod.manage_connections(
            host, self.config.connections, self._is_protected
        )
        traversal = self._traversal = Traversal(
            host, relay=self.config.relay, on_change=self._addresses_changed
        )
        gossip.enlarge_queues()
        router = self._router = gossip.make_router(gossip.score_params(self._app_score))
        pubsub = self._pubsub = gossip.make_pubsub(host, router, self.topic)
        me = host.get_id()
        ingest = self._ingest = Ingest(
            self.store,
            emit=self._emit,
            on_reject=self._on_reject_str,
            max_skew=self.config.max_skew,
            known=self._known,
        )
        await ingest.load()
        cfg = self.config
        limits = dataclasses.replace(
            cfg.door,
            stranger_rate=cfg.gossip_rate,
            stranger_burst=cfg.gossip_burst,
            max_skew=cfg.max_skew,
        )
        door = self._door = Door(
            ingest.known,
            limits=limits,
            trusted_author=lambda member_id: self.trusted(member_id),
            trusted_peer=self._is_named,
            on_refused=self._on_refused,
            on_misbehaving=self._on_misbehaving,
            held=HeldRecords(max_skew=cfg.max_skew),
            judge=self._judge,
            clock_watch=ClockWatch(self._on_clock),
            refusals=self._refusals,
        )
        gate = ingest.gate = self._gate = gossip.RecordGate(ingest.known, me, door=door)
        gate.install(pubsub, router, self.topic)
        catchup = self._catchup = CatchUp(
            host,
            self.store,
            ingest,
            emit=self._emit,
            connected=lambda: self._connected,
            blocked=lambda name: name in self._blocked,
            interval=self.config.sync_interval,
            door=door,
            budget=SendBudget(cfg.send),
            refusals=self._refusals,
        )
        host.set_stream_handler(CATCHUP_PROTOCOL, catchup.on_stream)
        host.set_stream_handler(PEERS_PROTOCOL, self._on_peers_stream)
        host.set_stream_handler(FIND_PROTOCOL, self._on_find_stream)
        self._book.load()
        for text in (*self.config.peers, *config_peers(self.home)):
            try:
                peer = parse_peer(text)
            except UserError as exc:
                log.warning("ignoring peer %r: %s", text[:80], exc)
                continue
            self._book.add(peer.member_id, peer.addrs)
            self._configured.add(peer.member_id)
        # The port chosen at init and kept in config.toml: an invite outlives a restart.
        listen = hostmod.listen_addrs(self.config.listen or ensure_listen(self.home))
        hostmod.check_port_free(listen)
        mdns: Mdns | None = None
        async with trio.open_nursery() as root:
            host_scope: trio.CancelScope = await root.start(self._serve_host, listen)
            try:
                with trio.fail_after(5):
                    await pubsub.wait_until_ready()
                subscription = await pubsub.subscribe(self.topic)
                addresses = self._direct_addrs = tuple(hostmod.public_addrs(host))
                self.info = NodeInfo(
                    member_id=self.member_id,
                    addresses=addresses,
                    invite=make_invite(self.member_id, addresses, self.community),
                    community=self.community,
                )
                self._write_node_file()
                async with trio.open_nursery() as nursery:
                    self._nursery = nursery
                    nursery.start_soon(ingest.read_gossip, subscription, me)
                    outbox = self._outbox = Outbox(self.store, pubsub, self.topic)
                    nursery.start_soon(outbox.run)
                    if self.config.doorbell:
                        nursery.start_soon(outbox.listen, self.home.store_file)
                    nursery.start_soon(self._watch_connections)
                    nursery.start_soon(conns.run)
                    nursery.start_soon(self._dial_loop)
                    nursery.start_soon(catchup.run)
                    nursery.start_soon(door.held.run, ingest.store)
                    ingest.on_stored = door.waiting.poke
                    nursery.start_soon(
                        door.waiting.run, self._judge, ingest.store, door.refuse_waiting
                    )
                    await nursery.start(traversal.run)
                    nursery.start_soon(self._keep_node_file)
                    log.info("node %s listening on %s", self.member_id, addresses)
                    task_status.started(self.info)
                    if self.config.mdns:
                        mdns = Mdns(self._on_mdns_peer)
                        nursery.start_soon(self._start_mdns, mdns)
            finally:
                with trio.CancelScope(shield=True), trio.move_on_after(1.0):
                    async with trio.open_nursery() as closing:  # at once (see close_all)
                        if mdns is not None:
                            closing.start_soon(mdns.stop)
                        closing.start_soon(close_all, host)
                    self._book.save()
                    await host.close()
                host_scope.cancel()

    async def _serve_host(self, listen: list[Any], *, task_status: Any) -> None:
        """Run the host (its swarm, every connection) and pubsub under a shield until
        `_run` is done.

        Upstream: the swarm's connection tasks live inside host.run(); when the
        node's scope is cancelled they are cancelled too, and SwarmConn.close()
        dies at its first await: the socket is never closed and the remote keeps
        a dead connection (found by test_discovery's restart test, in-process).
        Shielded, the connections are still there when `_run`'s finally calls
        host.close(), which closes them properly; then it cancels this scope.
        Pubsub lives here too: its stream readers run in the connections' tasks and
        must find its service alive until the connections are closed.
        """
        host, pubsub, router = self._host, self._pubsub, self._router
        with trio.CancelScope(shield=True) as scope:
            async with host.run(listen):
                if not host.get_transport_addrs():
                    # Upstream: a failed listen() is only logged and run() enters anyway.
                    wanted = ", ".join(str(a) for a in listen)
                    raise UserError(f"cannot listen on {wanted} (address in use?)")
                async with background_trio_service(pubsub), background_trio_service(router):
                    task_status.started(scope)
                    await trio.sleep_forever()

    # -- flood control and blocking ----------------------------------------------

    def _app_score(self, peer: ID) -> float:
        """P6, our own view of a peer: blocked sinks it; a trust path (named, configured,
        trusted) and time connected lift it, so an over-full mesh is pruned of the
        churning newcomers first, not of the members who stayed (issue 16 §3)."""
        name = peer.to_base58()
        if name in self._blocked:
            return -100.0
        score = 20.0 if self._is_named(name) else 0.0
        if (since := self._since.get(name)) is not None:
            score += min((time.monotonic() - since) / 6.0, 10.0)
        return score

    def _is_named(self, member_id: str) -> bool:
        """A trust path for the door: a peer from the config or dialled by the owner,
        or a member the owner trusts (its records ride the larger budget)."""
        if member_id in self._blocked:
            return False
        return member_id in self._configured or member_id in self._named or self.trusted(member_id)

    def _on_refused(self, peer: str, kind: str, detail: str, live: bool) -> None:
        if kind == "duplicate":
            return
        self._on_reject_str(peer, f"{kind}: {detail}")
        if kind in FLOODS and self._nursery and self._catchup:
            # An honest burst over the budget is not lost: what the door refused
            # comes by sync, which costs what is missing, shortly after (a session
            # stops at the first refusal for budget, so this paces it too).
            self._catchup.after_flood(self._nursery, peer)

    def _judge(self, envelope: Envelope) -> str | None:
        return self.judge(envelope) if self.judge is not None else None

    def _on_clock(self, suspect: bool, offset: int, authors: int) -> None:
        if suspect:
            log.warning(
                "this computer's clock looks %d s %s: %d peers' records say so",
                abs(offset),
                "slow" if offset > 0 else "fast",
                authors,
            )
        self._emit(ClockSkew(suspect=suspect, offset=offset, authors=authors))

    def _on_reject_str(self, peer: str, reason: str) -> None:
        # One event per peer and kind of refusal per second: a flood of garbage
        # must not become a flood of events.
        key = (peer, reason.split(":")[0])
        now = time.monotonic()
        if now - self._reject_log.get(key, -math.inf) < 1.0:
            return
        self._reject_log[key] = now
        if len(self._reject_log) > 1000:
            self._reject_log.clear()
        self._emit(RecordRejected(member_id=peer, reason=reason))

    def _on_misbehaving(self, name: str) -> None:
        peer = ID.from_base58(name)
        seconds = self.config.block_seconds
        log.warning("blocking %s for %.0f s: repeated invalid records", name, seconds)
        self._blocked[name] = time.monotonic() + self.config.block_seconds
        self._pubsub.add_to_blacklist(peer)
        if self._nursery is not None:
            self._nursery.start_soon(self._disconnect, peer)

    async def _disconnect(self, peer: ID) -> None:
        with trio.move_on_after(2):
            try:
                await self._host.disconnect(peer)
            except Exception:
                log.debug("disconnecting %s failed", peer, exc_info=True)

    def _unblock_expired(self) -> None:
        now = time.monotonic()
        for name, until in list(self._blocked.items()):
            if until <= now:
                del self._blocked[name]
                self._pubsub.remove_from_blacklist(ID.from_base58(name))

    # -- connections --------------------------------------------------------------

    def _is_protected(self, member_id: str) -> bool:
        """Kept when the connection manager trims (it keeps peers we dialled too):
        peers from the config and members the owner's `trusted` names."""
        if member_id in self._blocked:
            return False
        return member_id in self._configured or self.trusted(member_id)

    async def _watch_connections(self) -> None:
        """Turn the swarm's connection set into events, syncs and peer exchanges."""
        host = self._host
        while True:
            now_connected = {p.to_base58() for p in host.get_connected_peers()}
            for name in sorted(now_connected - self._connected):
                if name in self._blocked:
                    assert self._nursery is not None
                    self._nursery.start_soon(self._disconnect, ID.from_base58(name))
                    continue
                self._connected.add(name)
                self._since[name] = time.monotonic()
                self._emit(PeerConnected(member_id=name, connected=len(self._connected)))
                assert self._nursery is not None
                self._nursery.start_soon(self._on_new_peer, name)
                self.kick()  # someone to publish to, maybe
            for name in sorted(self._connected - now_connected):
                self._connected.discard(name)
                self._since.pop(name, None)
                if self._gate is not None:
                    self._gate.forget(ID.from_base58(name))
                self._emit(PeerDisconnected(member_id=name, connected=len(self._connected)))
                self._wake_dialer.set()
            self._unblock_expired()
            self._refusals.tick()
            await trio.sleep(0.1)

    async def _on_new_peer(self, name: str) -> None:
        # A relay came (back): dial who is behind it now, then every few seconds for
        # a while (discovery.VIA_WINDOW): they reserve on it again when they see it
        # back, which under load takes seconds; until then we get NO_RESERVATION.
        if self._book.retry_via(name):
            self._wake_dialer.set()
        if self._traversal is not None:
            self._traversal.reservations.wake()  # maybe a relay to reserve on
        await self._exchange_peers(name)
        # Both sides see the connection; the lower id starts the sync, so one
        # session (which moves records both ways) runs per connection.
        if self.config.sync_on_connect and self.member_id < name:
            await self.sync_with(name)

    async def _dial_loop(self) -> None:
        while True:
            with trio.move_on_after(1.0):
                await self._wake_dialer.wait()
            self._wake_dialer = trio.Event()
            room = self.config.max_peers - len(self._connected) - len(self._dialing)
            if room <= 0:
                continue
            exclude = self._connected | set(self._dialing) | set(self._blocked)
            assert self._nursery is not None
            for peer in self._book.due(exclude)[:room]:
                self._nursery.start_soon(self._dial, peer, self._book.addrs(peer))

    async def _dial(self, peer: str, addrs: list[str]) -> bool:
        if peer in self._dialing or peer == self.member_id:
            return False
        self._dialing[peer] = trio.Event()
        try:
            hostmod.unblock(self._host, ID.from_base58(peer))  # upstream keeps failed peers 60 s
            assert self._traversal is not None
            addr = await self._traversal.dial(addrs)  # direct addresses, then circuits
            if addr is not None:
                self._book.add(peer, [addr], seen=True)
                return True
            lost_relay = self._traversal.reservations.missed(peer)
            self._book.failed(peer, cap=REDIAL_CAP if lost_relay else BACKOFF_MAX)
            if self._nursery is not None:  # every address failed: ask the community
                self._nursery.start_soon(self._find_after_failure, peer)
            return False
        finally:
            self._dialing.pop(peer).set()

    def _on_mdns_peer(self, peer: str, addrs: list[str]) -> None:
        if self._book.add(peer, addrs):
            log.info("mDNS found %s", peer)
        self._wake_dialer.set()

    async def _start_mdns(self, mdns: Mdns) -> None:
        try:
            await mdns.start(self._host)
        except Exception as exc:  # no multicast here, port taken...: not fatal
            log.warning("mDNS is off: %s", exc)

    # -- peer exchange -------------------------------------------------------------

    def _listing(self) -> bytes:
        own = list(self.info.addresses) if self.info else []
        peers = [(p, self._book.addrs(p)) for p in sorted(self._connected)]
        return peer_exchange.encode(own, [(p, a) for p, a in peers if a])

    def _learn(self, remote: str, listing: peer_exchange.Listing) -> None:
        own, learned = listing
        if own:
            self._book.add(remote, own, seen=True, own=True)
        for peer, addrs in learned:
            self._book.add(peer, addrs)
        if learned:
            self._wake_dialer.set()

    async def _exchange_peers(self, name: str) -> None:
        try:
            with trio.fail_after(5):
                stream = await self._host.new_stream(ID.from_base58(name), [PEERS_PROTOCOL])
        except Exception as exc:
            log.debug("no peer exchange with %s: %s", name, exc)
            return
        got = await peer_exchange.exchange(stream, self._listing(), name, initiator=True)
        self._learn(name, got)

    async def _on_peers_stream(self, stream: Any) -> None:
        name = stream.muxed_conn.peer_id.to_base58()
        got = await peer_exchange.exchange(stream, self._listing(), name, initiator=False)
        self._learn(name, got)

    # -- finding a member by id (peer_exchange.py) ----------------------------------

    async def find(self, member_id: str) -> list[str]:
        """Ask the connected peers where `member_id` is; fresh addresses go to the
        book (first). Every address learned, [] if nobody knows."""
        found: list[str] = []

        async def ask(peer: str) -> None:
            try:
                with trio.fail_after(5):
                    stream = await self._host.new_stream(ID.from_base58(peer), [FIND_PROTOCOL])
            except Exception as exc:
                log.debug("no find stream to %s: %s", peer, exc)
                return
            found.extend(await peer_exchange.ask_find(stream, member_id))

        async with trio.open_nursery() as nursery:
            for peer in sorted(self._connected - {member_id})[:8]:
                nursery.start_soon(ask, peer)
        found = list(dict.fromkeys(found))
        if found:
            self._book.add(member_id, found)
        return found

    async def _find_after_failure(self, member_id: str) -> None:
        now = time.monotonic()
        if now - self._looked_up.get(member_id, -FIND_EVERY) < FIND_EVERY:
            return
        self._looked_up[member_id] = now
        before = set(self._book.addrs(member_id))
        if set(await self.find(member_id)) - before:
            log.info("found fresh addresses of %s through the community", member_id)
            self._book.retry(member_id)
            self._wake_dialer.set()

    def _whereabouts(self, member_id: str) -> list[str]:
        """What this node tells others about where `member_id` is."""
        if member_id == self.member_id:
            return list(self.info.addresses) if self.info else []
        return self._book.addrs(member_id)

    async def _on_find_stream(self, stream: Any) -> None:
        await peer_exchange.answer_find(stream, self._whereabouts)

    # -- addresses and how peers are reached (traversal.py) -------------------------

    def _addresses_changed(self) -> None:
        """A reservation came or went: new addresses, invite, and tell the peers."""
        if self.info is None or self._traversal is None:
            return
        relays = self._traversal.reservations.relays()
        for relay in relays:
            self._book.mark_relay(relay)  # dialled first after a restart or a drop
            # A reservation (again): circuits between us and the members behind
            # that relay work now if theirs is there too; redial them at once.
            if relay not in self._reserved_on and self._book.retry_via(relay):
                self._wake_dialer.set()
        self._reserved_on = set(relays)
        addresses = self._direct_addrs + tuple(self._traversal.circuit_addrs())
        if addresses != self.info.addresses:
            self.info = NodeInfo(
                member_id=self.member_id,
                addresses=addresses,
                invite=make_invite(self.member_id, addresses, self.community),
                community=self.community,
            )
            if self._nursery is not None:
                for name in sorted(self._connected):
                    self._nursery.start_soon(self._exchange_peers, name)

    def peer_links(self) -> dict[str, dict[str, Any]]:
        """Connected peers: how each is reached (`direct` or `relayed`) and the
        addresses of those connections."""
        if self._host is None or self._traversal is None:
            return {}
        links = {}
        for peer in self._host.get_connected_peers():
            links[peer.to_base58()] = {
                "connection": self._traversal.connection(peer),
                "addresses": self._traversal.connection_addrs(peer),
            }
        return links

    @property
    def reachability(self) -> str:
        return self._traversal.reach.verdict if self._traversal else "unknown"

    async def _keep_node_file(self) -> None:
        """node.json follows the node: addresses, reachability, connections."""
        while True:
            self._addresses_changed()
            self._write_node_file()
            await trio.sleep(1.0)

    # -- catch-up sync ---------------------------------------------------------------

    async def sync_with(self, member_id: str) -> int:
        """Run one catch-up session with a connected peer now; records received."""
        assert self._catchup is not None
        return await self._catchup.sync_with(member_id)

    # -- node file ----------------------------------------------------------------------

    def _write_node_file(self) -> None:
        if not self.config.write_node_file or self.info is None:
            return
        import json

        data = {
            "id": self.member_id,
            "addresses": list(self.info.addresses),
            "invite": self.info.invite,
            "community": self.community,
            "pid": os.getpid(),
            **(self._traversal.snapshot() if self._traversal else {}),
            "peers": self.peer_links(),
            "refusals": self.refusals(),  # per peer and reason, for `peers --json`
        }
        if data == self._node_file_data:
            return
        self._node_file_data = data
        tmp = self.home.node_file.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=2), "utf-8")
        os.replace(tmp, self.home.node_file)


def _peer_str(raw: bytes) -> str:
    try:
        return ID(raw).to_base58()
    except Exception:
        return ""
