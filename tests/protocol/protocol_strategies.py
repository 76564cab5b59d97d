"""Hypothesis strategies for valid record bodies, keys and hand-built wire bytes.

Shared by the protocol tests; the helpers that build bytes by hand (`forge`,
`pack_items`) deliberately avoid protocol/, so tests can make what the codec
itself would never emit.
"""

from __future__ import annotations

from typing import Any

import msgpack
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import assume
from hypothesis import strategies as st

import protocol as p
from protocol import limits as lim
from protocol.keys import key_refusal

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

# Printable characters of every plane (no Cc, no surrogates, no bidi controls).
_CHARS = st.characters(exclude_categories=("Cc", "Cs"), exclude_characters=BIDI)


def text(max_len: int, *, min_len: int = 0, multiline: bool = False) -> st.SearchStrategy[str]:
    alphabet = st.one_of(_CHARS, st.sampled_from("\n\t")) if multiline else _CHARS
    strategy = st.text(alphabet, min_size=min_len, max_size=max_len)
    if min_len:
        strategy = strategy.filter(lambda s: s.strip() != "")
    return strategy


skill = (
    st.text(
        st.characters(exclude_categories=("Cc", "Cs"), exclude_characters=BIDI + ","), max_size=60
    )
    .map(p.normalize_skill)
    .filter(lambda s: 1 <= len(s) <= lim.MAX_SKILL and p.normalize_skill(s) == s)
)
skills = st.lists(skill, max_size=lim.MAX_SKILLS, unique=True).map(tuple)
record_ids = st.binary(min_size=32, max_size=32).map(p.RecordId)
# Ed25519 keys a member may have: small-order and non-canonical encodings are refused.
public_keys = (
    st.binary(min_size=32, max_size=32).filter(lambda k: key_refusal(k) is None).map(p.PublicKey)
)
seal_keys = st.binary(min_size=32, max_size=32).map(p.PublicKey)  # X25519: any 32 bytes
optional_keys = st.one_of(st.just(p.PublicKey(b"")), public_keys)
sealed = st.binary(max_size=lim.MAX_SEALED)
timestamps = st.integers(0, lim.MAX_TIMESTAMP)
values = st.integers(0, lim.MAX_VALUE)
signing_keys = st.binary(min_size=32, max_size=32).map(Ed25519PrivateKey.from_private_bytes)


def _public(key: Ed25519PrivateKey) -> p.PublicKey:
    return p.PublicKey(key.public_key().public_bytes_raw())


@st.composite
def _device(draw: st.DrawFn) -> p.Device:
    """A certificate with the device key's real consent (a random one never verifies)."""
    member, key = draw(public_keys), draw(signing_keys)
    return p.Device(
        member=member,
        device=_public(key),
        label=draw(text(lim.MAX_LABEL, min_len=1)),
        manage=draw(st.booleans()),
        consent=p.sign_consent(p.DEVICE_CONSENT, member, key=key),
    )


@st.composite
def _unlink(draw: st.DrawFn) -> p.Unlink:
    member = draw(public_keys)
    return p.Unlink(
        member=member,
        device=draw(public_keys.filter(lambda k: k != member)),
        valid_until=draw(timestamps),
        reason=draw(text(lim.MAX_REASON)),
    )


@st.composite
def _rotate(draw: st.DrawFn) -> p.Rotate:
    member, key = draw(public_keys), draw(signing_keys)
    consent = p.sign_consent(p.ROOT_CONSENT, member, key=key)
    return p.Rotate(member=member, new_root=_public(key), consent=consent)


