"""decode_trusted: the same parse as decode, minus only the signature check.

It exists for a node's own store (bytes `decode` verified when they arrived);
tests/store/test_store.py checks that nothing from outside reaches it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from protocol_strategies import envelopes, pack

import protocol as p

if TYPE_CHECKING:
    from collections.abc import Callable

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(
    decode: Callable[[bytes], p.Envelope], data: bytes
) -> p.Envelope | type[p.ProtocolError]:
    try:
        return decode(data)
    except p.ProtocolError as exc:
        assert str(exc), "every refusal carries a reason"  # noqa: PT017 -- any input, any error
        return type(exc)


@FUZZ
@given(env=envelopes)
def test_trusted_decode_of_a_valid_record_is_the_record(env: p.Envelope) -> None:
    trusted = p.decode_trusted(env.data)
    assert trusted == env == p.decode(env.data)
    assert trusted.data == env.data
    assert trusted.id == env.id


@FUZZ
@given(
    env=envelopes,
    edits=st.lists(
        st.tuples(st.integers(0, 2**16), st.integers(0, 8), st.binary(max_size=8)),
        max_size=4,
    ),
)
def test_trusted_decode_refuses_all_that_decode_does_but_a_bad_signature(
    env: p.Envelope, edits: list[tuple[int, int, bytes]]
) -> None:
    data = env.data
    for at, cut, insert in edits:
        at %= len(data) + 1
        data = data[:at] + insert + data[at + cut :]
    checked, trusted = outcome(p.decode, data), outcome(p.decode_trusted, data)
    if checked is p.BadSignature:
        assert isinstance(trusted, p.Envelope)
        assert trusted.data == data
    else:
        assert checked == trusted


@FUZZ
@given(st.binary(max_size=512))
def test_trusted_decode_of_arbitrary_bytes(data: bytes) -> None:
    checked, trusted = outcome(p.decode, data), outcome(p.decode_trusted, data)
    assert checked == trusted or checked is p.BadSignature


@FUZZ
@given(env=envelopes)
def test_only_the_signature_is_skipped(env: p.Envelope) -> None:
    data = pack([env.version, env.kind, env.author, env.created_at, env.body.to_wire(), bytes(64)])
    assert outcome(p.decode, data) is p.BadSignature
    assert p.decode_trusted(data).signature == bytes(64)
