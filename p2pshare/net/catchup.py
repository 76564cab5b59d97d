"""Catch-up sync sessions: when to reconcile with whom, and what comes of it.

The protocol is protocol.sync (sans-IO) carried by sync_stream.py; this module
decides when a session runs: on connect (the lower member id starts, so one
session runs per connection; tried again while none ends well), now and then
with a random connected peer, and shortly after gossip from a peer was
rate-limited (what the limiter refused comes by sync, which costs what is
missing). One session per peer at a time, whoever started it; at most four we
start and four peers start at once (a fifth is refused, not queued); what we
write is paced by the send budget (send_budget.py). Records received pass the
door (door.py), as gossip does: the same budget, checks and strikes; a peer
blocked mid-session is cut off.
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING, Any

import trio
from libp2p.custom_types import TProtocol
from libp2p.peer.id import ID

from p2pshare.events import Event, SyncProgress
from p2pshare.net import sync_stream
from p2pshare.net.door import FLOODS
from p2pshare.net.send_budget import SendBudget

if TYPE_CHECKING:
    from collections.abc import Callable

    from p2pshare.net.door import Door
    from p2pshare.net.ingest import Ingest
    from p2pshare.net.refusals import Refusals
    from p2pshare.store import Store
    from protocol import Envelope

log = logging.getLogger(__name__)

PROTOCOL = TProtocol(sync_stream.PROTOCOL)
FLOOD_RETRY_SECONDS = 2.0
CONNECT_ATTEMPTS = 3  # sessions tried on a new connection until one runs to its end
CONNECT_RETRY_SECONDS = 2.0


class _CutOff(Exception):
    """The peer was blocked during the session."""


class CatchUp:
    """Runs sync sessions with connected peers; `connected` and `blocked` are the node's."""

    def __init__(
        self,
        host: Any,
        store: Store,
        ingest: Ingest,
        *,
        emit: Callable[[Event], None],
        connected: Callable[[], set[str]],
        blocked: Callable[[str], bool],
        interval: float,
        door: Door | None = None,
        budget: SendBudget | None = None,
        refusals: Refusals | None = None,
    ) -> None:
        self._host = host
        self._store = store
        self._ingest = ingest
        self._emit = emit
        self._connected = connected
        self._blocked = blocked
        self._interval = interval
        self._syncing: set[str] = set()
        self._running: dict[str, trio.Event] = {}  # set when the session with a peer ends
        self.completed: dict[str, int] = {}  # sessions with a peer that ran to their end
        self._soon: set[str] = set()
        self._door = door
        self.budget = budget or SendBudget()
        self._refusals = refusals
        self._slots = trio.Semaphore(self.budget.limits.outbound_sessions)

    async def run(self) -> None:
        """Now and then, one session with a random connected peer (+-20 % jitter)."""
        while True:
            await trio.sleep(self._interval * random.uniform(0.8, 1.2))
            candidates = sorted(self._connected() - self._syncing)
            if candidates:
                await self.sync_with(random.choice(candidates))

    async def on_connect(self, name: str) -> None:
        """The session a new connection starts, tried again (after 2, then 4 s) while
        none runs to its end and the peer stays: a stream that could not open on a busy
        machine would otherwise leave a member back online without what it missed
        until the periodic session happens to pick this peer, minutes later."""
        for attempt in range(CONNECT_ATTEMPTS):
            before = self.completed.get(name, 0)
            if (running := self._running.get(name)) is not None:
                await running.wait()  # the peer started one: its outcome counts
            else:
                await self.sync_with(name)
            if self.completed.get(name, 0) > before or name not in self._connected():
                return
            if attempt + 1 < CONNECT_ATTEMPTS:
                await trio.sleep(CONNECT_RETRY_SECONDS * (attempt + 1))

    def after_flood(self, nursery: trio.Nursery, name: str) -> None:
        """Gossip from `name` was rate-limited: fetch the rest by sync, shortly."""
        if name not in self._soon:
            self._soon.add(name)
            nursery.start_soon(self._delayed, name)

    async def _delayed(self, name: str) -> None:
        try:
            await trio.sleep(FLOOD_RETRY_SECONDS)
            if (running := self._running.get(name)) is not None:
                await running.wait()  # then sync again: it may have missed the flood
            self._soon.discard(name)
            if name in self._connected():
                await self.sync_with(name)
        finally:
            self._soon.discard(name)

    async def sync_with(self, name: str) -> int:
        """One session with connected peer `name`, started by us; records received."""
        if name in self._syncing:
            return 0
        self._syncing.add(name)
        self._running[name] = trio.Event()
        try:
            async with self._slots:
                try:
                    with trio.fail_after(5):
                        stream = await self._host.new_stream(ID.from_base58(name), [PROTOCOL])
                except Exception as exc:
                    log.info("cannot open sync stream to %s: %s", name, exc)
                    return 0
                return await self._session(stream, name, initiator=True)
        finally:
            self._syncing.discard(name)
            self._running.pop(name).set()

    async def on_stream(self, stream: Any) -> None:
        """A peer started a session with us: refused if blocked, if a session with
        it runs already, or if as many as we take run already."""
        name = stream.muxed_conn.peer_id.to_base58()
        refusal = (
            "blocked"
            if self._blocked(name)
            else "sync-busy"
            if name in self._syncing
            else "sync-full"
            if not self.budget.may_start_inbound()
            else None
        )
        if refusal is not None:
            if self._refusals is not None:
                self._refusals.add(name, refusal)
            log.debug("refused a sync session from %s: %s", name, refusal)
            await stream.reset()
            return
        self._syncing.add(name)
        self._running[name] = trio.Event()
        self.budget.inbound += 1
        try:
            await self._session(stream, name, initiator=False)
        finally:
            self.budget.inbound -= 1
            self._syncing.discard(name)
            self._running.pop(name).set()

    async def _session(self, stream: Any, name: str, *, initiator: bool) -> int:
        received = 0

        async def on_records(datas: list[bytes]) -> None:
            nonlocal received
            items: list[bytes | Envelope] = list(datas)
            if self._door is not None:
                verdicts = await self._door.admit_batch(name, datas)
                items = [v.envelope for v in verdicts if v.ok and v.envelope is not None]
                if self._blocked(name):
                    raise _CutOff(f"{name} was blocked: repeated invalid records")
                if not items and any(v.kind in FLOODS for v in verdicts):
                    # over budget: the rest waits for a later session (the node
                    # schedules one), not decoded and refused here one by one
                    raise _CutOff(f"{name} is over its budget")
            if items:
                received += await self._ingest.store(items, [name] * len(items))

        async def pace(size: int) -> None:
            await self.budget.spend(name, size)

        self._emit(SyncProgress(member_id=name, received=0, sent=0, done=False))
        result = await sync_stream.run_session(
            stream, self._store, initiator=initiator, on_records=on_records, pace=pace
        )
        self._emit(SyncProgress(member_id=name, received=received, sent=result.sent, done=True))
        if result.error:
            log.info("sync with %s ended early: %s", name, result.error)
        else:
            self.completed[name] = self.completed.get(name, 0) + 1
        return received
