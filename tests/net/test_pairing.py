"""Pairing a new device with a member over libp2p, in one process (net/pairing.py).

The member's node offers a code (member/pairing_codes.py); a node with a fresh
device key dials it with the code and comes away with a certificate that makes
its records the member's, and the member's seal key. A wrong or expired code
pairs nothing and burns the code.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import pytest
import trio
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from libp2p.network.stream.exceptions import StreamEOF, StreamReset
from libp2p.peer.id import ID

from p2pshare.domain.member_directory import MemberDirectory
from p2pshare.events import DevicePaired, DevicePairingFailed
from p2pshare.member import identity as ident
from p2pshare.member.devices import directory_of, load_membership, settle_joined
from p2pshare.member.home import Home
from p2pshare.member.identity import Identity
from p2pshare.member.pairing_codes import offer_pairing, pairing_state
from p2pshare.net.node import Node
from p2pshare.net.pairing import PROTOCOL, PairingFailed, join
from p2pshare.net.relay import reserve
from protocol import Device, decode

from .conftest import TEST_CONFIG, connect, make_home, start_peer, wait_until, with_config

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.network


def _new_device(root: Path) -> tuple[Home, Identity]:
    """A home without an identity yet, and the key its node dials with."""
    home = Home(root / "laptop").ensure()
    return home, Identity(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())


async def _joining_node(nursery: trio.Nursery, home: Home, identity: Identity) -> Node:
    node = Node(home, identity, TEST_CONFIG)
    await nursery.start(node.run)
    return node


def test_a_new_device_pairs_and_signs_for_the_member(tmp_path: Path) -> None:
    async def main() -> None:
        async with trio.open_nursery() as nursery:
            desk = await start_peer(nursery, make_home(tmp_path, "desk"))
            offered = offer_pairing(desk.home, manage=True, label="laptop")
            home, identity = _new_device(tmp_path)
            node = await _joining_node(nursery, home, identity)
            joined = await node.pair(desk.addr, code=offered.code, label="ignored")
            # the certificate certifies the new key for the desk's member, as asked
            body = joined.certificate.body
            assert isinstance(body, Device)
            assert body.member == desk.node.identity.public_key
            assert body.device == identity.public_key
            assert (body.label, body.manage) == ("laptop", True)
            # the member's seal key came along: sealing to the member reaches this device
            assert (
                joined.seal_key.private_bytes_raw()
                == desk.node.identity.seal_key.private_bytes_raw()
            )
            # the member's profile travels with it, so the new device knows its name
            kinds = [decode(data).kind for data in joined.records]
            assert 1 in kinds
            # the desk stored and will publish the certificate; its directory counts it
            assert desk.has(joined.certificate.id)
            assert desk.node.store is not None
            directory = directory_of(desk.node.store)
            assert directory.member_of(identity.public_key) == body.member
            await wait_until(lambda: any(isinstance(e, DevicePaired) for e in desk.events))
            state = pairing_state(desk.home, offered.code)
            assert state is not None
            assert (state.state, state.device) == ("paired", identity.member_id)
            nursery.cancel_scope.cancel()

        # the new home keeps the device key and the member's seal key
        device = Identity(identity.signing_key, joined.seal_key)
        settle_joined(home, device, joined.certificate.data, community=joined.community)
        loaded = ident.load(home)
        assert loaded.public_key == identity.public_key
        membership = load_membership(home, loaded)
        assert membership.member == body.member
        assert not membership.is_root
        assert membership.manage
        assert (home.path / "member.json").stat().st_mode & 0o777 == 0o600
        directory = MemberDirectory()
        directory.apply([joined.certificate])
        assert directory.verdict(joined.certificate) is None

    trio.run(main)


def test_a_wrong_code_pairs_nothing_and_burns_the_code(tmp_path: Path) -> None:
    async def main() -> None:
        async with trio.open_nursery() as nursery:
            desk = await start_peer(nursery, make_home(tmp_path, "desk"))
            offered = offer_pairing(desk.home, manage=False)
            slot, words = offered.code.split("-", 1)
            other = "abandon-ability-able" if words != "abandon-ability-able" else "zoo-zoo-zoo"
            wrong = f"{slot}-{other}"
            home, identity = _new_device(tmp_path)
            node = await _joining_node(nursery, home, identity)
            with pytest.raises(PairingFailed, match="wrong code"):
                await node.pair(desk.addr, code=wrong, label="laptop")
            await wait_until(lambda: pairing_state(desk.home, offered.code).state == "failed")  # type: ignore[union-attr]
            # one attempt per code: the right code no longer works either
            with pytest.raises(PairingFailed, match="used already"):
                await node.pair(desk.addr, code=offered.code, label="laptop")
            assert desk.node.store is not None
            assert directory_of(desk.node.store).members() == []
            assert not any(isinstance(e, DevicePaired) for e in desk.events)
            failed = [e for e in desk.events if isinstance(e, DevicePairingFailed)]
            assert len(failed) == 1
            assert "wrong code" in failed[0].reason
            nursery.cancel_scope.cancel()

    trio.run(main)


def test_an_expired_code_is_refused(tmp_path: Path) -> None:
    async def main() -> None:
        async with trio.open_nursery() as nursery:
            desk = await start_peer(nursery, make_home(tmp_path, "desk"))
            offered = offer_pairing(desk.home, manage=False, now=1)  # expired long ago
            home, identity = _new_device(tmp_path)
            node = await _joining_node(nursery, home, identity)
            with pytest.raises(PairingFailed, match="expired"):
                await node.pair(desk.addr, code=offered.code, label="laptop")
            nursery.cancel_scope.cancel()

    trio.run(main)


def test_a_device_key_that_did_not_dial_is_refused(tmp_path: Path) -> None:
    """The key to certify must be the peer's own (Noise checked it): nobody can pair a
    key through another peer's connection. The PAKE binds both peer ids, so such a
    joiner cannot even finish the exchange; the code is burnt and nothing is signed."""

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            desk = await start_peer(nursery, make_home(tmp_path, "desk"))
            offered = offer_pairing(desk.home, manage=True)
            home, identity = _new_device(tmp_path)
            node = await _joining_node(nursery, home, identity)
            await node.dial(desk.addr)
            stream = await node._host.new_stream(ID.from_base58(desk.id), [PROTOCOL])
            with pytest.raises(PairingFailed, match="wrong code"):
                await join(
                    stream, code=offered.code, device_key=Ed25519PrivateKey.generate(), label="x"
                )
            assert desk.node.store is not None
            assert directory_of(desk.node.store).members() == []
            nursery.cancel_scope.cancel()

    trio.run(main)


def test_garbage_on_the_pairing_stream_burns_nothing_and_breaks_nothing(tmp_path: Path) -> None:
    async def main() -> None:
        async with trio.open_nursery() as nursery:
            desk = await start_peer(nursery, make_home(tmp_path, "desk"))
            offered = offer_pairing(desk.home, manage=False)
            home, identity = _new_device(tmp_path)
            node = await _joining_node(nursery, home, identity)
            await node.dial(desk.addr)
            for garbage in (b"\x00\x00\x00\x03\xc1\xc1\xc1", b"\x00\x00\x00\x01\x90", b"\xff" * 9):
                stream = await node._host.new_stream(ID.from_base58(desk.id), [PROTOCOL])
                await stream.write(garbage)
                with trio.fail_after(30), contextlib.suppress(StreamEOF, StreamReset):
                    while await stream.read(1024):
                        pass  # the desk answers or closes; either ends this
            # the open code was never reached, so it still pairs
            joined = await node.pair(desk.addr, code=offered.code, label="laptop")
            assert desk.has(joined.certificate.id)
            nursery.cancel_scope.cancel()

    trio.run(main)


def test_a_device_pairs_through_a_relay(tmp_path: Path) -> None:
    """The code's command may name a circuit address (relay first, then the device):
    the new device reaches the offering device through the relay and pairs."""

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            relay = await start_peer(nursery, make_home(tmp_path, "relay"), with_config(relay=True))
            desk = await start_peer(nursery, make_home(tmp_path, "desk"))
            await connect(desk, relay)
            assert await reserve(desk.node._host, ID.from_base58(relay.id)) is not None
            offered = offer_pairing(desk.home, manage=False)
            home, identity = _new_device(tmp_path)
            node = await _joining_node(nursery, home, identity)
            circuit = f"{relay.addr}/p2p-circuit/p2p/{desk.id}"
            joined = await node.pair(circuit, code=offered.code, label="laptop")
            assert desk.has(joined.certificate.id)
            assert node.peer_links()[desk.id]["connection"] == "relayed"
            nursery.cancel_scope.cancel()

    trio.run(main)
