"""Golden vectors (tests/vectors/records.json), checked in both directions.

Fields -> bytes: rebuilding each record from its listed fields and key seed gives
exactly the listed signing input, signature, bytes and id. Bytes -> fields:
decoding the listed bytes gives back the listed fields. Seal vectors and
rejections likewise. Any change to these bytes is a protocol change.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

import protocol as p
from protocol.keys import key_refusal

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
DATA: dict[str, Any] = json.loads((VECTORS / "records.json").read_text(encoding="utf-8"))
RECORDS: list[dict[str, Any]] = DATA["records"]
MEMBERS: dict[str, dict[str, str]] = DATA["members"]


def from_json(field: dict[str, Any]) -> object:
    kind, value = field["type"], field["value"]
    if kind == "bin":
        return bytes.fromhex(value)
    if kind == "array<str>":
        return tuple(value)
    if kind == "array<bin>":
        return tuple(bytes.fromhex(v) for v in value)
    return value


def to_json(value: object) -> object:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, tuple):
        return [to_json(v) for v in value]
    return value


def body_of(record: dict[str, Any]) -> p.Body:
    fields: dict[str, Any] = {f["name"]: from_json(f) for f in record["body"]}  # JSON-typed
    return p.BODY_TYPES[record["kind"]](**fields)


def ids(records: list[dict[str, Any]]) -> list[str]:
    return [r["label"] for r in records]


def test_every_kind_has_a_vector() -> None:
    assert {r["kind"] for r in RECORDS} == set(p.BODY_TYPES)
    assert DATA["format_version"] == p.FORMAT_VERSION


def test_files_are_up_to_date() -> None:
    """records.json, export.json, ledger.json and sync.json: what generate.py writes."""
    spec = importlib.util.spec_from_file_location("p2pshare_vectors", VECTORS / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    assert generate.render() == (VECTORS / "records.json").read_text(encoding="utf-8")
    files = generate.outputs()
    assert {path.name for path in files} == {
        "records.json",
        "export.json",
        "ledger.json",
        "sync.json",
    }
    for path, text in files.items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name}: run generate.py"


@pytest.mark.parametrize("record", RECORDS, ids=ids(RECORDS))
def test_fields_to_bytes(record: dict[str, Any]) -> None:
    member = MEMBERS[record["author"]]
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(member["ed25519_seed"]))
    body = body_of(record)
    assert [f.name for f in dataclasses.fields(body)] == [f["name"] for f in record["body"]]
    env = p.sign(body, key=key, created_at=record["created_at"])
    author = bytes.fromhex(member["ed25519_public"])
    signing_input = p.signing_input(p.FORMAT_VERSION, author, record["created_at"], body)
    assert signing_input.hex() == record["signing_input"]
    assert env.signature.hex() == record["signature"]
    assert p.encode(env).hex() == record["signed_bytes"]
    assert env.id.hex() == record["id"]


@pytest.mark.parametrize("record", RECORDS, ids=ids(RECORDS))
def test_bytes_to_fields(record: dict[str, Any]) -> None:
    env = p.decode(bytes.fromhex(record["signed_bytes"]))
    assert env.kind == record["kind"]
    assert record["name"] == env.body.NAME
    assert env.author.hex() == MEMBERS[record["author"]]["ed25519_public"]
    assert env.created_at == record["created_at"]
    assert env.version == p.FORMAT_VERSION
    decoded = [
        {"name": f.name, "value": to_json(getattr(env.body, f.name))}
        for f in dataclasses.fields(env.body)
    ]
    assert decoded == [{"name": f["name"], "value": f["value"]} for f in record["body"]]
    assert env.signature.hex() == record["signature"]
    assert env.id.hex() == record["id"]


@pytest.mark.parametrize("record", RECORDS, ids=ids(RECORDS))
def test_layout_without_protocol(record: dict[str, Any]) -> None:
    """The spec's rules, checked with nothing but hashlib and cryptography."""
    data = bytes.fromhex(record["signed_bytes"])
    signing_input = bytes.fromhex(record["signing_input"])
    signature = bytes.fromhex(record["signature"])
    assert hashlib.sha256(data).hexdigest() == record["id"]
    domain = b"p2pshare:" + record["name"].encode() + b":v1\0"
    # The unsigned encoding is the record minus its last item, with array header 0x95.
    assert data[0] == 0x96
    assert data[-66:] == b"\xc4\x40" + signature
    assert signing_input == domain + b"\x95" + data[1:-66]
    public = bytes.fromhex(MEMBERS[record["author"]]["ed25519_public"])
    Ed25519PublicKey.from_public_bytes(public).verify(signature, signing_input)


