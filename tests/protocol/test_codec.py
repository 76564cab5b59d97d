"""The codec's properties: round trips, tamper evidence, one encoding per record,
domain-separated signatures, and limits (docs/PROTOCOL.md §Encoding, §Limits)."""

from __future__ import annotations

import struct

import msgpack
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from protocol_strategies import (
    bodies,
    bodies_by_kind,
    dated,
    envelopes,
    forge,
    pack,
    pack_items,
    signing_keys,
    timestamps,
    wire,
)

import protocol as p
from protocol import limits as lim

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
ID = bytes(range(100, 132))
OTHER_ID = bytes(range(200, 232))
SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def good_withdraw(reason: str = "Filled.") -> bytes:
    return p.sign(
        p.Withdraw(offer=p.RecordId(ID), reason=reason), key=KEY, created_at=1_767_225_600
    ).data


# --- round trips -------------------------------------------------------------------


@SLOW
@given(body=bodies, key=signing_keys, created_at=timestamps)
def test_sign_decode_round_trip(body: p.Body, key: Ed25519PrivateKey, created_at: int) -> None:
    created_at = dated(body, created_at)
    author = key.public_key().public_bytes_raw()
    assume(not isinstance(body, p.Rotate) or body.new_root != author)  # a rotation to itself
    env = p.sign(body, key=key, created_at=created_at)
    assert len(env.data) <= lim.MAX_RECORD_BYTES
    decoded = p.decode(p.encode(env))
    assert decoded == env
    assert decoded.body == body
    assert type(decoded.body) is type(body)
    assert decoded.data == env.data
    assert decoded.id == env.id == p.record_id(env.data)
    assert decoded.author == key.public_key().public_bytes_raw()
    assert decoded.created_at == created_at
    assert decoded.kind == body.KIND
    p.verify(decoded)


@pytest.mark.parametrize("kind", sorted(bodies_by_kind))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_round_trip_each_kind(kind: int, data: st.DataObject) -> None:
    body = data.draw(bodies_by_kind[kind])
    env = p.sign(body, key=KEY, created_at=dated(body, data.draw(timestamps)))
    assert p.decode(env.data) == env


def test_signing_is_deterministic() -> None:
    body = p.Revoke(vouch=p.RecordId(ID))
    assert p.sign(body, key=KEY, created_at=5).data == p.sign(body, key=KEY, created_at=5).data


# --- tampering -----------------------------------------------------------------------


@SLOW
@given(env=envelopes, data=st.data())
def test_any_single_byte_change_is_refused(env: p.Envelope, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(env.data) - 1), label="index")
    delta = data.draw(st.integers(1, 255), label="xor")
    tampered = bytearray(env.data)
    tampered[index] ^= delta
    with pytest.raises(p.ProtocolError):
        p.decode(bytes(tampered))


@SLOW
@given(env=envelopes, data=st.data())
def test_truncation_and_insertion_are_refused(env: p.Envelope, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(env.data) - 1))
    with pytest.raises(p.ProtocolError):
        p.decode(env.data[:cut])
    extra = data.draw(st.binary(min_size=1, max_size=4))
    at = data.draw(st.integers(0, len(env.data)))
    with pytest.raises(p.ProtocolError):
        p.decode(env.data[:at] + extra + env.data[at:])


# --- signatures are domain separated -------------------------------------------------

NAMES = {cls.KIND: cls.NAME for cls in p.BODY_TYPES.values()}


@settings(max_examples=100, deadline=None)
@given(
    body=bodies,
    other=st.sampled_from(sorted(NAMES)),
    created_at=timestamps,
)
def test_signature_under_another_kinds_tag_is_refused(
    body: p.Body, other: int, created_at: int
) -> None:
    """The exact unsigned bytes of kind B, signed under kind A's domain tag."""
    created_at = dated(body, created_at)
    forged = forge(body.KIND, wire(body), key=KEY, created_at=created_at, domain=NAMES[other])
    if other == body.KIND:
        assert p.decode(forged).body == body
    else:
        with pytest.raises(p.BadSignature):
            p.decode(forged)


def test_signature_without_tag_is_refused() -> None:
    body = p.Revoke(vouch=p.RecordId(ID))
    author = KEY.public_key().public_bytes_raw()
    unsigned = pack([1, 9, author, 7, wire(body)])
    with pytest.raises(p.BadSignature):
        p.decode(pack([1, 9, author, 7, wire(body), KEY.sign(unsigned)]))


