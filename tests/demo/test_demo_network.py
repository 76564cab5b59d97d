"""`p2pshare demo --headless`: real persona nodes that answer, and nothing left behind.

The newcomer joins with `p2pshare serve` and acts through the command line, the
way a script would; the app's own end-to-end test drives the same demo in tmux.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

import pytest
from terminal import listening_ports, processes_mentioning

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

pytestmark = pytest.mark.network

P2PSHARE = [sys.executable, "-m", "p2pshare"]


def _cli(home: Path, *args: str) -> Any:
    done = subprocess.run(
        [*P2PSHARE, "--home", str(home), *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if "--json" in args else done.stdout.strip()


def _wait(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def _read_until(proc: subprocess.Popen[str], marker: str, timeout: float) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    os.set_blocking(proc.stdout.fileno(), False)
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line:
            lines.append(line.rstrip())
            if marker in line:
                return lines
        elif proc.poll() is not None:
            break
        else:
            time.sleep(0.05)
    raise AssertionError(f"demo did not print {marker!r}: {lines}")


def test_personas_answer_and_the_demo_cleans_up(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    demo = subprocess.Popen(
        [*P2PSHARE, "demo", "--headless", "--peers", "3", "--dir", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    newcomer = root / "newcomer"
    serve = None
    try:
        lines = _read_until(demo, "Newcomer home", timeout=120)
        peers = [line.split("--peer ", 1)[1] for line in lines if "--peer " in line]
        assert len(peers) == 3
        persona_pids = processes_mentioning(root) - {demo.pid}
        assert len(persona_pids) >= 3
        cmd = [*P2PSHARE, "--home", str(newcomer), "serve", "--no-mdns"]
        cmd += ["--listen", "/ip4/127.0.0.1/tcp/0"]
        for peer in peers:
            cmd += ["--peer", peer]
        serve = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        authors = {item["author_name"] for item in _cli(newcomer, "offers", "--json")}
        assert len(authors) >= 2, authors  # the seeded history, before anything live

        offer = _cli(
            newcomer,
            "offer",
            "post",
            "--title",
            "UX audit of a booking flow",
            "--skills",
            "ux",
            "--contact",
            "ops@client.example",
        )
        _cli(newcomer, "offer", "forward", offer, "--to", "Dana", "--note", "Yours if you want it")

        def accepted() -> bool:
            shown = _cli(newcomer, "show", offer, "--json")
            return any(a["member"]["name"] == "Dana Reyes" for a in shown["accepts"])

        _wait(accepted, 60, "Dana's accept to arrive")
        _cli(newcomer, "offer", "handoff", offer, "--to", "Dana")
        _cli(newcomer, "offer", "outcome", offer, "--fulfilled", "--rating", "5")

        def confirmed() -> bool:
            shown = _cli(newcomer, "show", offer, "--json")
            return bool(shown["handoffs"]) and shown["handoffs"][0]["confirmed"]

        _wait(confirmed, 60, "Dana to confirm the receipt")
        dana = root / "dana"
        assert _cli(dana, "show", offer, "--json")["contact"] == "ops@client.example"
        assert _cli(root / "shel", "show", offer, "--json")["contact"] == ""
    finally:
        if serve is not None:
            serve.send_signal(signal.SIGINT)
            serve.wait(timeout=15)
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=30)
    assert _wait(lambda: not (processes_mentioning(root)), 15, "every demo process to exit")
    assert not listening_ports(persona_pids)


def _ignoring_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as a script's `cmd &` starts it


def test_a_headless_demo_started_with_sigint_ignored_still_stops_on_sigint(
    tmp_path: Path,
) -> None:
    """Python installs no KeyboardInterrupt handler when SIGINT is ignored at start:
    the demo used to run on after `kill -INT` (and this file's test above failed
    when pytest itself was started in the background)."""
    root = tmp_path / "demo"
    demo = subprocess.Popen(
        [*P2PSHARE, "demo", "--headless", "--peers", "1", "--dir", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=_ignoring_sigint,
    )
    try:
        _read_until(demo, "Newcomer home", timeout=120)
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=60) == 130
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
    assert _wait(lambda: not processes_mentioning(root), 15, "every demo process to exit")
