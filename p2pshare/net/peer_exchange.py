"""Peers learned from peers: /p2pshare/peers/1.0.0, one frame each way, then close;
and finding one member by id: /p2pshare/find/1.0.0.

Each side sends ``msgpack [[own full multiaddrs...], [[member id, [full multiaddrs...]]...]]``:
where it listens (an inbound connection shows only an ephemeral port) and up to
32 peers it is connected to. Everything received is bounded and checked (each
address must end in /p2p/ of the member it is listed for); the node dials the
learned peers up to its connection bound. Addresses include circuit addresses
(``/ip4/R/tcp/P/p2p/<relay>/p2p-circuit/p2p/<member>``, see addresses.py), so a
member behind NAT is found through the relays it holds reservations on.

Find: the asker writes one frame, msgpack ``member id`` (str); the answerer
writes one frame, msgpack ``[full multiaddrs...]`` (at most 8) where it knows that
member to be reachable (what the member told it itself first), ``[]`` if it does
not know. A node asks its connected peers when every address it has for a member
failed: a stale address is replaced by a fresh one learned from the community.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Any

import msgpack
import trio

from p2pshare.net.framing import FramedStream
from protocol import BadMemberId, public_key_of

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger(__name__)

PROTOCOL = "/p2pshare/peers/1.0.0"
FIND_PROTOCOL = "/p2pshare/find/1.0.0"
MAX_FRAME = 32 * 1024
MAX_PEERS = 32
MAX_ADDRS = 8
TIMEOUT = 5.0

Listing = tuple[list[str], list[tuple[str, list[str]]]]


def encode(own: list[str], peers: list[tuple[str, list[str]]]) -> bytes:
    body = [own[:MAX_ADDRS], [[p, a[:MAX_ADDRS]] for p, a in peers[:MAX_PEERS]]]
    packed: bytes = msgpack.packb(body, use_bin_type=True)
    return packed


def decode(data: bytes, remote: str) -> Listing:
    """Parse a listing from `remote`; anything malformed is dropped, never raised."""
    try:
        own, peers = msgpack.unpackb(
            data, raw=False, max_array_len=MAX_PEERS + MAX_ADDRS, max_str_len=512
        )
        mine = [a for a in own[:MAX_ADDRS] if _addr_of(a, remote)]
        learned = []
        for item in peers[:MAX_PEERS]:
            peer, addrs = item
            if isinstance(peer, str) and _valid_member(peer):
                good = [a for a in addrs[:MAX_ADDRS] if _addr_of(a, peer)]
                if good:
                    learned.append((peer, good))
        return mine, learned
    except (ValueError, TypeError, msgpack.UnpackException):
        log.info("bad peer listing from %s", remote)
        return [], []


def _valid_member(peer: str) -> bool:
    try:
        public_key_of(peer)
    except BadMemberId:
        return False
    return True


def _addr_of(addr: Any, peer: str) -> bool:
    return isinstance(addr, str) and addr.startswith("/") and addr.endswith("/p2p/" + peer)


async def exchange(stream: Any, listing: bytes, remote: str, *, initiator: bool) -> Listing:
    """Swap listings over an open stream; the initiator writes first."""
    framed = FramedStream(stream, max_frame=MAX_FRAME)
    got: Listing = ([], [])
    try:
        with trio.move_on_after(TIMEOUT):
            if initiator:
                await framed.write_frame(listing)
                await framed.flush()
            frame = await framed.read_frame()
            if not initiator:
                await framed.write_frame(listing)
                await framed.flush()
            if frame is not None:
                got = decode(frame, remote)
    except Exception as exc:  # FrameError, StreamReset...: a peer's stream fails many ways
        log.debug("peer exchange with %s failed: %s", remote, exc)
    finally:
        with trio.CancelScope(shield=True), trio.move_on_after(0.5), contextlib.suppress(Exception):
            await stream.close()
    return got


async def ask_find(stream: Any, member: str) -> list[str]:
    """Ask over an open find stream where `member` is; checked addresses ([] if none)."""
    framed = FramedStream(stream, max_frame=MAX_FRAME)
    found: list[str] = []
    try:
        with trio.move_on_after(TIMEOUT):
            await framed.write_frame(msgpack.packb(member))
            await framed.flush()
            frame = await framed.read_frame()
            if frame is not None:
                addrs = msgpack.unpackb(frame, raw=False, max_array_len=MAX_ADDRS, max_str_len=512)
                if isinstance(addrs, list):
                    found = [a for a in addrs[:MAX_ADDRS] if _addr_of(a, member)]
    except Exception as exc:
        log.debug("find %s failed: %s", member, exc)
    finally:
        with trio.CancelScope(shield=True), trio.move_on_after(0.5), contextlib.suppress(Exception):
            await stream.close()
    return found


async def answer_find(stream: Any, lookup: Callable[[str], list[str]]) -> None:
    """Answer one find request with what `lookup` knows of the member asked for."""
    framed = FramedStream(stream, max_frame=MAX_FRAME)
    try:
        with trio.move_on_after(TIMEOUT):
            frame = await framed.read_frame()
            if frame is None:
                return
            member = msgpack.unpackb(frame, raw=False, max_str_len=128)
            addrs = lookup(member) if isinstance(member, str) and _valid_member(member) else []
            good = [a for a in addrs if _addr_of(a, member)][:MAX_ADDRS]
            await framed.write_frame(msgpack.packb(good, use_bin_type=True))
            await framed.flush()
    except Exception as exc:
        log.debug("answering a find failed: %s", exc)
    finally:
        with trio.CancelScope(shield=True), trio.move_on_after(0.5), contextlib.suppress(Exception):
            await stream.close()
