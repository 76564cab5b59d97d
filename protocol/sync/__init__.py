"""Catch-up sync: range-based set reconciliation over (created_at, id), sans-IO.

Two peers find the records one holds and the other lacks (docs/PROTOCOL.md
§Sync protocol). This package is pure: messages in, messages out. The network
layer (p2pshare/net/sync_stream.py) carries the frames over a libp2p stream
(`PROTOCOL_ID`) and hands received record bytes to `Store.ingest_many`, the
same validation as gossip; nothing here stores, verifies or trusts a record.
Everything a peer sends is untrusted: a malformed or out-of-protocol message
raises `ReconcileError` (a `ProtocolError`).

- keys.py        sync order (`RangeKey`, `Bound`) and range fingerprints
- messages.py    the message types, their limits and msgpack codec
- frames.py      messages on a byte stream (protocol/framing.py), write chunks
- sources.py     the `RecordSource` port a side's records are read through
- reconciler.py  the state machine (`Reconciler`) and an in-memory driver
"""

from .frames import WRITE_CHUNK, FrameDecoder, encode_frame, encode_frames, write_chunks
from .keys import DIGEST_BYTES, ID_BYTES, Bound, Fingerprint, RangeKey, fingerprint_of
from .messages import (
    MAX_COUNT,
    MAX_FRAME,
    MAX_IDLIST,
    MAX_RANGES,
    MAX_RECORDS,
    MAX_TIMESTAMP,
    MAX_WANT,
    PROTOCOL_ID,
    Done,
    FingerprintRange,
    IdList,
    Message,
    RangeItem,
    Ranges,
    ReconcileError,
    Records,
    Skip,
    Want,
    decode_message,
    encode_message,
)
from .reconciler import (
    BUCKETS,
    IDLIST_THRESHOLD,
    MAX_ROUNDS,
    RANGES_BUDGET,
    RECORDS_BATCH,
    ExchangeStats,
    Reconciler,
    Role,
    run_in_memory,
)
from .sources import MemorySource, RecordSource

__all__ = [
    "BUCKETS",
    "DIGEST_BYTES",
    "IDLIST_THRESHOLD",
    "ID_BYTES",
    "MAX_COUNT",
    "MAX_FRAME",
    "MAX_IDLIST",
    "MAX_RANGES",
    "MAX_RECORDS",
    "MAX_ROUNDS",
    "MAX_TIMESTAMP",
    "MAX_WANT",
    "PROTOCOL_ID",
    "RANGES_BUDGET",
    "RECORDS_BATCH",
    "WRITE_CHUNK",
    "Bound",
    "Done",
    "ExchangeStats",
    "Fingerprint",
    "FingerprintRange",
    "FrameDecoder",
    "IdList",
    "MemorySource",
    "Message",
    "RangeItem",
    "RangeKey",
    "Ranges",
    "ReconcileError",
    "Reconciler",
    "RecordSource",
    "Records",
    "Role",
    "Skip",
    "Want",
    "decode_message",
    "encode_frame",
    "encode_frames",
    "encode_message",
    "fingerprint_of",
    "run_in_memory",
    "write_chunks",
]
