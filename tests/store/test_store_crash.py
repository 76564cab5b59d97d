"""A real process killed with SIGKILL mid-import leaves a consistent store.

Every record whose import the process reported ("imported N") must be there
afterwards, and the database must pass sqlite's integrity check.
"""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import p2pshare
from p2pshare.store import Store
from protocol import PublicKey, Vouch, sign

NOW = 1_700_000_000
RECORDS = 10_000
BATCH = 500
REPO = Path(p2pshare.__file__).resolve().parent.parent

IMPORTER = """
import sys
from pathlib import Path
from p2pshare.store import Store
store = Store.open(Path(sys.argv[1]))
report = store.import_file(
    Path(sys.argv[2]),
    now=int(sys.argv[3]),
    batch=int(sys.argv[4]),
    on_progress=lambda n: print(f"imported {n}", flush=True),
)
print(f"done {report.new}", flush=True)
"""


def _lines(stream: object, out: queue.Queue[str | None]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        out.put(line)
    out.put(None)


def test_sigkill_mid_import_keeps_every_reported_record(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    subject = PublicKey(Ed25519PrivateKey.generate().public_key().public_bytes_raw())
    records = [
        sign(Vouch(subject=subject, skills=(), note=f"#{i}"), key=key, created_at=NOW - i)
        for i in range(RECORDS)
    ]
    export = tmp_path / "all.p2pshare"
    with Store.open(tmp_path / "source" / "store.db") as source:
        source.ingest_many([r.data for r in records], now=NOW)
        assert source.export(export) == RECORDS
        in_file_order = [k.id for k in source.keys_in_range()]  # export order is (created_at, id)

    target = tmp_path / "target" / "store.db"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", IMPORTER, str(target), str(export), str(NOW), str(BATCH)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True)
    reader.start()
    seen: list[str] = []
    try:
        while True:  # wait for the first committed batch, then kill at once
            line = lines.get(timeout=60)
            assert line is not None, f"importer exited early: {proc.stderr.read()}"  # type: ignore[union-attr]
            seen.append(line)
            if line.startswith("imported "):
                break
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        reader.join(timeout=30)
        while (line := lines.get(timeout=30)) is not None:  # printed before the kill
            seen.append(line)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert proc.returncode == -signal.SIGKILL, f"the import finished before the kill: {seen}"
    assert not any(line.startswith("done") for line in seen)

    reported = max(int(line.split()[1]) for line in seen if line.startswith("imported "))
    assert reported >= BATCH

    conn = sqlite3.connect(target)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    with Store.open(target) as store:
        stored = store.count()
        assert stored >= reported
        assert stored % BATCH == 0  # batches commit whole or not at all
        assert all(store.has(rid) for rid in in_file_order[:reported])
        # the store stays usable: finishing the import fills in the rest
        report = store.import_file(export, now=NOW)
        assert report.error is None
        assert report.rejected == []
        assert (report.new, report.known) == (RECORDS - stored, stored)
        assert store.count() == RECORDS
