"""Writes to a store reach the process that holds its home without polling: the doorbell.

A CLI command in another process stores a record; the app (the listener) hears
the ring and reads exactly that record from the change feed. Records the
gossip validator verified are stored as they are, with their place in the feed.
"""

from __future__ import annotations

import select
import subprocess
import sys
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from test_store import NOW, offer, vouch

import protocol
from p2pshare.store import IngestStatus, Store
from p2pshare.store.doorbell import Doorbell, ring

if TYPE_CHECKING:
    from pathlib import Path


def _heard(bell: Doorbell, timeout: float) -> bool:
    readable, _, _ = select.select([bell], [], [], timeout)
    return bool(readable) and bell.drain() > 0


def test_a_write_in_another_process_rings_the_listener(tmp_path: Path) -> None:
    path = tmp_path / "home" / "records.db"
    key = Ed25519PrivateKey.generate()
    with Store.open(path) as store, Doorbell(path) as bell:
        seq = store.last_seq()
        record = offer(key)
        code = (
            "import sys, protocol\n"
            "from p2pshare.store import Store\n"
            "with Store.open(sys.argv[1]) as s:\n"
            "    s.add_own(protocol.decode(bytes.fromhex(sys.argv[2])))\n"
        )
        subprocess.run([sys.executable, "-c", code, str(path), record.data.hex()], check=True)
        assert _heard(bell, timeout=10)
        new_seq, fresh = store.changes_since(seq)
        assert [env.id for env in fresh] == [record.id]
        assert new_seq > seq


def _ring_from_another_process(store_file: Path) -> None:
    code = (
        "import sys, pathlib\n"
        "from p2pshare.store.doorbell import ring\n"
        "ring(pathlib.Path(sys.argv[1]))\n"
    )
    subprocess.run([sys.executable, "-c", code, str(store_file)], check=True)


def test_a_ring_nobody_hears_is_harmless_and_bells_are_per_store(tmp_path: Path) -> None:
    ring(tmp_path / "nobody" / "records.db")  # no listener: no error, no file
    assert list(tmp_path.iterdir()) == []
    with Doorbell(tmp_path / "a.db") as a, Doorbell(tmp_path / "b.db") as b:
        _ring_from_another_process(tmp_path / "b.db")
        assert _heard(b, timeout=10)
        assert not _heard(a, timeout=0)


def test_verified_envelopes_are_stored_as_they_are_with_their_seq(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    first, second = protocol.decode(offer(key).data), protocol.decode(vouch(key).data)
    with Store.open(tmp_path / "records.db") as store:
        results = store.ingest_verified([first, second, first], now=NOW)
        assert [r.status for r in results] == [
            IngestStatus.ADDED,
            IngestStatus.ADDED,
            IngestStatus.KNOWN,
        ]
        assert results[0].envelope is first  # no second parse: the validator's object
        assert results[1].seq == results[0].seq + 1 == store.last_seq()
        ahead = protocol.decode(offer(key, t=NOW + 3600).data)
        refused = store.ingest_verified([ahead], now=NOW)[0]
        assert refused.status is IngestStatus.REJECTED
        assert "future" in (refused.reason or "")
