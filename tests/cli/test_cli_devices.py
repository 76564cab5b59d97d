"""`device add` and `init --join` as two real processes on loopback; `device list`,
`device revoke` and `id --json` (issue 15).

A member's home offers a code; a fresh home joins with it and becomes a device of
the same member, with its own key. A wrong code pairs nothing and burns the code
on both sides; an expired one is refused. Every wait is bounded.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import pytest
from cli_homes import Homes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from serve_processes import WAIT, child_env, first_lines

from p2pshare.cli import main as cli_main
from p2pshare.cli.device_commands import shown_addresses
from p2pshare.member import identity as ident
from p2pshare.member.actions import Member
from p2pshare.member.home import Home
from p2pshare.member.pairing_codes import offer_pairing
from p2pshare.member.recovery import identity_from_words
from protocol import DEVICE_CONSENT, Device, PublicKey, member_id, sign_consent

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

LOOPBACK = ["--listen", "/ip4/127.0.0.1/tcp/0", "--no-mdns"]
WORD_LINE = re.compile(r"^\s*[0-9]+\.\s")  # a line of the words' paper: " 1. foil  2. fee"


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "p2pshare", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=WAIT,
        env=child_env(),
        check=False,
    )


def start(home: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "p2pshare", "--home", str(home), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )


def finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=WAIT)
    return proc.returncode, out, err


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen[str]]]:
    running: list[subprocess.Popen[str]] = []
    yield running
    for proc in running:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _init(home: Path, name: str) -> str:
    done = cli(home, "init", "--name", name)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.network
def test_device_add_and_init_join_make_one_member_of_two_machines(
    tmp_path: Path, procs: list[subprocess.Popen[str]]
) -> None:
    desk, laptop = tmp_path / "desk", tmp_path / "laptop"
    member = _init(desk, "Ana")
    posted = cli(desk, "offer", "post", "--title", "Keynote in Lisbon", "--skills", "talks")
    assert posted.returncode == 0, posted.stderr
    adding = start(desk, "device", "add", "--label", "laptop", *LOOPBACK)
    procs.append(adding)
    shown = first_lines(adding, "command")
    code = shown["code"]
    command = shown["command"].split()
    assert command[:3] == ["p2pshare", "init", "--join"]
    assert command[3] == code
    assert command[4] == "--peer"
    assert command[5].endswith(f"/p2p/{member}")
    joined = cli(laptop, *command[1:], *LOOPBACK)
    assert joined.returncode == 0, joined.stderr
    assert joined.stdout.strip() == member  # the member's id, as `init` prints
    code_out, out, err = finish(adding)
    assert code_out == 0, err
    device = out.strip().splitlines()[-1].removeprefix("paired ")

    # the member's history came along with the pairing: the laptop holds Ana's offer
    offers = json.loads(cli(laptop, "offers", "--all", "--json").stdout)
    assert [o["id"] for o in offers] == [posted.stdout.strip()]
    ids = json.loads(cli(laptop, "id", "--json").stdout)
    assert ids["member"] == member
    assert ids["device"] == device == ids["id"]
    assert device != member  # its own key: its own libp2p peer
    assert json.loads(cli(desk, "id", "--json").stdout)["member"] == member
    # the laptop holds the member's seal key (sealing to the member reaches it), not the root
    laptop_keys, desk_keys = ident.load(Home(laptop)), ident.load(Home(desk))
    assert laptop_keys.seal_public == desk_keys.seal_public
    assert laptop_keys.root_seed is None
    # both see the laptop as the member's device; the laptop took the member's profile
    listed = json.loads(cli(laptop, "device", "list", "--json").stdout)
    assert listed[0]["device_id"] == device
    assert listed[0]["this_device"]
    assert listed[0]["label"] == "laptop"
    assert not listed[0]["manage"]  # not asked for --manage
    desk_list = json.loads(cli(desk, "device", "list", "--json").stdout)
    assert [d["device_id"] for d in desk_list] == [member, device]
    # a device that does not manage cannot add another
    refused = cli(laptop, "device", "add")
    assert refused.returncode == 1
    assert "may not add devices" in refused.stderr


@pytest.mark.network
def test_a_wrong_code_pairs_nothing_and_says_so_on_both_sides(
    tmp_path: Path, procs: list[subprocess.Popen[str]]
) -> None:
    desk, laptop = tmp_path / "desk", tmp_path / "laptop"
    _init(desk, "Ana")
    adding = start(desk, "device", "add", *LOOPBACK)
    procs.append(adding)
    shown = first_lines(adding, "command")
    command = shown["command"].split()
    slot, words = shown["code"].split("-", 1)
    other = "abandon-ability-able" if words != "abandon-ability-able" else "zoo-zoo-zoo"
    command[3] = f"{slot}-{other}"
    joined = cli(laptop, *command[1:], *LOOPBACK)
    assert joined.returncode == 1
    assert "wrong code" in joined.stderr
    code, _, err = finish(adding)
    assert code == 1
    assert "wrong code" in err
    assert not ident.exists(Home(laptop))  # nothing of a member was written


@pytest.mark.network
def test_a_running_serve_answers_device_add_and_refuses_an_expired_code(
    tmp_path: Path, procs: list[subprocess.Popen[str]]
) -> None:
    desk, laptop, phone = tmp_path / "desk", tmp_path / "laptop", tmp_path / "phone"
    member = _init(desk, "Ana")
    serve = start(desk, "serve", *LOOPBACK)
    procs.append(serve)
    address = first_lines(serve, "invite")["listening"]
    # an expired code, offered as if ten minutes ago: the serve refuses it
    stale = offer_pairing(Home(desk), manage=False, now=int(time.time()) - 3600)
    late = cli(phone, "init", "--join", stale.code, "--peer", address, *LOOPBACK)
    assert late.returncode == 1
    assert "expired" in late.stderr
    # `device add` with serve running: the serve pairs, the command reports it
    adding = start(desk, "device", "add", "--manage")
    procs.append(adding)
    command = first_lines(adding, "command")["command"].split()
    assert command[5].endswith(f"/p2p/{member}")
    joined = cli(laptop, *command[1:], *LOOPBACK)
    assert joined.returncode == 0, joined.stderr
    code, out, err = finish(adding)
    assert code == 0, err
    assert out.strip().splitlines()[-1].startswith("paired ")
    listed = json.loads(cli(laptop, "device", "list", "--json").stdout)
    assert listed[0]["manage"]
    # a managing device adds the next one: the phone (which failed before) is Ana's too
    adding = start(laptop, "device", "add", "--label", "phone", *LOOPBACK)
    procs.append(adding)
    command = first_lines(adding, "command")["command"].split()
    joined = cli(phone, *command[1:], *LOOPBACK)
    assert joined.returncode == 0, joined.stderr
    assert joined.stdout.strip() == member
    assert finish(adding)[0] == 0
    chain = json.loads(cli(phone, "device", "list", "--json").stdout)
    assert (chain[0]["label"], chain[0]["this_device"]) == ("phone", True)
    phone_id = json.loads(cli(phone, "id", "--json").stdout)["device"]
    assert json.loads(cli(phone, "id", "--json").stdout)["member"] == member
    # and a managing device may revoke one: the unlink counts, signed by the laptop
    revoked = cli(laptop, "device", "revoke", phone_id, "--reason", "sold")
    assert revoked.returncode == 0, revoked.stderr
    rows = {d["device_id"]: d for d in json.loads(cli(laptop, "device", "list", "--json").stdout)}
    assert rows[phone_id]["unlinked_from"] is not None
    assert rows[phone_id]["reason"] == "sold"


def _certify(home: Path, label: str) -> str:
    """A device certificate signed by the home's root, as a pairing makes it."""
    device = Ed25519PrivateKey.generate()
    key = PublicKey(device.public_key().public_bytes_raw())
    member = Member.open(Home(home))
    try:
        consent = sign_consent(DEVICE_CONSENT, member.me, key=device)
        member.commit(
            Device(member=member.me, device=key, label=label, manage=False, consent=consent)
        )
    finally:
        member.close()
    return member_id(key)


