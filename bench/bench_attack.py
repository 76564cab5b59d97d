"""Attacks on a line of members A - B - C, each in its own process, beside the quiet line.

Scenarios (issue 16): `churn` (fresh identities joining and leaving B's mesh),
`flood` (valid offers by fresh keys, gossiped to B as fast as it takes them),
`sync-dump` (sync sessions pushing thousands of records into B, and "I hold
nothing" requests drawing B's store). The attacker is a separate process with
its own py-libp2p hosts and talks to B only. A posts offers meanwhile; what is
measured: honest delivery A -> C (p50/p95, through B), B's CPU seconds and RSS
over the scenario, and the records B admitted from the attacker.

Flood and sync-dump are the same attack by two paths, so they are comparable:
the same records (5,000 offers by 20 fresh keys, re-sent while refused), from
one stranger peer, for the same `seconds`, starting once B is subscribed. Both
pass B's door (p2pshare/net/door.py), whose budget for a stranger peer is
gossip_burst + gossip_rate x seconds (200 + 50/s); each row prints what it
admitted beside that budget. (The flood used to publish 5,000 records flat out
once: they mostly never left the attacker, see flood(), and "admitted 0" beside
sync's 978 compared an attack that did not arrive with one that lasted.)

Run: `python -m bench attack`. Workers: `python -m bench.bench_attack member|attacker ...`.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import resource
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HISTORY = 2_000  # records every member holds before the scenario (same set)
NOW = 1_750_000_000  # the history's dates: fixed, so every member holds the same records
POSTS = {"posts": 40, "gap": 0.4}  # A's offers in every scenario: 16 s of honest news
# flood and sync-dump: the same records for the same time (16 s of posts, 4 s to arrive)
ATTACK = {"records": 5_000, "keys": 20, "seconds": 20.0}
SCENARIOS: dict[str, dict[str, Any]] = {
    "quiet": {**POSTS},
    "churn": {**POSTS, "identities": 120, "concurrent": 12},
    "flood": {**POSTS, **ATTACK},
    "sync-dump": {**POSTS, **ATTACK, "dumps": 4},
}


# -- orchestration (plain processes, no trio here) --------------------------------------


class Proc:
    """A worker process speaking one JSON object per line on stdin/stdout."""

    def __init__(self, *args: str) -> None:
        self.p = subprocess.Popen(
            [sys.executable, "-m", "bench.bench_attack", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=str(Path(__file__).resolve().parent.parent),
        )
        self._buf = ""

    def recv(self, timeout: float = 60.0) -> dict[str, Any]:
        assert self.p.stdout is not None
        deadline = time.monotonic() + timeout
        while "\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("a worker did not answer in time")
            ready, _, _ = select.select([self.p.stdout], [], [], left)
            if ready:
                chunk = os.read(self.p.stdout.fileno(), 65536).decode()
                if not chunk:
                    raise RuntimeError(f"a worker exited ({self.p.wait()})")
                self._buf += chunk
        line, self._buf = self._buf.split("\n", 1)
        return dict(json.loads(line))

    def ask(self, timeout: float = 60.0, **cmd: Any) -> dict[str, Any]:
        assert self.p.stdin is not None
        self.p.stdin.write(json.dumps(cmd) + "\n")
        self.p.stdin.flush()
        return self.recv(timeout)

    def stop(self) -> None:
        if self.p.poll() is None:
            with contextlib.suppress(Exception):
                self.ask(5, cmd="quit")
        try:
            self.p.wait(5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def run_scenario(name: str, root: Path) -> dict[str, Any]:
    spec = SCENARIOS[name]
    procs: list[Proc] = []
    try:
        a = Proc("member", str(root / name / "a"))
        procs.append(a)
        a_info = a.recv()
        b = Proc("member", str(root / name / "b"), a_info["addr"])
        procs.append(b)
        b_info = b.recv()
        c = Proc("member", str(root / name / "c"), b_info["addr"])
        procs.append(c)
        c.recv()
        time.sleep(2.0)  # meshes form (heartbeat 1 s)
        honest = [a_info["key"], b_info["key"], c.ask(cmd="key")["key"], a_info["history_key"]]
        before = b.ask(cmd="stats", honest=honest)
        attacker: Proc | None = None
        if name != "quiet":
            attacker = Proc("attacker", name, b_info["addr"], json.dumps(spec))
            procs.append(attacker)
            attacker.recv(120)  # ready: connected, records signed
            attacker.ask(cmd="go")
        posted = a.ask(120, cmd="post", n=spec["posts"], gap=spec["gap"])["posted"]
        ids = [rid for rid, _ in posted]
        deadline = time.monotonic() + 15
        arrivals: dict[str, float] = {}
        while time.monotonic() < deadline:
            arrivals = c.ask(cmd="arrivals", ids=ids)["arrivals"]
            if len(arrivals) == len(ids):
                break
            time.sleep(0.25)
        # the attacker answers once its attack is over, so B's count covers all of it
        report = attacker.ask(60, cmd="report") if attacker is not None else {}
        after = b.ask(cmd="stats", honest=honest)
        delays = sorted(arrivals[rid] - t for rid, t in posted if rid in arrivals)
        return {
            "scenario": name,
            "delivered": f"{len(delays)}/{len(ids)}",
            "p50": statistics.median(delays) if delays else float("nan"),
            "p95": delays[min(len(delays) - 1, int(0.95 * len(delays)))]
            if delays
            else float("nan"),
            "cpu": after["cpu"] - before["cpu"],
            "rss": after["rss"],
            "admitted": after["foreign"] - before["foreign"],
            "attacker": report,
            "refusals": after["refusals"],
        }
    finally:
        for p in reversed(procs):
            p.stop()


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="p2pshare-bench-attack-"))
    names = [n for n in SCENARIOS if not sys.argv[2:] or n in sys.argv[2:]]
    rows = []
    for name in names:
        started = time.monotonic()
        row = run_scenario(name, root)
        row["seconds"] = time.monotonic() - started
        rows.append(row)
    quiet = next((r for r in rows if r["scenario"] == "quiet"), None)
    print(
        f"{'scenario':10} {'delivered':>9} {'p50 s':>7} {'p95 s':>7} "
        f"{'B cpu s':>8} {'B rss MB':>9} {'admitted':>9}   attacker"
    )
    for r in rows:
        print(
            f"{r['scenario']:10} {r['delivered']:>9} {r['p50']:7.3f} {r['p95']:7.3f} "
            f"{r['cpu']:8.2f} {r['rss']:9.0f} {r['admitted']:9}   {_attack_line(r['attacker'])}"
        )
    for r in rows:
        if r is quiet:
            continue
        ratio = r["p95"] / quiet["p95"] if quiet is not None and quiet["p95"] > 0 else None
        vs_quiet = f"p95 {ratio:.1f}x quiet; " if ratio is not None else ""
        print(f"{r['scenario']:10} {vs_quiet}B refused {_refused(r)}")
    for r in rows:
        if (seconds := r["attacker"].get("seconds")) is not None:
            budget = _stranger_budget(seconds)
            print(
                f"{r['scenario']:10} admitted {r['admitted']} in {seconds:.1f} s of attack: "
                f"{r['admitted'] / budget:.0%} of the door's budget for a stranger peer "
                f"({budget:.0f})"
            )
    print(f"(members and attacker in separate processes; {sum(r['seconds'] for r in rows):.0f} s)")


def _stranger_budget(seconds: float) -> float:
    """What B's door lets one stranger peer in over `seconds`, by gossip or sync alike."""
    from p2pshare.net.config import NodeConfig

    config = NodeConfig()
    return config.gossip_burst + config.gossip_rate * seconds


