"""Sync vectors (tests/vectors/sync.json): the reference reproduces every one.

Fingerprints are also recomputed with hashlib alone; messages go both ways
(JSON -> payload bytes, bytes -> message); non-canonical encodings of valid
messages are accepted and malformed ones refused; and the session transcript is
replayed turn by turn, frame bytes and all (docs/PROTOCOL.md §Sync protocol).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

import protocol as p
from protocol import sync as s
from protocol.sync.keys import between

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
DATA: dict[str, Any] = json.loads((VECTORS / "sync.json").read_text(encoding="utf-8"))
BY_ID = {r["id"]: bytes.fromhex(r["signed_bytes"]) for r in DATA["records"]}
CREATED = {r["id"]: r["created_at"] for r in DATA["records"]}


def labels(items: list[dict[str, Any]]) -> list[str]:
    return [item["label"] for item in items]


def _bound(wire: list[Any] | None) -> s.Bound:
    return None if wire is None else s.RangeKey(wire[0], p.RecordId(bytes.fromhex(wire[1])))


def _ids(hexes: list[str]) -> tuple[p.RecordId, ...]:
    return tuple(p.RecordId(bytes.fromhex(h)) for h in hexes)


def message_of(wire: dict[str, Any]) -> s.Message:
    """The message a JSON description stands for."""
    kind = wire["kind"]
    if kind == "Ranges":
        items: list[s.RangeItem] = []
        for r in wire["ranges"]:
            upper = _bound(r["upper"])
            if r["mode"] == "skip":
                items.append(s.Skip(upper=upper))
            elif r["mode"] == "fingerprint":
                digest = bytes.fromhex(r["digest"])
                items.append(s.FingerprintRange(upper=upper, count=r["count"], digest=digest))
            else:
                items.append(s.IdList(upper=upper, ids=_ids(r["ids"])))
        return s.Ranges(ranges=tuple(items))
    if kind == "Want":
        return s.Want(ids=_ids(wire["ids"]))
    if kind == "Records":
        return s.Records(items=tuple(BY_ID[i] for i in wire["record_ids"]))
    assert kind == "Done"
    return s.Done()


def test_records_are_valid_and_keyed() -> None:
    for r in DATA["records"]:
        env = p.decode(bytes.fromhex(r["signed_bytes"]))
        assert env.id.hex() == r["id"]
        assert env.created_at == r["created_at"]


@pytest.mark.parametrize("vector", DATA["fingerprints"], ids=labels(DATA["fingerprints"]))
def test_fingerprints(vector: dict[str, Any]) -> None:
    ids = [bytes.fromhex(i) for i in vector["ids"]]
    assert s.fingerprint_of(ids) == (vector["count"], bytes.fromhex(vector["digest"]))
    total = sum(int.from_bytes(i, "little") for i in ids) % (1 << 256)
    assert total.to_bytes(32, "little").hex() == vector["sum_le"]
    hashed = bytes.fromhex(vector["hashed"])
    assert hashed == bytes.fromhex(vector["sum_le"]) + len(ids).to_bytes(8, "little")
    assert hashlib.sha256(hashed).digest()[:16].hex() == vector["digest"]


@pytest.mark.parametrize("vector", DATA["bounds"], ids=labels(DATA["bounds"]))
def test_shortest_bounds(vector: dict[str, Any]) -> None:
    lower, upper = (_bound(vector[k]) for k in ("lower_key", "upper_key"))
    assert lower is not None
    assert upper is not None
    bound = between(lower, upper)
    assert [bound.created_at, bytes(bound.id).hex()] == vector["bound"]
    assert lower < bound <= upper


@pytest.mark.parametrize("vector", DATA["messages"], ids=labels(DATA["messages"]))
def test_messages_both_ways(vector: dict[str, Any]) -> None:
    msg = message_of(vector["message"])
    assert s.encode_message(msg).hex() == vector["payload"]
    assert s.encode_frame(msg).hex() == vector["frame"]
    assert s.decode_message(bytes.fromhex(vector["payload"])) == msg
    decoder = s.FrameDecoder()
    frame = bytes.fromhex(vector["frame"])
    got = [m for i in range(len(frame)) for m in decoder.feed(frame[i : i + 1])]
    assert got == [msg]


@pytest.mark.parametrize(
    "vector", DATA["accepted_non_canonical"], ids=labels(DATA["accepted_non_canonical"])
)
def test_non_canonical_messages_are_accepted(vector: dict[str, Any]) -> None:
    payload = bytes.fromhex(vector["payload"])
    msg = s.decode_message(payload)
    assert msg == message_of(vector["message"])
    assert s.encode_message(msg) != payload  # what we send is canonical; what we take need not be


REFUSED_PAYLOADS = [v for v in DATA["refused"] if "payload" in v]
REFUSED_FRAMES = [v for v in DATA["refused"] if "frame" in v]


@pytest.mark.parametrize("vector", REFUSED_PAYLOADS, ids=labels(REFUSED_PAYLOADS))
def test_refused_payloads(vector: dict[str, Any]) -> None:
    payload = bytes.fromhex(vector["payload"])
    with pytest.raises(s.ReconcileError):
        s.decode_message(payload)


@pytest.mark.parametrize("vector", REFUSED_FRAMES, ids=labels(REFUSED_FRAMES))
def test_refused_frames(vector: dict[str, Any]) -> None:
    frame = bytes.fromhex(vector["frame"])
    with pytest.raises(s.ReconcileError):
        s.FrameDecoder().feed(frame)


def test_the_session_replays_frame_for_frame() -> None:
    session = DATA["session"]
    assert session["parameters"] == {"idlist_threshold": s.IDLIST_THRESHOLD, "buckets": s.BUCKETS}
    sources = [
        s.MemorySource((CREATED[i], BY_ID[i]) for i in session[f"{side}_holds"])
        for side in ("initiator", "responder")
    ]
    sides = (
        s.Reconciler(sources[0], s.Role.INITIATOR),
        s.Reconciler(sources[1], s.Role.RESPONDER),
    )
    outgoing = sides[0].initiate()
    sender = 0
    for turn in session["turns"]:
        assert turn["from"] == ("initiator", "responder")[sender]
        assert s.encode_frames(outgoing).hex() == turn["frames"]
        assert [message_of(m) for m in turn["messages"]] == outgoing
        replies: list[s.Message] = []
        for msg in s.FrameDecoder().feed(bytes.fromhex(turn["frames"])):
            replies += sides[1 - sender].receive(msg)
        outgoing, sender = replies, 1 - sender
    assert outgoing == []
    assert sides[0].done
    assert sides[1].done
    assert sorted(i.hex() for i in sides[0].need) == session["initiator_receives"]
    assert sorted(i.hex() for i in sides[1].need) == session["responder_receives"]
    holds = set(session["initiator_holds"]) | set(session["responder_holds"])
    assert len(holds) == session["both_hold_after"]
    assert set(session["initiator_holds"]) | set(session["initiator_receives"]) == holds
    assert set(session["responder_holds"]) | set(session["responder_receives"]) == holds


def test_the_session_shows_the_last_turns() -> None:
    """The initiator's last turn ends with an empty Ranges after its Wants; the responder
    answers those Wants, then Done (docs/PROTOCOL.md §Algorithm, step 4)."""
    *_, last_but_one, last = DATA["session"]["turns"]
    kinds = [m["kind"] for m in last_but_one["messages"]]
    assert kinds[-1] == "Ranges"
    assert last_but_one["messages"][-1]["ranges"] == []
    assert "Want" in kinds
    wanted = {i for m in last_but_one["messages"] if m["kind"] == "Want" for i in m["ids"]}
    assert [m["kind"] for m in last["messages"]][-1] == "Done"
    sent = {i for m in last["messages"] if m["kind"] == "Records" for i in m["record_ids"]}
    assert sent == wanted
