"""A revoked device loses what is sealed to its member from then on (issue 15).

Member M has three devices: D1 (its root, the first home), D2 and D3 (certified
by D1, holding M's seal key as a paired device does). Member X is someone else.
D1 revokes D3: that gives M a new seal key and a profile naming it. D2 fetches
the key from D1 over `/p2pshare/member-keys/1.0.0` (net/member_keys.py); X seals
to the new key once the profile reaches it. D1 and D2 open what X seals to M
afterwards, D3 does not, and D1 refuses D3's request for the key, and X's.
What was sealed before the change still opens on D3, as docs/PROTOCOL.md says.
A root restored from its words after such a change fetches the new key from D2.
"""

from __future__ import annotations

import time
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING

import pytest
import trio
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

import protocol as p
from p2pshare.errors import UserError
from p2pshare.member import devices, recovery, sealing
from p2pshare.member import identity as ident
from p2pshare.member.actions import Member
from p2pshare.member.home import Home
from p2pshare.member.pairing_codes import offer_pairing
from p2pshare.member.seal_keys import public_of
from p2pshare.net import gossip
from p2pshare.net.member_keys import KeyRefused
from p2pshare.net.node import Node
from p2pshare.store import Store

from .conftest import TEST_CONFIG, Peer, connect, make_home, start_peer, wait_until

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.network


def paired_home(root: Path, name: str, member_home: Home) -> Home:
    """A device home of the member whose root lives in `member_home`: its own key, the
    member's seal key, and a certificate from the root (in the root's store too)."""
    member = ident.load(member_home)
    device = ident.Identity(Ed25519PrivateKey.generate(), member.seal_key)
    body = p.Device(
        member=member.public_key,
        device=device.public_key,
        label=name,
        manage=False,
        consent=p.sign_consent(p.DEVICE_CONSENT, member.public_key, key=device.signing_key),
    )
    certificate = p.sign(body, key=member.signing_key, created_at=int(time.time()) - 60)
    store = Store.open(member_home.store_file)
    try:
        store.add_own(certificate, now=int(time.time()))
    finally:
        store.close()
    home = Home(root / name).ensure()
    devices.settle_joined(home, device, certificate.data, community=gossip.DEFAULT_COMMUNITY)
    return home


def seal_key_on(peer: Peer, member: p.PublicKey) -> p.PublicKey | None:
    """The seal key `peer` would seal to `member` with now (None: no profile yet)."""
    try:
        return peer.member.seal_key_of(member)
    except UserError:
        return None


def opens(home: Home, forward: p.Envelope, author: p.PublicKey) -> str:
    """What the device in `home` reads of the forward's sealed note (its own keys, now)."""
    body = forward.body
    assert isinstance(body, p.Forward)
    keys = ident.load(home).seal_keys
    context = p.forward_note_context(author, body.parent, body.to)
    return sealing.open_text(body.private_note, keys, context)