def _attack_line(report: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in report.items() if k != "ok")


def _refused(row: dict[str, Any]) -> str:
    totals: dict[str, int] = {}
    for counts in row["refusals"].values():
        for reason, n in counts.items():
            totals[reason] = totals.get(reason, 0) + n
    return ", ".join(f"{k} {v}" for k, v in sorted(totals.items())) or "nothing"


# -- workers --------------------------------------------------------------------------------


def _say(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def _commands() -> Any:
    import trio

    while True:
        line = await trio.to_thread.run_sync(sys.stdin.readline)
        if not line:
            return
        yield json.loads(line)


def _offer(title: str) -> Any:
    from protocol import Offer

    return Offer(
        title=title,
        description="",
        skills=(),
        region="",
        remote=True,
        value=0,
        currency="",
        expires_at=0,
        contact=b"",
    )


def _history() -> tuple[list[bytes], str]:
    import hashlib

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from protocol import sign

    key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"bench-attack-history").digest())
    datas = [
        sign(_offer(f"old offer {i}"), key=key, created_at=NOW - 86_400 + i).data
        for i in range(HISTORY)
    ]
    return datas, key.public_key().public_bytes_raw().hex()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _foreign(store: Any, honest: list[Any]) -> int:
    """Records stored whose author is none of the honest ones."""
    return int(store.count()) - sum(len(store.by_author(k)) for k in honest)


