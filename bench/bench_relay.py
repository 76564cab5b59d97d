"""Across NATs, measured in the namespace lab (tests/lab/lab.py): real `p2pshare
serve` processes, records written with the CLI, arrival read from each member's
records.db (read-only, polled every 20 ms: no CLI start-up in the figures).

1. Two members behind NAT and a relay member: time to the first record through
   the relay, gossip latency relayed (symmetric NAT) vs direct (cone NAT, after
   DCUtR), time from the circuit to the direct connection, the relay's CPU and
   bytes per circuit.
2. 30 members in separate processes, a third of them behind NAT (half cone,
   half symmetric), three public members relaying: delivery and p50/p99
   propagation of records posted by random members.

Needs root (network namespaces, iptables); otherwise says why and skips.
Run: `python -m bench relay` (about 4 minutes on 2 cores).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.lab.lab import (
    Lab,
    LabUnavailable,
    Member,
    _delete,
    _run,
    check_available,
    remove_stale,
    wait_for,
)

POSTS = 20  # records per latency series
WORLD = 30
NATTED = WORLD // 3
RELAYS = 3


def _has(home: Path, record_hex: str) -> bool:
    try:
        conn = sqlite3.connect(f"file:{home / 'records.db'}?mode=ro", uri=True, timeout=0.5)
    except sqlite3.Error:
        return False
    try:
        row = conn.execute("SELECT 1 FROM records WHERE id = ?", (bytes.fromhex(record_hex),))
        return row.fetchone() is not None
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def _arrival(home: Path, record_hex: str, timeout: float) -> float | None:
    """Seconds until `record_hex` is in `home`'s store, None if not within `timeout`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if _has(home, record_hex):
            return time.monotonic() - start
        time.sleep(0.02)
    return None


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _ms(values: list[float]) -> str:
    if not values:
        return "none"
    return (
        f"p50 {statistics.median(values) * 1000:.0f} ms, p99 {_pct(values, 0.99) * 1000:.0f} ms "
        f"(n={len(values)})"
    )


def _cpu_seconds(lab: Lab, role: str) -> float:
    """CPU time of every process in `role`'s namespace (utime+stime)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for word in _run("ip", "netns", "pids", lab.ns(role), check=False).stdout.split():
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{word}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _wire_bytes(lab: Lab, role: str, ifname: str = "eth0") -> int:
    text = lab.x(role, "cat", "/proc/net/dev").stdout
    for line in text.splitlines():
        if line.strip().startswith(f"{ifname}:"):
            parts = line.split(":", 1)[1].split()
            return int(parts[0]) + int(parts[8])
    return 0


WRITER = """
import sys
from pathlib import Path
from p2pshare.member.actions import Member
from p2pshare.member.home import Home
member = Member.open(Home(Path(sys.argv[1])))
print("ready", flush=True)
for line in sys.stdin:
    print(member.post_offer(title=line.strip()).id.hex(), flush=True)
