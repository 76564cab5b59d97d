"""The command line as scripts use it: the whole lifecycle across three homes.

Records move between homes only through `export`/`import`, as issue 3 asks: no
network is involved. Commands run in-process through `p2pshare.cli.main.main` (the
same code the console script runs) so the test stays fast; one test runs the
real console script in a subprocess.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from cli_homes import Homes

from p2pshare.member.home import Home

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def homes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Homes:
    h = Homes(tmp_path, capsys)
    h.run("alice", "init", "--name", "Alice", "--skills", "keynote,leadership")
    h.run("bob", "init", "--name", "Bob", "--skills", "design")
    h.run("carol", "init", "--name", "Carol", "--skills", "Keynote, UX")
    h.sync("alice", "bob", "carol")
    return h


def test_lifecycle_through_export_and_import(homes: Homes) -> None:
    offer = homes.run(
        "alice",
        "offer",
        "post",
        "--title",
        "Keynote in Atlanta",
        "--skills",
        "keynote",
        "--value",
        "5000 USD",
        "--contact",
        "jane@conf.example",
    )
    homes.run("alice", "vouch", "Bob", "--skill", "design")
    homes.sync("alice", "bob")
    homes.run("bob", "offer", "forward", offer[:12], "--to", "Carol", "--note", "made for you")
    homes.sync("bob", "carol")

    feed = homes.json("carol", "offers")
    assert [item["title"] for item in feed] == ["Keynote in Atlanta"]
    assert feed[0]["for_me"]
    assert feed[0]["chain"] == [homes.json("bob", "id")["id"]]
    homes.run("carol", "offer", "accept", offer[:12], "--note", "happy to")
    homes.sync("carol", "alice")
    homes.run("alice", "offer", "handoff", offer[:12], "--to", "Carol")
    homes.sync("alice", "bob", "carol")

    assert homes.json("carol", "show", offer)["contact"] == "jane@conf.example"
    bob_view = homes.json("bob", "show", offer)
    assert bob_view["contact"] == ""
    assert bob_view["has_contact"]
    assert bob_view["status"] == "handed_off"
    # the directed note was sealed to Carol: Bob wrote it, Alice cannot read it
    assert homes.json("carol", "show", offer)["forwards"][0]["note"] == "made for you"
    assert homes.json("alice", "show", offer)["forwards"][0]["note"] == ""

    homes.run(
        "alice", "offer", "outcome", offer[:12], "--fulfilled", "--rating", "5", "--value", "5000"
    )
    homes.sync("alice", "bob", "carol")
    for who in ("alice", "bob", "carol"):
        assert homes.json(who, "show", offer)["status"] == "fulfilled"

    alice = homes.json("alice", "stats")
    assert alice["offers_posted"] == 1
    assert alice["offers_fulfilled"] == 1
    assert alice["value_fulfilled"] == {"USD": 5000}
    assert [row["name"] for row in alice["fulfilled_to"]] == ["Carol"]
    bob = homes.json("bob", "stats")
    assert bob["offers_forwarded"] == 1
    assert bob["connector_credit"] == 1
    carol = homes.json("carol", "stats")
    assert carol["fulfilled_by_me"] == 1
    assert carol["handoffs_received"] == 1

    trust = homes.json("alice", "trust", "Carol", "--explain")
    assert trust["trust"] > 0
    assert trust["evidence"]["fulfilled"] == 1
    assert any("Carol" in line for line in trust["explanation"])
    bob_trust = homes.json("alice", "trust", "Bob", "--explain")
    assert bob_trust["trust"] > 0
    assert bob_trust["evidence"]["vouches"] == 1
    peers = {p["name"]: p for p in homes.json("alice", "peers")}
    assert peers["Carol"]["fulfilled"] == 1
    assert peers["Bob"]["vouched_by_me"]
    assert peers["Bob"]["connector_credit"] == 1


def test_rules_are_refused_with_one_line_reasons(homes: Homes) -> None:
    offer = homes.run("alice", "offer", "post", "--title", "Audit", "--expires", "3")
    homes.sync("alice", "bob")
    assert "has not accepted" in homes.run(
        "alice", "offer", "handoff", offer, "--to", "Bob", ok=False
    )
    assert "author" in homes.run("bob", "offer", "withdraw", offer, ok=False)
    assert "no hand-off" in homes.run("alice", "offer", "outcome", offer, "--fulfilled", ok=False)
    assert "no offer" in homes.run("bob", "show", "abcdef", ok=False)
    assert "not a valid offer id" in homes.run("bob", "show", "xyz", ok=False)
    assert "no known member" in homes.run("alice", "vouch", "Zed", ok=False)
    assert "yourself" in homes.run(
        "alice", "offer", "forward", offer, "--to", homes.json("alice", "id")["id"], ok=False
    )
    assert "already has an identity" in homes.run("alice", "init", "--name", "X", ok=False)
    assert "no identity" in homes.run("nobody", "offers", ok=False)
    assert "title" in homes.run("alice", "offer", "post", "--title", "  ", ok=False)
    assert "value" in homes.run(
        "alice", "offer", "post", "--title", "T", "--value", "lots!", ok=False
    )
    homes.run("alice", "offer", "withdraw", offer)
    homes.sync("alice", "bob")
    assert "withdraw" in homes.run("bob", "offer", "accept", offer, ok=False)


def test_ambiguous_prefix_is_refused(homes: Homes) -> None:
    ids = [homes.run("alice", "offer", "post", "--title", f"Offer {i}") for i in range(40)]
    # with 40 ids, some pair shares its first hex digit
    first = [i[0] for i in ids]
    shared = next(c for c in first if first.count(c) > 1)
    assert "matches" in homes.run("alice", "show", shared, ok=False)


def test_expired_offer_cannot_be_accepted(homes: Homes, tmp_path: Path) -> None:
    offer = homes.run("alice", "offer", "post", "--title", "Soon gone", "--expires", "1")
    homes.sync("alice", "bob")
    from p2pshare.member.actions import Member
    from p2pshare.member.home import Home

    member = Member.open(Home(tmp_path / "bob"))
    later = Member(
        member.home, member.identity, member.store, clock=lambda: member.now() + 2 * 86_400
    )
    state = later.resolve_offer(offer)
    assert state.status.value == "expired"
    with pytest.raises(Exception, match="expire"):
        later.accept(state)
    member.close()


def test_identity_file_is_private_and_passphrase_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    homes = Homes(tmp_path, capsys)
    monkeypatch.setenv("P2PSHARE_PASSPHRASE", "correct horse")
    homes.run("dana", "init", "--name", "Dana", "--passphrase")
    key = tmp_path / "dana" / "identity.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert b"ENCRYPTED" in key.read_bytes()
    assert homes.json("dana", "id")["name"] == "Dana"
    monkeypatch.setenv("P2PSHARE_PASSPHRASE", "wrong")
    assert "wrong passphrase" in homes.run("dana", "offers", ok=False)
    # the secret key never shows up in the log or in an export
    monkeypatch.setenv("P2PSHARE_PASSPHRASE", "correct horse")
    homes.run("dana", "export", str(tmp_path / "dana.export"))
    from p2pshare.member import identity

    ident = identity.load(
        Home(tmp_path / "dana"),
        identity.passphrase_from_env,
    )
    secret = ident.signing_key.private_bytes_raw()
    assert secret not in (tmp_path / "dana.export").read_bytes()
    assert secret.hex() not in (tmp_path / "dana" / "p2pshare.log").read_text()


def test_bad_name_on_init_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    homes = Homes(tmp_path, capsys)
    assert "name" in homes.run("eve", "init", "--name", "bad\x1bname", ok=False)
    assert not (tmp_path / "eve" / "identity.pem").exists()


def test_import_reports_tampered_records(homes: Homes, tmp_path: Path) -> None:
    homes.run("alice", "offer", "post", "--title", "Genuine")
    bundle = tmp_path / "alice.export"
    homes.run("alice", "export", "--force", str(bundle))
    data = bytearray(bundle.read_bytes())
    at = data.index(b"Genuine")
    data[at] ^= 0x20  # "genuine": the offer's signature no longer verifies
    bundle.write_bytes(bytes(data))
    out = homes.run("bob", "import", str(bundle))
    assert "1 rejected" in out
    assert [o["title"] for o in homes.json("bob", "offers")] == []
    assert len(homes.json("bob", "peers")) >= 1  # the good records (profiles) were kept


def test_console_script_in_a_subprocess(tmp_path: Path) -> None:
    env = {**os.environ, "P2PSHARE_HOME": str(tmp_path / "zed")}
    run = [sys.executable, "-m", "p2pshare"]
    made = subprocess.run(
        [*run, "init", "--name", "Zed"], env=env, capture_output=True, text=True, timeout=60
    )
    assert made.returncode == 0, made.stderr
    shown = subprocess.run(
        [*run, "id", "--json"], env=env, capture_output=True, text=True, timeout=60
    )
    assert json.loads(shown.stdout)["id"] == made.stdout.strip()
    assert shown.stderr == ""
    bad = subprocess.run(
        [*run, "offer", "accept", "ffff"], env=env, capture_output=True, text=True, timeout=60
    )
    assert bad.returncode != 0
    assert bad.stderr.startswith("p2pshare: ")


def test_import_of_a_truncated_file_keeps_what_came_before(homes: Homes, tmp_path: Path) -> None:
    for i in range(3):
        homes.run("alice", "offer", "post", "--title", f"Offer {i}")
    bundle = tmp_path / "cut.export"
    homes.run("alice", "export", "--force", str(bundle))
    data = bundle.read_bytes()
    offsets = [data.index(f"Offer {i}".encode()) for i in range(3)]
    bundle.write_bytes(data[: max(offsets)])  # cut inside the last offer record
    reason = homes.run("bob", "import", str(bundle), ok=False)
    assert "kept" in reason
    assert len(homes.json("bob", "offers")) == 2  # the records before the damage
    garbage = tmp_path / "garbage.export"
    garbage.write_bytes(b"\x00" * 100)
    assert "garbage.export" in homes.run("bob", "import", str(garbage), ok=False)


def test_quick_profile_edits_keep_their_order(homes: Homes) -> None:
    # several edits within one second: each builds on the one before
    homes.run("alice", "profile", "set", "--headline", "Speaker")
    homes.run("alice", "profile", "set", "--region", "Atlanta")
    homes.run("alice", "profile", "set", "--available", "no")
    homes.sync("alice", "bob")
    alice = next(p for p in homes.json("bob", "peers") if p["name"] == "Alice")
    assert (alice["headline"], alice["region"], alice["available"]) == ("Speaker", "Atlanta", False)


def test_peers_shows_what_the_running_node_refused(homes: Homes, tmp_path: Path) -> None:
    """`peers --json` reads a running node's refusals (node.json) into each member's row,
    and lists a refused stranger it connects to with its own counts."""
    from p2pshare.store import NodeLock

    bob = next(p["id"] for p in homes.json("alice", "peers") if p["name"] == "Bob")
    stranger = "12D3KooWStrangerStrangerStrangerStrangerStrangerXYZ"
    home = Home(tmp_path / "alice")
    info = {
        "peers": {stranger: {"connection": "direct", "addresses": ["/ip4/192.0.2.9/tcp/4001"]}},
        "refusals": {bob: {"flood": 3, "invalid": 1}, stranger: {"member": 2}},
    }
    home.node_file.write_text(json.dumps(info), "utf-8")
    assert all(not p["refusals"] for p in homes.json("alice", "peers"))  # no node runs
    lock = NodeLock(home.lock_file).acquire()
    try:
        rows = {p["id"]: p for p in homes.json("alice", "peers")}
    finally:
        lock.release()
    assert rows[bob]["refusals"] == {"flood": 3, "invalid": 1}
    assert rows[stranger]["refusals"] == {"member": 2}
    assert rows[stranger]["connected"]