@pytest.mark.parametrize("name", sorted(MEMBERS))
def test_member_ids(name: str) -> None:
    member = MEMBERS[name]
    public = bytes.fromhex(member["ed25519_public"])
    seed = bytes.fromhex(member["ed25519_seed"])
    assert Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw() == public
    assert p.member_id(public) == member["member_id"]
    assert p.public_key_of(member["member_id"]) == public
    raw = bytes.fromhex(member["member_id_bytes"])
    assert raw == bytes([0x00, 0x24, 0x08, 0x01, 0x12, 0x20]) + public
    assert base58.b58encode(raw).decode() == member["member_id"]
    seal_seed = bytes.fromhex(member["x25519_seed"])
    seal_public = X25519PrivateKey.from_private_bytes(seal_seed).public_key().public_bytes_raw()
    assert seal_public.hex() == member["x25519_public"]


CONTEXTS = {
    "offer.contact": lambda author, anchors: p.offer_contact_context(
        author, int.from_bytes(anchors[0], "big")
    ),
    "handoff.contact": lambda author, anchors: p.handoff_contact_context(author, *anchors),
    "forward.note": lambda author, anchors: p.forward_note_context(author, *anchors),
    "decline.note": lambda author, anchors: p.seal_context("decline.note", author, *anchors),
    "say.text": lambda author, anchors: p.seal_context("say.text", author, *anchors),
}


@pytest.mark.parametrize("vector", DATA["seals"], ids=ids(DATA["seals"]))
def test_seal_vectors(vector: dict[str, Any]) -> None:
    author = bytes.fromhex(vector["author_ed25519_public"])
    anchors = [bytes.fromhex(a["hex"]) for a in vector["anchors"]]
    context = bytes.fromhex(vector["context"])
    assert p.seal_context(vector["purpose"], author, *anchors) == context
    assert CONTEXTS[vector["purpose"]](author, anchors) == context
    expected_layout = b"".join(
        len(part).to_bytes(2, "big") + part
        for part in [vector["purpose"].encode(), author, *anchors]
    )
    assert context == expected_layout

    recipient = X25519PrivateKey.from_private_bytes(bytes.fromhex(vector["recipient_x25519_seed"]))
    ephemeral = X25519PrivateKey.from_private_bytes(bytes.fromhex(vector["ephemeral_x25519_seed"]))
    plaintext = vector["plaintext"].encode()
    assert plaintext.hex() == vector["plaintext_hex"]
    sealed = p.seal(
        plaintext,
        recipient=recipient.public_key().public_bytes_raw(),
        context=context,
        ephemeral=ephemeral,
    )
    assert sealed.hex() == vector["sealed"]
    assert sealed[0] == 1
    assert sealed[1:33].hex() == vector["ephemeral_x25519_public"]
    assert len(sealed) == 1 + 32 + len(plaintext) + 16
    assert p.open_sealed(sealed, key=recipient, context=context) == plaintext


def test_seals_are_the_fields_of_the_records() -> None:
    in_records = {
        f["value"]
        for r in RECORDS
        for f in r["body"]
        if f["name"] in ("contact", "private_note", "note", "text")
    }
    assert {v["sealed"] for v in DATA["seals"]} <= in_records


@pytest.mark.parametrize("vector", DATA["rejections"], ids=ids(DATA["rejections"]))
def test_rejections(vector: dict[str, str]) -> None:
    with pytest.raises(p.ProtocolError) as info:
        p.decode(bytes.fromhex(vector["bytes"]))
    assert type(info.value).__name__ == vector["error"]


