"""Export file vectors (tests/vectors/export.json): the reference reads and writes them.

A good file gives exactly its records; a damaged one gives the records before
the damage, then the damage (docs/PROTOCOL.md §Export files). The writer makes
the listed bytes from records.json's records, and a store that imports a file
exports the same bytes again.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
from pathlib import Path
from typing import Any

import pytest

from p2pshare.store import Store
from p2pshare.store.export_file import EXPORT_MAGIC, read_export, write_export

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
DATA: dict[str, Any] = json.loads((VECTORS / "export.json").read_text(encoding="utf-8"))
RECORDS: dict[str, bytes] = {
    r["id"]: bytes.fromhex(r["signed_bytes"])
    for r in json.loads((VECTORS / "records.json").read_text(encoding="utf-8"))["records"]
}
NOW = 1_767_225_600 + 86_400  # after every record of records.json


def _read(data: bytes) -> tuple[list[str], str | None]:
    ids: list[str] = []
    for item in read_export(io.BytesIO(data)):
        if isinstance(item, str):
            return ids, item
        ids.append(hashlib.sha256(item).hexdigest())
    return ids, None


def test_the_format_constants() -> None:
    assert bytes.fromhex(DATA["magic"]) == EXPORT_MAGIC == b"P2PSHARE-EXPORT\n"
    assert DATA["max_record_bytes"] == 65_536


@pytest.mark.parametrize("vector", DATA["files"], ids=[v["label"] for v in DATA["files"]])
def test_good_files_read(vector: dict[str, Any]) -> None:
    data = bytes.fromhex(vector["file"])
    assert _read(data) == (vector["record_ids"], None)
    # the layout, by hand: magic, then u32be length + record, then a zero length
    pos, ids = len(EXPORT_MAGIC), []
    while (length := struct.unpack_from(">I", data, pos)[0]) != 0:
        ids.append(hashlib.sha256(data[pos + 4 : pos + 4 + length]).hexdigest())
        pos += 4 + length
    assert pos + 4 == len(data)
    assert ids == vector["record_ids"]


@pytest.mark.parametrize("vector", DATA["damaged"], ids=[v["label"] for v in DATA["damaged"]])
def test_damaged_files_stop_at_the_damage(vector: dict[str, Any]) -> None:
    ids, damage = _read(bytes.fromhex(vector["file"]))
    assert ids == vector["record_ids"]
    assert len(ids) == vector["records_before_damage"]
    assert damage is not None


@pytest.mark.parametrize("vector", DATA["files"], ids=[v["label"] for v in DATA["files"]])
def test_the_writer_makes_the_file(vector: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "out.p2pshare"
    write_export(target, [RECORDS[rid] for rid in vector["record_ids"]])
    assert target.read_bytes().hex() == vector["file"]


def test_import_then_export_gives_the_same_file(tmp_path: Path) -> None:
    vector = DATA["files"][0]
    source = tmp_path / "in.p2pshare"
    source.write_bytes(bytes.fromhex(vector["file"]))
    with Store.open(tmp_path / "records.db") as store:
        report = store.import_file(source, now=NOW)
        assert report.error is None
        assert report.new == len(vector["record_ids"])
        assert not report.rejected
        store.export(tmp_path / "again.p2pshare")
    assert (tmp_path / "again.p2pshare").read_bytes().hex() == vector["file"]


def test_a_damaged_import_keeps_what_came_before(tmp_path: Path) -> None:
    vector = next(v for v in DATA["damaged"] if v["records_before_damage"] >= 2)
    source = tmp_path / "cut.p2pshare"
    source.write_bytes(bytes.fromhex(vector["file"]))
    with Store.open(tmp_path / "records.db") as store:
        report = store.import_file(source, now=NOW)
        assert report.error is not None
        assert report.new == vector["records_before_damage"]
