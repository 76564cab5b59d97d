"""Records in from the network: one pass from the wire to the store and on to listeners.

Gossip: the topic validator (gossip.RecordGate, which asks the door, door.py)
decodes and verifies each message once and holds the envelope; `read_gossip`
takes that envelope and stores it as it is (`Store.ingest_verified`). Sync: the
door judges each batch the same way (catchup.py) and what it admits is stored
here; records held for their time (held.py) or for a record they name
(waiting.py) come here when released. Either way the stored envelopes travel on in
`RecordsArrived`, so the app derives its state from them without reading or
parsing them again. SQLite work runs in a worker thread: in the app, trio is a
guest on the UI's event loop, and the UI never waits on SQLite.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import trio
from libp2p.peer.id import ID

from p2pshare.events import Event, RecordsArrived
from p2pshare.store import IngestResult, IngestStatus, Store
from protocol import Envelope, RecordId, record_id

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from p2pshare.net.gossip import RecordGate

log = logging.getLogger(__name__)

GOSSIP_BATCH = 500  # messages taken off the subscription per store transaction


class Ingest:
    """Stores what peers send and tells the node's listeners, with the records."""

    def __init__(
        self,
        store: Store,
        *,
        emit: Callable[[Event], None],
        on_reject: Callable[[str, str], None],
        max_skew: int,
        known: Callable[[RecordId], bool] | None = None,
    ) -> None:
        self._store = store
        self._emit = emit
        self._on_reject = on_reject
        self._max_skew = max_skew
        self._external_known = known
        self._known: set[RecordId] = set()
        self.gate: RecordGate | None = None
        self.on_stored: Callable[[], None] | None = None  # new records were stored

    async def load(self) -> None:
        """Remember which records are stored (unless the owner already knows)."""
        if self._external_known is None:
            self._known = await trio.to_thread.run_sync(self._store.ids)

    def known(self, record: RecordId) -> bool:
        """Stored already? Answered from memory, for the validator on the event loop."""
        if self._external_known is not None:
            return self._external_known(record)
        return record in self._known

    async def read_gossip(self, subscription: Any, me: ID) -> None:
        channel = subscription.receive_channel
        while True:
            batch = [await channel.receive()]
            while len(batch) < GOSSIP_BATCH:
                try:
                    batch.append(channel.receive_nowait())
                except trio.WouldBlock:
                    break
            items: list[bytes | Envelope] = []
            sources: list[str] = []
            for message in batch:
                if message.from_id == me:
                    continue
                data = bytes(message.data)
                verified = self.gate.take(record_id(data)) if self.gate is not None else None
                items.append(verified if verified is not None else data)
                sources.append(_peer_str(bytes(message.from_id)))
            if items:
                await self.store(items, sources)

    async def store(self, items: Sequence[bytes | Envelope], sources: Sequence[str]) -> int:
        """Store records from peers; emit RecordsArrived per source; returns how many were new."""
        now = int(time.time())

        def ingest() -> list[IngestResult]:
            return self._store.ingest_verified(items, now=now, max_skew=self._max_skew)

        results = await trio.to_thread.run_sync(ingest)
        added: dict[str, list[IngestResult]] = {}
        for result, source in zip(results, sources, strict=True):
            if result.status is IngestStatus.ADDED and result.envelope is not None:
                added.setdefault(source, []).append(result)
                if self._external_known is None:
                    self._known.add(result.envelope.id)
            elif result.status is IngestStatus.REJECTED:
                self._on_reject(source, f"rejected by the store: {result.reason}")
        for source, stored in added.items():
            records = tuple(r.envelope for r in stored if r.envelope is not None)
            seqs = tuple(r.seq for r in stored)
            self._emit(RecordsArrived(records=records, seqs=seqs, source=source))
        if added and self.on_stored is not None:
            self.on_stored()
        return sum(len(stored) for stored in added.values())


def _peer_str(raw: bytes) -> str:
    try:
        return ID(raw).to_base58()
    except Exception:
        return ""
