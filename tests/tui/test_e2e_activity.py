"""End to end (issue 14): the forwarder sees every step of what they passed on in Activity.

Bob runs the real app in a tmux terminal; Alice (the author) and Carol (the
taker) act with the command line on their own homes, and records move between
homes by export and import, written into Bob's store while his app runs (the
app reads what other processes write). Bob forwards Alice's offer to Carol in
the app; Carol accepts; Bob and Carol exchange a message; Alice hands off and
reports; Carol confirms; each step shows on Bob's Activity screen.

tmux is required: if it is missing this test fails (CI installs it), it does not skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import TYPE_CHECKING

import pytest
from terminal import ROOT, Tmux, p2pshare_command

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.e2e
TITLE = "Keynote in Lisbon"


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


def sync(source: Path, *targets: Path) -> None:
    bundle = source.with_suffix(".export")
    cli(source, "export", "--force", str(bundle))
    for target in targets:
        cli(target, "import", str(bundle))


def test_the_forwarder_sees_every_step_in_activity(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is required for the end-to-end test (CI installs it)")
    alice, bob, carol = tmp_path / "alice", tmp_path / "bob", tmp_path / "carol"
    for home, name in ((alice, "Alice"), (bob, "Bob"), (carol, "Carol")):
        cli(home, "init", "--name", name)
    for home in (alice, bob, carol):
        sync(home, *(h for h in (alice, bob, carol) if h != home))
    cli(bob, "vouch", "Carol")  # Bob knows Carol: she is offered when he forwards
    offer = cli(alice, "offer", "post", "--title", TITLE, "--contact", "jeanne@example.org")
    sync(alice, bob)

    tmux = Tmux(f"p2pshare-e2e-activity-{os.getpid()}")
    env = {"TERM": "xterm-256color", "COLORTERM": "truecolor"}
    try:
        tmux.start("bob", [*p2pshare_command(), "--home", str(bob), "--no-mdns"], env)
        tmux.wait("bob", lambda s: TITLE in s, "the offer in Bob's feed")

        # Bob forwards it to Carol: f, her name, enter.
        tmux.keys("bob", "f")
        tmux.wait("bob", lambda s: f"Forward “{TITLE}”" in s, "the forward dialog")
        tmux.keys("bob", "Carol", literal=True)
        tmux.keys("bob", "Enter")
        tmux.wait("bob", lambda s: "Forwarded" in s, "the forward done")
        sync(bob, carol, alice)

        # Carol accepts: Bob's Activity says so.
        cli(carol, "offer", "accept", offer[:12])
        sync(carol, alice, bob)
        tmux.keys("bob", "5")
        tmux.wait(
            "bob",
            lambda s: f"Carol accepted “{TITLE}”, which you forwarded" in s,
            "the accept in Bob's Activity",
        )

        # Bob writes to Carol from the offer page; she answers.
        tmux.keys("bob", "Enter")
        tmux.wait("bob", lambda s: "s Message" in s, "the offer page")
        tmux.keys("bob", "s")
        tmux.wait("bob", lambda s: "A message about" in s, "the message dialog")
        tmux.keys("bob", "Ask for Jeanne at the café", literal=True)
        tmux.keys("bob", "Enter")
        tmux.wait("bob", lambda s: "Message sent" in s, "Bob's message sent")
        sync(bob, carol, alice)
        assert "Ask for Jeanne at the café" in cli(carol, "offer", "say", offer[:12], "--list")
        cli(carol, "offer", "say", offer[:12], "Thanks Bob, will do")
        sync(carol, alice, bob)
        tmux.keys("bob", "5")
        tmux.wait(
            "bob",
            lambda s: f"Carol about “{TITLE}”: Thanks Bob, will do" in s,
            "Carol's answer in Activity",
        )

        # Alice hands off and reports; Carol confirms.
        cli(alice, "offer", "handoff", offer[:12], "--to", "Carol")
        cli(alice, "offer", "outcome", offer[:12], "--fulfilled", "--rating", "5")
        sync(alice, bob, carol)
        tmux.wait(
            "bob", lambda s: f"Alice handed “{TITLE}” to Carol" in s, "the hand-off in Activity"
        )
        tmux.wait(
            "bob",
            lambda s: f"Carol fulfilled “{TITLE}” · connector credit" in s,
            "the outcome in Activity",
        )
        assert any(
            i["kind"] == "outcome_to_confirm" and i["needs_you"]
            for i in json.loads(cli(carol, "activity", "--json"))
        )
        cli(carol, "offer", "outcome", offer[:12], "--fulfilled")
        sync(carol, alice, bob)
        tmux.wait(
            "bob",
            lambda s: f"Carol confirmed “{TITLE}”: fulfilled" in s,
            "the confirmation in Activity",
        )
        tmux.keys("bob", "q")
    finally:
        tmux.kill()