@pytest.mark.parametrize(
    ("kind_a", "kind_b"), [(a, b) for a in sorted(NAMES) for b in sorted(NAMES) if a != b]
)
def test_kind_swapped_with_signature_kept(kind_a: int, kind_b: int) -> None:
    """A's record with its kind byte set to B (body coerced to B's shape) never verifies.

    The body is rebuilt in B's shape from a valid B (decline and say share one shape:
    the signing domain names the kind); only the signature is carried over from A.
    """
    author = KEY.public_key().public_bytes_raw()
    a = p.sign(_sample(kind_a), key=KEY, created_at=1000)
    b = _sample(kind_b)
    replay = pack([1, kind_b, author, 1000, wire(b), a.signature])
    with pytest.raises(p.BadSignature):
        p.decode(replay)


def _sample(kind: int) -> p.Body:
    key = p.PublicKey(bytes(range(32)))
    rid = p.RecordId(ID)
    samples: dict[int, p.Body] = {
        1: p.Profile(name="A", headline="", skills=(), region="", available=True, seal_key=key),
        2: p.Offer(
            title="T",
            description="",
            skills=(),
            region="",
            remote=True,
            value=0,
            currency="",
            expires_at=0,
            contact=b"",
        ),
        3: p.Forward(offer=rid, parent=rid, to=p.PublicKey(b""), note="", private_note=b""),
        4: p.Accept(offer=rid, via=rid, note=""),
        5: p.Handoff(offer=rid, accept=rid, to=key, contact=b""),
        6: p.Withdraw(offer=rid, reason=""),
        7: p.Outcome(offer=rid, handoff=rid, fulfilled=True, rating=0, value=0, note=""),
        8: p.Vouch(subject=key, skills=(), note=""),
        9: p.Revoke(vouch=rid),
        10: p.Credit(offer=rid, handoff=rid, forwarders=(key,)),
        11: p.Decline(offer=rid, forward=rid, note=b""),
        12: p.Say(offer=rid, to=key, text=b"\x00" * 64),
        13: p.Device(
            member=key,
            device=_public(DEVICE_KEY),
            label="phone",
            manage=False,
            consent=p.sign_consent(p.DEVICE_CONSENT, key, key=DEVICE_KEY),
        ),
        14: p.Unlink(member=key, device=_public(DEVICE_KEY), valid_until=0, reason=""),
        15: p.Rotate(
            member=key,
            new_root=_public(DEVICE_KEY),
            consent=p.sign_consent(p.ROOT_CONSENT, key, key=DEVICE_KEY),
        ),
    }
    return samples[kind]


DEVICE_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))


def _public(key: Ed25519PrivateKey) -> p.PublicKey:
    return p.PublicKey(key.public_key().public_bytes_raw())


# --- one encoding per record ---------------------------------------------------------


def _items(data: bytes) -> list[object]:
    items = msgpack.unpackb(data, raw=False)
    assert isinstance(items, list)
    return items


def _with_item(data: bytes, index: int, encoded: bytes) -> bytes:
    """The record with top-level item `index` replaced by the given raw msgpack."""
    parts = [pack(x) for x in _items(data)]
    parts[index] = encoded
    return pack_items(parts)


def _with_body_item(data: bytes, index: int, encoded: bytes) -> bytes:
    items = _items(data)
    body = items[4]
    assert isinstance(body, list)
    parts = [pack(x) for x in body]
    parts[index] = encoded
    return _with_item(data, 4, pack_items(parts))


def test_rebuilding_by_hand_gives_the_same_bytes() -> None:
    """The helpers below change only what each test says they change."""
    data = good_withdraw()
    assert _with_item(data, 0, pack(1)) == data
    assert _with_body_item(data, 1, pack("Filled.")) == data


NON_CANONICAL_TOP = [
    ("version as uint8", 0, b"\xcc\x01"),
    ("version as int8", 0, b"\xd0\x01"),
    ("version as uint64", 0, b"\xcf" + struct.pack(">Q", 1)),
    ("kind as uint16", 1, b"\xcd\x00\x06"),
    ("created_at as uint64", 3, b"\xcf" + struct.pack(">Q", 1_767_225_600)),
    ("created_at as int64", 3, b"\xd3" + struct.pack(">q", 1_767_225_600)),
    ("created_at as float64", 3, b"\xcb" + struct.pack(">d", 1_767_225_600.0)),
    ("author as bin16", 2, b"\xc5\x00\x20" + bytes(KEY.public_key().public_bytes_raw())),
    ("author as str8", 2, b"\xd9\x20" + b"a" * 32),
    ("version as true", 0, b"\xc3"),
    ("version as nil", 0, b"\xc0"),
    ("kind as str", 1, b"\xa1\x06"),
]


