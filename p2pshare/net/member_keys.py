"""The member's seal keys between its own devices: `/p2pshare/member-keys/1.0.0`.

When a device is revoked, the revoking device makes the member a new seal key
(member/devices.py) and publishes a profile naming it. The member's other
devices learn of it from that profile and fetch the private key from a sibling
device over this protocol (docs/PROTOCOL.md §Members and devices, "Seal keys").
A restored root (member/recovery.py) fetches it the same way.

Connections are authenticated (Noise): the remote peer id is the remote
device's Ed25519 key. A device answers only a device that the MemberDirectory
says is linked to its own member now (certified and not unlinked, or the
member's current root), and asks only such a device. One request, one answer,
each a msgpack array in one frame:

    asker  -> holder   [1, seal public key wanted (32)]
    holder -> asker    [1, its X25519 private key (32)]     or [0, reason]

The asker checks that the key it got gives the public key it asked for, then
keeps it in its keyring (member/seal_keys.py). It asks when a peer connects and
when records arrive: whenever its member's latest profile names a seal key it
does not hold and a sibling device is connected.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import msgpack
import trio
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from libp2p.custom_types import TProtocol
from libp2p.peer.id import ID

from p2pshare.errors import UserError
from p2pshare.events import PeerConnected, RecordsArrived
from p2pshare.member import devices
from p2pshare.member.seal_keys import public_of
from p2pshare.net.framing import FramedStream, FrameError
from protocol import BadMemberId, Device, Profile, PublicKey, Rotate, Unlink, public_key_of

if TYPE_CHECKING:
    from collections.abc import Callable

    from p2pshare.domain.member_directory import MemberDirectory
    from p2pshare.member.home import Home
    from p2pshare.member.identity import Identity
    from p2pshare.store import Store

log = logging.getLogger(__name__)

PROTOCOL = TProtocol("/p2pshare/member-keys/1.0.0")
SESSION_SECONDS = 10.0
MAX_FRAME = 128  # [1, 32 bytes] with msgpack's headers is 36 bytes
_REFUSED, _KEY = 0, 1


class KeyRefused(Exception):
    """A sibling did not give the seal key; the message says why."""


class Declined(KeyRefused):
    """The sibling answered [0, reason]: asking it again for that key is no use until
    the member's records change."""


def linked_now(directory: MemberDirectory, member: PublicKey, key: PublicKey, at: int) -> bool:
    """Whether `key` signs for `member` at `at`: its current root, or a linked device."""
    if directory.contested(key) or directory.member_of(key) != member:
        return False
    authority = directory.authority(member)
    if authority.root_at(at) == key:
        return True
    device = authority.device(key)
    return device is not None and device.signs_at(at)


def latest_seal_key(store: Store, directory: MemberDirectory, member: PublicKey) -> bytes | None:
    """The seal key named by `member`'s latest profile that counts (from any of its keys)."""
    authority = directory.authority(member)
    keys = {member, *(span.key for span in authority.roots), *(d.key for d in authority.devices)}
    profiles = [
        env
        for key in keys
        for env in store.by_author(key, Profile.KIND)
        if directory.member_of(env.author) == member and directory.verdict(env) is None
    ]
    if not profiles:
        return None
    newest = max(profiles, key=lambda env: (env.created_at, env.id))
    assert isinstance(newest.body, Profile)
    return bytes(newest.body.seal_key)


async def _read(framed: FramedStream) -> list[Any]:
    frame = await framed.read_frame()
    if frame is None:
        raise KeyRefused("the other side closed the stream")
    try:
        message = msgpack.unpackb(frame, raw=False, max_bin_len=64, max_str_len=200)
    except (ValueError, TypeError, msgpack.UnpackException) as exc:  # untrusted bytes
        raise KeyRefused(f"a damaged message ({exc})") from None
    if not isinstance(message, list) or len(message) != 2 or message[0] not in (0, 1):
        raise KeyRefused("a damaged message")
    if message[0] == _REFUSED:
        reason = message[1] if isinstance(message[1], str) else ""
        raise Declined(reason[:200] or "refused")
    if type(message[1]) is not bytes or len(message[1]) != 32:
        raise KeyRefused("a damaged key")
    return message


async def _send(framed: FramedStream, message: list[Any]) -> None:
    await framed.write_frame(msgpack.packb(message, use_bin_type=True))
    await framed.flush()


async def _close(stream: Any) -> None:
    with trio.CancelScope(shield=True), trio.move_on_after(0.5):
        try:
            await stream.close()
        except Exception:  # a reset stream: nothing left to close
            log.debug("member-keys stream already gone")