"""


class Writer:
    """A process in a member's namespace that signs offers into its store on demand
    (the store rings the running node's doorbell, as the CLI does), so that no
    Python start-up or exit competes with the nodes for the CPU while we measure."""

    def __init__(self, ns: str, home: Path) -> None:
        import subprocess

        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", ns, sys.executable, "-c", WRITER, str(home)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "ready"

    def post(self, title: str) -> tuple[str, float]:
        """(record id, when it was in the store)."""
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write(title + "\n")
        self.proc.stdin.flush()
        rid = self.proc.stdout.readline().strip()
        return rid, time.monotonic()

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=10)


def _delivery(writer: Writer, b: Member, title: str) -> float | None:
    """Seconds from the record in A's store to the record in B's store."""
    rid, written = writer.post(title)
    got = _arrival(b.home, rid, 20)
    return None if got is None else time.monotonic() - written


def _series(a: Member, b: Member, n: int, tag: str) -> list[float]:
    out = []
    writer = Writer(a.lab.ns(a.role), a.home)
    time.sleep(1)
    for i in range(n):
        got = _delivery(writer, b, f"bench {tag} {i}")
        if got is not None:
            out.append(got)
        time.sleep(0.2)
    writer.close()
    return out


def two_members(root: Path) -> dict[str, Any]:
    lab = Lab()
    figures: dict[str, Any] = {}
    try:
        lab.up("symmetric")
        m = {r: Member(lab, r, root / r / "home") for r in ("relay", "A", "B")}
        for member in m.values():
            member.home.parent.mkdir(parents=True)
            member.init()
        relay, a, b = m["relay"], m["A"], m["B"]
        relay.serve("--relay")
        a.serve("--peer", f"{relay.listen}/p2p/{relay.id}")
        info = wait_for(lambda: (i := a.json("id"))["relays"] and i, 40, "A reserved")
        b.serve("--peer", str(info["invite"]))
        wait_for(lambda: b.link(a) == "relayed", 30, "B reaches A through the relay")
        writer = Writer(a.lab.ns(a.role), a.home)
        time.sleep(1)
        figures["first record through the relay"] = _delivery(writer, b, "bench: first record")
        writer.close()
        time.sleep(12)  # DCUtR gives up (symmetric NAT): measure on a settled circuit
        cpu0, bytes0, t0 = _cpu_seconds(lab, "relay"), _wire_bytes(lab, "relay"), time.monotonic()
        relayed = _series(a, b, POSTS, "relayed")
        spent = time.monotonic() - t0
        cpu = _cpu_seconds(lab, "relay") - cpu0
        wire = _wire_bytes(lab, "relay") - bytes0
        figures["gossip latency, relayed (symmetric NAT)"] = _ms(relayed)
        figures["relay process CPU (a member too), one circuit"] = (
            f"{cpu / spent * 100:.1f} % of a core over {spent:.0f} s"
        )
        figures["relay traffic (its wire), one circuit"] = (
            f"{wire / spent * 60 / 1024:.0f} KiB/min ({POSTS} records, heartbeats, sync)"
        )
        assert b.link(a) == "relayed"

        # cone NAT: both restart, go direct
        a.stop()
        b.stop()
        lab.nat("cone")
        directs = []
        for _ in range(3):
            a.serve()
            b.serve()
            wait_for(lambda: b.link(a), 40, "connected")
            t = time.monotonic()
            wait_for(lambda: b.link(a) == "direct", 30, "direct", every=0.05)
            directs.append(time.monotonic() - t)
            a.stop()
            b.stop()
        figures["circuit -> direct (DCUtR, cone NAT)"] = (
            f"median {statistics.median(directs):.2f} s of {[round(d, 2) for d in directs]}"
        )
        a.serve()
        b.serve()
        wait_for(lambda: b.link(a) == "direct", 60, "direct again")
        time.sleep(2)
        figures["gossip latency, direct (after DCUtR)"] = _ms(_series(a, b, POSTS, "direct"))
    finally:
        lab.down()
    return figures


class World:
    """WORLD members: public ones on the fake internet, NATed ones behind their own
    router (cone or symmetric)."""

    def __init__(self, root: Path, natted: int) -> None:
        self.root = root
        self.natted = natted
        self.prefix = f"p2l{os.getpid()}-w"
        self.namespaces: list[str] = []
        self.procs: list[Any] = []
        self.homes: dict[str, Path] = {}
        self.ids: dict[str, str] = {}
        self.ns_of: dict[str, str] = {}
        self.listen: dict[str, str] = {}
        self.relays: list[str] = []

    def _ns(self, name: str) -> str:
        ns = f"{self.prefix}{name}"
        _run("ip", "netns", "add", ns)
        _run("ip", "-n", ns, "link", "set", "lo", "up")
        self.namespaces.append(ns)
        return ns

    def up(self) -> None:
        inet = self._ns("inet")
        _run("ip", "-n", inet, "link", "add", "br0", "type", "bridge")
        _run("ip", "-n", inet, "link", "set", "br0", "up")
        for i in range(WORLD):
            name = f"m{i:02d}"
            wan = f"198.51.100.{20 + i}"
            if i < WORLD - self.natted:
                ns = self._ns(name)
                self._wire(inet, f"v{i}", ns, "eth0", wan)
                self.listen[name] = f"/ip4/{wan}/tcp/4001"
            else:
                rtr, ns = self._ns(f"r{i:02d}"), self._ns(name)
                self._wire(inet, f"v{i}", rtr, "wan", wan)
                _run("ip", "-n", rtr, "link", "add", "lan", "type", "veth", "peer", "name",
                     "eth0", "netns", ns)  # fmt: skip
                _run("ip", "-n", rtr, "addr", "add", "10.9.0.1/24", "dev", "lan")
                _run("ip", "-n", rtr, "link", "set", "lan", "up")
                _run("ip", "-n", ns, "addr", "add", "10.9.0.2/24", "dev", "eth0")
                _run("ip", "-n", ns, "link", "set", "eth0", "up")
                _run("ip", "-n", ns, "route", "add", "default", "via", "10.9.0.1")
                _run("ip", "netns", "exec", rtr, "sysctl", "-qw", "net.ipv4.ip_forward=1")
                mode = "cone" if i % 2 == 0 else "symmetric"
                masq = ["-j", "MASQUERADE"] + (["--random-fully"] if mode == "symmetric" else [])
                ipt = ["ip", "netns", "exec", rtr, "iptables"]
                _run(*ipt, "-P", "FORWARD", "DROP")
                _run(*ipt, "-A", "FORWARD", "-m", "conntrack", "--ctstate",
                     "ESTABLISHED,RELATED", "-j", "ACCEPT")  # fmt: skip
                _run(*ipt, "-A", "FORWARD", "-i", "lan", "-o", "wan", "-j", "ACCEPT")
                _run(*ipt, "-A", "INPUT", "-i", "wan", "-m", "conntrack", "--ctstate",
                     "ESTABLISHED,RELATED", "-j", "ACCEPT")  # fmt: skip
                _run(*ipt, "-A", "INPUT", "-i", "wan", "-j", "DROP")
                _run(*ipt, "-t", "nat", "-A", "POSTROUTING", "-o", "wan", *masq)
                self.listen[name] = "/ip4/10.9.0.2/tcp/4001"
            self.ns_of[name] = ns

    def _wire(self, inet: str, port: str, ns: str, ifname: str, ip: str) -> None:
        _run("ip", "-n", inet, "link", "add", port, "type", "veth", "peer", "name", ifname,
             "netns", ns)  # fmt: skip
        _run("ip", "-n", inet, "link", "set", port, "master", "br0", "up")
        _run("ip", "-n", ns, "addr", "add", f"{ip}/24", "dev", ifname)
        _run("ip", "-n", ns, "link", "set", ifname, "up")

    def cli(self, name: str, *args: str) -> str:
        done = _run("ip", "netns", "exec", self.ns_of[name], sys.executable, "-m", "p2pshare",
                    "--home", str(self.homes[name]), *args)  # fmt: skip
        return done.stdout

    def start(self) -> None:
        rng = random.Random(11)
        names = sorted(self.ns_of)
        public = [n for n in names if not self.listen[n].startswith("/ip4/10.")]
        relays = self.relays = public[:RELAYS]
        for name in names:
            home = self.homes[name] = self.root / name / "home"
            home.parent.mkdir(parents=True)
            self.ids[name] = self.cli(name, "init", "--name", name).strip()
        natted = [n for n in names if n not in public]
        first, second = natted[: len(natted) // 2], natted[len(natted) // 2 :]
        for name in [*public, *first]:
            earlier = [p for p in public if p < name] or [p for p in public if p != name]
            peers = {*rng.sample(earlier, min(2, len(earlier))), rng.choice(relays)} - {name}
            self._spawn(name, [f"{self.listen[p]}/p2p/{self.ids[p]}" for p in sorted(peers)])
        # The second half of the NATed members join through a NATed member's invite
        # only (its circuit address): NATed to NATed, through a relay, then DCUtR.
        for name in first:
            wait_for(lambda n=name: self.node(n).get("relays"), 120, f"{name} reserved")  # type: ignore[misc]
        for name, via in zip(second, first, strict=False):
            self._spawn(name, [str(self.node(via)["invite"])])

    def _spawn(self, name: str, peers: list[str]) -> None:
        import subprocess

        cmd = [sys.executable, "-m", "p2pshare", "--home", str(self.homes[name]), "serve",
               "--no-mdns", "--listen", self.listen[name]]  # fmt: skip
        if name in self.relays:
            cmd.append("--relay")
        for peer in peers:
            cmd += ["--peer", peer]
        out = open(self.root / f"{name}.out", "w")  # noqa: SIM115
        self.procs.append(
            subprocess.Popen(
                ["ip", "netns", "exec", self.ns_of[name], "timeout", "-s", "KILL", "900", *cmd],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        out.close()

    def node(self, name: str) -> dict[str, Any]:
        try:
            data = json.loads((self.homes[name] / "node.json").read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def down(self) -> None:
        import signal

        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        for ns in self.namespaces:
            _delete(ns)


def world(root: Path, natted: int) -> dict[str, Any]:
    w = World(root, natted)
    figures: dict[str, Any] = {}
    try:
        w.up()
        started = time.monotonic()
        w.start()
        names = sorted(w.ns_of)
        behind = [n for n in names if w.listen[n].startswith("/ip4/10.")]
        wait_for(lambda: all(w.node(n).get("peers") for n in names), 180, "everyone connected")
        wait_for(lambda: all(w.node(n).get("relays") for n in behind), 60, "NATed ones reserved")
        figures[f"{WORLD} members up, connected, NATed ones reserved"] = (
            f"{time.monotonic() - started:.1f} s"
        )
        time.sleep(5)
        rng = random.Random(5)
        authors = [rng.choice(names) for _ in range(POSTS)]
        writers = {a: Writer(w.ns_of[a], w.homes[a]) for a in set(authors)}
        time.sleep(2)
        times: list[float] = []
        missing = 0
        for i, author in enumerate(authors):
            rid, posted = writers[author].post(f"world {i}")
            pending = set(names) - {author}
            deadline = posted + 60
            while pending and time.monotonic() < deadline:
                for n in list(pending):
                    if _has(w.homes[n], rid):
                        times.append(time.monotonic() - posted)
                        pending.discard(n)
                time.sleep(0.02)
            missing += len(pending)
        for writer in writers.values():
            writer.close()
        total = POSTS * (WORLD - 1)
        figures["delivery (within 60 s)"] = f"{(total - missing) / total * 100:.1f} %"
        figures["propagation to every member"] = _ms(times)
        links = [v.get("connection") for n in names for v in w.node(n).get("peers", {}).values()]
        figures["connections: direct / relayed"] = (
            f"{links.count('direct')} / {links.count('relayed')}"
        )
    finally:
        w.down()
    return figures


def main() -> None:
    try:
        check_available()
    except LabUnavailable as exc:
        print(f"skipped: {exc}")
        return
    remove_stale()
    with tempfile.TemporaryDirectory(prefix="bench-relay-") as tmp:
        root = Path(tmp)
        results = {"two members behind NAT, one relay": two_members(root / "two")}
        print(json.dumps(results, indent=1), flush=True)
        if os.environ.get("BENCH_RELAY_WORLD", "1") != "0":
            results[f"{WORLD} members, {NATTED} behind NAT"] = world(root / "world", NATTED)
            # the baseline, in the same run: the same network with nobody behind NAT
            results[f"baseline: {WORLD} members, none behind NAT"] = world(root / "base", 0)
        for section, figures in results.items():
            print(f"{section}:")
            for key, value in figures.items():
                shown = f"{value:.2f} s" if isinstance(value, float) else value
                print(f"  {key:48} {shown}")


if __name__ == "__main__":
    main()
