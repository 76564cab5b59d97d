"""End to end: the real `p2pshare` command, two members, two terminals (tmux), loopback.

Alice's app starts first (no mDNS); Bob's app dials her with the invite her
running node publishes (`p2pshare invite`). Alice posts an offer in her
terminal; it appears on Bob's screen; Bob accepts it there; the acceptance
comes back to Alice's screen. Every wait polls the panes with a deadline.

tmux is required: if it is missing this test fails (CI installs it), it does
not skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from typing import TYPE_CHECKING

import pytest
from terminal import ROOT, Tmux, p2pshare_command

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.e2e


def cli(home: Path, *args: str) -> str:
    result = subprocess.run(
        [*p2pshare_command(), "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_offer_posted_in_one_terminal_is_accepted_in_the_other(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is required for the end-to-end test (CI installs it)")
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    cli(alice, "init", "--name", "Alice", "--skills", "keynote")
    cli(bob, "init", "--name", "Bob", "--skills", "keynote")
    tmux = Tmux(f"p2pshare-e2e-{os.getpid()}")
    env = {"TERM": "xterm-256color", "COLORTERM": "truecolor"}
    try:
        tmux.start("alice", [*p2pshare_command(), "--home", str(alice), "--no-mdns"], env)
        tmux.wait("alice", lambda s: "● online" in s, "Alice's node to be online")
        invite = cli(alice, "invite")
        tmux.start(
            "bob", [*p2pshare_command(), "--home", str(bob), "--no-mdns", "--peer", invite], env
        )
        tmux.wait("bob", lambda s: "● online" in s and "1 peer " in s, "Bob to connect to Alice")
        tmux.wait("alice", lambda s: "1 peer " in s, "Alice to see Bob")

        # Alice posts an offer from the compose screen.
        tmux.keys("alice", "n")
        tmux.wait("alice", lambda s: "New offer" in s and "Title" in s, "the compose screen")
        tmux.keys("alice", "Keynote in Lisbon", literal=True)
        tmux.wait("alice", lambda s: "Keynote in Lisbon" in s, "the typed title")
        tmux.keys("alice", "C-s")
        tmux.wait(
            "alice", lambda s: "p2pshare — Feed" in s and "Keynote in Lisbon" in s, "the feed"
        )

        # It reaches Bob's feed; he opens it and accepts.
        tmux.wait(
            "bob", lambda s: "Keynote in Lisbon" in s, "the offer on Bob's screen", timeout=15
        )
        tmux.keys("bob", "Enter")
        tmux.wait(
            "bob", lambda s: "p2pshare — Offer" in s and "posted by Alice" in s, "the offer page"
        )
        tmux.keys("bob", "a")
        tmux.wait("bob", lambda s: "Accept “Keynote in Lisbon”" in s, "the accept dialog")
        tmux.keys("bob", "count me in", literal=True)
        tmux.keys("bob", "Enter")
        tmux.wait("bob", lambda s: "• you" in s, "Bob's accept on his offer page")

        # The acceptance comes back to Alice: a toast, and her offer page lists Bob.
        tmux.wait(
            "alice", lambda s: "accepted your offer" in s, "the toast on Alice's screen", timeout=15
        )
        tmux.keys("alice", "Enter")
        tmux.wait("alice", lambda s: "• Bob" in s and "count me in" in s, "Bob in Alice's accepts")

        # Quit restores the terminal and stops the node.
        tmux.keys("alice", "q")
        tmux.keys("bob", "q")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            sessions = subprocess.run(
                ["tmux", "-L", tmux.socket, "list-sessions"], capture_output=True, text=True
            ).stdout
            if not sessions.strip():
                break
            time.sleep(0.1)
        else:
            raise AssertionError(f"the apps did not quit: {sessions}")
    finally:
        tmux.kill()
