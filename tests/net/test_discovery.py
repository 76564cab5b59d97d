"""How a node finds peers besides --peer: peers.json, config.toml, peer exchange, backoff."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
import trio

from p2pshare.net import discovery
from p2pshare.net.discovery import PeerBook

from .conftest import connect, make_home, network, start_peer, stop_peer, wait_until, with_config

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.network


def _linked(a: object, b: object) -> bool:
    return b.id in a.node.connected() and a.id in b.node.connected()  # type: ignore[attr-defined]


def test_remembered_peer_is_redialed_after_restart(tmp_path: Path) -> None:
    async def main() -> None:
        async with network(tmp_path, ["a"], links="none") as (nursery, (a,)):
            b_home = make_home(tmp_path, "b")
            b = await start_peer(nursery, b_home)
            await connect(b, a)
            await stop_peer(b)
            saved = json.loads(b_home.peers_file.read_text("utf-8"))
            assert a.addr in saved[a.id]["addrs"]
            await wait_until(lambda: b.id not in a.node.connected())
            again = await start_peer(nursery, b_home)  # no --peer, no config.toml
            await wait_until(lambda: _linked(a, again))

    trio.run(main)


def test_bootstrap_peers_from_config_toml_are_dialed(tmp_path: Path) -> None:
    async def main() -> None:
        async with network(tmp_path, ["a"], links="none") as (nursery, (a,)):
            b_home = make_home(tmp_path, "b")
            b_home.config_file.write_text(f'peers = ["{a.addr}"]\n', "utf-8")
            b = await start_peer(nursery, b_home)
            await wait_until(lambda: _linked(a, b))

    trio.run(main)


def test_peers_learned_from_a_peer_are_dialed(tmp_path: Path) -> None:
    async def main() -> None:
        async with network(tmp_path, ["a", "b"]) as (nursery, (a, b)):
            c = await start_peer(nursery, make_home(tmp_path, "c"))
            await connect(c, b)  # c is only told about b
            await wait_until(lambda: _linked(a, c))

    trio.run(main)


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_backoff_grows_per_failure_and_resets_on_success(tmp_path: Path) -> None:
    clock = _Clock()
    book = PeerBook(tmp_path / "peers.json", "me", clock=clock)
    peer = "QmPeer"
    book.add(peer, [f"/ip4/127.0.0.1/tcp/1/p2p/{peer}"])
    assert book.due(set()) == [peer]
    delays = []
    for _ in range(12):
        book.failed(peer)
        assert book.due(set()) == []  # not right after a failure
        start = clock.now
        while not book.due(set()):
            clock.now += 0.05
        delays.append(clock.now - start)
    expected = [min(discovery.BACKOFF_MAX, discovery.BACKOFF_MIN * 2**i) for i in range(12)]
    for got, want in zip(delays, expected, strict=True):
        assert 0.8 * want - 0.05 <= got <= 1.2 * want + 0.05  # +-20 % jitter
    assert delays[-1] <= 1.2 * discovery.BACKOFF_MAX + 0.05  # capped
    book.failed(peer)
    book.add(peer, [], seen=True)  # a successful dial
    assert book.due(set()) == [peer]
    book.failed(peer)  # and the next failure starts over at 1 s
    clock.now += 1.2 * discovery.BACKOFF_MIN + 0.01
    assert book.due(set()) == [peer]


def test_mdns_nodes_find_each_other_on_loopback(tmp_path: Path) -> None:
    # Listening on 127.0.0.1 only, the nodes announce on loopback only
    # (discovery.mdns_interfaces). Measured here: found and connected in ~1.3 s,
    # the time zeroconf takes to register (FINDINGS §9).
    async def main() -> None:
        config = with_config(mdns=True)
        async with network(tmp_path, ["a", "b"], config=config, links="none") as (_, (a, b)):
            await wait_until(lambda: _linked(a, b))

    trio.run(main)


def test_mdns_stays_on_loopback_when_listening_on_loopback() -> None:
    from zeroconf import InterfaceChoice

    assert discovery.mdns_interfaces(["/ip4/127.0.0.1/tcp/4001"]) == ["127.0.0.1"]
    assert discovery.mdns_interfaces(["/ip4/0.0.0.0/tcp/4001"]) is InterfaceChoice.All