@pytest.mark.parametrize("vector", DATA["acceptances"], ids=ids(DATA["acceptances"]))
def test_acceptances(vector: dict[str, Any]) -> None:
    """Skills another client authored, not lower-cased by our Python: accepted on receipt.

    No validation rule depends on a Unicode version (docs/PROTOCOL.md §Field rules):
    normalising is the author's job, a receiver accepts any well-formed skill.
    """
    data = bytes.fromhex(vector["bytes"])
    env = p.decode(data)
    assert env.id.hex() == vector["id"]
    assert env.kind == vector["kind"]
    skills = getattr(env.body, "skills", ())
    assert any(p.normalize_skill(skill) != skill for skill in skills)


@pytest.mark.parametrize("vector", DATA["refused_keys"], ids=ids(DATA["refused_keys"]))
def test_refused_keys(vector: dict[str, str]) -> None:
    """Small-order and non-canonical Ed25519 keys: refused as author, subject, to, member id."""
    key = bytes.fromhex(vector["key"])
    with pytest.raises(p.BadMemberId):
        p.public_key_of(p.member_id(key))
    with pytest.raises(p.MalformedRecord, match="subject"):
        p.Vouch(subject=p.PublicKey(key), skills=(), note="")
    with pytest.raises(p.MalformedRecord, match="to"):
        p.Forward(
            offer=p.RecordId(bytes(32)),
            parent=p.RecordId(bytes(32)),
            to=p.PublicKey(key),
            note="",
            private_note=b"",
        )


def test_the_identity_point_signs_anything() -> None:
    """Why the refusal matters: R = identity, S = 0 verifies for any message under it."""
    key = Ed25519PublicKey.from_public_bytes((1).to_bytes(32, "little"))
    key.verify((1).to_bytes(32, "little") + bytes(32), b"any message at all")
    assert key_refusal(key.public_bytes_raw()) == "Ed25519 public key of small order"


def test_a_real_key_is_accepted() -> None:
    for member in MEMBERS.values():
        assert key_refusal(p.public_key_of(member["member_id"])) is None


@pytest.mark.parametrize("vector", DATA["consents"], ids=ids(DATA["consents"]))
def test_consent_vectors(vector: dict[str, str]) -> None:
    """A consent is the named key's Ed25519 signature over its tag and the member's key,
    checked here with nothing but cryptography (docs/PROTOCOL.md §Members and devices)."""
    signer, member = MEMBERS[vector["signer"]], MEMBERS[vector["member"]]
    tag = b"p2pshare:" + vector["purpose"].encode() + b":v1\0"
    message = bytes.fromhex(vector["consent_input"])
    assert message == tag + bytes.fromhex(member["ed25519_public"])
    assert p.consent_input(vector["purpose"], bytes.fromhex(member["ed25519_public"])) == message
    public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(signer["ed25519_public"]))
    public.verify(bytes.fromhex(vector["consent"]), message)
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(signer["ed25519_seed"]))
    assert key.sign(message).hex() == vector["consent"]


def test_consents_are_the_fields_of_the_records() -> None:
    in_records = {f["value"] for r in RECORDS for f in r["body"] if f["name"] == "consent"}
    assert in_records == {v["consent"] for v in DATA["consents"]}
    assert {v["purpose"] for v in DATA["consents"]} == {p.DEVICE_CONSENT, p.ROOT_CONSENT}


@pytest.mark.parametrize("vector", DATA["refused_keys"], ids=ids(DATA["refused_keys"]))
def test_refused_keys_in_member_records(vector: dict[str, str]) -> None:
    """The member key rule holds for the keys of device, unlink and rotate records too."""
    key = p.PublicKey(bytes.fromhex(vector["key"]))
    alice = p.PublicKey(bytes.fromhex(MEMBERS["alice"]["ed25519_public"]))
    with pytest.raises(p.MalformedRecord, match="device"):
        p.Unlink(member=alice, device=key, valid_until=0, reason="")
    with pytest.raises(p.MalformedRecord, match="member"):
        p.Unlink(member=key, device=alice, valid_until=0, reason="")
    with pytest.raises(p.MalformedRecord, match="new_root"):
        p.Rotate(member=alice, new_root=key, consent=bytes(64))
