"""`import FILE` through the same judgement as records from peers (issue 16 §2, §5).

An export file is records someone else held; a hand-off signed by someone who is
not the offer's author is as wrong in a file as on the wire. So each record is
verified (the store), then judged by the member's ledger rules (`Member.judge`,
the door's last step), and only then stored. What names a record that is not here
yet waits, as at the door: it is judged again once the rest of its batch is
stored, and again at the end of the file (an export lists records in the order
they were stored, so their parents come first); what still names a missing record
then is reported, not stored, and comes in with a later import or by sync.

Unlike the door there is no budget: the member chose the file. Batches keep the
store's guarantee: after `on_progress(n)` the first n records are settled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import protocol
from p2pshare.domain.ledger_part import PENDING
from p2pshare.store import ImportReport
from p2pshare.store.export_file import read_batches
from p2pshare.store.records import IMPORT_BATCH, IngestStatus

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from p2pshare.member.core import MemberCore
    from protocol import Envelope


def import_file(
    member: MemberCore,
    path: Path,
    *,
    max_skew: int = 600,
    batch: int = IMPORT_BATCH,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Verify, judge and store the records of an export file; report what happened."""
    report = ImportReport()
    waiting: list[tuple[int, Envelope]] = []  # (index in the file, record)

    def store(items: list[tuple[int, bytes | Envelope]]) -> None:
        now = member.now()
        results = member.store.ingest_verified(
            [item for _, item in items], now=now, max_skew=max_skew
        )
        for (index, _), result in zip(items, results, strict=True):
            if result.status is IngestStatus.ADDED:
                report.new += 1
            elif result.status is IngestStatus.KNOWN:
                report.known += 1
            else:
                report.rejected.append((index, result.reason or "rejected"))

    def judged(items: list[tuple[int, Envelope]]) -> list[tuple[int, Envelope]]:
        """Store what the ledger takes, refuse what it refuses; return what still waits."""
        admitted: list[tuple[int, bytes | Envelope]] = []
        still: list[tuple[int, Envelope]] = []
        for index, envelope in items:
            if member.has_record(envelope.id):
                admitted.append((index, envelope))  # known: the store says so
            elif (reason := member.judge(envelope)) is None:
                admitted.append((index, envelope))
            elif reason.startswith(PENDING):
                still.append((index, envelope))
            else:
                report.rejected.append((index, f"the ledger refuses it: {reason}"))
        store(admitted)
        return still

    def flush(pending: list[bytes]) -> None:
        nonlocal waiting
        base = report.processed + len(waiting)
        undecodable: list[tuple[int, bytes | Envelope]] = []
        decoded: list[tuple[int, Envelope]] = []
        for offset, data in enumerate(pending):
            try:
                decoded.append((base + offset, protocol.decode(data)))
            except protocol.ProtocolError:
                undecodable.append((base + offset, data))  # the store says why
        store(undecodable)
        waiting = settle([*waiting, *decoded])
        if on_progress is not None:
            on_progress(report.processed)

    def settle(items: list[tuple[int, Envelope]]) -> list[tuple[int, Envelope]]:
        """Judge until nothing more can be: each round stores the parents of the next."""
        while items:
            still = judged(items)
            if len(still) == len(items):
                break
            items = still
        return items

    for items in read_batches(path, batch):
        if isinstance(items, str):
            report.error = items
        else:
            flush(items)
    for index, _ in waiting:
        report.rejected.append((index, f"{PENDING} (import it again after a sync)"))
    report.rejected.sort()
    return report
