"""The one asynchronous API the app talks to: actions, views and a stream of events.

It lives on the asyncio side (Textual's loop). Store and ledger work runs in one
worker thread, so the UI never waits on SQLite or on a trust computation; the
libp2p node runs as a trio guest on the same loop (bridge.py) and is imported
only when `start_network()` is called, after the app has painted. No libp2p or
trio type crosses this API: views are the dataclasses of views.py, events those
of events.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

import protocol
from p2pshare.domain import views
from p2pshare.domain.activity import ActivityItem, activity
from p2pshare.domain.live_feed import LiveFeed
from p2pshare.errors import UserError
from p2pshare.events import (
    Changed,
    ClockSkew,
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
from p2pshare.member.actions import Absorbed, Member, create_member
from p2pshare.member.conversation import declined_by_me
from p2pshare.service.changes import ChangeFeed
from p2pshare.service.notices import clock_notice, notices_for, trusted_ids
from p2pshare.store import StoreError
from protocol import Decline, Say, member_id

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from p2pshare.member.home import Home

log = logging.getLogger(__name__)

RERANK_SECONDS = 300  # rank the whole feed again this often: freshness decays, offers expire
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


def create_identity(home: Home, **profile: Any) -> str:
    """First run (the onboarding screen): `member.create_member`, returning the member id."""
    return create_member(home, **profile).member_id


class NodeAPI:
    """A member's node as the app sees it. Open it, subscribe, then start the network."""

    def __init__(
        self,
        home: Home,
        *,
        network: NetworkOptions | None = None,
        passphrase: Callable[[], bytes | None] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.home = home
        self._clock = clock  # a fixed clock for tests and snapshots; None = time.time
        self.network = network or NetworkOptions()
        self.status = Status()
        self._passphrase = passphrase or ident.passphrase_from_env
        self._member: Member | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="p2pshare-store")
        self._listeners: list[Callable[[Event], None]] = []
        self._bridge: Any = None
        self._node: Any = None
        self._tasks: list[asyncio.Task[None]] = []
        self._changes = ChangeFeed(self._absorb)
        self._feed: LiveFeed | None = None  # the feed, kept current (worker thread only)
        self._declined: set[str] | None = None  # offers I declined (worker thread only)
        self._feed_at = 0  # the clock when it was ranked (freshness and expiry move)
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
            rows = self._patch_feed(absorbed)
            if absorbed.first or absorbed.trust:
                self._trusted = trusted_ids(self.member.scores())
            return absorbed, told, rows

        absorbed, told, rows = await self._run(work)
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

    def _kick(self) -> None:
        """Tell the node the outbox has something new (publish now, not at the next poll)."""
        if self._bridge is not None and self._node is not None and self._bridge.running:
            self._bridge.call_sync(self._node.kick)

    # -- plumbing --------------------------------------------------------------

    async def _run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, lambda: fn(*args, **kwargs))

    async def _act(self, fn: Callable[[Member], protocol.Envelope]) -> str:
        envelope = await self._run(fn, self.member)
        self._changes.add([envelope])
        await self._changes.settled()
        return envelope.id.hex()

    def _offer(self, offer_id: str) -> Any:
        return self.member.resolve_offer(offer_id)

    # -- views -----------------------------------------------------------------

    def _live_feed(self) -> LiveFeed:
        """The feed, ranked afresh when missing or RERANK_SECONDS old (worker thread)."""
        now = self.member.now()
        if self._feed is None or now - self._feed_at >= RERANK_SECONDS:
            self._feed = LiveFeed(views.feed(self.member.viewpoint()))
            self._feed_at = now
        return self._feed

    def _patch_feed(self, absorbed: Absorbed) -> dict[str, views.FeedItem | None] | None:
        """Patch the rows of changed offers; None if the whole feed must be ranked again."""
        if absorbed.first or absorbed.trust or self._feed is None:
            self._feed = None  # every rank may move with trust: rank again when read
            return None
        rows = views.feed_rows(self.member.viewpoint(), absorbed.offers)
        self._live_feed().patch(rows)
        hidden = self._declined_ids()
        return {k: (None if k in hidden else v) for k, v in rows.items()} if hidden else rows

    def _declined_ids(self) -> set[str]:
        """Offers I declined (worker thread): not in my feed."""
        if self._declined is None:
            self._declined = declined_by_me(self.member)
        return self._declined

    async def feed(self, *, include_closed: bool = False) -> list[views.FeedItem]:
        def read() -> list[views.FeedItem]:
            if include_closed:
                items = views.feed(self.member.viewpoint(), include_closed=True)
            else:
                items = self._live_feed().items()
            hidden = self._declined_ids()
            return [item for item in items if item.id not in hidden] if hidden else items

        return await self._run(read)

    async def offer(self, offer_id: str) -> dict[str, Any]:
        member = self.member
        return await self._run(
            lambda: views.offer_detail(member.viewpoint(), self._offer(offer_id))
        )

    async def peers(self) -> list[views.PeerItem]:
        """Every member known, with how the running node reaches each one now.

        `connected`, `connection` and `addresses` come from the node's own view of
        its connections (Node.peer_links), not from the events: a peer whose
        connection events were missed (or that never sent a profile) still shows."""
        items = await self._run(lambda: views.peers(self.member.viewpoint()))
        links: dict[str, dict[str, Any]] = {}
        refused: dict[str, dict[str, int]] = {}
        if self._node is not None and self._bridge is not None and self._bridge.running:
            links = self._node.peer_links()  # the trio guest runs on this thread
            self.status.reachability = self._node.reachability
            refused = self._node.refusals()  # what it refused, per peer and reason
        online = self.status.connected | set(links)
        return [
            replace(
                item,
                connected=item.id in online,
                connection=links.get(item.id, {}).get("connection"),
                addresses=list(links.get(item.id, {}).get("addresses", [])),
                refusals=refused.get(item.id, {}),
            )
            for item in items
        ]

    def reachability(self) -> str:
        """public | private | unknown: whether others can dial this node (status bar)."""
        if self._node is not None and self._bridge is not None and self._bridge.running:
            self.status.reachability = self._node.reachability
        return self.status.reachability

    async def trust(self, member_id: str, *, explain: bool = True) -> dict[str, Any]:
        def report() -> dict[str, Any]:
            key = self.member.resolve_member(member_id)
            return views.trust_report(self.member.viewpoint(), key, explain=explain)

        return await self._run(report)

    async def stats(self) -> dict[str, Any]:
        return await self._run(lambda: views.stats_report(self.member.viewpoint()))

    async def activity(self) -> list[ActivityItem]:
        """What needs the member and what became of what they passed on, newest first."""
        return await self._run(lambda: activity(self.member.viewpoint(), self.member.said()))

    async def conversation(self, offer_id: str) -> list[dict[str, Any]]:
        """The offer's messages I can read, oldest first: {id, at, who, who_name, text, mine}."""

        def read() -> list[dict[str, Any]]:
            m = self.member
            state = self._offer(offer_id)
            return [
                {
                    "id": said.id,
                    "at": said.created_at,
                    "who": member_id(said.author),
                    "who_name": m.name_of(said.author) if said.author != m.me else "you",
                    "text": said.text,
                    "mine": said.author == m.me,
                }
                for said in m.said(state.id)
                if said.kind == "message"
            ]

        return await self._run(read)

    async def profile(self) -> dict[str, Any]:
        def read() -> dict[str, Any]:
            p = self.member.profile()
            return {
                "id": self.member_id,
                "name": p.name if p else "",
                "headline": p.headline if p else "",
                "skills": list(p.skills) if p else [],
                "region": p.region if p else "",
                "available": p.available if p else True,
                "invite": self.status.info.invite if self.status.info else "",
                "addresses": list(self.status.info.addresses) if self.status.info else [],
            }

        return await self._run(read)

    # -- actions (each returns the new record's id, hex) -----------------------

    async def post_offer(self, **fields: Any) -> str:
        return await self._act(lambda m: m.post_offer(**fields))

    async def forward(self, offer_id: str, *, to: str | None, note: str = "") -> str:
        def act(m: Member) -> protocol.Envelope:
            target = m.resolve_member(to) if to else None
            return m.forward(self._offer(offer_id), to=target, note=note)

        return await self._act(act)

    async def accept(self, offer_id: str, *, note: str = "") -> str:
        return await self._act(lambda m: m.accept(self._offer(offer_id), note=note))

    async def handoff(self, offer_id: str, *, to: str) -> str:
        return await self._act(lambda m: m.handoff(self._offer(offer_id), to=m.resolve_member(to)))

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
    ) -> str:
        """Report a hand-off's outcome. A fulfilled one by the offer's author also names
        the forwarders it credits: `credit`, or by default those on the chain this
        member has a trust path to (a bot nobody trusts earns nothing)."""

        def act(m: Member) -> protocol.Envelope:
            target = m.resolve_member(to) if to else None
            return m.outcome(
                self._offer(offer_id),
                fulfilled=fulfilled,
                rating=rating,
                value=value,
                to=target,
                note=note,
            )

        record = await self._act(act)
        if fulfilled:

            def named(m: Member) -> tuple[protocol.PublicKey, ...]:
                state, target = self._offer(offer_id), (m.resolve_member(to) if to else None)
                if state.author != m.me:
                    return ()
                if credit is not None:
                    return tuple(m.resolve_member(k) for k in credit)
                return m.trusted_forwarders(state, to=target)

            if forwarders := await self._run(named, self.member):
                await self.credit(offer_id, [protocol.member_id(k) for k in forwarders], to=to)
        return record

    async def credit(
        self, offer_id: str, forwarders: Sequence[str], *, to: str | None = None
    ) -> str:
        """Name the forwarders of my hand-off I credit as connectors (none: withhold it)."""

        def act(m: Member) -> protocol.Envelope:
            target = m.resolve_member(to) if to else None
            keys = [m.resolve_member(k) for k in forwarders]
            return m.credit(self._offer(offer_id), keys, to=target)

        return await self._act(act)

    async def reply(self, offer_id: str, *, note: str, rating: int = 0) -> str:
        """Answer a "not fulfilled" about my hand-off: it travels with the author's outcome."""
        return await self._act(lambda m: m.reply(self._offer(offer_id), note=note, rating=rating))

    async def decline(self, offer_id: str, *, note: str = "") -> str:
        """ "Not for me": tells the forwarder (the note sealed to them); hides it from my feed."""

        def act(m: Member) -> protocol.Envelope:
            envelope = m.decline(self._offer(offer_id), note=note)
            self._declined = None  # read again with this one (worker thread)
            return envelope

        record = await self._act(act)
        state = await self._run(lambda: self._offer(offer_id))
        self._emit(Changed(offers=frozenset({state.id}), peers=False, rows={state.id.hex(): None}))
        return record

    async def say(self, offer_id: str, text: str) -> str:
        """A message in the offer's conversation; returns the id of my own copy."""

        def act() -> str:
            envelopes = self.member.say(self._offer(offer_id), text)
            self._changes.add(envelopes)
            mine = [e for e in envelopes if getattr(e.body, "to", b"") == self.member.me]
            return (mine or envelopes)[0].id.hex()

        record = await self._run(act)
        await self._changes.settled()
        return record

    async def withdraw(self, offer_id: str, *, reason: str = "") -> str:
        return await self._act(lambda m: m.withdraw(self._offer(offer_id), reason=reason))

    async def vouch(self, member_id: str, *, skills: Iterable[str] = (), note: str = "") -> str:
        return await self._act(
            lambda m: m.vouch(m.resolve_member(member_id), skills=skills, note=note)
        )

    async def revoke(self, vouch_id: str) -> str:
        return await self._act(lambda m: m.revoke(m.resolve_vouch(vouch_id)))

    async def set_profile(self, **fields: Any) -> str:
        return await self._act(lambda m: m.set_profile(**fields))

    async def mark(self, member_id: str, mark: str, on: bool = True) -> None:
        def act() -> None:
            self.member.marks.set(mark, self.member.resolve_member(member_id), on)
            self._feed = None  # muted rows change, blocked ones go

        await self._run(act)
        self._emit(Changed(peers=True))

    async def dial(self, address: str) -> None:
        """Connect to a multiaddr or invite now (and remember it)."""
        if self._bridge is None or self._node is None:
            raise UserError("the node is not running")
        await self._bridge.call(self._node.dial, address, timeout=10)
