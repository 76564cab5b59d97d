"""The export file: every signed record of a store, in one file a member can carry.

Format::

    b"P2PSHARE-EXPORT\\n"                      16-byte magic
    repeated: uint32 big-endian length N > 0, then N bytes: one signed record
    uint32 0                                   end marker

Records are written in (created_at, id) order. The end marker tells a file cut
at a record boundary from a complete one. Nothing in the file is trusted: every
record is verified on import exactly as if it came from the network.
"""

from __future__ import annotations

import contextlib
import os
import struct
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import protocol
from p2pshare.store.files import fsync_dir

EXPORT_MAGIC = b"P2PSHARE-EXPORT\n"
_LENGTH = struct.Struct(">I")


def write_export(path: Path, records: Iterable[bytes]) -> int:
    """Write `records` to `path` atomically (a temporary file, then rename); returns how many."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    count = 0
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(EXPORT_MAGIC)
            for data in records:
                out.write(_LENGTH.pack(len(data)))
                out.write(data)
                count += 1
            out.write(_LENGTH.pack(0))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)
    return count


def read_export(source: IO[bytes]) -> Iterator[bytes | str]:
    """Records of an export file, then a reason string if the file is damaged."""
    if source.read(len(EXPORT_MAGIC)) != EXPORT_MAGIC:
        yield "not a p2pshare export file (bad header)"
        return
    index = 0
    while True:
        head = source.read(_LENGTH.size)
        if len(head) < _LENGTH.size:
            yield f"file ends after {index} records without the end marker (truncated?)"
            return
        (length,) = _LENGTH.unpack(head)
        if length == 0:
            if source.read(1):
                yield f"unexpected data after the end marker (after {index} records)"
            return
        if length > protocol.MAX_RECORD_BYTES:
            yield f"record {index}: length {length} is over the {protocol.MAX_RECORD_BYTES} limit"
            return
        data = source.read(length)
        if len(data) < length:
            yield f"record {index} is cut short ({len(data)} of {length} bytes; truncated?)"
            return
        yield data
        index += 1
