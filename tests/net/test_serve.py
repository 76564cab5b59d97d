"""`p2pshare serve` as real processes: connect by multiaddr and by invite, stop on SIGINT."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import pytest
from serve_processes import first_lines

from .conftest import port_free

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = pytest.mark.network


def _cli(home: Path, *args: str, timeout: float = 20) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "p2pshare", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _serve(home: Path, *peers: str) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "p2pshare", "--home", str(home), "serve", "--no-mdns"]
    cmd += ["--listen", "/ip4/127.0.0.1/tcp/0"]
    for peer in peers:
        cmd += ["--peer", peer]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _lines(proc: subprocess.Popen[str]) -> dict[str, str]:
    """The start-up lines of serve (member, listening, invite), read without buffering."""
    return first_lines(proc, "invite")


def _poll(cond: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen[str]]]:
    running: list[subprocess.Popen[str]] = []
    yield running
    for proc in running:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()


def test_serve_connect_publish_and_stop(tmp_path: Path, procs: list[subprocess.Popen[str]]) -> None:
    homes = [tmp_path / n for n in ("ann", "bob", "cat")]
    for home in homes:
        _cli(home, "init", "--name", home.name)
    a = _serve(homes[0])
    procs.append(a)
    info = _lines(a)
    addr, invite = info["listening"], info["invite"]
    assert invite.startswith("p2ps1:")
    assert addr.endswith("/p2p/" + info["member"])
    assert _cli(homes[0], "invite").strip() == invite
    live = json.loads(_cli(homes[0], "id", "--json"))
    assert live["running"]
    assert live["addresses"] == [addr]
    b, c = _serve(homes[1], addr), _serve(homes[2], invite)  # multiaddr / invite
    procs += [b, c]
    _lines(b), _lines(c)
    offer = _cli(homes[0], "offer", "post", "--title", "Panel moderator, Lisbon").strip()

    def everywhere() -> bool:
        return all(
            any(o["id"] == offer for o in json.loads(_cli(h, "offers", "--json")))
            for h in homes[1:]
        )

    _poll(everywhere, 15)
    port = int(addr.split("/tcp/")[1].split("/")[0])
    started = time.monotonic()
    a.send_signal(signal.SIGINT)
    # stops, and is not stuck: how fast is test_hostile_refusals' (40 peers, a bound
    # that tells a serial close from ours whatever the load)
    assert a.wait(timeout=5) == 0
    print(f"serve stopped {time.monotonic() - started:.2f} s after SIGINT")
    assert port_free(port)
    assert not (homes[0] / "node.json").exists()
    assert a.stderr is not None
    assert a.stderr.read() == ""
    c.send_signal(signal.SIGTERM)
    assert c.wait(timeout=5) == 0


def test_second_node_on_a_home_is_refused(
    tmp_path: Path, procs: list[subprocess.Popen[str]]
) -> None:
    home = tmp_path / "solo"
    _cli(home, "init", "--name", "solo")
    first = _serve(home)
    procs.append(first)
    _lines(first)
    second = _serve(home)
    procs.append(second)
    assert second.wait(timeout=20) == 1
    assert second.stderr is not None
    err = second.stderr.read()
    assert "already running" in err, err
    assert err.count("\n") == 1, err