@pytest.mark.parametrize(
    ("label", "index", "encoded"), NON_CANONICAL_TOP, ids=[c[0] for c in NON_CANONICAL_TOP]
)
def test_non_canonical_envelope_is_refused(label: str, index: int, encoded: bytes) -> None:
    with pytest.raises(p.MalformedRecord):
        p.decode(_with_item(good_withdraw(), index, encoded))


def test_non_canonical_arrays_are_refused() -> None:
    data = good_withdraw()
    items = [pack(x) for x in _items(data)]
    as_array16 = b"\xdc\x00\x06" + b"".join(items)
    with pytest.raises(p.MalformedRecord):
        p.decode(as_array16)
    body = _items(data)[4]
    assert isinstance(body, list)
    body16 = b"\xdc\x00\x02" + b"".join(pack(x) for x in body)
    with pytest.raises(p.MalformedRecord):
        p.decode(_with_item(data, 4, body16))


@pytest.mark.parametrize(
    ("label", "encoded"),
    [
        ("str8 for a short string", b"\xd9\x07Filled."),
        ("str16 for a short string", b"\xda\x00\x07Filled."),
        ("str sent as bin", b"\xc4\x07Filled."),
        ("a map", b"\x80"),
        ("an ext", b"\xd4\x01\x00"),
        ("nil", b"\xc0"),
        ("invalid utf-8", b"\xa2\xc3\x28"),
    ],
)
def test_non_canonical_text_is_refused(label: str, encoded: bytes) -> None:
    with pytest.raises(p.MalformedRecord):
        p.decode(_with_body_item(good_withdraw(), 1, encoded))


def test_bin_sent_as_str_is_refused() -> None:
    ascii_id = b"0" * 32
    data = p.sign(p.Withdraw(offer=p.RecordId(ascii_id), reason="x"), key=KEY, created_at=1).data
    assert b"\xc4\x20" + ascii_id in data
    with pytest.raises(p.MalformedRecord, match="expected bytes"):
        p.decode(data.replace(b"\xc4\x20" + ascii_id, b"\xd9\x20" + ascii_id))


def test_signed_non_canonical_record_is_still_refused() -> None:
    """Canonical form is checked even when the signature covers the odd bytes."""
    author = KEY.public_key().public_bytes_raw()
    body = pack_items([pack(ID), b"\xd9\x01x"])  # reason "x" as str8
    unsigned = pack_items([pack(1), pack(6), pack(author), pack(5), body])
    sig = KEY.sign(b"p2pshare:withdraw:v1\0" + unsigned)
    with pytest.raises(p.MalformedRecord, match="non-canonical"):
        p.decode(pack_items([pack(1), pack(6), pack(author), pack(5), body, pack(sig)]))


# --- versions and kinds --------------------------------------------------------------


@pytest.mark.parametrize("kind", [0, 64, 65, 127, 255, 65535, 2**32, 2**63, -1])
def test_unknown_kind(kind: int) -> None:
    with pytest.raises(p.UnknownKind):
        p.decode(forge(kind, [ID, "x"], key=KEY, domain="withdraw"))


@pytest.mark.parametrize("version", [0, 2, 3, 255, -1])
def test_unsupported_version(version: int) -> None:
    with pytest.raises(p.UnsupportedVersion):
        p.decode(forge(6, [ID, "x"], key=KEY, version=version))


def test_version_is_checked_before_kind() -> None:
    with pytest.raises(p.UnsupportedVersion):
        p.decode(forge(99, [], key=KEY, version=2, domain="withdraw"))


# --- limits --------------------------------------------------------------------------


def test_oversized_record() -> None:
    huge = pack([1, 6, bytes(32), 0, [ID, "x" * (lim.MAX_RECORD_BYTES)], bytes(64)])
    assert len(huge) > lim.MAX_RECORD_BYTES
    with pytest.raises(p.MalformedRecord, match="more than"):
        p.decode(huge)
    with pytest.raises(p.MalformedRecord):
        p.decode(b"\x00" * (lim.MAX_RECORD_BYTES + 1))


def test_largest_valid_offer_fits() -> None:
    offer = p.Offer(
        title="\U0001f600" * lim.MAX_TITLE,
        description="\U0001f600" * lim.MAX_BODY,
        skills=tuple(
            f"{i:02d}" + "\U0001f600" * (lim.MAX_SKILL - 2) for i in range(lim.MAX_SKILLS)
        ),
        region="\U0001f600" * lim.MAX_REGION,
        remote=True,
        value=lim.MAX_VALUE,
        currency="\U0001f600" * lim.MAX_CURRENCY,
        expires_at=lim.MAX_TIMESTAMP,
        contact=bytes(lim.MAX_SEALED),
    )
    env = p.sign(offer, key=KEY, created_at=lim.MAX_TIMESTAMP)
    assert len(env.data) <= lim.MAX_RECORD_BYTES
    assert p.decode(env.data) == env


