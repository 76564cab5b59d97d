"""Sync vectors (tests/vectors/sync.json): fingerprints, bounds, messages and one session.

Everything comes from the reference (`protocol.sync`) over fixed signed records:
fingerprints of known id sets (with the intermediate sum), shortest bounds
between adjacent keys, the canonical encoding of each message and frame, payloads
a receiver must accept although they are not canonical, payloads and frames it
must refuse, and the full transcript of a session between two known sets with
the reference parameters (id-list threshold 32, 16 buckets). docs/PROTOCOL.md
§Sync protocol states the rules; tests/protocol/test_sync_vectors.py checks them.
"""

from __future__ import annotations

import hashlib
import struct
from typing import Any

import msgpack
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import protocol as p
from protocol import sync as s
from protocol.sync.keys import between

T0 = 1_767_225_600


def _key() -> Ed25519PrivateKey:
    seed = hashlib.sha256(b"p2pshare test vector: alice ed25519").digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def records(count: int = 72) -> list[p.Envelope]:
    """`count` withdraw records by alice: one a minute, but records 20..27 share a second."""
    key = _key()
    out = []
    for i in range(count):
        at = T0 + 60 * (20 if 20 <= i < 28 else i)
        offer = p.RecordId(hashlib.sha256(f"p2pshare sync vector: offer {i}".encode()).digest())
        out.append(p.sign(p.Withdraw(offer=offer, reason=f"#{i}"), key=key, created_at=at))
    return out


def _ids(label: str, n: int) -> list[bytes]:
    return [
        hashlib.sha256(f"p2pshare sync vector: {label} {i}".encode()).digest() for i in range(n)
    ]


def fingerprints() -> list[dict[str, Any]]:
    out = []
    for label, ids in (
        ("no ids", []),
        ("one id", _ids("id", 1)),
        ("three ids", _ids("id", 3)),
        ("one hundred ids", _ids("id", 100)),
        ("the ids 00..00 and ff..ff", [bytes(32), b"\xff" * 32]),
    ):
        total = sum(int.from_bytes(i, "little") for i in ids) % (1 << 256)
        count, digest = s.fingerprint_of(ids)
        out.append(
            {
                "label": label,
                "ids": [i.hex() for i in ids],
                "sum_le": total.to_bytes(32, "little").hex(),
                "hashed": (total.to_bytes(32, "little") + struct.pack("<Q", len(ids))).hex(),
                "count": count,
                "digest": digest.hex(),
            }
        )
    return out


def bounds() -> list[dict[str, Any]]:
    rid = bytes.fromhex
    pairs = [
        ("different seconds", (100, rid("aa" * 32)), (160, rid("01" * 32))),
        (
            "same second, first byte differs",
            (100, rid("10" + "ff" * 31)),
            (100, rid("20" + "00" * 31)),
        ),
        (
            "same second, three bytes shared",
            (100, rid("abcdef01" + "ff" * 28)),
            (100, rid("abcdef02" + "00" * 28)),
        ),
    ]
    out = []
    for label, lo, hi in pairs:
        b = between(s.RangeKey(lo[0], p.RecordId(lo[1])), s.RangeKey(hi[0], p.RecordId(hi[1])))
        out.append(
            {
                "label": label,
                "lower_key": [lo[0], lo[1].hex()],
                "upper_key": [hi[0], hi[1].hex()],
                "bound": [b.created_at, bytes(b.id).hex()],
            }
        )
    return out


def describe(msg: s.Message) -> dict[str, Any]:
    """A message in plain JSON (ids and digests hex; a Records message lists record ids)."""

    def bound(b: s.Bound) -> list[Any] | None:
        return None if b is None else [b.created_at, bytes(b.id).hex()]

    match msg:
        case s.Ranges():
            ranges: list[dict[str, Any]] = []
            for item in msg.ranges:
                match item:
                    case s.Skip():
                        ranges.append({"upper": bound(item.upper), "mode": "skip"})
                    case s.FingerprintRange():
                        ranges.append(
                            {
                                "upper": bound(item.upper),
                                "mode": "fingerprint",
                                "count": item.count,
                                "digest": item.digest.hex(),
                            }
                        )
                    case s.IdList():
                        ranges.append(
                            {
                                "upper": bound(item.upper),
                                "mode": "idlist",
                                "ids": [i.hex() for i in item.ids],
                            }
                        )
            return {"kind": "Ranges", "ranges": ranges}
        case s.Want():
            return {"kind": "Want", "ids": [i.hex() for i in msg.ids]}
        case s.Records():
            return {"kind": "Records", "record_ids": [p.record_id(d).hex() for d in msg.items]}
        case s.Done():
            return {"kind": "Done"}
    raise TypeError(msg)


def messages(story: list[p.Envelope]) -> list[dict[str, Any]]:
    """One canonical payload and frame of each message type and range mode."""
    a, b = story[0], story[1]
    examples: list[tuple[str, s.Message]] = [
        (
            "Ranges: a skip, a fingerprint, an id list up to +inf",
            s.Ranges(
                ranges=(
                    s.Skip(upper=s.RangeKey(T0, p.RecordId(b""))),
                    s.FingerprintRange(
                        upper=s.RangeKey(T0 + 60, p.RecordId(b"\x7f")),
                        count=1,
                        digest=s.fingerprint_of([a.id])[1],
                    ),
                    s.IdList(upper=None, ids=(a.id, b.id)),
                )
            ),
        ),
        ("Ranges: empty (everything settled)", s.Ranges(ranges=())),
        ("Want: two ids", s.Want(ids=(a.id, b.id))),
        ("Records: two records", s.Records(items=(a.data, b.data))),
        ("Done", s.Done()),
    ]
    return [
        {
            "label": label,
            "message": describe(msg),
            "payload": s.encode_message(msg).hex(),
            "frame": s.encode_frame(msg).hex(),
        }
        for label, msg in examples
    ]