def member(home_dir: str, peer: str | None = None) -> None:
    import trio

    from bench import netkit  # noqa: F401 -- logs to a file, not over the figures
    from p2pshare.events import RecordsArrived
    from p2pshare.member.actions import Member
    from p2pshare.member.home import Home
    from p2pshare.net.node import Node, NodeConfig
    from p2pshare.service.api import create_identity
    from p2pshare.store import Store
    from protocol import PublicKey

    home = Home(Path(home_dir)).ensure()
    create_identity(home, name=Path(home_dir).name)
    history, history_key = _history()
    with Store.open(home.store_file) as store:
        store.ingest_many(history, now=int(time.time()))
    me = Member.open(home)
    arrivals: dict[str, float] = {}

    def emit(event: Any) -> None:
        if isinstance(event, RecordsArrived):
            now = time.time()
            for rid in event.ids:
                arrivals.setdefault(bytes(rid).hex(), now)

    config = NodeConfig(
        listen=("/ip4/127.0.0.1/tcp/0",),
        peers=(peer,) if peer else (),
        mdns=False,
        sync_interval=3600.0,
        max_peers=0,  # the line stays a line: no dialing peers learned from peers
    )
    node = Node(home, me.identity, config, emit=emit)
    key_hex = bytes(me.identity.public_key).hex()

    async def run() -> None:
        async with trio.open_nursery() as nursery:
            info = await nursery.start(node.run)
            if peer:
                await node.dial(peer)
            _say({"addr": info.addresses[0], "key": key_hex, "history_key": history_key})
            async for cmd in _commands():
                what = cmd["cmd"]
                if what == "quit":
                    _say({"ok": True})
                    break
                if what == "key":
                    _say({"key": key_hex})
                elif what == "post":
                    posted = []
                    for i in range(cmd["n"]):
                        t = time.time()
                        env = me.post_offer(title=f"honest {i} {random.random():.6f}")
                        node.kick()
                        posted.append((bytes(env.id).hex(), t))
                        await trio.sleep(cmd["gap"])
                    _say({"posted": posted})
                elif what == "arrivals":
                    _say({"arrivals": {i: arrivals[i] for i in cmd["ids"] if i in arrivals}})
                elif what == "stats":
                    assert node.store is not None
                    keys = [PublicKey(bytes.fromhex(k)) for k in cmd["honest"]]
                    foreign = await trio.to_thread.run_sync(_foreign, node.store, keys)
                    _say(
                        {
                            "cpu": _cpu(),
                            "rss": _rss_mb(),
                            "foreign": foreign,
                            "refusals": node.refusals(),
                        }
                    )
            nursery.cancel_scope.cancel()

    try:
        trio.run(run)
    finally:
        me.close()


