"""The app's Peers rows by member (issue 15): a member reached only through its second
device (its own libp2p peer) shows connected, on its one row, with that device's
address; the device gets no row of its own.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import TYPE_CHECKING

import pytest
import trio
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from p2pshare.member.actions import Member
from p2pshare.member.home import Home
from p2pshare.member.identity import Identity
from p2pshare.net.node import Node, NodeConfig
from p2pshare.service.api import NetworkOptions, NodeAPI, create_identity
from p2pshare.store import Store
from protocol import DEVICE_CONSENT, Device, PublicKey, member_id, sign_consent

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.network
LOOPBACK = ("/ip4/127.0.0.1/tcp/0",)
WAIT = 30.0  # seconds: a bound; each wait ends as soon as its condition holds


def _bob_with_a_tablet(root: Path) -> tuple[str, Identity, list[bytes]]:
    """Bob's member id, his tablet's identity (certified by his root), his records."""
    home = Home(root / "bob").ensure()
    bob = create_identity(home, name="Bob")
    tablet = Ed25519PrivateKey.generate()
    member = Member.open(home)
    try:
        key = PublicKey(tablet.public_key().public_bytes_raw())
        consent = sign_consent(DEVICE_CONSENT, member.me, key=tablet)
        member.commit(
            Device(member=member.me, device=key, label="tablet", manage=False, consent=consent)
        )
        records = [env.data for env in member.store.all()]
    finally:
        member.close()
    return bob, Identity(tablet, X25519PrivateKey.generate()), records


def _run_tablet(home: Home, identity: Identity, address: str, stop: threading.Event) -> None:
    """Bob's tablet, another machine: dials Ana's node and stays until told to stop."""
    node = Node(home, identity, NodeConfig(listen=LOOPBACK, mdns=False, write_node_file=False))

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            await nursery.start(node.run)
            with trio.fail_after(WAIT):
                await node.dial(address)
            await trio.to_thread.run_sync(stop.wait)
            nursery.cancel_scope.cancel()

    trio.run(main)


def test_a_member_reached_through_its_second_device_is_one_connected_row(
    tmp_path: Path,
) -> None:
    bob, tablet, records = _bob_with_a_tablet(tmp_path)
    home = Home(tmp_path / "ana").ensure()
    create_identity(home, name="Ana")
    with Store.open(home.store_file) as store:
        for data in records:
            assert store.ingest(data, now=int(time.time())).envelope is not None
    api = NodeAPI(home, network=NetworkOptions(listen=LOOPBACK, mdns=False))
    stop = threading.Event()

    async def main() -> None:
        await api.open()
        address = (await api.start_network()).addresses[0]
        tablet_home = Home(tmp_path / "tablet").ensure()
        running = asyncio.create_task(
            asyncio.to_thread(_run_tablet, tablet_home, tablet, address, stop)
        )

        async def reached() -> bool:
            return any(r.id == bob and r.connected for r in await api.peers())

        try:
            async with asyncio.timeout(WAIT):
                while not await reached():  # noqa: ASYNC110 -- a poll of the node: no event
                    await asyncio.sleep(0.05)
            rows = await api.peers()
            (row,) = [r for r in rows if r.id == bob]
            assert row.devices == [bob, member_id(tablet.public_key)]
            assert row.addresses  # the tablet's connection
            assert member_id(tablet.public_key) not in [r.id for r in rows]
        finally:
            stop.set()
            await running
            await api.close()

    asyncio.run(main())
