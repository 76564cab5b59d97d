"""decode() on hostile input: a verified Envelope or a ProtocolError, nothing else.

Any other exception escaping decode() is a bug (docs/PROTOCOL.md §Errors).
"""

from __future__ import annotations

import dataclasses

import msgpack
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from protocol_strategies import envelopes, pack

import protocol as p

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def decode_or_refuse(data: bytes) -> p.Envelope | None:
    """Decode, allowing only ProtocolError; a success must be exactly these bytes."""
    try:
        env = p.decode(data)
    except p.ProtocolError as exc:
        assert str(exc), "every refusal carries a reason"  # noqa: PT017 -- any input, any error
        return None
    assert env.data == data
    assert env.id == p.record_id(data)
    return env


@FUZZ
@given(st.binary(max_size=512))
@example(b"")
@example(b"\x96")
@example(b"\xdd\xff\xff\xff\xff")  # array32 claiming 4 billion items
@example(b"\xc6\xff\xff\xff\xff")  # bin32 claiming 4 GiB
@example(b"\x91" * 5000)  # deep nesting
@example(b"\xc1")  # the one never-used msgpack byte
def test_arbitrary_bytes(data: bytes) -> None:
    decode_or_refuse(data)


msgpack_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=True)
    | st.binary(max_size=80)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=8)
        | st.dictionaries(st.text(max_size=8) | st.integers(-5, 5), children, max_size=4)
    ),
    max_leaves=30,
)


@FUZZ
@given(msgpack_values)
def test_arbitrary_msgpack(value: object) -> None:
    decode_or_refuse(pack(value))


# Envelope-shaped: right top-level shape, a plausible kind and no maps (which the
# parser refuses outright), so the checks of each body field get exercised.
field_values = st.one_of(
    st.binary(min_size=31, max_size=33),
    st.binary(max_size=8),
    st.text(max_size=12),
    st.integers(-2, 2**41),
    st.booleans(),
    st.lists(st.text(max_size=6), max_size=4),
    st.none(),
    st.floats(),
)
FIELD_COUNTS = {kind: len(dataclasses.fields(cls)) for kind, cls in p.BODY_TYPES.items()}


def _body_for(kind: int) -> st.SearchStrategy[list[object]]:
    count = st.integers(0, 10)
    if kind in FIELD_COUNTS:
        count = st.sampled_from([FIELD_COUNTS[kind]] * 4) | count
    return count.flatmap(lambda n: st.lists(field_values, min_size=n, max_size=n))


envelope_shaped = st.integers(-1, 11).flatmap(
    lambda kind: st.tuples(
        st.sampled_from([1] * 6 + [0, 2, True, 1.0]),
        st.just(kind),
        st.binary(min_size=31, max_size=33) | field_values,
        st.integers(-1, 2**41) | field_values,
        _body_for(kind),
        st.binary(min_size=63, max_size=65) | field_values,
    ).map(list)
)


@FUZZ
@given(envelope_shaped)
def test_envelope_shaped_msgpack(value: list[object]) -> None:
    decode_or_refuse(pack(value))


@FUZZ
@given(
    env=envelopes,
    edits=st.lists(
        st.tuples(st.integers(0, 2**16), st.integers(0, 8), st.binary(max_size=8)),
        min_size=1,
        max_size=4,
    ),
)
def test_mutated_records(env: p.Envelope, edits: list[tuple[int, int, bytes]]) -> None:
    """Splice random bytes into real records: refused, or (if undone) the same record."""
    data = env.data
    for at, cut, insert in edits:
        at %= len(data) + 1
        data = data[:at] + insert + data[at + cut :]
    decoded = decode_or_refuse(data)
    if decoded is not None:
        assert data == env.data
        assert decoded == env


@FUZZ
@given(env=envelopes, data=st.data())
def test_field_values_swapped_for_any_msgpack(env: p.Envelope, data: st.DataObject) -> None:
    """Replace one body field of a real record with any value (signature kept)."""
    top = msgpack.unpackb(env.data, raw=False)
    body = top[4]
    index = data.draw(st.integers(0, len(body) - 1))
    body[index] = data.draw(msgpack_values)
    decoded = decode_or_refuse(pack(top))
    if decoded is not None:
        assert decoded == env