def attacker(scenario: str, target: str, spec_json: str) -> None:
    import multiaddr
    import trio
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from libp2p.crypto.ed25519 import create_new_key_pair
    from libp2p.peer.peerinfo import info_from_p2p_addr
    from libp2p.tools.anyio_service import background_trio_service

    from bench import netkit  # noqa: F401 -- logs to a file
    from p2pshare.net import gossip, sync_stream
    from p2pshare.net import host as hostmod
    from p2pshare.net.catchup import PROTOCOL as SYNC
    from protocol import sign
    from protocol.sync import MemorySource

    spec = json.loads(spec_json)
    topic = gossip.topic_for(gossip.DEFAULT_COMMUNITY)
    info = info_from_p2p_addr(multiaddr.Multiaddr(target))
    gossip.enlarge_queues()
    report: dict[str, Any] = {}

    def spam(n: int, keys: int) -> list[bytes]:
        signers = [Ed25519PrivateKey.generate() for _ in range(keys)]
        now = int(time.time())
        return [
            sign(_offer(f"spam {i}"), key=signers[i % keys], created_at=now).data for i in range(n)
        ]

    async def gossip_host(stack: Any) -> tuple[Any, Any]:
        host = hostmod.make_host(create_new_key_pair())
        router = gossip.make_router(gossip.score_params(lambda _: 0.0))
        pubsub = gossip.make_pubsub(host, router, topic)
        await stack.enter_async_context(host.run([multiaddr.Multiaddr("/ip4/127.0.0.1/tcp/0")]))
        await stack.enter_async_context(background_trio_service(pubsub))
        await stack.enter_async_context(background_trio_service(router))
        await pubsub.wait_until_ready()
        await pubsub.subscribe(topic)
        with trio.fail_after(10):
            await host.connect(info)
            while info.peer_id not in pubsub.peer_topics.get(topic, ()):  # noqa: ASYNC110
                await trio.sleep(0.02)  # B's subscription is in: what we publish reaches it
        return host, pubsub

    async def churn_one() -> None:
        from contextlib import AsyncExitStack

        with trio.move_on_after(15):
            async with AsyncExitStack() as stack:
                try:
                    await gossip_host(stack)
                except Exception:
                    report["failed"] = report.get("failed", 0) + 1
                    return
                report["joined"] = report.get("joined", 0) + 1
                await trio.sleep(random.uniform(1.0, 4.0))

    async def churn() -> None:
        limit = trio.Semaphore(spec["concurrent"])
        async with trio.open_nursery() as nursery:
            for _ in range(spec["identities"]):
                await limit.acquire()

                async def one() -> None:
                    try:
                        await churn_one()
                    finally:
                        limit.release()

                nursery.start_soon(one)
                await trio.sleep(0.1)

    async def run() -> None:
        from contextlib import AsyncExitStack

        async with AsyncExitStack() as stack, trio.open_nursery() as nursery:
            records = spam(spec.get("records", 0), spec.get("keys", 1))
            host: Any = None
            pubsub: Any = None
            if scenario in ("flood", "sync-dump"):
                host, pubsub = await gossip_host(stack)
            _say({"ready": True})
            commands = _commands().__aiter__()
            await commands.__anext__()  # go
            _say({"ok": True})

            async def flood() -> None:
                """Every record, again and again (what B refused may pass later), as
                fast as the connection to B takes them.

                py-libp2p 0.8.1 as a flooder defeats itself: each publish also queues
                an IDONTWANT to each mesh peer, ahead of the messages (control goes
                first), and drops what finds the 4096-deep queue full. Publishing
                flat out, its queue to B held only IDONTWANTs and B received none
                of the records ("admitted 0"). A real attacker sends the records:
                no IDONTWANT, and a publish only when the queue has room."""

                async def no_idontwant(*_: Any) -> None:
                    return None

                pubsub.router._emit_idontwant_for_message = no_idontwant
                queue = pubsub.peer_queues[info.peer_id]
                published = 0
                while True:
                    for data in records:
                        while len(queue) >= gossip.QUEUE_SIZE // 2:  # noqa: ASYNC110
                            await trio.sleep(0.001)
                        await pubsub.publish(topic, data)
                        published += 1
                        report["published"] = published
                        await trio.lowlevel.checkpoint()  # publish may not: the deadline

            async def push() -> None:
                """The same records by sync: sessions one after another."""
                source = MemorySource((int(time.time()), d) for d in records)
                sessions = pushed = 0
                while True:
                    sessions += 1
                    report["push sessions"] = sessions
                    try:
                        stream = await host.new_stream(info.peer_id, [SYNC])

                        async def ignore(_: list[bytes]) -> None:
                            return None

                        result = await sync_stream.run_session(
                            stream, source, initiator=True, on_records=ignore, seconds=20
                        )
                        pushed += result.sent
                        report["pushed"] = pushed
                    except Exception:
                        await trio.sleep(0.2)

            drawn = [0]

            async def keep(datas: list[bytes]) -> None:
                drawn[0] += sum(len(d) for d in datas)
                report["drawn KB"] = drawn[0] // 1024

            async def dump(asker: Any) -> None:
                """'I hold nothing', again and again: what does B send?"""
                while True:
                    try:
                        stream = await asker.new_stream(info.peer_id, [SYNC])
                        await sync_stream.run_session(
                            stream, MemorySource(), initiator=True, on_records=keep, seconds=20
                        )
                    except Exception:
                        await trio.sleep(0.2)

            over = trio.Event()

            async def for_a_while(*attacks: Any) -> None:
                """The attacks side by side for spec's `seconds`, then the report's."""
                started = trio.current_time()
                async with trio.open_nursery() as inner:
                    inner.cancel_scope.deadline = started + spec["seconds"]
                    for attack in attacks:
                        inner.start_soon(*attack)
                report["seconds"] = round(trio.current_time() - started, 1)
                over.set()

            if scenario == "flood":
                nursery.start_soon(for_a_while, (flood,))
            elif scenario == "sync-dump":
                asker, _ = await gossip_host(stack)  # a second identity: its own budget
                # the "I hold nothing" streams at once, from that one peer
                dumps = [(dump, asker) for _ in range(spec["dumps"])]
                nursery.start_soon(for_a_while, (push,), *dumps)
            elif scenario == "churn":
                nursery.start_soon(churn)
                over.set()
            async for cmd in commands:
                if cmd["cmd"] == "report":
                    await over.wait()
                    _say(dict(report))
                elif cmd["cmd"] == "quit":
                    _say({"ok": True})
                    break
            nursery.cancel_scope.cancel()

    trio.run(run)


if __name__ == "__main__":
    role, *rest = sys.argv[1:]
    if role == "member":
        member(*rest)
    elif role == "attacker":
        attacker(*rest)
    else:
        raise SystemExit(f"unknown role {role}")
