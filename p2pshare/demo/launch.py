"""`p2pshare demo`: a live local network of personas, and the app as one more member.

Every persona is a real `p2pshare serve` process on 127.0.0.1 with its own home;
the newcomer's app dials them all. Closing the app stops them all: children are
terminated on exit, and the kernel sends them SIGTERM if this process dies
(PR_SET_PDEATHSIG), so no node is left running after a crash either.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from p2pshare.demo.personas import Personas
from p2pshare.demo.world import NEWCOMER, World
from p2pshare.errors import UserError
from p2pshare.member import identity as ident
from p2pshare.member.home import setup_logging

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger(__name__)

START_TIMEOUT = 30.0
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _p2pshare(*args: str) -> list[str]:
    return [sys.executable, "-m", "p2pshare", *args]


class DemoNetwork:
    """The persona nodes: started together, stopped together."""

    def __init__(self, world: World, slugs: list[str]) -> None:
        self.world = world
        self.slugs = slugs
        self.procs: list[subprocess.Popen[bytes]] = []
        self.addresses: dict[str, list[str]] = {}

    def _spawn(self, slug: str, peers: list[str]) -> subprocess.Popen[bytes]:
        home = self.world.home(slug)
        cmd = _p2pshare(
            "--home", str(home.path), "serve", "--no-mdns", "--listen", "/ip4/127.0.0.1/tcp/0"
        )
        for peer in peers:
            cmd += ["--peer", peer]
        log_file = open(home.path / "serve.out", "ab")  # noqa: SIM115 - owned by the child
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=log_file,
            preexec_fn=_die_with_parent,
        )
        log_file.close()
        self.procs.append(proc)
        return proc

    def _wait_addresses(self, slug: str, proc: subprocess.Popen[bytes]) -> list[str]:
        home = self.world.home(slug)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                out = (home.path / "serve.out").read_text("utf-8", "replace").strip()
                last = out.splitlines()[-1] if out else f"exit code {proc.returncode}"
                raise UserError(f"persona {slug}'s node exited: {last}")
            with contextlib.suppress(OSError, ValueError):
                info = json.loads(home.node_file.read_text("utf-8"))
                if info.get("pid") == proc.pid and info.get("addresses"):
                    return [a for a in info["addresses"] if "/127.0.0.1/" in a] or info["addresses"]
            time.sleep(0.05)
        raise UserError(f"persona {slug}'s node did not start within {START_TIMEOUT:.0f} s")

    def start(self) -> list[str]:
        """Start every persona; each dials the ones before it. Returns all addresses."""
        for slug in self.slugs:
            self.world.home(slug).node_file.unlink(missing_ok=True)
        first = self.slugs[0]
        self.addresses[first] = self._wait_addresses(first, self._spawn(first, []))
        seeds = self.addresses[first][:1]
        spawned = [(slug, self._spawn(slug, seeds)) for slug in self.slugs[1:]]
        for slug, proc in spawned:
            self.addresses[slug] = self._wait_addresses(slug, proc)
        return [addrs[0] for addrs in self.addresses.values()]

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 5
        for proc in self.procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def run_demo(
    *, peers: int, directory: str | None, headless: bool, say: Callable[[str], None]
) -> int:
    """Run the demo until the app (or, headless, a signal) ends it. `say` is how the
    command line tells the person at the terminal what is happening."""
    temporary = directory is None
    root = Path(directory or tempfile.mkdtemp(prefix="p2pshare-demo-")).absolute()
    world = World(root)
    if not world.seeded:
        say(f"Creating the demo network in {root} ...")
        world.seed(peers, int(time.time()), newcomer_name=_your_name())
    newcomer = world.home(NEWCOMER)
    setup_logging(newcomer)
    slugs = world.slugs()
    network = DemoNetwork(world, slugs)
    personas: Personas | None = None
    stop = {"now": False}

    def on_signal(signum: int, frame: object) -> None:
        stop["now"] = True
        raise KeyboardInterrupt

    old_term = signal.signal(signal.SIGTERM, on_signal)
    # SIGINT too, explicitly: a process started with SIGINT ignored (by a script that
    # ran it with `&`) inherits that, and Python then installs no KeyboardInterrupt
    # handler, so ctrl+c or `kill -INT` would never stop a headless demo.
    old_int = signal.signal(signal.SIGINT, on_signal)
    try:
        say(f"Starting {len(slugs)} persona nodes on 127.0.0.1 ...")
        addresses = network.start()
        me = ident.load(newcomer).public_key
        personas = Personas({slug: world.home(slug) for slug in slugs}, me)
        personas.start()
        if headless:
            say("Demo network running. Join it with:")
            for address in addresses:
                say(f"  --peer {address}")
            say(f"Newcomer home: {newcomer.path}  (Ctrl+C stops everything)")
            while not stop["now"]:
                time.sleep(0.5)
            return 0
        cmd = [sys.executable, "-m", "tui", "--home", str(newcomer.path), "--no-mdns"]
        for address in addresses:
            cmd += ["--peer", address]
        app = subprocess.Popen(cmd, preexec_fn=_die_with_parent)
        try:
            return app.wait()
        except KeyboardInterrupt:
            app.terminate()
            app.wait(timeout=5)
            return 130
    except KeyboardInterrupt:
        return 130
    finally:
        signal.signal(signal.SIGTERM, old_term)
        signal.signal(signal.SIGINT, old_int)
        say("stopping the demo's nodes…")
        if personas is not None:
            personas.stop()
        network.stop()
        if temporary:
            shutil.rmtree(root, ignore_errors=True)


def _your_name() -> str:
    name = os.environ.get("USER") or os.environ.get("LOGNAME") or ""
    return name.capitalize() if name and name != "root" else "You"
