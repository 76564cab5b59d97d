"""Catch-up sync over a libp2p stream: the transport for protocol/sync.

protocol/sync is the sans-IO protocol (range-based set reconciliation, its
messages, and their frames in protocol/framing.py); this module carries it over
/p2pshare/sync/1.0.0: reads of up to 64 KiB fed to the FrameDecoder, each turn's
replies written as 64 KiB chunks (write_chunks), received records handed to the
caller (`on_records`) in batches, which passes them through the door (door.py),
the same admission gossip gets. Everything is bounded: the decoder's frame
size, the reconciler's rounds, the whole session's time (trio.move_on_after),
and what it writes (`pace`, the send budget).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import trio
from libp2p.network.stream.exceptions import StreamEOF

from p2pshare.store import Store, StoreSource
from protocol.sync import (
    PROTOCOL_ID,
    Done,
    FrameDecoder,
    Message,
    Ranges,
    ReconcileError,
    Reconciler,
    RecordSource,
    Role,
    write_chunks,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

PROTOCOL = PROTOCOL_ID
READ_CHUNK = 64 * 1024
SESSION_SECONDS = 60.0
BATCH = 256  # records handed to the caller at a time


@dataclass(slots=True)
class SessionResult:
    received: int = 0
    sent: int = 0
    error: str | None = None


async def run_session(
    stream: Any,
    store: Store | RecordSource,
    *,
    initiator: bool,
    on_records: Callable[[list[bytes]], Awaitable[None]],
    seconds: float = SESSION_SECONDS,
    pace: Callable[[int], Awaitable[None]] | None = None,
) -> SessionResult:
    """One reconciliation session on an open stream; closes (or resets) the stream.

    `store` is the node's Store, or any record source (a test's hostile peer)."""
    source = StoreSource(store) if isinstance(store, Store) else store
    rec = Reconciler(source, Role.INITIATOR if initiator else Role.RESPONDER)
    decoder = FrameDecoder()
    result = SessionResult()
    ok = False

    async def send(messages: list[Message]) -> None:
        for chunk in write_chunks(messages):
            if pace is not None:  # the responder's byte budget (send_budget.py)
                await pace(len(chunk))
            await stream.write(chunk)

    with trio.move_on_after(seconds) as scope:
        try:
            if initiator:
                await send(await trio.to_thread.run_sync(rec.initiate))
            pending: list[Message] = []
            while not rec.done:
                try:
                    data = await stream.read(READ_CHUNK)
                except StreamEOF:
                    data = b""
                if not data:
                    raise ReconcileError("the peer closed the stream mid-session")
                for msg in decoder.feed(data):
                    # store reads (fingerprints, keys, record bytes) off the trio thread
                    replies = await trio.to_thread.run_sync(rec.receive, msg)
                    pending += replies
                    if received := rec.take_received():
                        for start in range(0, len(received), BATCH):
                            await on_records(received[start : start + BATCH])
                        result.received += len(received)
                    # a turn ends with Ranges (or Done): send the whole turn at once
                    if pending and isinstance(pending[-1], Ranges | Done):
                        await send(pending)
                        pending = []
            if pending:
                await send(pending)
            ok = True
        except ReconcileError as exc:
            result.error = str(exc)
        except Exception as exc:  # stream reset, connection gone...
            result.error = f"{type(exc).__name__}: {exc}"
    if scope.cancelled_caught:
        result.error = f"session took over {seconds:g} s"
    result.sent = len(rec.have)
    with trio.CancelScope(shield=True), trio.move_on_after(0.5), contextlib.suppress(Exception):
        await (stream.close() if ok else stream.reset())
    return result
