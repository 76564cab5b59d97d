"""Two members behind two NATs, a public member relaying: real `p2pshare serve`
processes in network namespaces (lab.py), driven through the CLI only.

The tests run in order on one lab (module scope), each starting where the last
one left off: symmetric NAT first (neither member can be dialled, hole punching
cannot work: everything goes through the relay), then the relay restarts, then
both members restart behind endpoint-independent ("cone") NATs, without a new
invite, and their connection becomes direct. Timings go to stdout (`-s`) and to
`lab-timings.json` in the lab's directory.

Where namespaces cannot be created (not root, no iptables), the tests fail with
the reason when CI=true and are skipped with it otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .lab import REPORTS, Lab, LabUnavailable, Member, check_available, wait_for

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.network

TIMINGS: dict[str, float] = {}


def _timing(name: str, seconds: float) -> None:
    TIMINGS[name] = round(seconds, 2)
    print(f"lab timing: {name} = {seconds:.2f} s")


def _root(factory: pytest.TempPathFactory, name: str) -> Path:
    """A fresh directory; under $P2PSHARE_LAB_DIR when set (kept, for the logs)."""
    keep = os.environ.get("P2PSHARE_LAB_DIR")
    if not keep:
        return factory.mktemp(name)
    path = Path(keep) / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    try:
        check_available()
    except LabUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the NAT lab cannot run in CI: {exc}")
        pytest.skip(f"the NAT lab cannot run here: {exc}")
    lab = Lab()
    root = _root(tmp_path_factory, "lab")
    try:
        lab.up("symmetric")
        yield lab
    finally:
        lab.down()
        (root / "lab-timings.json").write_text(json.dumps(TIMINGS, indent=1))
        assert not lab.leftovers(), f"namespaces left behind: {lab.leftovers()}"


@pytest.fixture(scope="module")
def members(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Member]:
    root = _root(tmp_path_factory, "homes")
    out = {}
    for role in ("relay", "A", "B"):
        (root / role).mkdir()
        out[role] = Member(lab, role, root / role / "home")
    return out


@pytest.fixture(autouse=True)
def _log_tails_on_failure(
    request: pytest.FixtureRequest, members: dict[str, Member]
) -> Iterator[None]:
    """A failed test prints the tail of every member's log (what each node did)."""
    yield
    report = request.node.stash.get(REPORTS, {}).get("call")
    if report is not None and report.failed:
        for member in members.values():
            print(f"\n===== {member.role} ({member.id or 'no id'}) =====")
            print(member.log_tail(80))


def _contact_open(b: Member, offer: str, contact: str) -> bool:
    return bool(b.json("show", offer).get("contact") == contact)


def test_join_through_invite_behind_symmetric_nats(lab: Lab, members: dict[str, Member]) -> None:
    """B joins through A's invite though neither can be dialled; an offer, a forward,
    an accept and a hand-off's sealed contact all go through the relay, which
    stays the only way (symmetric NAT: no hole punching)."""
    relay, a, b = members["relay"], members["A"], members["B"]
    for m in (relay, a, b):
        m.init()
    relay.serve("--relay")
    started = time.monotonic()
    a.serve("--peer", f"{relay.listen}/p2p/{relay.id}")

    def a_behind_relay() -> dict[str, object] | None:
        info = a.json("id")
        ok = info["reachability"] == "private" and info["relays"] == [relay.id]
        circuits = [x for x in info["addresses"] if "/p2p-circuit/" in x]
        return info if ok and circuits else None

    info = wait_for(a_behind_relay, 40, "A private, with a reservation on the relay")
    _timing("A start -> private + reservation (invite has a circuit)", time.monotonic() - started)
    assert wait_for(lambda: relay.json("id")["reachability"] == "public", 20, "relay public")
    assert relay.json("id")["relaying"] is True

    joined = time.monotonic()
    b.serve("--peer", str(info["invite"]))
    wait_for(lambda: b.link(a), 30, "B connected to A")
    _timing("B start -> connected to A (through the relay)", time.monotonic() - joined)
    assert b.link(a) == "relayed"

    posted = time.monotonic()
    offer = a.cli("offer", "post", "--title", "Lab: a roof to fix", "--contact", "ring 555-0100")
    offer = offer.strip()
    wait_for(lambda: offer in b.offer_ids(), 30, "A's offer at B")
    _timing("first record through the relay (post -> seen at B)", time.monotonic() - posted)

    b.cli("offer", "forward", offer, "--network", "--note", "for the roofers")
    wait_for(
        lambda: any(f["from"]["id"] == b.id for f in a.json("show", offer)["forwards"]),
        30,
        "B's forward at A",
    )
    b.cli("offer", "accept", offer)
    wait_for(
        lambda: any(x["member"]["id"] == b.id for x in a.json("show", offer)["accepts"]),
        30,
        "B's accept at A",
    )
    a.cli("offer", "handoff", offer, "--to", b.id)
    wait_for(lambda: _contact_open(b, offer, "ring 555-0100"), 30, "the sealed contact open at B")

    # DCUtR gives up after 3 rounds of 2 s dials: still relayed well after that.
    time.sleep(max(0.0, 12 - (time.monotonic() - joined)))
    row = b.peer(a)
    assert row["connected"] is True
    assert row["connection"] == "relayed"
    assert any("/p2p-circuit" in x for x in row["addresses"])
    assert a.peer(b)["connection"] == "relayed"