bodies_by_kind: dict[int, st.SearchStrategy[Any]] = {
    1: st.builds(
        p.Profile,
        name=text(lim.MAX_NAME, min_len=1),
        headline=text(lim.MAX_HEADLINE),
        skills=skills,
        region=text(lim.MAX_REGION),
        available=st.booleans(),
        seal_key=seal_keys,
    ),
    2: st.builds(
        p.Offer,
        title=text(lim.MAX_TITLE, min_len=1),
        description=text(lim.MAX_BODY, multiline=True),
        skills=skills,
        region=text(lim.MAX_REGION),
        remote=st.booleans(),
        value=values,
        currency=text(lim.MAX_CURRENCY),
        expires_at=timestamps,
        contact=sealed,
    ),
    3: st.builds(
        p.Forward,
        offer=record_ids,
        parent=record_ids,
        to=optional_keys,
        note=text(lim.MAX_NOTE, multiline=True),
        private_note=sealed,
    ),
    4: st.builds(
        p.Accept, offer=record_ids, via=record_ids, note=text(lim.MAX_NOTE, multiline=True)
    ),
    5: st.builds(p.Handoff, offer=record_ids, accept=record_ids, to=public_keys, contact=sealed),
    6: st.builds(p.Withdraw, offer=record_ids, reason=text(lim.MAX_NOTE)),
    7: st.builds(
        p.Outcome,
        offer=record_ids,
        handoff=record_ids,
        fulfilled=st.booleans(),
        rating=st.integers(0, lim.MAX_RATING),
        value=values,
        note=text(lim.MAX_NOTE, multiline=True),
    ),
    8: st.builds(
        p.Vouch, subject=public_keys, skills=skills, note=text(lim.MAX_NOTE, multiline=True)
    ),
    9: st.builds(p.Revoke, vouch=record_ids),
    10: st.builds(
        p.Credit,
        offer=record_ids,
        handoff=record_ids,
        forwarders=st.lists(public_keys, max_size=lim.MAX_CREDITED, unique=True).map(tuple),
    ),
    11: st.builds(p.Decline, offer=record_ids, forward=record_ids, note=sealed),
    12: st.builds(p.Say, offer=record_ids, to=public_keys, text=sealed),
    13: _device(),
    14: _unlink(),
    15: _rotate(),
}
assert set(bodies_by_kind) == set(p.BODY_TYPES)

bodies: st.SearchStrategy[p.Body] = st.one_of(*bodies_by_kind.values())


def dated(body: p.Body, created_at: int) -> int:
    """`created_at`, or a later date where the body needs one: an unlink is dated at
    or after its valid_until."""
    return max(created_at, body.valid_until) if isinstance(body, p.Unlink) else created_at


@st.composite
def _envelope(draw: st.DrawFn) -> p.Envelope:
    body, key = draw(bodies), draw(signing_keys)
    created_at = dated(body, draw(timestamps))
    assume(not isinstance(body, p.Rotate) or body.new_root != _public(key))
    return p.sign(body, key=key, created_at=created_at)


envelopes = _envelope()


def pack(obj: object) -> bytes:
    return msgpack.packb(obj, use_bin_type=True)  # type: ignore[no-any-return]


def pack_items(items: list[bytes]) -> bytes:
    """A msgpack array of already-encoded items (at most 15: fixarray header)."""
    assert len(items) <= 15
    return bytes([0x90 | len(items)]) + b"".join(items)


def forge(
    kind: int,
    body: list[object],
    *,
    key: Ed25519PrivateKey,
    created_at: int = 1_767_225_600,
    version: int = 1,
    domain: str | None = None,
) -> bytes:
    """A correctly signed record built by hand, bypassing every field check.

    `domain` names the kind whose domain tag is signed (default: the kind's own).
    """
    author = key.public_key().public_bytes_raw()
    unsigned = pack([version, kind, author, created_at, body])
    name = domain if domain is not None else p.BODY_TYPES[kind].NAME
    signature = key.sign(b"p2pshare:" + name.encode() + b":v1\0" + unsigned)
    return pack([version, kind, author, created_at, body, signature])


def wire(body: p.Body) -> list[object]:
    return [list(v) if isinstance(v, tuple) else v for v in body.to_wire()]
