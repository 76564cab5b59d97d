"""FramedStream: protocol/framing.py over a stream, big reads and batched writes."""

from __future__ import annotations

import pytest
import trio

from p2pshare.net.framing import CHUNK, FramedStream, FrameError
from protocol.framing import encode_frame


class FakeStream:
    """Hands out `incoming` in reads of at most `step` bytes; records writes."""

    def __init__(self, incoming: bytes = b"", step: int = 7) -> None:
        self.incoming = incoming
        self.step = step
        self.writes: list[bytes] = []

    async def read(self, n: int) -> bytes:
        await trio.lowlevel.checkpoint()
        data, self.incoming = self.incoming[: min(n, self.step)], self.incoming[min(n, self.step) :]
        return data

    async def write(self, data: bytes) -> None:
        await trio.lowlevel.checkpoint()
        self.writes.append(data)


def test_reads_frames_then_a_clean_end() -> None:
    async def main() -> None:
        framed = FramedStream(FakeStream(encode_frame(b"hello") + encode_frame(b"")), max_frame=9)
        assert await framed.read_frame() == b"hello"
        assert await framed.read_frame() == b""
        assert await framed.read_frame() is None
        assert framed.bytes_in == 13

    trio.run(main)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x00", "inside a frame header"),
        (b"\x00\x00\x00\x05abc", "inside a frame"),
        (b"\x00\x00\x00\x0a", "frame length 10"),
    ],
)
def test_broken_framing_raises(data: bytes, message: str) -> None:
    async def main() -> None:
        with pytest.raises(FrameError, match=message):
            await FramedStream(FakeStream(data), max_frame=9).read_frame()

    trio.run(main)


def test_writes_are_batched() -> None:
    async def main() -> None:
        stream = FakeStream()
        framed = FramedStream(stream, max_frame=16)
        for _ in range(3):
            await framed.write_frame(b"x" * 10)
        assert stream.writes == []
        await framed.flush()
        assert stream.writes == [encode_frame(b"x" * 10) * 3]
        await framed.write_frame(b"y" * (CHUNK + 1))  # our own frames are not limited
        assert [len(w) for w in stream.writes[1:]] == [CHUNK, 5]  # flushed at 64 KiB
        assert framed.bytes_out == 3 * 14 + CHUNK + 5

    trio.run(main)