def test_relay_restart_loses_nothing(lab: Lab, members: dict[str, Member]) -> None:
    """The relay goes away and comes back: what was written meanwhile arrives."""
    relay, a, b = members["relay"], members["A"], members["B"]
    relay.stop()
    wait_for(lambda: b.link(a) is None and a.link(b) is None, 20, "the circuit gone")
    from_a = a.cli("offer", "post", "--title", "Lab: posted while the relay was down").strip()
    from_b = b.cli("offer", "post", "--title", "Lab: B too, meanwhile").strip()
    back = time.monotonic()
    relay.serve("--relay")
    wait_for(lambda: from_a in b.offer_ids(), 60, "A's offer at B after the relay came back")
    wait_for(lambda: from_b in a.offer_ids(), 30, "B's offer at A after the relay came back")
    _timing("relay back -> both missed offers delivered", time.monotonic() - back)
    # Delivered through the relay, itself a member; A and B find each other again too.
    wait_for(lambda: b.link(a) == "relayed", 30, "A and B connected again through the relay")
    _timing("relay back -> A and B connected again", time.monotonic() - back)


def test_restart_without_invite_behind_cone_nats_goes_direct(
    lab: Lab, members: dict[str, Member]
) -> None:
    """Both members restart (nothing given: no invite, no --peer) behind
    endpoint-independent NATs: they find each other through what they remember,
    and DCUtR turns the relayed connection into a direct one."""
    a, b = members["A"], members["B"]
    a.stop()
    b.stop()
    lab.nat("cone")
    started = time.monotonic()
    a.serve()
    b.serve()
    wait_for(lambda: b.link(a) or a.link(b), 40, "A and B connected again")
    connected = time.monotonic()
    _timing("both restarted -> connected again", connected - started)
    wait_for(lambda: b.link(a) == "direct", 30, "a direct connection", every=0.1)
    _timing("connected -> direct (DCUtR)", time.monotonic() - connected)
    assert b.peer(a)["connection"] == "direct"
    assert a.peer(b)["connection"] == "direct"
    row = b.peer(a)
    assert any("/p2p-circuit" not in x for x in row["addresses"])

    posted = time.monotonic()
    offer = a.cli("offer", "post", "--title", "Lab: over the punched hole").strip()
    wait_for(lambda: offer in b.offer_ids(), 30, "A's offer at B over the direct connection")
    _timing("record over the direct connection (post -> seen at B)", time.monotonic() - posted)


def test_a_stale_address_is_replaced_from_the_community(
    lab: Lab, members: dict[str, Member]
) -> None:
    """B remembers only a dead address for A (and the relay): it reaches A again
    with what the community (the relay) knows of A, and forgets the dead one."""
    a, b = members["A"], members["B"]
    b.stop()
    book = json.loads((b.home / "peers.json").read_text("utf-8"))
    dead = f"/ip4/198.51.100.11/tcp/4999/p2p/{a.id}"
    book[a.id]["addrs"] = [dead]
    (b.home / "peers.json").write_text(json.dumps(book), "utf-8")
    started = time.monotonic()
    b.serve()
    wait_for(lambda: b.link(a), 40, "B reached A without a live address of its own")
    _timing("stale address -> connected again (learned from the relay)", time.monotonic() - started)
    b.stop()
    assert json.loads((b.home / "peers.json").read_text("utf-8"))[a.id]["addrs"][0] != dead
