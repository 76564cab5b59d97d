"""Signed envelopes: canonical encoding, signatures and ids (docs/PROTOCOL.md §Envelope).

Bytes in, verified records out; records in, bytes out. Nothing here reads a
clock or draws randomness: the caller passes `created_at` and the key.
"""

# The field helpers in fields.py return dataclasses.field() objects, which RUF009
# cannot see through.
# ruff: noqa: RUF009
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import msgpack
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from . import fields as f
from .errors import BadSignature, MalformedRecord, ProtocolError, UnknownKind, UnsupportedVersion
from .limits import (
    FORMAT_VERSION,
    MAX_RECORD_BYTES,
    MAX_TIMESTAMP,
    SIGNATURE_BYTES,
    UNPACK_LIMITS,
)
from .records import BODY_TYPES, Body, PublicKey, RecordId, field_names

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    _Put = Callable[[object, object], None]  # a slot's setter


@dataclass(frozen=True, slots=True, kw_only=True)
class Envelope:
    """A verified record. Made only by `sign()` or `decode()`, which fill `data` and `id`."""

    author: PublicKey = f.member_key()
    created_at: int = f.integer(0, MAX_TIMESTAMP)  # the author's clock, seconds
    body: Body
    signature: bytes = f.blob(sizes=(SIGNATURE_BYTES,))
    version: int = FORMAT_VERSION
    data: bytes = field(default=b"", repr=False, compare=False)  # the signed encoding
    id: RecordId = field(default=RecordId(b""), repr=False, compare=False)

    @property
    def kind(self) -> int:
        return self.body.KIND


_ENVELOPE_CHECKS = tuple(
    (x.name, x.metadata["check"]) for x in fields(Envelope) if "check" in x.metadata
)


def _check_envelope(author: object, created_at: object, signature: object) -> None:
    """The field checks of Envelope, run on the values before one is built."""
    values = {"author": author, "created_at": created_at, "signature": signature}
    for name, check in _ENVELOPE_CHECKS:
        check(f"envelope.{name}", values[name])


def _pack(obj: object) -> bytes:
    return msgpack.packb(obj, use_bin_type=True)  # type: ignore[no-any-return]


def _unsigned(version: int, author: bytes, created_at: int, body: Body) -> list[Any]:
    return [version, body.KIND, author, created_at, body.to_wire()]


def signing_input(version: int, author: bytes, created_at: int, body: Body) -> bytes:
    """What the author signs: a kind-specific domain tag, then the unsigned encoding.

    The tag means a signature made for one kind can never verify as another.
    """
    domain = b"p2pshare:" + body.NAME.encode() + b":v1\0"
    return domain + _pack(_unsigned(version, author, created_at, body))


def record_id(data: bytes) -> RecordId:
    return RecordId(hashlib.sha256(data).digest())


def _seal(author: bytes, created_at: int, body: Body, signature: bytes) -> Envelope:
    """Build the envelope with its canonical bytes and id (after checking fields)."""
    _check_envelope(author, created_at, signature)
    body.check_envelope(author, created_at)  # e.g. an unlink's valid_until
    data = _pack([*_unsigned(FORMAT_VERSION, author, created_at, body), signature])
    if len(data) > MAX_RECORD_BYTES:
        raise MalformedRecord(f"record is {len(data)} bytes, more than {MAX_RECORD_BYTES}")
    return Envelope(
        author=PublicKey(author),
        created_at=created_at,
        body=body,
        signature=signature,
        data=data,
        id=record_id(data),
    )


def sign(body: Body, *, key: Ed25519PrivateKey, created_at: int) -> Envelope:
    """Sign `body` as the owner of `key`, dated `created_at` (unix seconds)."""
    author = key.public_key().public_bytes_raw()
    signature = key.sign(signing_input(FORMAT_VERSION, author, created_at, body))
    return _seal(author, created_at, body, signature)


def encode(envelope: Envelope) -> bytes:
    """The one canonical encoding of a record (what its id hashes)."""
    return envelope.data


