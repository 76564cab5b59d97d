"""A real terminal for end-to-end tests: a private tmux server, polled with deadlines."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parents[2]  # the repository
WIDTH, HEIGHT = 120, 40


def p2pshare_command() -> list[str]:
    script = Path(sys.executable).with_name("p2pshare")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui"]


class Tmux:
    """A private tmux server (its own socket), one session per terminal."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def run(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10
        )
        if result.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)}: {result.stderr.strip()}")
        return result.stdout

    def start(self, name: str, command: list[str], env: dict[str, str]) -> None:
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        line = f"cd {ROOT} && env {exports} {' '.join(command)}"
        self.run("new-session", "-d", "-s", name, "-x", str(WIDTH), "-y", str(HEIGHT), line)
        self.run("resize-window", "-t", name, "-x", str(WIDTH), "-y", str(HEIGHT))

    def screen(self, name: str) -> str:
        return self.run("capture-pane", "-p", "-t", name)

    def keys(self, name: str, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", name, *(["-l"] if literal else []), *keys)

    def wait(
        self, name: str, predicate: Callable[[str], bool], what: str, timeout: float = 20
    ) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen(name)
            if predicate(text):
                return text
            time.sleep(0.1)
        raise AssertionError(f"{name}: timed out waiting for {what}; the screen was:\n{text}")

    def press_until(
        self, name: str, key: str, predicate: Callable[[str], bool], what: str, tries: int = 10
    ) -> str:
        """Press `key` until the screen shows `what`. For a key that first moves focus
        (Textual moves focus on its next loop turn, so a key sent at once may still
        reach the widget that had it) and then acts: repeating it is harmless."""
        for _ in range(tries):
            self.keys(name, key)
            try:
                return self.wait(name, predicate, what, timeout=2)
            except AssertionError:
                continue
        return self.wait(name, predicate, what, timeout=1)

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=10)


def listening_ports(pids: set[int]) -> set[int]:
    """TCP ports in LISTEN state owned by any of `pids` (from /proc, no tools needed)."""
    inodes: set[str] = set()
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for row in f.read().splitlines()[1:]:
                cols = row.split()
                if cols[3] == "0A" and cols[9] in inodes:
                    ports.add(int(cols[1].rsplit(":", 1)[1], 16))
    return ports


def processes_mentioning(root: Path) -> set[int]:
    """Pids of running processes whose command line contains `root` (from /proc)."""
    pids = set()
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if str(root).encode() in cmdline:
                pids.add(int(pid))
    return pids
