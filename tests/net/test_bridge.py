"""The trio-in-asyncio bridge on its own, then with a real node."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

import pytest
import trio
import trio.lowlevel

from p2pshare.errors import UserError
from p2pshare.net.bridge import TrioBridge

if TYPE_CHECKING:
    from pathlib import Path


class Fake:
    """A stand-in node: starts, answers calls, emits events, stops when cancelled."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.fail = fail
        self.kicks = 0
        self.closed = False
        self.emit: Any = None

    async def run(self, *, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
        await trio.sleep(0.01)
        if self.fail is not None:
            raise self.fail
        task_status.started("info")
        try:
            await trio.sleep_forever()
        finally:
            with trio.CancelScope(shield=True):
                await trio.sleep(0.01)  # a shielded cleanup, like host.close()
                self.closed = True

    async def double(self, x: int) -> int:
        await trio.lowlevel.checkpoint()
        self.emit(("doubled", x))
        return 2 * x

    async def boom(self) -> None:
        raise UserError("nope")

    def kick(self) -> None:
        self.kicks += 1


def test_start_call_emit_and_stop() -> None:
    async def main() -> None:
        bridge = TrioBridge()
        fake = Fake()
        fake.emit = bridge.emit
        assert await bridge.start(fake.run) == "info"
        assert bridge.running
        assert await bridge.call(fake.double, 21, timeout=2) == 42
        assert await asyncio.wait_for(bridge.events.get(), 2) == ("doubled", 21)
        with pytest.raises(UserError, match="nope"):
            await bridge.call(fake.boom, timeout=2)
        bridge.call_sync(fake.kick)
        await bridge.call(trio.sleep, 0, timeout=2)  # runs after the kick
        assert fake.kicks == 1
        with pytest.raises(asyncio.TimeoutError):  # a timeout cancels the trio task
            await bridge.call(trio.sleep_forever, timeout=0.05)
        started = time.monotonic()
        assert await bridge.stop(timeout=1.0)
        assert time.monotonic() - started < 1.0
        assert fake.closed
        assert not bridge.running

    asyncio.run(main())


def test_start_error_reaches_the_caller() -> None:
    async def main() -> None:
        bridge = TrioBridge()
        with pytest.raises(UserError, match="port in use"):
            await bridge.start(Fake(fail=UserError("port in use")).run)
        assert not bridge.running

    asyncio.run(main())


@pytest.mark.network
def test_real_node_through_the_bridge(tmp_path: Path) -> None:
    import socket

    from p2pshare.member.actions import Member
    from p2pshare.net.node import Node, NodeConfig
    from tests.net.conftest import make_home, port_free

    home = make_home(tmp_path, "a")
    member = Member.open(home)
    member.close()

    def node(listen: str) -> Node:
        return Node(home, member.identity, NodeConfig(listen=(listen,), mdns=False))

    async def main() -> None:
        taken = socket.socket()
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = f"/ip4/127.0.0.1/tcp/{taken.getsockname()[1]}"
        with pytest.raises(UserError, match="cannot listen"):
            await TrioBridge().start(node(busy).run)
        taken.close()

    asyncio.run(main())  # one trio run per thread at a time: a fresh loop per bridge

    async def main2() -> None:
        bridge = TrioBridge()
        a = node("/ip4/127.0.0.1/tcp/0")
        info = await bridge.start(a.run)
        assert home.node_file.exists()
        port = int(info.addresses[0].split("/tcp/")[1].split("/")[0])
        with pytest.raises(UserError, match="this node itself"):
            await bridge.call(a.dial, info.addresses[0], timeout=10)
        assert await bridge.call(_connected, a, timeout=2) == []
        started = time.monotonic()
        assert await bridge.stop(timeout=1.0)
        assert time.monotonic() - started < 1.0
        assert port_free(port)
        assert not home.node_file.exists()

    asyncio.run(main2())


async def _connected(node: Any) -> list[str]:
    return list(node.connected())
