"""Post -> stored on every node, p2pshare beside raw py-libp2p GossipSub, same run.

    python -m bench.bench_propagation

For N = 5, 10, 20 nodes on 127.0.0.1 in one random sparse connected graph,
each trial posts one offer on a random node and times until every node has
it in its store (p2pshare: validated, stored, RecordsArrived emitted; raw: the
same bytes delivered to every subscription, no validation, no storage). The
raw network uses the same GossipSub settings, topology and payload size.
Goal: p2pshare's median within 1.25x of raw.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from contextlib import AsyncExitStack

import trio

from bench.netkit import OurNet, RawNet, sparse_graph, wait_for

SIZES = (5, 10, 20)
TRIALS = 15


async def _ours(
    n: int, edges: list[tuple[int, int]], rng: random.Random
) -> tuple[list[float], int]:
    net = OurNet(n)
    times: list[float] = []
    size = 0
    async with trio.open_nursery() as nursery:
        await net.start(nursery, edges)
        for t in range(TRIALS):
            origin = rng.randrange(n)
            rid, t0 = net.post(origin, f"bench offer {t} " + "x" * 120)
            size = size or len(net.members[origin].store.get_data([rid])[0])  # type: ignore[list-item]
            if await wait_for(lambda rid=rid: net.everywhere(rid), 10):
                times.append(net.latest(rid) - t0)
            await trio.sleep(0.05)
        net.close()
        nursery.cancel_scope.cancel()
    return times, size


async def _raw(n: int, edges: list[tuple[int, int]], rng: random.Random, size: int) -> list[float]:
    net = RawNet(n)
    times: list[float] = []
    async with trio.open_nursery() as nursery:
        async with AsyncExitStack() as stack:
            await net.start(stack, nursery, edges)
            for _ in range(TRIALS):
                key, t0 = await net.post(rng.randrange(n), os.urandom(size))
                if await wait_for(lambda key=key: net.everywhere(key), 10):
                    times.append(net.latest(key) - t0)
                await trio.sleep(0.05)
            for host in net.hosts:
                with trio.move_on_after(1):
                    await host.close()
        nursery.cancel_scope.cancel()
    return times


def _ms(xs: list[float]) -> str:
    if not xs:
        return "   n/a"
    return f"{1000 * statistics.median(xs):6.1f}"


async def _main() -> None:
    print(f"{'N':>3} {'edges':>5} {'p2pshare ms':>12} {'raw ms':>8} {'ratio':>6}  delivered")
    for n in SIZES:
        edges = sparse_graph(n)
        ours, size = await _ours(n, edges, random.Random(n))
        raw = await _raw(n, edges, random.Random(n), size)
        ratio = statistics.median(ours) / statistics.median(raw) if ours and raw else float("nan")
        print(
            f"{n:>3} {len(edges):>5} {_ms(ours):>12} {_ms(raw):>8} {ratio:6.2f}  "
            f"{len(ours)}/{TRIALS} vs {len(raw)}/{TRIALS}  (payload {size} B, median)",
            flush=True,
        )


def main() -> None:
    started = time.perf_counter()
    trio.run(_main)
    print(f"total {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