def _offer_wire(**changes: object) -> list[object]:
    fields: dict[str, object] = {
        "title": "Logo",
        "description": "",
        "skills": ["design"],
        "region": "",
        "remote": True,
        "value": 0,
        "currency": "",
        "expires_at": 0,
        "contact": b"",
    }
    fields.update(changes)
    return list(fields.values())


BAD_OFFERS = [
    ("title too long", {"title": "x" * (lim.MAX_TITLE + 1)}),
    ("empty title", {"title": ""}),
    ("blank title", {"title": " \u3000 "}),
    ("NUL in title", {"title": "a\x00b"}),
    ("newline in title", {"title": "a\nb"}),
    ("tab in title", {"title": "a\tb"}),
    ("DEL in title", {"title": "a\x7fb"}),
    ("C1 NEL in title", {"title": "a\x85b"}),
    ("RLO in title", {"title": "a\u202eb"}),
    ("RLI in title", {"title": "a\u2067b"}),
    ("PDI in region", {"region": "a\u2069"}),
    ("ESC in description", {"description": "\x1b[31m"}),
    ("CR in description", {"description": "a\r\nb"}),
    ("33 skills", {"skills": [f"s{i}" for i in range(33)]}),
    ("padded skill", {"skills": [" rust"]}),
    ("doubled space in skill", {"skills": ["machine  learning"]}),
    ("tab in skill", {"skills": ["a\tb"]}),
    ("comma in skill", {"skills": ["a,b"]}),
    ("empty skill", {"skills": [""]}),
    ("skill too long", {"skills": ["x" * (lim.MAX_SKILL + 1)]}),
    ("repeated skill", {"skills": ["go", "go"]}),
    ("skill not text", {"skills": [b"go"]}),
    ("skills not a list", {"skills": "go"}),
    ("value negative", {"value": -1}),
    ("value too large", {"value": lim.MAX_VALUE + 1}),
    ("value a bool", {"value": True}),
    ("remote an int", {"remote": 1}),
    ("expires_at too large", {"expires_at": lim.MAX_TIMESTAMP + 1}),
    ("currency too long", {"currency": "x" * (lim.MAX_CURRENCY + 1)}),
    ("contact too long", {"contact": bytes(lim.MAX_SEALED + 1)}),
    ("contact as text", {"contact": ""}),
    ("description too long", {"description": "x" * (lim.MAX_BODY + 1)}),
]


@pytest.mark.parametrize(("label", "changes"), BAD_OFFERS, ids=[c[0] for c in BAD_OFFERS])
def test_bad_offer_refused_on_the_wire(label: str, changes: dict[str, object]) -> None:
    data = forge(2, _offer_wire(**changes), key=KEY)
    if len(data) > lim.MAX_RECORD_BYTES:
        pytest.skip("refused for size before its fields are read")
    with pytest.raises(p.MalformedRecord):
        p.decode(data)


@pytest.mark.parametrize(("label", "changes"), BAD_OFFERS, ids=[c[0] for c in BAD_OFFERS])
def test_bad_offer_refused_in_memory(label: str, changes: dict[str, object]) -> None:
    fields = dict(
        zip(
            [
                "title",
                "description",
                "skills",
                "region",
                "remote",
                "value",
                "currency",
                "expires_at",
                "contact",
            ],
            _offer_wire(**changes),
            strict=True,
        )
    )
    if isinstance(fields["skills"], list):
        fields["skills"] = tuple(fields["skills"])
    with pytest.raises(p.MalformedRecord):
        p.Offer(**fields)  # type: ignore[arg-type]


def test_good_offer_wire_is_accepted() -> None:
    """The baseline the bad offers above each change one thing of."""
    assert p.decode(forge(2, _offer_wire(), key=KEY)).body == p.Offer(
        title="Logo",
        description="",
        skills=("design",),
        region="",
        remote=True,
        value=0,
        currency="",
        expires_at=0,
        contact=b"",
    )


def test_multiline_fields_allow_newline_and_tab() -> None:
    offer = p.decode(forge(2, _offer_wire(description="line 1\n\tline 2"), key=KEY)).body
    assert isinstance(offer, p.Offer)
    assert offer.description == "line 1\n\tline 2"


