"""Issue 11 on one machine: find a member by id, invites with circuit addresses,
the book's fresh addresses, the listen port kept in config.toml, one node per port.
(Relays, NATs and hole punching need the namespace lab: tests/lab.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import trio

from p2pshare.errors import UserError
from p2pshare.member.actions import Member
from p2pshare.member.home import Home, config_listen, ensure_listen
from p2pshare.net.discovery import PeerBook
from p2pshare.net.host import check_port_free, listen_addrs
from p2pshare.net.invite import make_invite, parse_peer

from .conftest import make_home, network, start_peer, wait_until, with_config

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.network


def test_find_a_member_by_id_through_a_common_peer(tmp_path: Path) -> None:
    """a - r - b: b knows only a's member id, asks r, and connects to a."""

    async def main() -> None:
        async with network(tmp_path, ["a", "r", "b"], links="line") as (_, (a, _r, b)):
            found = await b.node.find(a.id)
            assert a.addr in found  # r told where a is
            assert a.addr in b.node._book.addrs(a.id)
            stranger = make_home(tmp_path, "stranger")
            nobody = Member.open(stranger)
            assert await b.node.find(nobody.identity.member_id) == []  # nobody knows
            nobody.close()
            await b.node.dial(found[0])
            await wait_until(lambda: a.id in b.node.connected())

    trio.run(main)


def test_a_stale_address_is_replaced_by_the_peers_own_listing(tmp_path: Path) -> None:
    book = PeerBook(tmp_path / "peers.json", "me")
    peer = "12D3KooWPeer"
    book.add(peer, [f"/ip4/198.51.100.1/tcp/1/p2p/{peer}"])
    book.add(peer, [f"/ip4/198.51.100.2/tcp/2/p2p/{peer}"])  # learned: goes first, keeps
    assert book.addrs(peer)[0].startswith("/ip4/198.51.100.2/")
    assert len(book.addrs(peer)) == 2
    fresh = f"/ip4/198.51.100.10/tcp/4001/p2p/R/p2p-circuit/p2p/{peer}"
    book.add(peer, [fresh], seen=True, own=True)  # what the peer says itself replaces
    assert book.addrs(peer) == [fresh]
    book.failed(peer)
    assert peer not in book.due(set())
    assert book.retry_via("R") == [peer]
    assert peer in book.due(set())


def test_relays_that_served_us_are_remembered_and_dialled_first(tmp_path: Path) -> None:
    book = PeerBook(tmp_path / "peers.json", "me")
    book.add("P", ["/ip4/198.51.100.1/tcp/1/p2p/P"], seen=True)
    book.add("R", ["/ip4/198.51.100.10/tcp/4001/p2p/R"])
    assert book.due(set()) == ["P", "R"]  # most recently seen first
    book.mark_relay("R")
    assert book.due(set()) == ["R", "P"]
    book.save()
    again = PeerBook(tmp_path / "peers.json", "me")
    again.load()
    assert again.due(set()) == ["R", "P"]


def test_an_invite_carries_circuit_addresses() -> None:
    from libp2p.crypto.ed25519 import create_new_key_pair
    from libp2p.peer.id import ID

    a, r = (ID.from_pubkey(create_new_key_pair(bytes([i]) * 32).public_key) for i in (1, 2))
    addrs = [
        f"/ip4/10.0.1.2/tcp/4001/p2p/{a}",
        f"/ip4/198.51.100.10/tcp/4001/p2p/{r}/p2p-circuit/p2p/{a}",
    ]
    parsed = parse_peer(make_invite(str(a), addrs, "lab"))
    assert parsed.addrs == tuple(addrs)
    assert parsed.community == "lab"


def test_the_listen_port_is_kept_and_one_node_per_port(tmp_path: Path) -> None:
    home = Home(tmp_path / "h").ensure()
    home.config_file.write_text("[extra]\nx = 1\n", "utf-8")
    first = ensure_listen(home)
    assert first == config_listen(home) == ensure_listen(home)  # chosen once, kept
    assert first[0].startswith("/ip4/0.0.0.0/tcp/")
    assert "[extra]" in home.config_file.read_text("utf-8")

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            peer_home = make_home(tmp_path, "p")
            p = await start_peer(nursery, peer_home, with_config(listen=()))
            kept = config_listen(peer_home)
            assert kept
            assert kept[0].split("/tcp/")[1] in p.addr
            port = kept[0].split("/tcp/")[1]
            with pytest.raises(UserError, match="another node on this port"):
                check_port_free(listen_addrs([f"/ip4/127.0.0.1/tcp/{port}"]))
            p.close()
            nursery.cancel_scope.cancel()

    trio.run(main)
