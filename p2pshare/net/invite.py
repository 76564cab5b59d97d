"""Invite strings and peer addresses: what a member pastes to join someone.

An invite is ``p2ps1:`` followed by base58btc (bitcoin alphabet) of the msgpack
array ``[public key (32 bytes), [multiaddr (binary form, without the member's
own /p2p/ part)...], community name (str)]``; a circuit address keeps its
relay's part (``/ip4/R/tcp/P/p2p/<relay>/p2p-circuit``). The member id is the
peer id of the key, so the invite cannot name addresses of one member and the
key of another: the Noise handshake checks the key. Pure: no network, no libp2p import.
"""

from __future__ import annotations

from dataclasses import dataclass

import base58
import msgpack
import multiaddr

from p2pshare.errors import UserError
from protocol import BadMemberId, member_id, public_key_of
from protocol.keys import key_refusal

PREFIX = "p2ps1:"
MAX_INVITE = 2048  # characters; an invite with a dozen addresses is ~400
MAX_ADDRS = 16
MAX_COMMUNITY_BYTES = 64  # UTF-8 bytes of a community name


def check_community(name: str) -> str:
    """`name` if it can name a community (1 to 64 UTF-8 bytes, printable), else UserError."""
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        raise UserError("a community name must be valid text") from None
    if not name.strip():
        raise UserError("a community name cannot be empty")
    if size > MAX_COMMUNITY_BYTES:
        raise UserError(
            f"a community name is at most {MAX_COMMUNITY_BYTES} bytes (this one is {size})"
        )
    if not name.isprintable():
        raise UserError("a community name cannot contain control characters")
    return name


@dataclass(frozen=True, slots=True, kw_only=True)
class PeerAddress:
    """Where to reach one member: its id and full multiaddrs (each ending in /p2p/<id>)."""

    member_id: str
    addrs: tuple[str, ...]
    community: str | None = None  # only invites carry it


def make_invite(member: str, addrs: list[str] | tuple[str, ...], community: str) -> str:
    check_community(community)
    key = public_key_of(member)
    raw = []
    for text in addrs[:MAX_ADDRS]:
        # Only the member's own /p2p/ part goes: a circuit address keeps its
        # relay's (/ip4/R/tcp/P/p2p/RELAY/p2p-circuit, see addresses.py).
        bare = text.removesuffix(f"/p2p/{member}")
        if bare == text:
            bare = text.split("/p2p/")[0]
        raw.append(multiaddr.Multiaddr(bare).to_bytes())
    packed = msgpack.packb([bytes(key), raw, community], use_bin_type=True)
    return PREFIX + base58.b58encode(packed).decode("ascii")


def parse_peer(text: str) -> PeerAddress:
    """A multiaddr with /p2p/<id>, or an invite; UserError saying what is wrong."""
    text = text.strip()
    if text.startswith(PREFIX):
        return _parse_invite(text)
    if text.startswith("/"):
        return _parse_multiaddr(text)
    raise UserError(f"not a peer address or invite: {text[:60]!r}")


def _parse_multiaddr(text: str) -> PeerAddress:
    try:
        addr = multiaddr.Multiaddr(text)
        peer = addr.value_for_protocol("p2p")
    except Exception as exc:  # multiaddr raises a zoo of types on bad input
        raise UserError(f"not a valid multiaddr: {text[:80]!r} ({exc})") from None
    if not peer:
        raise UserError(f"the address {text[:80]!r} needs a /p2p/<member id> part")
    try:
        public_key_of(str(peer))
    except BadMemberId as exc:
        raise UserError(f"bad member id in {text[:80]!r}: {exc}") from None
    return PeerAddress(member_id=str(peer), addrs=(text,))


def _parse_invite(text: str) -> PeerAddress:
    if len(text) > MAX_INVITE:
        raise UserError("this invite is too long to be one")
    try:
        raw = base58.b58decode(text[len(PREFIX) :].encode("ascii"))
        key, packed_addrs, community = msgpack.unpackb(
            raw, raw=False, max_bin_len=1024, max_str_len=256, max_array_len=MAX_ADDRS
        )
        if type(key) is not bytes or (reason := key_refusal(key)) is not None:
            raise ValueError(reason or "the key is not bytes")
        member = member_id(key)
        addrs = tuple(
            f"{multiaddr.Multiaddr(bytes(a))}/p2p/{member}" for a in packed_addrs[:MAX_ADDRS]
        )
        if not isinstance(community, str):
            raise ValueError("community is not a string")
        check_community(community)
    except Exception as exc:  # untrusted text: any failure means "not an invite"
        raise UserError(f"this invite is damaged or incomplete ({exc})") from None
    if not addrs:
        raise UserError("this invite has no addresses")
    return PeerAddress(member_id=member, addrs=addrs, community=community)
