"""200 offers posted at once on a 5-node line: how many reach every node within 10 s.

    python -m bench.bench_burst

Goal: 100 %. The offers go out by gossip; what a peer's rate limit (50/s,
burst 200) refuses arrives by catch-up sync shortly after.
"""

from __future__ import annotations

import time

import trio

import protocol
from bench.netkit import OurNet, wait_for

N = 5
OFFERS = 200
WINDOW = 10.0


async def _main() -> None:
    net = OurNet(N)
    async with trio.open_nursery() as nursery:
        await net.start(nursery, [(i, i + 1) for i in range(N - 1)])
        member = net.members[0]

        key, now = member.identity.signing_key, int(time.time())
        envelopes = [
            protocol.sign(
                protocol.Offer(
                    title=f"burst {i}",
                    description="",
                    skills=(),
                    region="",
                    remote=True,
                    value=0,
                    currency="",
                    expires_at=now + 86_400,
                    contact=b"",
                ),
                key=key,
                created_at=now,
            )
            for i in range(OFFERS)
        ]

        def post_all() -> list[bytes]:
            # straight into the outbox (Member.post_offer also re-derives the ledger
            # for its checks: seconds for 200, which is not what this measures)
            for env in envelopes:
                member.store.add_own(env)
            return [bytes(env.id) for env in envelopes]

        t0 = time.perf_counter()
        ids = await trio.to_thread.run_sync(post_all)
        posted = time.perf_counter() - t0
        net.nodes[0].kick()
        for rid in ids:
            net.arrivals[0].setdefault(rid, time.perf_counter())
        await wait_for(lambda: all(net.everywhere(r) for r in ids), WINDOW - posted)
        elapsed = time.perf_counter() - t0
        per_node = [sum(r in a for r in ids) for a in net.arrivals]
        everywhere = sum(net.everywhere(r) for r in ids)
        last = max((net.latest(r) for r in ids if net.everywhere(r)), default=t0) - t0
        print(f"posting {OFFERS} offers took {posted:.2f} s (into the outbox, each fsync'd)")
        print(f"per node within {WINDOW:.0f} s: {per_node}")
        print(
            f"delivered on every node: {everywhere}/{OFFERS} = {100 * everywhere / OFFERS:.0f} %"
            f"; last arrival {last:.2f} s after the first post (waited {elapsed:.2f} s)"
        )
        spans = [
            (min(a[r] for r in ids if r in a) - t0, max(a[r] for r in ids if r in a) - t0)
            for a in net.arrivals
        ]
        print("first/last arrival per node (s):", [f"{x:.2f}/{y:.2f}" for x, y in spans])
        gates = [n._gate.stats for n in net.nodes if n._gate is not None]
        print("gossip accepted per node:", [g.accepted for g in gates])
        print("gossip refused per node:", [g.rejected for g in gates])
        net.close()
        nursery.cancel_scope.cancel()


def main() -> None:
    trio.run(_main)


if __name__ == "__main__":
    main()