def _body_from_wire(kind: object, wire: object) -> Body:
    if type(kind) is not int:
        raise MalformedRecord("kind: expected an integer")
    cls = BODY_TYPES.get(kind)
    if cls is None:
        raise UnknownKind(f"unknown record kind {kind}")
    names = field_names(cls)
    if type(wire) is not list or len(wire) != len(names):
        raise MalformedRecord(f"{cls.NAME}: expected a list of {len(names)} fields")
    values: dict[str, Any] = {
        name: tuple(value) if type(value) is list else value
        for name, value in zip(names, wire, strict=True)
    }
    try:
        return cls(**values)
    except TypeError as exc:  # a hostile value that breaks a check's assumptions
        raise MalformedRecord(f"{cls.NAME}: {exc}") from exc


def decode(data: bytes) -> Envelope:
    """Parse untrusted bytes into a verified envelope, or raise ProtocolError."""
    envelope = _parse(data)
    verify(envelope)
    return envelope


def decode_trusted(data: bytes) -> Envelope:
    """Parse bytes that this node verified before, skipping only the signature check.

    For reading back a member's own store, whose every record went through
    `decode` when it arrived: the Ed25519 check is two thirds of a decode, and a
    100,000-record home is read whole. Canonical form, limits and field checks
    still apply, so a record this version no longer accepts still raises
    ProtocolError. Never use it for bytes from outside (network, import file).
    """
    return _parse(data)


def decode_stored(
    data: bytes,
    record: RecordId,
    *,
    keep_data: bool = True,
    pool: dict[object, object] | None = None,
    pooled: Mapping[type[Body], tuple[str, ...]] | None = None,
) -> Envelope:
    """Rebuild a record this node decoded, verified and checked when it stored it.

    No checks at all: for a member's own store read whole at start (100,000
    records), where `decode_trusted`'s canonical re-encoding and field checks
    were most of the time. Everything it reads passed `decode` (or `sign`) on
    the way in, under these same rules; a change of the rules comes with a
    store migration that checks the stored rows again. `record` is the id the
    store keeps beside the row; `keep_data=False` leaves the bytes out (the
    caller keeps them elsewhere). With a `pool`, the author and the `pooled`
    fields of each body kind (values that repeat across many records) become
    one shared object per value. Never use it for bytes from outside.
    """
    # Arrays come out as tuples: every list field of a body is a flat tuple.
    version, kind, author, created_at, wire, signature = msgpack.unpackb(
        data, raw=False, use_list=False
    )
    cls = BODY_TYPES[kind]
    shared = pooled.get(cls, ()) if pooled is not None and pool is not None else ()
    if (plan := _PLANS.get((cls, shared))) is None:
        plan = _PLANS[cls, shared] = _plan(cls, shared)
    body = _new(cls)
    for (put, share), value in zip(plan, wire, strict=True):
        if share:
            if type(value) is tuple:
                value = tuple([pool.setdefault(v, v) for v in value])  # type: ignore[union-attr]
            value = pool.setdefault(value, value)  # type: ignore[union-attr]
        put(body, value)
    if pool is not None:
        author = pool.setdefault(author, author)
    envelope = _new(Envelope)
    put_author, put_created_at, put_body, put_signature, put_version, put_data, put_id = (
        _PUT_ENVELOPE
    )
    put_author(envelope, author)
    put_created_at(envelope, created_at)
    put_body(envelope, body)
    put_signature(envelope, signature)
    put_version(envelope, version)
    put_data(envelope, data if keep_data else b"")
    put_id(envelope, record)
    return envelope


# How decode_stored fills a record: each field through its slot's own setter (a
# frozen dataclass's __setattr__ refuses), with whether its value is pooled.
_new = object.__new__
_PLANS: dict[tuple[type[Body], tuple[str, ...]], tuple[tuple[_Put, bool], ...]] = {}
_PUT_ENVELOPE: tuple[_Put, ...] = tuple(
    getattr(Envelope, name).__set__
    for name in ("author", "created_at", "body", "signature", "version", "data", "id")
)


def _plan(cls: type[Body], shared: tuple[str, ...]) -> tuple[tuple[_Put, bool], ...]:
    return tuple((getattr(cls, name).__set__, name in shared) for name in field_names(cls))