@pytest.mark.parametrize(
    ("label", "kind", "body"),
    [
        ("id too short", 9, [ID[:31]]),
        ("id too long", 9, [ID + b"\x00"]),
        ("id as text", 9, ["x" * 32]),
        ("too few fields", 6, [ID]),
        ("too many fields", 6, [ID, "x", "y"]),
        ("body not a list", 6, b"x"),
        ("forward to 5 bytes", 3, [ID, ID, b"12345", "", b""]),
        ("handoff to nobody", 5, [ID, ID, b"", b""]),
        ("rating 6", 7, [ID, ID, True, 6, 0, ""]),
        ("fulfilled as 1", 7, [ID, ID, 1, 0, 0, ""]),
        ("profile name blank", 1, ["  ", "", [], "", True, bytes(32)]),
        ("profile name too long", 1, ["x" * (lim.MAX_NAME + 1), "", [], "", True, bytes(32)]),
        ("profile headline multiline", 1, ["a", "x\ny", [], "", True, bytes(32)]),
        ("withdraw reason multiline", 6, [ID, "a\nb"]),
        ("vouch skills not normalized", 8, [bytes(32), ["Go"], ""]),
    ],
)
def test_bad_bodies_refused(label: str, kind: int, body: list[object]) -> None:
    with pytest.raises(p.MalformedRecord):
        p.decode(forge(kind, body, key=KEY))


@pytest.mark.parametrize(
    ("label", "index", "value"),
    [
        ("author 31 bytes", 2, bytes(31)),
        ("author as text", 2, "a" * 32),
        ("created_at negative", 3, -1),
        ("created_at too large", 3, lim.MAX_TIMESTAMP + 1),
        ("created_at a bool", 3, True),
        ("signature 63 bytes", 5, bytes(63)),
        ("signature as nil", 5, None),
    ],
)
def test_bad_envelope_fields_refused(label: str, index: int, value: object) -> None:
    with pytest.raises(p.MalformedRecord):
        p.decode(_with_item(good_withdraw(), index, pack(value)))


def test_wrong_top_level_shape() -> None:
    data = good_withdraw()
    items = [pack(x) for x in _items(data)]
    for bad in (pack_items(items[:5]), pack_items([*items, pack(0)]), pack(b"x"), pack(None)):
        with pytest.raises(p.MalformedRecord):
            p.decode(bad)


def test_errors_have_readable_reasons() -> None:
    with pytest.raises(p.MalformedRecord) as info:
        p.decode(forge(2, _offer_wire(title="x" * 201), key=KEY))
    assert "offer.title" in str(info.value)
    assert "200" in str(info.value)


@pytest.mark.parametrize("value", [bytearray(b"\x90"), memoryview(b"\x90"), "\x90", None])
def test_decode_wants_bytes(value: object) -> None:
    with pytest.raises(p.MalformedRecord):
        p.decode(value)  # type: ignore[arg-type]


def test_lone_surrogate_refused_at_construction() -> None:
    """It could never be encoded as UTF-8, so it must not get as far as sign()."""
    with pytest.raises(p.MalformedRecord):
        p.Withdraw(offer=p.RecordId(ID), reason="a\ud800")


def test_sign_checks_envelope_fields() -> None:
    with pytest.raises(p.MalformedRecord):
        p.sign(p.Revoke(vouch=p.RecordId(ID)), key=KEY, created_at=-1)
    with pytest.raises(p.MalformedRecord):
        p.sign(p.Revoke(vouch=p.RecordId(ID)), key=KEY, created_at=lim.MAX_TIMESTAMP + 1)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [("  Machine   Learning ", "machine learning"), ("RUST", "rust"), ("ΑΣ", "ας"), ("\t", "")],
)
def test_normalize_skill(raw: str, normal: str) -> None:
    assert p.normalize_skill(raw) == normal


def test_normalize_skills_dedupes_in_order() -> None:
    assert p.normalize_skills(["Go", " go", "", "Rust ", "GO"]) == ("go", "rust")


@settings(max_examples=200)
@given(st.lists(st.text(max_size=60)))
def test_normalize_skills_idempotent(raw: list[str]) -> None:
    once = p.normalize_skills(raw)
    assert p.normalize_skills(once) == once
    assert all(p.normalize_skill(s) == s and s for s in once)


def test_too_deep_has_a_reason() -> None:
    """msgpack's nesting-limit error has no message: the reason names it anyway."""
    with pytest.raises(p.MalformedRecord) as info:
        p.decode(b"\x91" * 5000 + b"\xc0")
    assert str(info.value) != "not msgpack: "
    assert str(info.value).startswith("not msgpack: ")