def test_revoke_unlinks_a_device_and_refuses_what_it_cannot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    homes = Homes(tmp_path, capsys)
    me = homes.run("ana", "init", "--name", "Ana")
    ids = homes.json("ana", "id")
    assert ids["member"] == ids["device"] == ids["id"] == me  # a home made by init: its root
    phone = _certify(tmp_path / "ana", "old phone")
    listed = homes.json("ana", "device", "list")
    assert [(d["device_id"], d["label"], d["unlinked_from"]) for d in listed] == [
        (me, "root key", None),
        (phone, "old phone", None),
    ]
    assert "old phone" in homes.run("ana", "device", "list")

    refusals = {
        ("12D3KooWnobody",): "is not one of this member's devices",
        (me,): "root key",
        (phone, "--since", "2999-01-01"): "in the future",
        (phone, "--since", "last tuesday"): "--since",
    }
    for args, reason in refusals.items():
        assert reason in homes.run("ana", "device", "revoke", *args, ok=False)

    record = homes.run("ana", "device", "revoke", phone[:20], "--reason", "lost on a train")
    assert len(record) == 64
    revoked = homes.json("ana", "device", "list")[1]
    assert revoked["device_id"] == phone
    assert revoked["unlinked_from"] is not None
    assert revoked["reason"] == "lost on a train"
    assert "revoked from" in homes.run("ana", "device", "list")
    assert "revoked already" in homes.run("ana", "device", "revoke", phone, ok=False)


