"""The export file: every signed record of a store, in one file a member can carry.

Format::

    b"P2PSHARE-EXPORT\\n"                      16-byte magic
    repeated: uint32 big-endian length N > 0, then N bytes: one signed record
    uint32 0                                   end marker

Records are written in (created_at, id) order, to a temporary file renamed into
place. `check_export_target` and `export_to` keep an export off the home, off
directories and devices, and off an existing file unless asked to replace it.
The end marker tells a file cut at a record boundary from a complete one.
Nothing in the file is trusted: every record is verified on import exactly as
if it came from the network.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import struct
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING

import protocol
from p2pshare.store.files import StoreError, fsync_dir

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

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


def read_batches(path: Path, size: int) -> Iterator[list[bytes] | str]:
    """The records of an export file in lists of up to `size` (the last may be
    shorter or empty), then a reason string if the file is damaged: what an import
    stores one transaction at a time."""
    batch: list[bytes] = []
    with open(path, "rb") as source:
        for item in read_export(source):
            if isinstance(item, str):
                yield batch
                yield item
                return
            batch.append(item)
            if len(batch) >= size:
                yield batch
                batch = []
    yield batch


def check_export_target(path: str | Path, *, home: Path, force: bool) -> Path:
    """`path` if an export may be written there, else StoreError saying why.

    Refused: an empty name; anything inside the home (the live store and the
    secret key are there); a directory, device, pipe or socket; an existing file
    unless `force`; a directory that does not exist.
    """
    text = os.fspath(path)
    if not text:
        raise StoreError("export needs a file name")
    path = Path(text).absolute()
    shown = _shown(text)
    resolved, inside = path.resolve(), Path(home).resolve()
    if resolved == inside or inside in resolved.parents:
        raise StoreError(
            f"{shown} is inside the home {_shown(str(home))}: export to a file outside it"
        )
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise StoreError(f"cannot write {shown}: {exc.strerror}") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise StoreError(f"{shown} is a directory: give the name of a file to write")
        if not stat.S_ISREG(st.st_mode):
            raise StoreError(f"{shown} is not a regular file (a device, pipe or socket)")
        if not force:
            raise StoreError(f"{shown} exists: use --force to replace it")
    if not path.parent.is_dir():
        raise StoreError(f"cannot write {shown}: no such directory {_shown(str(path.parent))}")
    return path


def export_to(target: Path, write: Callable[[Path], int], *, replace: bool) -> int:
    """Have `write(tmp)` write an export to a temporary file, then move it to `target`.

    Without `replace` the move never overwrites: a file that appeared at `target`
    since it was checked stays, and StoreError says so. Returns what `write` did.
    """
    try:
        fd, name = tempfile.mkstemp(prefix=".p2pshare-export-", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise StoreError(f"cannot write {_shown(str(target))}: {exc.strerror}") from None
    os.close(fd)
    tmp = Path(name)
    try:
        count = write(tmp)
        if replace:
            os.replace(tmp, target)
        else:
            _place_new(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    fsync_dir(target.parent)
    return count


def _place_new(tmp: Path, target: Path) -> None:
    """Give `tmp` the name `target` unless something has that name (atomically, by a link)."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise StoreError(f"{_shown(str(target))} exists: use --force to replace it") from None
    except OSError as exc:  # a file system without hard links
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        if os.path.lexists(target):
            raise StoreError(f"{_shown(str(target))} exists: use --force to replace it") from None
        os.replace(tmp, target)


def _shown(text: str) -> str:
    return text if len(text) <= 80 else f"{text[:40]}…{text[-20:]} ({len(text)} characters)"
