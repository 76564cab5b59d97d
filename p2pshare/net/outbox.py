"""Records out: what the member signed goes to the network as soon as someone listens.

The store is the outbox (DESIGN §3): actions write their record there and
return, whoever runs the node publishes it. The publisher wakes when told
(`kick`: the app after an action, a new peer connected) or when another
process on this home wrote to the store (its doorbell); it looks again a
little later only while records wait for a first subscriber.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import trio

from p2pshare.store.doorbell import Doorbell

if TYPE_CHECKING:
    from pathlib import Path

    from p2pshare.store import Store

log = logging.getLogger(__name__)

RETRY_SECONDS = 0.25  # while records wait for someone subscribed to the topic


class Outbox:
    """Publishes the store's unpublished records on the community topic."""

    def __init__(self, store: Store, pubsub: Any, topic: str) -> None:
        self._store = store
        self._pubsub = pubsub
        self._topic = topic
        self._kicked = trio.Event()
        self.published = 0

    def kick(self) -> None:
        """Something new may be in the outbox, or someone new to publish to. Never blocks."""
        self._kicked.set()

    async def run(self) -> None:
        waiting = True  # records may be waiting from before the start
        while True:
            if waiting:
                with trio.move_on_after(RETRY_SECONDS):
                    await self._kicked.wait()
            else:
                await self._kicked.wait()
            self._kicked = trio.Event()
            try:
                waiting = await self._publish()
            except Exception:
                log.exception("publishing the outbox failed")
                waiting = True

    async def listen(self, store_file: Path) -> None:
        """Another process wrote to the store (a CLI command): publish its records now."""
        try:
            bell = Doorbell(store_file)
        except OSError as exc:
            log.warning("not listening for store writes by other processes: %s", exc)
            return
        with bell:
            while True:
                await trio.lowlevel.wait_readable(bell.fileno())
                bell.drain()
                self.kick()

    async def _publish(self) -> bool:
        """Publish what is pending; True if records still wait for a subscriber."""
        # Upstream publishes to nobody when no peer is subscribed: keep records in
        # the outbox until someone is (sync also delivers them on connect).
        if not self._pubsub.peer_topics.get(self._topic):
            return bool(await trio.to_thread.run_sync(self._store.outbox))
        outbox = await trio.to_thread.run_sync(self._store.outbox)
        if not outbox:
            return False
        for envelope in outbox:
            await self._pubsub.publish(self._topic, envelope.data)
        await trio.to_thread.run_sync(self._store.mark_published, [env.id for env in outbox])
        self.published += len(outbox)
        log.info("published %d records", len(outbox))
        return False
