"""Homes driven from outside: `p2pshare serve` processes on 127.0.0.1 and one-shot CLI
commands on the same homes, for end-to-end tests of several members (tests/cli).

`ServeProcesses` owns a directory of homes and every process it starts; `close()`
kills whatever still runs, so a fixture calls it however the test ends. Every wait
is bounded and returns as soon as its condition holds. Whether a home holds a record
is read from its store in this process (a CLI command per poll costs half a second
of a shared machine); everything a test asserts goes through the CLI's output and
the node's node.json, as a user or a script would read them.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

from p2pshare.store import Store
from protocol import RecordId

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

WAIT = 60.0  # seconds: a bound for one wait on a loaded machine, never a pause
POLL = 0.2  # seconds between two looks at a condition


def child_env() -> dict[str, str]:
    """This environment without P2PSHARE_* (a home or community set by the caller)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("P2PSHARE_")}


class ServeProcesses:
    """Homes under `root` by name; at most one `serve` process per home."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.serving: dict[str, subprocess.Popen[str]] = {}
        self.started: list[subprocess.Popen[str]] = []
        self._stores: dict[str, Store] = {}

    def home(self, name: str) -> Path:
        return self.root / name

    # -- one-shot commands ------------------------------------------------------------

    def run(self, name: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "p2pshare", "--home", str(self.home(name)), *args],
            capture_output=True,
            text=True,
            timeout=WAIT,
            env=child_env(),
            check=False,
        )

    def cli(self, name: str, *args: str) -> str:
        """stdout of a command that must succeed, stripped."""
        done = self.run(name, *args)
        assert done.returncode == 0, f"{name}: {' '.join(args)}: {done.stderr}"
        return done.stdout.strip()

    def json(self, name: str, *args: str) -> Any:
        return json.loads(self.cli(name, *args, "--json"))

    def start(self, name: str, *args: str) -> subprocess.Popen[str]:
        """A long command (`device add`) on a home; killed by close() if still running."""
        proc = subprocess.Popen(
            [sys.executable, "-m", "p2pshare", "--home", str(self.home(name)), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        self.started.append(proc)
        return proc

    # -- serve ------------------------------------------------------------------------

    def serve(self, name: str, *peers: str) -> dict[str, str]:
        """Start `serve` on the home (loopback, port 0, no mDNS: only the peers named
        here and those they tell of); its start-up lines (member, listening, invite)."""
        assert name not in self.serving, f"{name} already serves"
        args = ["serve", "--no-mdns", "--listen", "/ip4/127.0.0.1/tcp/0"]
        for peer in peers:
            args += ["--peer", peer]
        proc = self.start(name, *args)
        self.serving[name] = proc
        return first_lines(proc, "invite")

    def stop(self, name: str) -> None:
        """SIGINT, as a person's ctrl-c: the node stops cleanly and frees the home."""
        proc = self.serving.pop(name)
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=WAIT)
        assert code == 0, (
            f"{name}'s serve exited {code}: {proc.stderr.read() if proc.stderr else ''}"
        )
        until(lambda: not (self.home(name) / "node.json").exists(), f"{name}'s node.json gone")

    def close(self) -> None:
        for store in self._stores.values():
            store.close()
        self._stores.clear()
        for proc in self.started:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for pipe in (proc.stdout, proc.stderr):
                if pipe is not None:
                    pipe.close()
        self.serving.clear()

    # -- looking in from outside ------------------------------------------------------

    def has(self, name: str, record: str) -> bool:
        """Whether the home's store holds the record (hex id)."""
        store = self._stores.get(name)
        if store is None:
            store = self._stores[name] = Store.open(self.home(name) / "records.db")
        return store.has(RecordId(bytes.fromhex(record)))

    def refused(self, name: str, peer: str, reason: str) -> int:
        """How many records the home's running node refused from `peer` for `reason`
        (node.json, rewritten by the node within a second of a change)."""
        try:
            info = json.loads((self.home(name) / "node.json").read_text("utf-8"))
        except (OSError, ValueError):  # not running yet, or being replaced
            return 0
        return int(info.get("refusals", {}).get(peer, {}).get(reason, 0))


def first_lines(proc: subprocess.Popen[str], last: str) -> dict[str, str]:
    """The `key value` lines a process prints on stdout, up to the one starting `last`
    (the first value of each key), read without buffering."""
    assert proc.stdout is not None
    fd, buf = proc.stdout.fileno(), b""
    found: dict[str, str] = {}
    deadline = time.monotonic() + WAIT
    while last not in found:
        left = deadline - time.monotonic()
        assert left > 0, f"no {last!r} line in time: {found}"
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 4096)
        assert chunk, f"exited early: {proc.wait()} {proc.stderr.read() if proc.stderr else ''}"
        buf += chunk
        *done, buf = buf.split(b"\n")
        for line in done:
            key, _, value = line.decode().strip().partition(" ")
            found.setdefault(key, value)
    return found


def until(cond: Callable[[], object], what: str, timeout: float = WAIT) -> None:
    """Return once `cond()` is true; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"not in {timeout:.0f} s: {what}")
        time.sleep(POLL)
