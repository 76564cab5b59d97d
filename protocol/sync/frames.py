"""Sync messages on a byte stream: protocol.framing around the message codec.

Each message is one length-prefixed frame of at most `MAX_FRAME` bytes; a
turn's frames are cut into `WRITE_CHUNK`-byte writes (few, large writes are
what a libp2p stream is fast at).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from protocol import framing

from .messages import MAX_FRAME, Message, ReconcileError, decode_message, encode_message

if TYPE_CHECKING:
    from collections.abc import Iterable

WRITE_CHUNK = 64 * 1024  # bytes per stream write: 1 KiB writes cost ~0.4 ms each


def encode_frame(msg: Message) -> bytes:
    """One frame: u32be payload length, then the msgpack payload."""
    return framing.encode_frame(encode_message(msg), max_frame=MAX_FRAME)


def encode_frames(messages: Iterable[Message]) -> bytes:
    return b"".join(encode_frame(m) for m in messages)


def write_chunks(messages: Iterable[Message], *, chunk: int = WRITE_CHUNK) -> list[bytes]:
    """Frames of one turn cut into stream writes of `chunk` bytes: few, large writes."""
    data = encode_frames(messages)
    return [data[i : i + chunk] for i in range(0, len(data), chunk)]


class FrameDecoder:
    """Splits a byte stream into messages, whatever the chunking; refuses huge frames.

    Empty frames are refused too. After an error the decoder stays failed: the
    stream cannot be resynchronised.
    """

    def __init__(self, *, max_frame: int = MAX_FRAME) -> None:
        self._frames = framing.FrameDecoder(max_frame=max_frame, allow_empty=False)

    @property
    def pending(self) -> int:
        """Bytes of an incomplete frame (non-zero at end of stream: cut short)."""
        return self._frames.pending

    def feed(self, data: bytes) -> list[Message]:
        """The messages completed by `data`. Raises ReconcileError."""
        try:
            payloads = self._frames.feed(data)
        except framing.FrameError as exc:
            raise ReconcileError(str(exc)) from exc
        out: list[Message] = []
        for payload in payloads:
            try:
                out.append(decode_message(payload))
            except ReconcileError as exc:
                self._frames.fail(str(exc))
                raise
        return out
