"""A network-namespace lab: a fake internet, a public relay, two home routers doing NAT.

```
  {P}A 10.0.1.2 ── lan│{P}rtrA│wan 198.51.100.11 ─┐
                                                    ├─ br0 ({P}inet) ── eth0 198.51.100.10 {P}relay
  {P}B 10.0.2.2 ── lan│{P}rtrB│wan 198.51.100.12 ─┘
```

Routers MASQUERADE on wan ("cone": Linux keeps the source port when it can, so
the mapping is endpoint-independent; "symmetric": `--random-fully`, a new random
port per connection), drop unsolicited inbound without a RST (like a home
router), and have no route to the other LAN. Addresses (TEST-NET-2 and 10.0.x)
exist only inside the lab's namespaces; every veth is created inside them
(`ip -n`), so nothing is added to, or changed on, the host's interfaces. `down()`
kills every process left in the namespaces and deletes them; namespaces left by
a lab whose process died are removed by the next one (their names carry its pid).

Adapted from the NAT probe in ../shared/research/nat (lab.sh).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

ROOT = "p2l"  # every lab namespace is named p2l<pid>-<role>
RELAY_IP = "198.51.100.10"
WAN = {"A": "198.51.100.11", "B": "198.51.100.12"}
LAN = {"A": "10.0.1.2", "B": "10.0.2.2"}
PORT = {"relay": 4001, "A": 4001, "B": 4002}
# Each lab test's reports by phase (conftest.py), for the log tails on failure
REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


class LabUnavailable(Exception):
    """This machine cannot build the lab (not root, no iproute2/iptables, no netns)."""


def _run(*cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=20, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {done.stderr.strip() or done.returncode}")
    return done


def _netns_list() -> list[str]:
    done = _run("ip", "netns", "list", check=False)
    return [line.split()[0] for line in done.stdout.splitlines() if line.strip()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kill_all_in(ns: str) -> None:
    done = _run("ip", "netns", "pids", ns, check=False)
    for word in done.stdout.split():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(word), signal.SIGKILL)


def _delete(ns: str) -> None:
    _kill_all_in(ns)
    _run("ip", "netns", "del", ns, check=False)


def remove_stale() -> None:
    """Namespaces of labs whose process is gone (a killed test run)."""
    for ns in _netns_list():
        if not ns.startswith(ROOT) or "-" not in ns:
            continue
        pid = ns[len(ROOT) :].split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            _delete(ns)


def check_available() -> None:
    if os.geteuid() != 0:
        raise LabUnavailable("the NAT lab needs root (network namespaces, iptables)")
    for tool in ("ip", "iptables"):
        if shutil.which(tool) is None:
            raise LabUnavailable(f"the NAT lab needs `{tool}` (apt-get install iproute2 iptables)")
    probe = f"{ROOT}{os.getpid()}-probe"
    done = _run("ip", "netns", "add", probe, check=False)
    if done.returncode != 0:
        raise LabUnavailable(f"cannot create a network namespace: {done.stderr.strip()}")
    try:
        done = _run("ip", "netns", "exec", probe, "iptables", "-t", "nat", "-L", check=False)
        if done.returncode != 0:
            raise LabUnavailable(f"iptables NAT does not work here: {done.stderr.strip()}")
    finally:
        _delete(probe)


@dataclass
class Lab:
    prefix: str = field(default_factory=lambda: f"{ROOT}{os.getpid()}-")
    procs: list[subprocess.Popen[str]] = field(default_factory=list)

    def ns(self, role: str) -> str:
        return f"{self.prefix}{role}"

    @property
    def namespaces(self) -> list[str]:
        return [self.ns(r) for r in ("inet", "relay", "rtrA", "rtrB", "A", "B")]

    def x(self, role: str, *cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return _run("ip", "netns", "exec", self.ns(role), *cmd, check=check)

    def up(self, mode: str = "cone") -> None:
        remove_stale()
        for ns in self.namespaces:
            _run("ip", "netns", "add", ns)
            _run("ip", "-n", ns, "link", "set", "lo", "up")
        inet = self.ns("inet")
        _run("ip", "-n", inet, "link", "add", "br0", "type", "bridge")
        _run("ip", "-n", inet, "link", "set", "br0", "up")
        for role, ifname, ip in (
            ("relay", "eth0", RELAY_IP),
            ("rtrA", "wan", WAN["A"]),
            ("rtrB", "wan", WAN["B"]),
        ):
            port = f"v{role}"
            _run("ip", "-n", inet, "link", "add", port, "type", "veth", "peer", "name", ifname,
                 "netns", self.ns(role))  # fmt: skip
            _run("ip", "-n", inet, "link", "set", port, "master", "br0", "up")
            _run("ip", "-n", self.ns(role), "addr", "add", f"{ip}/24", "dev", ifname)
            _run("ip", "-n", self.ns(role), "link", "set", ifname, "up")
        for side, net in (("A", 1), ("B", 2)):
            rtr, cli = self.ns(f"rtr{side}"), self.ns(side)
            _run("ip", "-n", rtr, "link", "add", "lan", "type", "veth", "peer", "name", "eth0",
                 "netns", cli)  # fmt: skip
            _run("ip", "-n", rtr, "addr", "add", f"10.0.{net}.1/24", "dev", "lan")
            _run("ip", "-n", rtr, "link", "set", "lan", "up")
            _run("ip", "-n", cli, "addr", "add", f"{LAN[side]}/24", "dev", "eth0")
            _run("ip", "-n", cli, "link", "set", "eth0", "up")
            _run("ip", "-n", cli, "route", "add", "default", "via", f"10.0.{net}.1")
            self.x(f"rtr{side}", "sysctl", "-qw", "net.ipv4.ip_forward=1")
        self.nat(mode)

    def nat(self, mode: str) -> None:
        """Both routers: `cone` (plain MASQUERADE) or `symmetric` (--random-fully)."""
        masq = ["-j", "MASQUERADE"] + (["--random-fully"] if mode == "symmetric" else [])
        for side in ("A", "B"):
            r = f"rtr{side}"
            self.x(r, "iptables", "-t", "nat", "-F")
            self.x(r, "iptables", "-F")
            self.x(r, "iptables", "-P", "FORWARD", "DROP")
            self.x(r, "iptables", "-A", "FORWARD", "-m", "conntrack", "--ctstate",
                   "ESTABLISHED,RELATED", "-j", "ACCEPT")  # fmt: skip
            self.x(r, "iptables", "-A", "FORWARD", "-i", "lan", "-o", "wan", "-j", "ACCEPT")
            self.x(r, "iptables", "-A", "INPUT", "-i", "wan", "-m", "conntrack", "--ctstate",
                   "ESTABLISHED,RELATED", "-j", "ACCEPT")  # fmt: skip
            self.x(r, "iptables", "-A", "INPUT", "-i", "wan", "-j", "DROP")
            self.x(r, "iptables", "-t", "nat", "-A", "POSTROUTING", "-o", "wan", *masq)
            if shutil.which("conntrack"):
                self.x(r, "conntrack", "-F", check=False)

    def spawn(self, role: str, *cmd: str, log: Path) -> subprocess.Popen[str]:
        """A process in `role`'s namespace, bounded by `timeout` so it cannot outlive us."""
        out = open(log, "a")  # noqa: SIM115 (the process owns it)
        proc = subprocess.Popen(
            ["ip", "netns", "exec", self.ns(role), "timeout", "-s", "KILL", "600", *cmd],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        out.close()
        self.procs.append(proc)
        return proc

    def down(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        for proc in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        for ns in self.namespaces:
            _delete(ns)

    def leftovers(self) -> list[str]:
        return [ns for ns in _netns_list() if ns.startswith(self.prefix)]


@dataclass
class Member:
    """One member: a home, a namespace, a `p2pshare serve` process, the CLI."""

    lab: Lab
    role: str  # relay | A | B
    home: Path
    proc: subprocess.Popen[str] | None = None
    id: str = ""

    @property
    def listen(self) -> str:
        ip = RELAY_IP if self.role == "relay" else LAN[self.role]
        return f"/ip4/{ip}/tcp/{PORT[self.role]}"

    def cli(self, *args: str, timeout: float = 30) -> str:
        done = subprocess.run(
            ["ip", "netns", "exec", self.lab.ns(self.role), sys.executable, "-m", "p2pshare",
             "--home", str(self.home), *args],
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        assert done.returncode == 0, f"{self.role} {' '.join(args)}: {done.stderr.strip()}"
        return done.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.cli(*args, "--json"))

    def init(self) -> None:
        self.id = self.cli("init", "--name", f"member-{self.role}").strip()

    def serve(self, *extra: str) -> None:
        cmd = [sys.executable, "-m", "p2pshare", "--home", str(self.home), "serve", "--no-mdns"]
        cmd += ["--listen", self.listen, *extra]
        self.proc = self.lab.spawn(self.role, *cmd, log=self.home.parent / f"{self.role}.out")
        wait_for(lambda: self.node_file().get("pid"), 30, f"{self.role} serve started")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        self.proc = None

    def node_file(self) -> dict[str, Any]:
        """What the running node writes about itself (read directly: cheap, for timing)."""
        try:
            data = json.loads((self.home / "node.json").read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def link(self, other: Member) -> str | None:
        """How this node reaches `other` now, from node.json: direct | relayed | None."""
        peers = self.node_file().get("peers", {})
        link = peers.get(other.id) if isinstance(peers, dict) else None
        return link.get("connection") if isinstance(link, dict) else None

    def peer(self, other: Member) -> dict[str, Any]:
        """`other`'s row in `peers --json` ({} if absent)."""
        rows = self.json("peers")
        return next((r for r in rows if r["id"] == other.id), {})

    def offer_ids(self) -> set[str]:
        return {row["id"] for row in self.json("offers")}

    def log_tail(self, lines: int = 60) -> str:
        """The last `lines` of the node's p2pshare.log and of its serve output
        (what the harness prints when a test fails)."""
        out = []
        for path in (self.home / "p2pshare.log", self.home.parent / f"{self.role}.out"):
            try:
                text = path.read_text("utf-8", errors="replace").splitlines()
            except OSError as exc:
                out.append(f"--- {path}: {exc}")
                continue
            out.append(f"--- {path} (last {min(lines, len(text))} of {len(text)} lines)")
            out.extend(text[-lines:])
        return "\n".join(out)


def wait_for(cond: Callable[[], Any], timeout: float, what: str, every: float = 0.2) -> Any:
    """Poll `cond` until it is truthy (its value), AssertionError after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(every)
