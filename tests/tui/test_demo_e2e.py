"""End to end: `p2pshare demo` in a real terminal, as a newcomer meets it.

The feed fills with offers from the personas; forwarding one to the persona
who fits it brings their accept back on screen; quitting the app stops every
persona node and leaves no port open.
"""

from __future__ import annotations

import os
import shutil
import time
from typing import TYPE_CHECKING

import pytest
from terminal import Tmux, listening_ports, p2pshare_command, processes_mentioning

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.e2e

PERSONAS = ("Shel Okafor", "Dana Reyes", "Priya Nair", "Marcus Bell")


def test_demo_feed_forward_accept_and_clean_exit(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is required for the end-to-end test (CI installs it)")
    root = tmp_path / "demo"
    tmux = Tmux(f"p2pshare-demo-{os.getpid()}")
    env = {"TERM": "xterm-256color", "COLORTERM": "truecolor", "USER": "newbie"}
    pids: set[int] = set()
    try:
        command = [*p2pshare_command(), "demo", "--peers", "4", "--dir", str(root)]
        tmux.start("demo", command, env)
        screen = tmux.wait(
            "demo",
            lambda s: "● online" in s and sum(name in s for name in PERSONAS) >= 3,
            "the feed with offers from three personas",
            timeout=120,
        )
        pids = processes_mentioning(root)
        tmux.wait("demo", lambda s: "3 peers" in s or "4 peers" in s, "the personas connected")

        # Marcus cannot serve a Python job; Priya can. Pass it to her.
        tmux.keys("demo", "/")
        tmux.wait("demo", lambda s: "search titles" in s, "the search field")
        tmux.keys("demo", "invoice", literal=True)
        tmux.wait("demo", lambda s: "Python scripts for invoice" in s, "the search result")
        # Enter submits the search (focus moves to the list), Enter again opens the offer.
        tmux.press_until("demo", "Enter", lambda s: "p2pshare — Offer" in s, "the offer page")
        tmux.wait("demo", lambda s: "Python scripts for invoice" in s, "the offer page")
        tmux.keys("demo", "f")
        tmux.wait("demo", lambda s: "find a peer" in s, "the forward picker")
        tmux.keys("demo", "Priya", literal=True)
        tmux.wait("demo", lambda s: "Priya Nair" in s, "Priya in the picker")
        tmux.press_until("demo", "Enter", lambda s: "Forward “" not in s, "the forward sent")
        # Priya accepts; Marcus then hands it to her (only an acceptor can be handed an
        # offer), so either her accept in the list or the new status proves it arrived.
        screen = tmux.wait(
            "demo",
            lambda s: (
                "• Priya Nair" in s or "automation  handed_off" in s or "automation  fulfilled" in s
            ),
            "Priya's accept on the offer page",
            timeout=60,
        )
        assert "you → Priya Nair" in screen
        assert "Python scripts for invoice automation" in screen

        tmux.keys("demo", "q")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and processes_mentioning(root) - {os.getpid()}:
            time.sleep(0.2)
        left = processes_mentioning(root) - {os.getpid()}
        assert not left, f"demo processes still running: {left}"
        assert not listening_ports(pids)
    finally:
        tmux.kill()
