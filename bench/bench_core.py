"""The core at scale: first load, one new record to its feed row, actions, CLI commands.

Issue 10's goals at 100,000 offers: a new gossip record stored → its feed row
updated ≤ 50 ms; an action in the app (post, forward, accept, vouch) ≤ 100 ms;
first load of the home ≤ 1.5 s; a CLI command ≤ 1.5x the same command in an
empty home. Each is measured on the real service (NodeAPI: store, ledger,
trust, feed, change feed) in the same run on a 100-offer home, the baseline.
The first load is timed twice: wall clock, and the CPU seconds of the whole
process (every thread), which a machine busy with other work does not inflate
as much; then the process's RSS (goal 250 MB). The homes come from
bench/homes.py, built once a day and cached.
`python -m bench core`; N_OFFERS in the environment changes the size.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bench.homes import cached_home

if TYPE_CHECKING:
    from p2pshare.store import IngestResult

N_OFFERS = int(os.environ.get("N_OFFERS", "100000"))
DAY = 86_400


def _signed_offer(title: str, created_at: int) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    import protocol

    body = protocol.Offer(
        title=title, description="", skills=("python",), region="", remote=True, value=0,
        currency="", expires_at=created_at + 30 * DAY, contact=b"",
    )  # fmt: skip
    return protocol.sign(body, key=Ed25519PrivateKey.generate(), created_at=created_at).data


async def _service(home_dir: Path) -> dict[str, list[float]]:
    """Open the service on a home as the app does, then time what a member would notice."""
    import protocol
    from p2pshare.events import Changed, Event
    from p2pshare.member.home import Home
    from p2pshare.service.api import NodeAPI

    out: dict[str, list[float]] = {}
    api = NodeAPI(Home.resolve(home_dir))
    waiting_for: list[str] = []  # the offer whose feed row is awaited
    arrived = asyncio.Event()

    def listen(event: Event) -> None:
        if (
            isinstance(event, Changed)
            and event.rows
            and waiting_for[-1:]
            and waiting_for[-1] in event.rows
        ):
            arrived.set()

    api.subscribe(listen)
    t, cpu = time.perf_counter(), time.process_time()
    await api.open()
    feed = await api.feed()
    out["first load"] = [time.perf_counter() - t]
    out["first load (CPU)"] = [time.process_time() - cpu]  # every thread of the process
    out["rows"] = [float(len(feed))]
    out["RSS after first load"] = [_rss_mb()]

    # One record from the network, as the node hands it over: verified, stored, then
    # RecordsArrived's envelopes into the change feed. Clock stops at its feed row.
    store = api.member.store
    loop = asyncio.get_running_loop()
    out["gossip record → feed row"] = []
    for i in range(20):
        envelope = protocol.decode(_signed_offer(f"live {i}", int(time.time())))
        waiting_for.append(envelope.id.hex())
        arrived.clear()
        t = time.perf_counter()
        now = int(time.time())

        def ingest(record: protocol.Envelope = envelope, now: int = now) -> list[IngestResult]:
            return store.ingest_verified([record], now=now)

        result = await loop.run_in_executor(None, ingest)
        api._changes.add([envelope], [result[0].seq])  # what the node's RecordsArrived does
        await asyncio.wait_for(arrived.wait(), timeout=30)
        out["gossip record → feed row"].append(time.perf_counter() - t)
    first = feed[0].id
    peers = await api.peers()
    target = next(p.id for p in peers if p.name.startswith("member"))
    timings: dict[str, list[float]] = {"post": [], "forward": [], "accept": [], "vouch": []}
    for i in range(10):
        t = time.perf_counter()
        await api.post_offer(title=f"Mine {i}", skills=["python"], expires_days=30)
        timings["post"].append(time.perf_counter() - t)
        t = time.perf_counter()
        await api.forward(first, to=target, note="")
        timings["forward"].append(time.perf_counter() - t)
    others = [item for item in await api.feed() if not (item.mine or item.accepted)]
    for item in others[:10]:
        t = time.perf_counter()
        await api.accept(item.id)
        timings["accept"].append(time.perf_counter() - t)
    for peer in peers[:10]:
        t = time.perf_counter()
        await api.vouch(peer.id)
        timings["vouch"].append(time.perf_counter() - t)
    out.update({f"action: {k}": v for k, v in timings.items()})
    await api.close()
    return out


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cli(home: Path, *args: str, runs: int = 5) -> list[float]:
    exe = Path(sys.executable).with_name("p2pshare")
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([str(exe), "--home", str(home), *args], check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return times


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:7.1f} ms  max {max(values) * 1000:7.1f} ms"


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="p2pshare-bench-core-"))
    try:
        results = {}
        homes = {}
        for n in (100, N_OFFERS):
            homes[n], _ = cached_home(root / str(n), n)
            results[n] = asyncio.run(_service(homes[n]))
        big, small = results[N_OFFERS], results[100]
        print(f"\nthe service on a home of {N_OFFERS:,} offers (baseline: 100 offers)")
        goals = {
            "first load (CPU)": "1.5 s",
            "first load": "1.5 s",
            "gossip record → feed row": "50 ms",
            "action: post": "100 ms",
            "action: forward": "100 ms",
            "action: accept": "100 ms",
            "action: vouch": "100 ms",
        }
        for key, goal in goals.items():
            ratio = statistics.median(big[key]) / statistics.median(small[key])
            print(f"  {key:26} {_ms(big[key])}  (baseline {_ms(small[key])}, x{ratio:.2f})"
                  f"  goal {goal}")  # fmt: skip
        rss, base_rss = big["RSS after first load"][0], small["RSS after first load"][0]
        print(
            f"  {'RSS after first load':26} {rss:7.0f} MB (baseline {base_rss:.0f} MB)  goal 250 MB"
        )
        print("\nCLI commands, whole process (goal: ≤ 1.5x the same in a 100-offer home)")
        for args in (("offers", "--json"), ("offer", "post", "--title", "A job"), ("peers",)):
            if args[0] in ("offers", "peers"):
                label = " ".join(args) + " (reads everything)"
            else:
                label = " ".join(args[:2])
            b, s = _cli(homes[N_OFFERS], *args), _cli(homes[100], *args)
            ratio = statistics.median(b) / statistics.median(s)
            print(f"  {label:34} {_ms(b)}  (baseline {_ms(s)}, x{ratio:.2f})")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