def test_rotate_root_keeps_the_member_and_makes_this_home_a_device(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    homes = Homes(tmp_path, capsys)
    me = homes.run("ana", "init", "--name", "Ana")
    old_key = ident.load(Home(tmp_path / "ana"))
    capsys.readouterr()
    assert cli_main.main(["--home", str(tmp_path / "ana"), "device", "rotate-root"]) == 0
    out, err = capsys.readouterr()
    lines = dict(line.split(" ", 1) for line in out.strip().splitlines())
    # the new root's words, shown once on stderr, restore the new root and the seal key
    paper = "\n".join(line for line in err.splitlines() if WORD_LINE.match(line))
    restored_root = identity_from_words(paper)
    assert restored_root.member_id == lines["root"]
    assert restored_root.seal_public == old_key.seal_public  # the member's, kept
    new_key = ident.load(Home(tmp_path / "ana"))
    assert new_key.public_key != old_key.public_key  # a new device key signs from now on
    assert new_key.seal_public == old_key.seal_public  # sealed text still opens
    assert new_key.root_seed is None  # the new root is on paper only
    ids = homes.json("ana", "id")
    assert ids["member"] == me  # the member id never changes
    assert ids["device"] == lines["device"] != me
    listed = homes.json("ana", "device", "list")
    assert [(d["device_id"], d["this_device"], d["root"], d["manage"]) for d in listed] == [
        (lines["device"], True, False, True),
        (lines["root"], False, True, True),
    ]
    # this home no longer holds the root: no second rotation, no root words from here
    assert "does not hold the member's root" in homes.run("ana", "device", "rotate-root", ok=False)
    assert "not its root" in homes.run("ana", "recovery-words", ok=False)
    assert "root key" in homes.run("ana", "device", "revoke", lines["root"], ok=False)

    # the new root's words restore it on a fresh home: once the records arrive, it is
    # the same member's root (not a member of its own), and may rotate again
    monkeypatch.setattr("sys.stdin", io.StringIO(paper))
    assert homes.run("safe", "init", "--recover") == lines["root"]
    homes.sync("ana", "safe")
    restored = homes.json("safe", "id")
    assert (restored["member"], restored["device"]) == (me, lines["root"])
    again = homes.run("safe", "device", "rotate-root", "--label", "safe")
    third = dict(line.split(" ", 1) for line in again.splitlines())["root"]
    homes.sync("safe", "ana")
    roots = [d["device_id"] for d in homes.json("ana", "device", "list") if d["root"]]
    assert roots == [third]  # ana's home follows the second rotation


def test_a_rotation_that_dies_once_stored_has_shown_words_that_bring_the_member_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the moment the rotation is stored the old root no longer counts: if the
    process dies before this home holds its new key, the words shown must restore the
    member on another home (they used to be shown last, and were lost with it)."""
    homes = Homes(tmp_path, capsys)
    me = homes.run("ana", "init", "--name", "Ana")
    an_hour_ago = time.time() - 3600  # the old root's records before the rotation count
    ana = Member.open(Home(tmp_path / "ana"), clock=lambda: an_hour_ago)
    try:
        ana.post_offer(title="A van for Saturday")
    finally:
        ana.close()
    capsys.readouterr()

    class PowerCut(BaseException):
        """The process dies: nothing after this runs, nothing catches it."""

    def power_cut(*_: object) -> None:
        raise PowerCut

    monkeypatch.setattr("p2pshare.member.devices.save_membership", power_cut)
    with pytest.raises(PowerCut):
        cli_main.main(["--home", str(tmp_path / "ana"), "device", "rotate-root"])
    monkeypatch.undo()
    paper = "\n".join(
        line for line in capsys.readouterr().err.splitlines() if WORD_LINE.match(line)
    )
    assert paper, "the words were not shown before the home's files changed"
    monkeypatch.setattr("sys.stdin", io.StringIO(paper))
    new_root = homes.run("safe", "init", "--recover")
    homes.sync("ana", "safe")  # the stored rotation and the member's history
    restored = homes.json("safe", "id")
    assert (restored["member"], restored["device"]) == (me, new_root)
    offers = homes.json("safe", "offers")
    assert [o["title"] for o in offers if o["mine"]] == ["A van for Saturday"], offers


def test_a_home_from_before_devices_is_its_members_root_and_first_device(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Upgrade: a key file of two independent keys (no seed, no member.json) and its
    records keep their member; the key is the root and may add devices."""
    home = Home(tmp_path / "old").ensure()
    keys = (Ed25519PrivateKey.generate(), X25519PrivateKey.generate())
    home.key_file.write_bytes(
        b"".join(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            for key in keys
        )
    )
    homes = Homes(tmp_path, capsys)
    homes.run("old", "profile", "set", "--name", "Olga")
    me = member_id(keys[0].public_key().public_bytes_raw())
    ids = homes.json("old", "id")
    assert ids["id"] == ids["member"] == ids["device"] == me
    assert homes.json("old", "device", "list") == [
        {
            "device_id": me,
            "label": "root key",
            "this_device": True,
            "root": True,
            "manage": True,
            "linked_at": 0,
            "unlinked_from": None,
            "reason": "",
        }
    ]
    assert len(homes.run("old", "recovery-words").split()) == 48 * 2  # numbered words


def test_join_and_add_refuse_bad_input_before_any_network(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    homes = Homes(tmp_path, capsys)
    peer = "/ip4/127.0.0.1/tcp/9/p2p/12D3KooWJGKK2MJ363H38rZXLbzkSFn6mg5MMob2LpgzawoYYmLf"
    refusals = {
        ("init", "--join", "arctic-velvet-harbor", "--peer", peer): "a number and three words",
        ("init", "--join", "7-arctic-velvet-harbour", "--peer", peer): "'harbour' is not a word",
        ("init", "--join", "7-arctic-velvet-harbor"): "needs --peer",
        ("init", "--join", "7-arctic-velvet-harbor", "--name", "X"): "no --name",
        ("init", "--join", "7-" + "x" * 200, "--peer", peer): "too long",
    }
    for args, reason in refusals.items():
        assert reason in homes.run("new", *args, ok=False)
    assert not ident.exists(Home(tmp_path / "new"))
    homes.run("ana", "init", "--name", "Ana")
    assert "label" in homes.run("ana", "device", "add", "--label", "  ", ok=False)
    assert "label" in homes.run("ana", "device", "add", "--label", "a\tb", ok=False)


def test_the_command_names_addresses_another_machine_can_reach_first() -> None:
    me = "12D3KooWJGKK2MJ363H38rZXLbzkSFn6mg5MMob2LpgzawoYYmLf"
    loopback = f"/ip4/127.0.0.1/tcp/4001/p2p/{me}"
    lan = f"/ip4/192.168.1.20/tcp/4001/p2p/{me}"
    circuit = f"/ip4/198.51.100.7/tcp/4001/p2p/{me[:-4]}AAAA/p2p-circuit/p2p/{me}"
    extra = [f"/ip4/10.0.0.{n}/tcp/4001/p2p/{me}" for n in range(2, 6)]
    assert shown_addresses([loopback, circuit, lan]) == [lan, circuit, loopback]
    assert shown_addresses([loopback, *extra]) == extra  # four at most
