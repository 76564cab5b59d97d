"""Length-prefixed frames, sans-IO: the one framing of every p2pshare stream.

A frame is a u32 big-endian payload length, then the payload. `encode_frame`
makes one; `FrameDecoder` splits a byte stream into payloads whatever its
chunking, refusing a frame over `max_frame` as soon as its header arrives (the
body is never buffered). The sync protocol (protocol.sync.frames) and the
network's `FramedStream` (p2pshare/net/framing.py) both use this module.
"""

from __future__ import annotations

import struct

from .errors import ProtocolError

HEADER = struct.Struct(">I")
HEADER_BYTES = HEADER.size
MAX_LENGTH = (1 << 32) - 1  # what the header can say


class FrameError(ProtocolError):
    """The peer broke the framing (a frame over the limit, or an empty one)."""


def encode_frame(payload: bytes, *, max_frame: int = MAX_LENGTH) -> bytes:
    """One frame: the payload's length as u32 big-endian, then the payload."""
    if len(payload) > max_frame:
        # our own payload: a bug on this side, not a peer's fault
        raise ValueError(f"a {len(payload)}-byte payload is over the {max_frame}-byte frame limit")
    return HEADER.pack(len(payload)) + payload


class FrameDecoder:
    """Splits a byte stream into frame payloads; refuses frames over `max_frame`.

    `allow_empty=False` also refuses zero-length frames. After an error the
    decoder stays failed: a byte stream cannot be resynchronised.
    """

    def __init__(self, *, max_frame: int, allow_empty: bool = True) -> None:
        if not 0 < max_frame <= MAX_LENGTH:
            raise ValueError(f"max_frame must be 1..{MAX_LENGTH}")
        self.max_frame = max_frame
        self._min = 0 if allow_empty else 1
        self._buf = bytearray()
        self._error: str | None = None

    @property
    def pending(self) -> int:
        """Bytes of an incomplete frame (non-zero at end of stream: cut short)."""
        return len(self._buf)

    @property
    def in_header(self) -> bool:
        """Whether the pending bytes end inside a header (not yet a whole length)."""
        return 0 < len(self._buf) < HEADER_BYTES

    def fail(self, reason: str) -> FrameError:
        """Mark the stream failed (e.g. a payload did not decode); the error to raise."""
        self._error = reason
        self._buf.clear()
        return FrameError(reason)

    def feed(self, data: bytes) -> list[bytes]:
        """The payloads completed by `data`, in order. Raises FrameError."""
        if self._error is not None:
            raise FrameError(self._error)
        self._buf += data
        out: list[bytes] = []
        pos = 0
        try:
            while len(self._buf) - pos >= HEADER_BYTES:
                (length,) = HEADER.unpack_from(self._buf, pos)
                if not self._min <= length <= self.max_frame:
                    raise self.fail(f"frame length {length} (limit {self.max_frame})")
                start = pos + HEADER_BYTES
                if len(self._buf) - start < length:
                    break
                out.append(bytes(self._buf[start : start + length]))
                pos = start + length
        finally:
            del self._buf[:pos]
        return out
