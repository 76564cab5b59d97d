"""Refusals are not quiet, and a node under load still stops at once (issue 16 §6).

- what the node refuses is counted per peer and reason (`Node.refusals`, the
  `refusals` of `peers --json`) and summed up in one INFO line a minute at most;
- `serve` with many peers stops within a second after SIGTERM.

The hostile peers are their own py-libp2p hosts: a GossipSub publisher without a
validator, and bare Noise + Yamux connections from fresh identities.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from contextlib import AsyncExitStack
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

import pytest
import trio
from signers import get_member

from p2pshare.domain.views import PeerItem

from .conftest import Peer, network, wait_until
from .test_connection_slots import registered, stranger
from .test_hostile_clock import gossiper
from .test_serve import _cli, _lines

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.network


def test_refusals_are_counted_per_peer_and_summed_up_once_a_minute(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    flooder = get_member("loud")
    now = int(time.time())
    spam = [flooder.offer(at=now, title=f"spam {i}").data for i in range(400)]
    caplog.set_level(logging.INFO, logger="p2pshare.net.refusals")

    async def main() -> None:
        async with network(tmp_path, ["b"]) as (_, (b,)), AsyncExitStack() as stack:
            host, pubsub = await gossiper(stack, b)
            x = host.get_id().to_base58()
            for data in spam:
                await pubsub.publish(b.node.topic, data)
            for _ in range(3):
                await pubsub.publish(b.node.topic, os.urandom(200))
            refusals = b.node.refusals
            door = b.node._door
            assert door is not None

            def judged() -> int:
                return door.accepted + sum(refusals().get(x, {}).values())

            await wait_until(lambda: judged() == 403, 10)
            assert refusals()[x]["invalid"] == 3
            assert refusals()[x]["flood"] >= 100  # 200 at once, 50/s after
            # more refusals within the minute: still one line
            for i in range(50):
                await pubsub.publish(b.node.topic, flooder.offer(at=now, title=f"+{i}").data)
            await wait_until(lambda: judged() == 453, 10)

    trio.run(main)
    lines = [r for r in caplog.records if r.name == "p2pshare.net.refusals"]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert lines[0].levelno == logging.INFO
    assert "flood" in lines[0].getMessage()


def test_peer_items_carry_refusals() -> None:
    item = PeerItem(
        id="x",
        name="",
        headline="",
        skills=[],
        region="",
        available=True,
        trust=0.0,
        vouches=0,
        vouched_by_me="",
        fulfilled=0,
        failed=0,
        connector_credit=0,
        muted=False,
        blocked=False,
    )
    assert item.to_json()["refusals"] == {}


def _serve(home: Path) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "p2pshare", "--home", str(home), "serve", "--no-mdns"]
    cmd += ["--listen", "/ip4/127.0.0.1/tcp/0"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_serve_with_twenty_peers_stops_without_closing_them_one_by_one(tmp_path: Path) -> None:
    """Upstream closes connections one by one, 0.1 s each: 20 peers took over 2 s."""
    home = tmp_path / "busy"
    _cli(home, "init", "--name", "busy")
    proc = _serve(home)
    try:
        addr = _lines(proc)["listening"]
        target = cast("Peer", SimpleNamespace(addr=addr))

        async def main() -> float:
            async with AsyncExitStack() as stack:
                for _ in range(20):
                    muxed: Any = await stack.enter_async_context(stranger(target))
                    await registered(muxed)
                started = time.monotonic()
                proc.send_signal(signal.SIGTERM)
                with trio.fail_after(10):
                    while proc.poll() is None:  # noqa: ASYNC110 -- a process: no event
                        await trio.sleep(0.01)
                return time.monotonic() - started

        stopped = trio.run(main)
        assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
        print(f"serve with 20 peers stopped {stopped:.2f} s after SIGTERM")
        # Upstream's serial close sleeps 0.1 s per connection: 20 peers cannot stop in
        # under 2 s that way, however idle the machine. Our parallel close takes ~0.45 s
        # idle (the README's "under a second"); the margin is for a loaded CI machine.
        assert stopped < 1.9
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
