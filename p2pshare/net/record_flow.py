"""How records move between the node and its peers, put together: in by gossip and
by catch-up sync through the one door, stored by ingest, out by the outbox.

  gossip ── gate (gossip.py) ──┐
                               ├── door (door.py) ── ingest (ingest.py) ── store
  sync ──── catchup.py ────────┘
  store ─── outbox.py ── gossip

This module builds those parts for one node, with the door's verdicts turned
into events and after-flood syncs (door_reports.py), and starts their tasks in
the node's nursery. Whom the door trusts, and whom it blocks, are the node's
(peer_standing.py, peer_watch.py), passed in.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from p2pshare.net import gossip
from p2pshare.net.catchup import PROTOCOL as CATCHUP_PROTOCOL
from p2pshare.net.catchup import CatchUp
from p2pshare.net.clock_watch import ClockWatch
from p2pshare.net.door import Door
from p2pshare.net.door_reports import DoorReports
from p2pshare.net.held import HeldRecords
from p2pshare.net.ingest import Ingest
from p2pshare.net.outbox import Outbox
from p2pshare.net.send_budget import SendBudget

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import trio
    from libp2p.peer.id import ID

    from p2pshare.net.config import NodeConfig
    from p2pshare.net.refusals import Refusals
    from p2pshare.store import Store
    from protocol import Envelope, RecordId


class RecordFlow:
    """The node's records path; `prepare()` before the host listens, `start()` in
    the node's nursery once subscribed."""

    def __init__(
        self,
        host: Any,
        pubsub: Any,
        router: Any,
        store: Store,
        *,
        topic: str,
        config: NodeConfig,
        emit: Callable[[Any], None],
        known: Callable[[RecordId], bool] | None,
        trusted_author: Callable[[str], bool],
        trusted_peer: Callable[[str], bool],
        on_misbehaving: Callable[[str], None],
        judge: Callable[[Envelope], str | None],
        connected: Callable[[], set[str]],
        blocked: Callable[[str], bool],
        refusals: Refusals,
        nursery: Callable[[], trio.Nursery | None],
    ) -> None:
        self._host, self._pubsub, self._router = host, pubsub, router
        self._store, self._topic = store, topic
        self._me = host.get_id()
        self._doorbell = config.doorbell
        reports = DoorReports(emit, nursery)
        ingest = self.ingest = Ingest(
            store,
            emit=emit,
            on_reject=reports.on_reject,
            max_skew=config.max_skew,
            known=known,
        )
        limits = dataclasses.replace(
            config.door,
            stranger_rate=config.gossip_rate,
            stranger_burst=config.gossip_burst,
            max_skew=config.max_skew,
        )
        self.door = Door(
            ingest.known,
            limits=limits,
            trusted_author=trusted_author,
            trusted_peer=trusted_peer,
            on_refused=reports.on_refused,
            on_misbehaving=on_misbehaving,
            held=HeldRecords(max_skew=config.max_skew),
            judge=judge,
            clock_watch=ClockWatch(reports.on_clock),
            refusals=refusals,
        )
        self.gate = ingest.gate = gossip.RecordGate(ingest.known, self._me, door=self.door)
        self.catchup = reports.catchup = CatchUp(
            host,
            store,
            ingest,
            emit=emit,
            connected=connected,
            blocked=blocked,
            interval=config.sync_interval,
            door=self.door,
            budget=SendBudget(config.send),
            refusals=refusals,
        )
        self.outbox: Outbox | None = None  # made by start(): kicks before it are moot

    async def prepare(self) -> None:
        """Load what the store holds, and take gossip and sync streams from now on."""
        await self.ingest.load()
        self.gate.install(self._pubsub, self._router, self._topic)
        self._host.set_stream_handler(CATCHUP_PROTOCOL, self.catchup.on_stream)

    def start(self, tasks: trio.Nursery, subscription: Any, store_file: Path) -> None:
        """Read gossip, publish the outbox, sync, and release held and waiting records."""
        ingest, door = self.ingest, self.door
        tasks.start_soon(ingest.read_gossip, subscription, self._me)
        outbox = self.outbox = Outbox(self._store, self._pubsub, self._topic)
        tasks.start_soon(outbox.run)
        if self._doorbell:
            tasks.start_soon(outbox.listen, store_file)
        tasks.start_soon(self.catchup.run)
        tasks.start_soon(door.held.run, ingest.store)
        ingest.on_stored = door.waiting.poke
        tasks.start_soon(door.waiting.run, door.judge_now, ingest.store, door.refuse_waiting)

    def kick(self) -> None:
        """The outbox has something new: publish now. Sync, never blocks."""
        if self.outbox is not None:
            self.outbox.kick()

    @property
    def published(self) -> int:
        return self.outbox.published if self.outbox is not None else 0

    def forget(self, peer: ID) -> None:
        """`peer` disconnected: the gate's per-peer state of it goes."""
        self.gate.forget(peer)