# msgpack integer formats: first byte -> (bytes after it, signed); fixints aside.
_INT_FORMATS = {
    0xCC: (1, False),
    0xCD: (2, False),
    0xCE: (4, False),
    0xCF: (8, False),
    0xD0: (1, True),
    0xD1: (2, True),
    0xD2: (4, True),
    0xD3: (8, True),
}


def _int_at(data: bytes, pos: int) -> tuple[int, int] | None:
    """The msgpack integer at `pos` (any width) and the position after it, else None."""
    if pos >= len(data):
        return None
    first = data[pos]
    if first <= 0x7F:
        return first, pos + 1
    if first >= 0xE0:
        return first - 0x100, pos + 1
    if (fmt := _INT_FORMATS.get(first)) is None:
        return None
    size, signed = fmt
    raw = data[pos + 1 : pos + 1 + size]
    if len(raw) < size:
        return None
    return int.from_bytes(raw, "big", signed=signed), pos + 1 + size


def _head(data: bytes) -> tuple[int | None, int | None]:
    """The envelope's version and kind, read from the first bytes alone (None if absent).

    Step 3 of docs/PROTOCOL.md §Decoding: the version, then the kind, decide before
    anything else is parsed, so that no limit of format version 1 (nor anything
    after these two items) can turn a later version or kind into MalformedRecord.
    """
    if not data:
        return None, None
    first = data[0]
    if 0x90 <= first <= 0x9F:
        count, pos = first & 0x0F, 1
    elif first in (0xDC, 0xDD):
        size = 2 if first == 0xDC else 4
        if len(data) < 1 + size:
            return None, None
        count, pos = int.from_bytes(data[1 : 1 + size], "big"), 1 + size
    else:
        return None, None
    version = _int_at(data, pos) if count >= 1 else None
    if version is None:
        return None, None
    kind = _int_at(data, version[1]) if count >= 2 else None
    return version[0], None if kind is None else kind[0]


def _parse(data: bytes) -> Envelope:
    """A well-formed, canonical envelope whose signature is not checked yet."""
    if type(data) is not bytes:
        raise MalformedRecord("a record is bytes")
    if len(data) > MAX_RECORD_BYTES:
        raise MalformedRecord(f"record is {len(data)} bytes, more than {MAX_RECORD_BYTES}")
    version, kind = _head(data)
    if version is not None and version != FORMAT_VERSION:
        raise UnsupportedVersion(f"format version {version}, this node speaks {FORMAT_VERSION}")
    if version is not None and kind is not None and kind not in BODY_TYPES:
        raise UnknownKind(f"unknown record kind {kind}")
    try:
        top = msgpack.unpackb(data, raw=False, strict_map_key=True, use_list=True, **UNPACK_LIMITS)
    except (ValueError, TypeError, msgpack.UnpackException) as exc:
        reason = str(exc) or type(exc).__name__  # msgpack's "too deep" has no message
        raise MalformedRecord(f"not msgpack: {reason}") from exc
    if type(top) is not list or len(top) != 6:
        raise MalformedRecord("expected [version, kind, author, created_at, body, signature]")
    version, kind, author, created_at, wire, signature = top
    if type(version) is not int:
        raise MalformedRecord("version: expected an integer")
    if version != FORMAT_VERSION:
        raise UnsupportedVersion(f"format version {version}, this node speaks {FORMAT_VERSION}")
    try:
        envelope = _seal(author, created_at, _body_from_wire(kind, wire), signature)
    except ProtocolError:
        raise
    except (ValueError, TypeError) as exc:
        raise MalformedRecord(str(exc)) from exc
    if envelope.data != data:
        raise MalformedRecord("non-canonical encoding")
    return envelope


def verify(envelope: Envelope) -> None:
    """Raise BadSignature unless the envelope's author signed exactly this record."""
    message = signing_input(envelope.version, envelope.author, envelope.created_at, envelope.body)
    try:
        Ed25519PublicKey.from_public_bytes(envelope.author).verify(envelope.signature, message)
    except (InvalidSignature, ValueError) as exc:
        raise BadSignature(f"signature does not verify for this {envelope.body.NAME}") from exc
