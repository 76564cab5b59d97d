"""Export file vectors (tests/vectors/export.json): whole files, good and damaged.

A good file is the magic line, each record as a u32 big-endian length and its
bytes, then a zero length. The files here hold the signed records of
records.json; the damaged ones say how many records a reader still gets before
the damage. docs/PROTOCOL.md §Export files states the format;
tests/protocol/test_export_vectors.py checks the reference reader and writer.
"""

from __future__ import annotations

import struct
from typing import Any

MAGIC = b"P2PSHARE-EXPORT\n"
MAX_RECORD = 65_536
END = struct.pack(">I", 0)


def _file(records: list[bytes], *, end: bool = True) -> bytes:
    body = b"".join(struct.pack(">I", len(r)) + r for r in records)
    return MAGIC + body + (END if end else b"")


def build(records: list[dict[str, Any]]) -> dict[str, Any]:
    """`records` are records.json's; the export holds them in (created_at, id) order."""
    ordered = sorted(records, key=lambda r: (r["created_at"], bytes.fromhex(r["id"])))
    datas = [bytes.fromhex(r["signed_bytes"]) for r in ordered]
    ids = [r["id"] for r in ordered]
    whole = _file(datas)
    good = [
        ("every record of records.json", whole, ids),
        ("no records", _file([]), []),
    ]
    damaged = [
        ("bad magic line", b"P2PSHARE-EXPORT\r\n" + whole[len(MAGIC) :], 0, "bad header"),
        ("empty file", b"", 0, "bad header"),
        ("cut at a record boundary: no end marker", _file(datas[:3], end=False), 3, "truncated"),
        ("cut inside a length", _file(datas[:2], end=False) + b"\x00\x00", 2, "truncated"),
        (
            "cut inside a record",
            _file(datas[:2], end=False) + struct.pack(">I", len(datas[2])) + datas[2][:50],
            2,
            "cut short",
        ),
        (
            "a length over 65 536",
            _file(datas[:1], end=False) + struct.pack(">I", MAX_RECORD + 1),
            1,
            "too long",
        ),
        ("a byte after the end marker", whole + b"\x00", len(datas), "trailing data"),
    ]
    return {
        "description": (
            "Export file vectors for docs/PROTOCOL.md §Export files, written by "
            "tests/vectors/generate.py. 'file' is the whole file in hex. A damaged file "
            "yields 'records_before_damage' records, then the damage ('damage' is a "
            "short name for it; the reference's messages are informative)."
        ),
        "magic": MAGIC.hex(),
        "max_record_bytes": MAX_RECORD,
        "files": [
            {"label": label, "file": data.hex(), "record_ids": rids} for label, data, rids in good
        ],
        "damaged": [
            {
                "label": label,
                "file": data.hex(),
                "records_before_damage": n,
                "record_ids": ids[:n],
                "damage": damage,
            }
            for label, data, n, damage in damaged
        ],
    }
