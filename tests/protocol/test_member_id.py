"""Member ids are libp2p peer ids of the member's Ed25519 key (docs/PROTOCOL.md §Member ids)."""

from __future__ import annotations

import base58
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import protocol as p
from protocol.keys import key_refusal

keys = st.binary(min_size=32, max_size=32).filter(lambda k: key_refusal(k) is None)


@settings(max_examples=200)
@given(keys)
def test_round_trip(key: bytes) -> None:
    member = p.member_id(key)
    assert member.startswith("12D3KooW")
    assert len(member) == 52
    assert p.public_key_of(member) == key


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=32, max_size=32))
def test_matches_libp2p(seed: bytes) -> None:
    from libp2p.crypto.ed25519 import create_new_key_pair
    from libp2p.peer.id import ID

    public = create_new_key_pair(seed).public_key
    raw = public.to_bytes()
    peer = ID.from_pubkey(public)
    assert p.member_id(raw) == peer.to_base58()
    assert p.public_key_of(peer.to_base58()) == raw
    assert peer.to_bytes() == bytes([0x00, 0x24, 0x08, 0x01, 0x12, 0x20]) + raw


GOOD = p.member_id(bytes(range(32)))


@pytest.mark.parametrize(
    "member",
    [
        "",
        "1",
        "0OIl",  # not in the base58btc alphabet
        "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N",  # sha2-256 (RSA-style) peer id
        "16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY",  # secp256k1 peer id
        GOOD[:-1],
        GOOD + "1",
        "1" + GOOD,
        GOOD + " ",
        " " + GOOD,
        GOOD + "\n",
        GOOD.lower(),
        "12D3KooW" + "é" * 44,
        GOOD * 1000,
        base58.b58encode(bytes([0x00, 0x24, 0x08, 0x02, 0x12, 0x20]) + bytes(32)).decode(),
    ],
)
def test_garbage_refused(member: str) -> None:
    with pytest.raises(p.BadMemberId):
        p.public_key_of(member)


@pytest.mark.parametrize("member", [None, b"12D3KooW", 42])
def test_non_strings_refused(member: object) -> None:
    with pytest.raises(p.BadMemberId):
        p.public_key_of(member)  # type: ignore[arg-type]


@settings(max_examples=200)
@given(st.text(max_size=80))
def test_arbitrary_text(member: str) -> None:
    try:
        key = p.public_key_of(member)
    except p.BadMemberId:
        return
    assert p.member_id(key) == member


@pytest.mark.parametrize("key", [b"", bytes(31), bytes(33), "x" * 32, bytearray(32)])
def test_member_id_of_a_non_key(key: object) -> None:
    with pytest.raises(p.BadMemberId):
        p.member_id(key)  # type: ignore[arg-type]