def _pack(obj: object) -> bytes:
    packed: bytes = msgpack.packb(obj, use_bin_type=True)
    return packed


def lenient(story: list[p.Envelope]) -> list[dict[str, Any]]:
    """Valid messages in a non-canonical encoding: a receiver MUST accept them."""
    rid = story[0].id
    return [
        {
            "label": "Done as an array16",
            "payload": "dc000104",
            "message": {"kind": "Done"},
        },
        {
            "label": "Want with the kind as uint8 and the ids as bin16",
            "payload": (b"\x92\xcc\x02\xc5\x00\x20" + rid).hex(),
            "message": {"kind": "Want", "ids": [rid.hex()]},
        },
        {
            "label": "Ranges with a fingerprint count as uint64",
            "payload": (
                b"\x92\x01\x91\x94\xc0\x01\xcf"
                + struct.pack(">Q", 1)
                + _pack(s.fingerprint_of([rid])[1])
            ).hex(),
            "message": {
                "kind": "Ranges",
                "ranges": [
                    {
                        "upper": None,
                        "mode": "fingerprint",
                        "count": 1,
                        "digest": s.fingerprint_of([rid])[1].hex(),
                    }
                ],
            },
        },
    ]


def refused(story: list[p.Envelope]) -> list[dict[str, str]]:
    """Payloads a receiver MUST refuse (ReconcileError), and frames it must refuse."""
    rid = story[0].id
    digest = s.fingerprint_of([rid])[1]
    cases = [
        ("a map", _pack({})),
        ("a str anywhere", _pack([4, "x"])),
        ("unknown message kind 5", _pack([5])),
        ("Done with an extra item", _pack([4, 0])),
        ("a bool as the kind", b"\x91\xc3"),
        ("an empty Want", _pack([2, b""])),
        ("a Want of 33 bytes", _pack([2, rid + b"\x00"])),
        ("an empty Records", _pack([3, []])),
        ("unknown range mode 3", _pack([1, [[None, 3]]])),
        ("a bool as a range mode", _pack([1, [[None, False]]])),
        ("a digest of 15 bytes", _pack([1, [[None, 1, 1, digest[:15]]]])),
        ("a bound prefix of 33 bytes", _pack([1, [[[T0, rid + b"\x00"], 0]]])),
        ("a bound timestamp over 2^40", _pack([1, [[[2**40 + 1, b""], 0]]])),
        ("bounds not increasing", _pack([1, [[[T0 + 1, b""], 0], [[T0, b""], 0]]])),
        ("an unbounded range before the last", _pack([1, [[None, 0], [[T0, b""], 0]]])),
        ("a count over 2^40", _pack([1, [[None, 1, 2**40 + 1, digest]]])),
        ("two values in one payload", _pack([4]) + _pack([4])),
    ]
    out = [{"label": label, "payload": data.hex()} for label, data in cases]
    frames = [
        ("a zero-length frame", b"\x00\x00\x00\x00"),
        ("a frame over 1 MiB, refused from its length alone", struct.pack(">I", (1 << 20) + 1)),
    ]
    out += [{"label": label, "frame": data.hex()} for label, data in frames]
    return out


def session(story: list[p.Envelope]) -> dict[str, Any]:
    """A whole session, turn by turn, between two sets that overlap."""
    initiator_set = story[:56]
    responder_set = [e for e in story[8:] if e.created_at % 7 != 3]
    left = s.MemorySource((e.created_at, e.data) for e in initiator_set)
    right = s.MemorySource((e.created_at, e.data) for e in responder_set)
    sides = (s.Reconciler(left, s.Role.INITIATOR), s.Reconciler(right, s.Role.RESPONDER))
    turns: list[dict[str, Any]] = []
    outgoing = sides[0].initiate()
    sender = 0
    while outgoing:
        turns.append(
            {
                "from": ("initiator", "responder")[sender],
                "messages": [describe(m) for m in outgoing],
                "frames": s.encode_frames(outgoing).hex(),
            }
        )
        receiver = 1 - sender
        replies: list[s.Message] = []
        decoder = s.FrameDecoder()
        for msg in decoder.feed(s.encode_frames(outgoing)):
            replies += sides[receiver].receive(msg)
        outgoing, sender = replies, receiver
    assert sides[0].done
    assert sides[1].done
    union = {e.id for e in initiator_set} | {e.id for e in responder_set}
    return {
        "parameters": {"idlist_threshold": s.IDLIST_THRESHOLD, "buckets": s.BUCKETS},
        "initiator_holds": [e.id.hex() for e in initiator_set],
        "responder_holds": [e.id.hex() for e in responder_set],
        "initiator_receives": sorted(i.hex() for i in sides[0].need),
        "responder_receives": sorted(i.hex() for i in sides[1].need),
        "both_hold_after": len(union),
        "turns": turns,
    }


def build() -> dict[str, Any]:
    story = records()
    return {
        "description": (
            "Sync vectors for docs/PROTOCOL.md §Sync protocol, written by "
            "tests/vectors/generate.py from the reference (protocol.sync). 'records' are "
            "the signed records both sides draw from (alice's key of records.json)."
        ),
        "records": [
            {"created_at": e.created_at, "id": e.id.hex(), "signed_bytes": e.data.hex()}
            for e in story
        ],
        "fingerprints": fingerprints(),
        "bounds": bounds(),
        "messages": messages(story),
        "accepted_non_canonical": lenient(story),
        "refused": refused(story),
        "session": session(story),
    }
