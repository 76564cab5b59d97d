"""Pairing a new device with its member: `/p2pshare/pair/1.0.0` (docs/PROTOCOL.md §Pairing).

A device of the member offers a one-time code (member/devices.py); the new
device dials it and both run SPAKE2 (the `spake2` package, RFC 9382's group
Ed25519) with the code as password, so the short code resists offline guessing:
an eavesdropper or a false offerer learns nothing to test guesses against, and
each code allows one attempt. The identities of the exchange are both sides'
peer ids, which Noise has authenticated, so nobody can splice two sessions.
Over the PAKE key the new device sends its key, label and consent; the offering
device certifies it and returns the certificate, the member's seal key and the
records the new home starts from. Six frames, each a msgpack array:

    join  -> offer   [1, slot, spake2 message]
    offer -> join    [1, spake2 message]                          ([0, reason]: no such code)
    join  -> offer   [2, sealed(join key, 0, [device key, label])]
    offer -> join    [2, sealed(offer key, 0, member key)]        ([0, reason]: wrong code)
    join  -> offer   [2, sealed(join key, 1, ["consent", consent])]
    offer -> join    [3, sealed(offer key, 1, [seal key, community, [record...]])]  (or [0, reason])

where sealed(k, n, m) = ChaCha20-Poly1305(k, nonce = n as 12 bytes big-endian,
msgpack(m), aad = "p2pshare:pair:v1"), and the join and offer keys are
HKDF-SHA256 of the SPAKE2 key (info "p2pshare:pair:v1:join" and ":offer"). The
consent (protocol/consent.py) names the member, which the new device learns in
the fourth frame. A wrong code shows as a third frame that does not open; the
offerer answers [0, reason], and the code is burnt either way. Every field is
checked; a whole session is bounded in time.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgpack
import trio
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from libp2p.custom_types import TProtocol
from spake2 import SPAKE2_A, SPAKE2_B
from spake2.spake2 import SPAKEError

from p2pshare.errors import UserError
from p2pshare.member import devices, pairing_codes
from p2pshare.net.framing import FramedStream, FrameError
from p2pshare.net.invite import check_community
from protocol import (
    DEVICE_CONSENT,
    Device,
    MalformedRecord,
    ProtocolError,
    PublicKey,
    decode,
    member_id,
    sign,
    sign_consent,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from p2pshare.member.devices import Membership
    from p2pshare.member.home import Home
    from p2pshare.member.identity import Identity
    from p2pshare.store import Store
    from protocol import Envelope

log = logging.getLogger(__name__)

PROTOCOL = TProtocol("/p2pshare/pair/1.0.0")
SESSION_SECONDS = 30.0
MAX_FRAME = 256 * 1024  # the records of the last frame; a few profiles and certificates
MAX_RECORDS = 16
_AAD = b"p2pshare:pair:v1"
_OK, _HELLO, _JOIN, _WELCOME = 0, 1, 2, 3  # 0: a refusal, with its reason


class PairingFailed(Exception):
    """The pairing did not happen; the message says why, for a person."""


@dataclass(frozen=True, slots=True)
class Joined:
    """What the new device received: all it needs to sign for its member."""

    certificate: Envelope  # the device record certifying this device
    seal_key: X25519PrivateKey  # the member's
    community: str
    records: tuple[bytes, ...]  # the certificate, the offerer's own, the member's profile


def _keys(shared: bytes) -> tuple[bytes, bytes]:
    def one(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)

    return one(_AAD + b":join"), one(_AAD + b":offer")


def _seal(key: bytes, count: int, value: Any) -> bytes:
    nonce = count.to_bytes(12, "big")  # each key seals two messages: nonces 0 and 1
    return ChaCha20Poly1305(key).encrypt(nonce, msgpack.packb(value, use_bin_type=True), _AAD)


def _open(key: bytes, count: int, sealed: Any) -> Any:
    if type(sealed) is not bytes:
        raise PairingFailed("the other side sent a damaged message")
    nonce = count.to_bytes(12, "big")
    plain = ChaCha20Poly1305(key).decrypt(nonce, sealed, _AAD)  # InvalidTag: wrong code
    try:
        return msgpack.unpackb(plain, raw=False, max_bin_len=MAX_FRAME, max_array_len=MAX_RECORDS)
    except (ValueError, TypeError, msgpack.UnpackException) as exc:  # still untrusted bytes
        raise PairingFailed(f"the other side sent a damaged message ({exc})") from None


async def _read(framed: FramedStream) -> list[Any]:
    frame = await framed.read_frame()
    if frame is None:
        raise PairingFailed("the other side closed the pairing")
    try:
        message = msgpack.unpackb(frame, raw=False, max_bin_len=MAX_FRAME, max_array_len=8)
    except (ValueError, TypeError, msgpack.UnpackException) as exc:  # untrusted bytes
        raise PairingFailed(f"the other side sent a damaged message ({exc})") from None
    if not isinstance(message, list) or not message or type(message[0]) is not int:
        raise PairingFailed("the other side sent a damaged message")
    if message[0] == _OK:
        reason = message[1] if len(message) > 1 and isinstance(message[1], str) else ""
        raise PairingFailed(reason[:200] or "the other side refused the pairing")
    return message


async def _send(framed: FramedStream, message: list[Any]) -> None:
    await framed.write_frame(msgpack.packb(message, use_bin_type=True))
    await framed.flush()


# -- the new device -------------------------------------------------------------------


async def join(stream: Any, *, code: str, device_key: Ed25519PrivateKey, label: str) -> Joined:
    """Pair over an open stream to the offering device; PairingFailed says why not."""
    slot, code = pairing_codes.parse_code(code)
    framed = FramedStream(stream, max_frame=MAX_FRAME)
    me = device_key.public_key().public_bytes_raw()
    offerer = stream.muxed_conn.peer_id.to_base58()
    try:
        with trio.fail_after(SESSION_SECONDS):
            pake = SPAKE2_B(code.encode(), idA=offerer.encode(), idB=member_id(me).encode())
            await _send(framed, [_HELLO, slot, pake.start()])
            hello = await _read(framed)
            if len(hello) != 2 or hello[0] != _HELLO or type(hello[1]) is not bytes:
                raise PairingFailed("the other side sent a damaged message")
            try:
                join_key, offer_key = _keys(pake.finish(hello[1]))
            except SPAKEError:
                raise PairingFailed("the other side sent a damaged message") from None
            await _send(framed, [_JOIN, _seal(join_key, 0, [me, label])])
            ask = await _read(framed)
            if len(ask) != 2 or ask[0] != _JOIN:
                raise PairingFailed("the other side sent a damaged message")
            try:
                member = _open(offer_key, 0, ask[1])
            except InvalidTag:
                raise PairingFailed("the other side does not hold this code") from None
            if type(member) is not bytes or len(member) != 32:
                raise PairingFailed("the other side sent a damaged member key")
            consent = sign_consent(DEVICE_CONSENT, member, key=device_key)
            await _send(framed, [_JOIN, _seal(join_key, 1, ["consent", consent])])
            welcome = await _read(framed)
            if len(welcome) != 2 or welcome[0] != _WELCOME:
                raise PairingFailed("the other side sent a damaged message")
            try:
                given = _open(offer_key, 1, welcome[1])
            except InvalidTag:
                raise PairingFailed("the other side sent a damaged welcome") from None
        return _joined(given, me, PublicKey(member))
    except trio.TooSlowError:
        raise PairingFailed(f"the pairing took over {SESSION_SECONDS:g} s") from None
    except FrameError as exc:
        raise PairingFailed(f"the other side broke the pairing's frames ({exc})") from None
    finally:
        await _close(stream)


def _joined(given: Any, me: bytes, member: PublicKey) -> Joined:
    if not isinstance(given, list) or len(given) != 3:
        raise PairingFailed("the welcome is damaged")
    seal, community, records = given
    if type(seal) is not bytes or len(seal) != 32 or not isinstance(community, str):
        raise PairingFailed("the welcome is damaged")
    try:
        check_community(community)
    except UserError as exc:
        raise PairingFailed(f"the welcome names no valid community ({exc})") from None
    if not isinstance(records, list) or not records or not all(type(r) is bytes for r in records):
        raise PairingFailed("the welcome has no certificate")
    try:
        certificate = decode(records[0])
        for data in records[1:]:
            decode(data)
    except ProtocolError as exc:
        raise PairingFailed(f"the welcome holds an invalid record ({exc})") from None
    body = certificate.body
    if not isinstance(body, Device) or body.device != me or body.member != member:
        raise PairingFailed("the certificate received is not for this device and member")
    return Joined(
        certificate=certificate,
        seal_key=X25519PrivateKey.from_private_bytes(seal),
        community=community,
        records=tuple(records),
    )


# -- the offering device ----------------------------------------------------------------


class PairingDesk:
    """Answers new devices that knock with a code this home offers (pairings.json)."""

    def __init__(
        self,
        home: Home,
        identity: Identity,
        *,
        community: str,
        store: Callable[[], Store | None],
        published: Callable[[], None],
        paired: Callable[[str, str, str], None],  # (device id, label, code)
        failed: Callable[[str, str], None],  # (reason, code)
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._home, self._identity, self._community = home, identity, community
        self._store, self._published, self._paired = store, published, paired
        self._failed = failed
        self._clock = clock

    async def on_stream(self, stream: Any) -> None:
        framed = FramedStream(stream, max_frame=MAX_FRAME)
        joiner = stream.muxed_conn.peer_id.to_base58()
        offered: pairing_codes.Offered | None = None
        try:
            with trio.fail_after(SESSION_SECONDS):
                hello = await _read(framed)
                if len(hello) != 3 or hello[0] != _HELLO or type(hello[1]) is not int:
                    raise PairingFailed("a damaged first message")
                if type(hello[2]) is not bytes:
                    raise PairingFailed("a damaged first message")
                try:
                    offered = pairing_codes.take_pairing(self._home, hello[1], int(self._clock()))
                except pairing_codes.PairingError as exc:
                    await _send(framed, [_OK, str(exc)])
                    return
                await self._pair(framed, offered, joiner, hello[2])
        except (PairingFailed, FrameError, trio.TooSlowError) as exc:
            self._end(offered, joiner, str(exc) or "the pairing took too long")
        except Exception as exc:  # the stream or connection broke (libp2p's many kinds)
            self._end(offered, joiner, f"the connection broke ({type(exc).__name__})")
        finally:
            await _close(stream)

    def _end(self, offered: pairing_codes.Offered | None, joiner: str, reason: str) -> None:
        log.info("pairing with %s failed: %s", joiner, reason)
        if offered is not None:  # a knock on no open code is a stranger's: not reported
            pairing_codes.end_pairing(self._home, offered.slot, offered.code, reason=reason)
            self._failed(reason, offered.code)

    async def _pair(
        self, framed: FramedStream, offered: pairing_codes.Offered, joiner: str, first: bytes
    ) -> None:
        me = self._identity.member_id
        pake = SPAKE2_A(offered.code.encode(), idA=me.encode(), idB=joiner.encode())
        await _send(framed, [_HELLO, pake.start()])
        try:
            join_key, offer_key = _keys(pake.finish(first))
        except SPAKEError:
            raise PairingFailed("a damaged key exchange") from None
        asked = await _read(framed)
        try:
            opened = _open(join_key, 0, asked[1] if len(asked) == 2 else None)
        except InvalidTag:
            await _send(framed, [_OK, "wrong code: it is used up now, ask for a new one"])
            raise PairingFailed("a wrong code was typed") from None
        if not isinstance(opened, list) or len(opened) != 2:
            raise PairingFailed("a damaged device key and label")
        key, label = opened
        if type(key) is not bytes or len(key) != 32 or member_id(key) != joiner:
            await _send(framed, [_OK, "the device key is not the one that dialled"])
            raise PairingFailed("the device key is not the one that dialled")
        if not isinstance(label, str):
            raise PairingFailed("a damaged label")
        membership = devices.load_membership(self._home, self._identity, self._store())
        if not membership.manage:
            await _send(framed, [_OK, "this device may not add devices"])
            raise PairingFailed("this device may not add devices")
        await _send(framed, [_JOIN, _seal(offer_key, 0, bytes(membership.member))])
        consented = await _read(framed)
        try:
            opened = _open(join_key, 1, consented[1] if len(consented) == 2 else None)
        except InvalidTag:
            raise PairingFailed("a damaged consent") from None
        if not isinstance(opened, list) or len(opened) != 2 or opened[0] != "consent":
            raise PairingFailed("a damaged consent")
        consent = opened[1]
        try:
            body = Device(
                member=membership.member,
                device=PublicKey(key),
                label=offered.label or devices.check_label(label),
                manage=offered.manage,
                consent=consent if type(consent) is bytes else b"",
            )
        except (MalformedRecord, ProtocolError, UserError) as exc:
            await _send(framed, [_OK, f"refused: {exc}"])
            raise PairingFailed(f"the new device's consent or label was refused: {exc}") from None
        certificate = self._certify(body)
        records = [certificate.data, *self._context(membership)]
        seal = self._identity.current_seal_key.private_bytes_raw()  # the newest (issue 15)
        await _send(framed, [_WELCOME, _seal(offer_key, 1, [seal, self._community, records])])
        pairing_codes.end_pairing(self._home, offered.slot, offered.code, device=joiner)
        self._paired(joiner, body.label, offered.code)

    def _certify(self, body: Device) -> Envelope:
        store = self._store()
        if store is None:
            raise PairingFailed("the node is stopping")
        envelope = sign(body, key=self._identity.signing_key, created_at=int(self._clock()))
        store.add_own(envelope, now=int(self._clock()))
        self._published()
        return envelope

    def _context(self, membership: Membership) -> list[bytes]:
        """The offerer's own certificate and the member's newest profile, if any."""
        store = self._store()
        found: list[bytes] = []
        if membership.certificate is not None:
            found.append(membership.certificate)
        if store is not None:
            profiles = store.by_author(membership.member, 1) + store.by_author(membership.device, 1)
            if profiles:
                found.append(max(profiles, key=lambda e: (e.created_at, e.id)).data)
        return found


async def _close(stream: Any) -> None:
    with trio.CancelScope(shield=True), trio.move_on_after(0.5):
        try:
            await stream.close()
        except Exception:  # a reset stream: nothing left to close
            log.debug("pairing stream already gone")
