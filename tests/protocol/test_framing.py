"""protocol/framing.py: the one length-prefix framing, sans-IO."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol import ProtocolError
from protocol.framing import FrameDecoder, FrameError, encode_frame


@given(
    st.lists(st.binary(max_size=300), max_size=8),
    st.lists(st.integers(min_value=0, max_value=3000), max_size=6),
)
def test_frames_survive_any_chunking(payloads: list[bytes], cuts: list[int]) -> None:
    stream = b"".join(encode_frame(p) for p in payloads)
    decoder = FrameDecoder(max_frame=300)
    got: list[bytes] = []
    bounds = [0, *sorted(c for c in cuts if c < len(stream)), len(stream)]
    for start, end in itertools.pairwise(bounds):
        got += decoder.feed(stream[start:end])
    assert got == payloads
    assert decoder.pending == 0


def test_layout() -> None:
    assert encode_frame(b"abc") == b"\x00\x00\x00\x03abc"
    with pytest.raises(ValueError, match="over the 2-byte frame limit"):
        encode_frame(b"abc", max_frame=2)


def test_oversized_frame_is_refused_at_its_header_and_the_decoder_stays_failed() -> None:
    decoder = FrameDecoder(max_frame=10)
    with pytest.raises(FrameError, match="frame length 11 \\(limit 10\\)"):
        decoder.feed(b"\x00\x00\x00\x0b")
    with pytest.raises(FrameError):
        decoder.feed(encode_frame(b"ok"))
    assert issubclass(FrameError, ProtocolError)


def test_empty_frames_only_when_allowed() -> None:
    assert FrameDecoder(max_frame=10).feed(b"\x00\x00\x00\x00") == [b""]
    with pytest.raises(FrameError, match="frame length 0"):
        FrameDecoder(max_frame=10, allow_empty=False).feed(b"\x00\x00\x00\x00")


def test_pending_and_in_header() -> None:
    decoder = FrameDecoder(max_frame=10)
    assert decoder.feed(b"\x00\x00") == []
    assert decoder.in_header
    assert decoder.pending == 2
    assert decoder.feed(b"\x00\x02x") == []
    assert not decoder.in_header
    assert decoder.pending == 5
    assert decoder.feed(b"y") == [b"xy"]
    assert decoder.pending == 0


def test_fail_marks_the_stream_broken() -> None:
    decoder = FrameDecoder(max_frame=10)
    error = decoder.fail("payload did not decode")
    assert isinstance(error, FrameError)
    with pytest.raises(FrameError, match="payload did not decode"):
        decoder.feed(b"")