def test_a_revoked_device_cannot_open_what_is_sealed_to_its_member_afterwards(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        m_home = make_home(tmp_path, "d1")
        d2_home = paired_home(tmp_path, "d2", m_home)
        d3_home = paired_home(tmp_path, "d3", m_home)
        x_home = make_home(tmp_path, "x")
        async with AsyncExitStack() as stack, trio.open_nursery() as nursery:
            d1 = await start_peer(nursery, m_home)
            d2 = await start_peer(nursery, d2_home)
            d3 = await start_peer(nursery, d3_home)
            x = await start_peer(nursery, x_home)
            for peer in (d1, d2, d3, x):
                stack.callback(peer.close)
            member = d1.member.me
            old_seal = d1.member.identity.seal_public
            for other in (d2, d3, x):
                await connect(d1, other)
            # X has M's profile; X posts an offer and forwards it to M with a private note
            await wait_until(lambda: seal_key_on(x, member) == old_seal)
            offer = x.member.post_offer(title="Fix a bike")
            state = x.member.resolve_offer(offer.id.hex())
            before = x.member.forward(state, to=member, note="sealed before the change")
            x.node.kick()
            assert opens(d3_home, before, x.member.me) == "sealed before the change"

            revoked = devices.revoke(d1.member, d3.id, reason="stolen", since=int(time.time()))
            d1.node.kick()
            assert revoked.profile is not None
            new_seal = d1.member.identity.seal_public
            assert new_seal != old_seal
            # D2 fetches the new key from D1; X learns the profile naming it
            await wait_until(lambda: d2.node.identity.seal_public == new_seal)
            await wait_until(lambda: seal_key_on(x, member) == new_seal)

            after = x.member.forward(state, to=member, note="sealed after the change")
            assert opens(m_home, after, x.member.me) == "sealed after the change"
            assert opens(d2_home, after, x.member.me) == "sealed after the change"
            assert opens(d3_home, after, x.member.me) == ""
            # the remaining devices still read the old text
            assert opens(d2_home, before, x.member.me) == "sealed before the change"
            assert opens(m_home, before, x.member.me) == "sealed before the change"

            # D3 asks D1 for the new key (it saw the profile): refused, as is X
            await wait_until(lambda: d3.has(revoked.unlink.id))
            assert d3.node.member_keys is not None
            assert x.node.member_keys is not None
            with pytest.raises(KeyRefused, match="not a device linked"):
                await d3.node.member_keys.ask(d1.id, bytes(new_seal))
            with pytest.raises(KeyRefused, match="not a device linked"):
                await x.node.member_keys.ask(d1.id, bytes(new_seal))
            assert d3.node.identity.keyring is not None
            assert d3.node.identity.keyring.find(bytes(new_seal)) is None
            assert public_of(d3.node.identity.current_seal_key) == bytes(old_seal)

            nursery.cancel_scope.cancel()

    trio.run(main)


def test_a_root_restored_from_its_words_fetches_the_current_seal_key(tmp_path: Path) -> None:
    """M's root home revokes a device (a new seal key), D2 holds that key too; the root's
    laptop is lost. Restored from its words on a fresh home, the root holds only the key
    its words name; after a sync with D2 it fetches the current one and opens what was
    sealed to it. With no device of M online it would open only the old text."""
    m_home = make_home(tmp_path, "lost")
    d2_home = paired_home(tmp_path, "d2", m_home)
    d3_home = paired_home(tmp_path, "d3", m_home)
    root = Member.open(m_home)
    try:
        old_seal = root.identity.seal_public
        old_text = sealing.seal_text("sealed before", old_seal, b"test:context")
        devices.revoke(root, p.member_id(ident.load(d3_home).public_key), reason="x", since=0)
        new_seal = root.identity.seal_public
        new_text = sealing.seal_text("sealed after", new_seal, b"test:context")
        history = list(root.store.all())
        new_key = root.identity.current_seal_key
        words = recovery.words_for(root.identity)
    finally:
        root.close()
    d2_store = Store.open(d2_home.store_file)
    try:
        for envelope in history:  # D2 took in its member's records, and fetched the key
            d2_store.add_own(envelope, now=int(time.time()))
    finally:
        d2_store.close()
    d2_keyring = ident.load(d2_home).keyring
    assert d2_keyring is not None
    d2_keyring.add(new_key, now=int(time.time()))

    r_home = Home(tmp_path / "restored").ensure()
    ident.restore(r_home, recovery.identity_from_words(" ".join(words)))
    assert sealing.open_text(new_text, ident.load(r_home).seal_keys, b"test:context") == ""

    async def main() -> None:
        async with AsyncExitStack() as stack, trio.open_nursery() as nursery:
            r = await start_peer(nursery, r_home)
            d2 = await start_peer(nursery, d2_home)
            for peer in (r, d2):
                stack.callback(peer.close)
            await connect(r, d2)  # a sync on connect brings the member's history
            await wait_until(lambda: r.node.identity.seal_public == new_seal)
            nursery.cancel_scope.cancel()

    trio.run(main)
    keys = ident.load(r_home).seal_keys
    assert sealing.open_text(new_text, keys, b"test:context") == "sealed after"
    assert sealing.open_text(old_text, keys, b"test:context") == "sealed before"


def test_a_device_paired_after_a_seal_key_change_gets_the_current_key(tmp_path: Path) -> None:
    desk_home = make_home(tmp_path, "desk")
    old_phone = paired_home(tmp_path, "old-phone", desk_home)
    desk = Member.open(desk_home)
    try:
        old_id = p.member_id(ident.load(old_phone).public_key)
        devices.revoke(desk, old_id, reason="lost", since=int(time.time()))
        current = desk.identity.seal_public
    finally:
        desk.close()

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            offering = await start_peer(nursery, desk_home)
            offered = offer_pairing(desk_home, manage=False, label="laptop")
            laptop = ident.Identity(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())
            node = Node(Home(tmp_path / "laptop").ensure(), laptop, TEST_CONFIG)
            await nursery.start(node.run)
            joined = await node.pair(offering.addr, code=offered.code, label="laptop")
            assert public_of(joined.seal_key) == bytes(current)
            offering.close()
            nursery.cancel_scope.cancel()

    trio.run(main)
