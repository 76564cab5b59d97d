"""The app's side of devices (issue 15): NodeAPI offers a pairing code, a new device
pairs with the running node, the app is told and lists it, and can revoke it.

The new device runs its own trio node in a thread, as another machine would.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest
import trio
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from p2pshare.errors import UserError
from p2pshare.events import DevicePaired
from p2pshare.member.home import Home
from p2pshare.member.identity import Identity
from p2pshare.net.node import Node, NodeConfig
from p2pshare.service.api import NetworkOptions, NodeAPI, create_identity

if TYPE_CHECKING:
    from pathlib import Path

    from p2pshare.net.pairing import Joined

pytestmark = pytest.mark.network
LOOPBACK = ("/ip4/127.0.0.1/tcp/0",)
WAIT = 30.0  # seconds: a bound; each wait ends as soon as its condition holds


def _join(home: Home, address: str, code: str) -> Joined:
    """Another machine: a fresh device key pairs with `code`, in its own trio run."""
    identity = Identity(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())
    node = Node(home, identity, NodeConfig(listen=LOOPBACK, mdns=False, write_node_file=False))

    async def main() -> Joined:
        async with trio.open_nursery() as nursery:
            await nursery.start(node.run)
            joined = await node.pair(address, code=code, label="phone")
            nursery.cancel_scope.cancel()
        return joined

    return trio.run(main)


def test_the_app_pairs_lists_and_revokes_a_device(tmp_path: Path) -> None:
    home = Home(tmp_path / "ana").ensure()
    member = create_identity(home, name="Ana")
    api = NodeAPI(home, network=NetworkOptions(listen=LOOPBACK, mdns=False))
    events: list[Any] = []

    async def main() -> None:
        await api.open()
        with pytest.raises(UserError, match="not running"):
            await api.start_pairing()
        api.subscribe(events.append)
        await api.start_network()
        try:
            pairing = await api.start_pairing()
            assert pairing.addresses[0].endswith(f"/p2p/{member}")
            joined = await asyncio.to_thread(
                _join, Home(tmp_path / "phone").ensure(), pairing.addresses[0], pairing.code
            )
            phone = [e for e in events if isinstance(e, DevicePaired)]
            async with asyncio.timeout(WAIT):
                while not phone:
                    await asyncio.sleep(0.02)
                    phone = [e for e in events if isinstance(e, DevicePaired)]
            assert phone[0].label == "phone"
            listed = await api.devices()
            assert [(d.device_id, d.this_device, d.label) for d in listed] == [
                (member, True, "root key"),
                (phone[0].device_id, False, "phone"),
            ]
            assert joined.certificate.author == api.member.me  # certified by this node
            record = await api.revoke_device(phone[0].device_id[:24], reason="lost")
            assert len(record) == 64
            revoked = (await api.devices())[1]
            assert revoked.unlinked_from is not None
            assert revoked.reason == "lost"
            with pytest.raises(UserError, match="revoked already"):
                await api.revoke_device(phone[0].device_id)
        finally:
            await api.close()

    asyncio.run(main())