class MemberKeys:
    """Gives the member's seal keys to its linked devices, and fetches the current one."""

    def __init__(
        self,
        host: Any,
        home: Home,
        identity: Identity,
        *,
        store: Callable[[], Store | None],
        connected: set[str],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._host, self._home, self._identity = host, home, identity
        self._store, self._connected, self._clock = store, connected, clock
        self._wake = trio.Event()
        self._declined: set[tuple[str, bytes]] = set()  # (peer, key): not asked again
        self.fetched = 0  # keys fetched from siblings since start

    # -- when to look ------------------------------------------------------------

    def poke(self) -> None:
        """Something changed (a peer came, records arrived): look again soon."""
        self._wake.set()

    def watching(self, emit: Callable[[Any], None]) -> Callable[[Any], None]:
        """`emit`, poking this on the events after which a key may be wanted."""

        def watched(event: Any) -> None:
            emit(event)
            if isinstance(event, RecordsArrived) and any(
                isinstance(env.body, Device | Unlink | Rotate) for env in event.records
            ):
                self._declined.clear()  # who is linked may have changed
            if isinstance(event, PeerConnected) or (
                isinstance(event, RecordsArrived)
                and any(isinstance(env.body, Profile | Device) for env in event.records)
            ):
                self.poke()

        return watched

    async def run(self) -> None:
        """Fetch the current seal key whenever it is wanted and a sibling is there."""
        self.poke()
        while True:
            await self._wake.wait()
            self._wake = trio.Event()
            try:
                await self.catch_up()
            except UserError as exc:  # a damaged member.json or keyring: say so, go on
                log.warning("cannot fetch the member's seal key: %s", exc)

    # -- asking --------------------------------------------------------------------

    def _mine(self) -> tuple[PublicKey, MemberDirectory] | None:
        store = self._store()
        if store is None or self._identity.keyring is None:
            return None
        membership = devices.load_membership(self._home, self._identity, store)
        return membership.member, devices.directory_of(store)

    def wanted(self) -> bytes | None:
        """The seal key this member's latest profile names, if this home lacks it."""
        mine = self._mine()
        store = self._store()
        if mine is None or store is None:
            return None
        member, directory = mine
        key = latest_seal_key(store, directory, member)
        if key is None or self._identity.keyring is None or self._identity.keyring.find(key):
            return None
        return key

    def siblings(self) -> list[str]:
        """Connected peers that are devices linked to this member now."""
        mine = self._mine()
        if mine is None:
            return []
        member, directory = mine
        now, me = int(self._clock()), self._identity.public_key
        found = []
        for name in sorted(self._connected):
            try:
                key = public_key_of(name)
            except BadMemberId:
                continue
            if key != me and linked_now(directory, member, key, now):
                found.append(name)
        return found

    async def catch_up(self) -> bool:
        """Fetch the wanted seal key from the first sibling that gives it; True if kept."""
        wanted = self.wanted()
        if wanted is None:
            return False
        for name in self.siblings():
            if (name, wanted) in self._declined:
                continue
            try:
                key = await self.ask(name, wanted)
            except KeyRefused as exc:
                if isinstance(exc, Declined):
                    self._declined.add((name, wanted))
                log.info("%s did not give seal key %s: %s", name, wanted.hex()[:16], exc)
                continue
            assert self._identity.keyring is not None
            self._identity.keyring.add(key, now=int(self._clock()))
            self.fetched += 1
            log.info("seal key %s fetched from %s", wanted.hex()[:16], name)
            return True
        return False

    async def ask(self, name: str, wanted: bytes) -> X25519PrivateKey:
        """The private key of seal key `wanted`, from connected peer `name`; KeyRefused."""
        try:
            with trio.fail_after(SESSION_SECONDS):
                stream = await self._host.new_stream(ID.from_base58(name), [PROTOCOL])
        except trio.TooSlowError:
            raise KeyRefused("no stream within the time allowed") from None
        except Exception as exc:  # libp2p's many kinds: no such protocol, a closed connection
            raise KeyRefused(f"no stream ({type(exc).__name__})") from None
        framed = FramedStream(stream, max_frame=MAX_FRAME)
        try:
            with trio.fail_after(SESSION_SECONDS):
                await _send(framed, [_KEY, wanted])
                answer = await _read(framed)
        except trio.TooSlowError:
            raise KeyRefused("no answer within the time allowed") from None
        except FrameError as exc:
            raise KeyRefused(f"broken frames ({exc})") from None
        except Exception as exc:  # the stream broke
            if isinstance(exc, KeyRefused):
                raise
            raise KeyRefused(f"the stream broke ({type(exc).__name__})") from None
        finally:
            await _close(stream)
        key = X25519PrivateKey.from_private_bytes(answer[1])
        if public_of(key) != wanted:
            raise KeyRefused("the key given is not the one asked for")
        return key

    # -- answering -----------------------------------------------------------------

    async def on_stream(self, stream: Any) -> None:
        framed = FramedStream(stream, max_frame=MAX_FRAME)
        asker = stream.muxed_conn.peer_id.to_base58()
        try:
            with trio.fail_after(SESSION_SECONDS):
                asked = await _read(framed)
                reason, key = self._answer(asker, asked[1])
                if key is None:
                    log.info("refused seal key %s to %s: %s", asked[1].hex()[:16], asker, reason)
                    await _send(framed, [_REFUSED, reason])
                else:
                    log.info("gave seal key %s to %s", asked[1].hex()[:16], asker)
                    await _send(framed, [_KEY, key.private_bytes_raw()])
        except (KeyRefused, FrameError, trio.TooSlowError) as exc:
            log.info("member-keys request from %s failed: %s", asker, exc or "too slow")
        except Exception as exc:  # the stream or connection broke (libp2p's many kinds)
            log.info("member-keys request from %s broke: %s", asker, type(exc).__name__)
        finally:
            await _close(stream)

    def _answer(self, asker: str, wanted: bytes) -> tuple[str, X25519PrivateKey | None]:
        mine = self._mine()
        if mine is None:
            return "this device cannot answer now", None
        member, directory = mine
        try:
            key = public_key_of(asker)
        except BadMemberId:
            return "not a device of this member", None
        if key == self._identity.public_key or not linked_now(
            directory, member, key, int(self._clock())
        ):
            return "not a device linked to this member", None
        assert self._identity.keyring is not None
        found = self._identity.keyring.find(wanted)
        if found is None:
            return "this device does not hold that seal key", None
        return "", found
