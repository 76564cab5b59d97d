"""Catch-up sync between two real stores: a node that missed 10,000 records, and one
that missed nothing against a 100,000-record history. Bytes are every frame, both
directions; time is reconciliation, transfer through in-memory frames and
`ingest_many` (full verification) on the receiver.

    python -m bench.bench_catchup

Goals (issue 4): missed 10,000: <= 5 s and <= 1.5x the missing records' bytes;
missed nothing of 100,000: <= 10 KB exchanged. The scattered rows (in-memory
sources, bytes only) show the cost of misses spread over the whole history.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from p2pshare.store import Store, StoreSource
from protocol import Envelope, PublicKey, Vouch, sign
from protocol.sync import (
    ExchangeStats,
    MemorySource,
    Reconciler,
    RecordSource,
    Role,
    run_in_memory,
)

if TYPE_CHECKING:
    from collections.abc import Callable

HISTORY = 100_000
MISSED = 10_000
NOW = 1_750_000_000
DAY = 86_400
BATCH = 5_000  # records per ingest transaction when filling the stores
# The stream figures: 1 KiB writes ~0.4 ms, 64 KiB writes ~90 MiB/s.
WRITE_FIXED, WRITE_RATE = 0.395e-3, 214e6


def _records(n: int, start: int, span: int) -> list[Envelope]:
    """Small signed vouches from one key, spread evenly over [start, start + span)."""
    key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"bench-catchup").digest())
    subject = PublicKey(hashlib.sha256(b"bench-catchup-subject").digest())
    return [
        sign(
            Vouch(subject=subject, skills=(), note=f"r{start + i}"),
            key=key,
            created_at=start + i * span // n,
        )
        for i in range(n)
    ]


def _fill(path: Path, records: list[Envelope]) -> None:
    with Store.open(path) as store:
        for i in range(0, len(records), BATCH):
            store.ingest_many([r.data for r in records[i : i + BATCH]], now=NOW)


def _copy(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)  # closed stores: the WAL is checkpointed into the file
    return dst


def _modelled_stream_time(stats: ExchangeStats) -> float:
    chunks = sum(stats.writes)
    return chunks * WRITE_FIXED + stats.total_bytes / WRITE_RATE


def _run(
    initiator: RecordSource,
    responder: RecordSource,
    ingest: Callable[[int, list[bytes]], None] | None = None,
) -> tuple[ExchangeStats, float, Reconciler, Reconciler]:
    started = time.perf_counter()
    ra, rb = Reconciler(initiator, Role.INITIATOR), Reconciler(responder, Role.RESPONDER)
    stats = run_in_memory(ra, rb, on_received=ingest)
    return stats, time.perf_counter() - started, ra, rb


def _store_sync(lagging: Path, ahead: Path, lagging_initiates: bool) -> tuple[ExchangeStats, float]:
    with Store.open(lagging) as behind, Store.open(ahead) as front:
        stores = (behind, front) if lagging_initiates else (front, behind)
        added = 0

        def ingest(side: int, payloads: list[bytes]) -> None:
            nonlocal added
            results = stores[side].ingest_many(payloads, now=NOW)
            added += sum(r.status.value == "added" for r in results)

        stats, elapsed, _, _ = _run(StoreSource(stores[0]), StoreSource(stores[1]), ingest)
        if added != MISSED or behind.fingerprint() != front.fingerprint():
            raise AssertionError(f"sync did not converge: {added} added")
    return stats, elapsed


def main() -> None:
    t0 = time.perf_counter()
    history = _records(HISTORY, NOW - 365 * DAY, 362 * DAY)
    new = _records(MISSED, NOW - 3 * DAY, 3 * DAY)  # what a member 3 days offline missed
    t_sign = time.perf_counter() - t0
    missing_bytes = sum(len(r.data) for r in new)
    rows: list[tuple[str, str, int, ExchangeStats, float, str]] = []

    with tempfile.TemporaryDirectory(prefix="bench-catchup-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        base = root / "base" / "store.db"
        _fill(base, history)
        t_fill = time.perf_counter() - t0
        ahead = _copy(base, root / "ahead" / "store.db")
        with Store.open(ahead) as store:
            store.ingest_many([r.data for r in new], now=NOW)
        print(
            f"setup: signed {HISTORY + MISSED:,} records in {t_sign:.1f} s,"
            f" filled a store in {t_fill:.1f} s"
        )

        # (b) nothing missed: two stores with the same 100,000 records
        twin = _copy(base, root / "twin" / "store.db")
        with Store.open(base) as a, Store.open(twin) as b:
            stats, elapsed, _, _ = _run(StoreSource(a), StoreSource(b))
        goal = "ok" if stats.total_bytes <= 10_000 else "MISSED (<= 10 KB)"
        rows.append(("missed nothing of 100,000", "-", 0, stats, elapsed, goal))

        # (a) missed the newest 10,000, whichever side opens the stream
        for lagging_initiates in (True, False):
            behind = _copy(base, root / f"behind-{lagging_initiates}" / "store.db")
            stats, elapsed = _store_sync(behind, ahead, lagging_initiates)
            ratio = stats.total_bytes / missing_bytes
            ok = ratio <= 1.5 and elapsed <= 5.0
            who = "lagging" if lagging_initiates else "up-to-date"
            rows.append(
                (
                    f"missed newest 10,000 ({who} opens)",
                    f"{ratio:.3f}x",
                    missing_bytes,
                    stats,
                    elapsed,
                    "ok" if ok else "MISSED (<= 5 s, <= 1.5x)",
                )
            )

    # scattered misses (gossip losses), in memory: same protocol bytes, no store
    everything = history + new
    full = MemorySource((r.created_at, r.data) for r in everything)
    rng = random.Random(4)
    for lost in (100, MISSED):
        gone = set(rng.sample(range(len(everything)), lost))
        holey = MemorySource(
            (r.created_at, r.data) for i, r in enumerate(everything) if i not in gone
        )
        lost_bytes = sum(len(everything[i].data) for i in gone)
        stats, elapsed, ra, _ = _run(holey, full)
        assert len(ra.need) == lost
        rows.append(
            (
                f"missed {lost:,} scattered of {len(everything):,} (memory)",
                f"{stats.total_bytes / lost_bytes:.2f}x",
                lost_bytes,
                stats,
                elapsed,
                "info",
            )
        )

    header = (
        f"{'scenario':<46} {'missing B':>10} {'wire B':>10} {'ratio':>8}"
        f" {'turns':>5} {'time s':>7} {'stream s':>8}  goal"
    )
    print(header)
    print("-" * len(header))
    for name, shown, missing, stats, elapsed, goal in rows:
        print(
            f"{name:<46} {missing:>10,} {stats.total_bytes:>10,} {shown:>8}"
            f" {stats.turns:>5} {elapsed:>7.2f} {_modelled_stream_time(stats):>8.3f}  {goal}"
        )
    print(
        "wire B: all frames, both directions. time: reconcile + frames + ingest_many."
        " stream s: modelled write time (0.4 ms per write + 214 MB/s), no latency."
    )


if __name__ == "__main__":
    main()
