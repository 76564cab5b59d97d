"""Keys and files (issue 13): a private home, a memory-hard passphrase KDF, checked input.

- The home is 0700 and every file p2pshare writes in it 0600, whatever the umask;
  a home made 0755 by an earlier version is brought to 0700 (and its log to 0600).
- A passphrase-protected key is AES-256-GCM under Argon2id; keys written with
  PKCS#8/PBKDF2 before still load; an empty passphrase never means "no encryption".
- Invites: community names are 1..64 bytes; an invite's key must be a member key.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from p2pshare.cli import main as cli
from p2pshare.errors import UserError
from p2pshare.member import identity as ident
from p2pshare.member.home import Home
from p2pshare.member.marks import BLOCKED, Marks
from p2pshare.net.discovery import PeerBook
from p2pshare.net.invite import MAX_COMMUNITY_BYTES, check_community, make_invite, parse_peer
from protocol import PublicKey, member_id

SCRIPT = Path(sys.executable).with_name("p2pshare")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "p2pshare"]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def p2pshare(home: Path, *args: str, env: dict[str, str] | None = None) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("P2PSHARE_")}
    result = subprocess.run(
        [*COMMAND, "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, **(env or {})},
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def loose_umask() -> object:
    old = os.umask(0o022)
    yield
    os.umask(old)


# -- modes ---------------------------------------------------------------------------


@pytest.mark.usefixtures("loose_umask")
def test_every_file_in_the_home_is_private(tmp_path: Path) -> None:
    home = tmp_path / "home"
    p2pshare(home, "init", "--name", "Ann")
    p2pshare(home, "offer", "post", "--title", "A job")
    book = PeerBook(Home(home).peers_file, me="me")
    peer = "12D3KooWQnPrFC6dXfvqvV8TekK4dzWoM7CSrh9nfxrbHVadvHqv"
    assert book.add(peer, [f"/ip4/127.0.0.1/tcp/1/p2p/{peer}"], seen=True)
    book.save()
    someone = PublicKey(Ed25519PrivateKey.generate().public_key().public_bytes_raw())
    Marks(Home(home).marks_file).set(BLOCKED, someone)
    assert mode(home) == 0o700
    names = {p.name for p in home.iterdir()}
    assert {"identity.pem", "records.db", "p2pshare.log", "peers.json", "marks.json"} <= names
    for path in home.iterdir():
        assert mode(path) == 0o600, path.name


@pytest.mark.usefixtures("loose_umask")
def test_an_existing_home_is_made_private(tmp_path: Path) -> None:
    home = tmp_path / "home"
    p2pshare(home, "init", "--name", "Ann")
    home.chmod(0o755)
    (home / "p2pshare.log").chmod(0o644)
    (home / "peers.json").write_text("{}")
    (home / "peers.json").chmod(0o644)
    p2pshare(home, "offers")
    assert mode(home) == 0o700
    assert mode(home / "p2pshare.log") == 0o600
    assert mode(home / "peers.json") == 0o600


def test_the_cli_leaves_the_callers_umask_alone(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        cli.main(["--home", str(tmp_path / "h"), "offers"])
        assert os.umask(0o022) == 0o022
    finally:
        os.umask(old)


# -- passphrases ---------------------------------------------------------------------


def test_a_passphrase_key_uses_argon2id(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    made = ident.create(home, passphrase=b"correct horse")
    text = home.key_file.read_text("ascii")
    assert text.startswith("-----BEGIN P2PSHARE ENCRYPTED KEYS-----\nKDF: argon2id; m=65536; t=3;")
    assert "PRIVATE KEY" not in text
    assert ident.is_encrypted(home)
    assert ident.load(home, lambda: b"correct horse").member_id == made.member_id
    with pytest.raises(ident.IdentityError, match="wrong passphrase"):
        ident.load(home, lambda: b"wrong")
    with pytest.raises(ident.IdentityError, match="encrypted"):
        ident.load(home, lambda: None)


def test_a_tampered_header_does_not_open(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    ident.create(home, passphrase=b"pw")
    text = home.key_file.read_text("ascii")
    home.key_file.write_text(re.sub(r"t=3", "t=4", text), "ascii")
    with pytest.raises(ident.IdentityError, match=r"wrong passphrase|damaged"):
        ident.load(home, lambda: b"pw")
    home.key_file.write_text(re.sub(r"m=65536", "m=99999999", text), "ascii")
    with pytest.raises(ident.IdentityError, match="out of range"):
        ident.load(home, lambda: b"pw")


def test_keys_written_with_pbkdf2_still_load(tmp_path: Path) -> None:
    home = Home(tmp_path / "home").ensure()
    keys = (Ed25519PrivateKey.generate(), X25519PrivateKey.generate())
    home.key_file.write_bytes(
        b"".join(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(b"old"),
            )
            for key in keys
        )
    )
    assert b"ENCRYPTED PRIVATE KEY" in home.key_file.read_bytes()
    assert ident.is_encrypted(home)
    loaded = ident.load(home, lambda: b"old")
    assert loaded.public_key == keys[0].public_key().public_bytes_raw()
    with pytest.raises(ident.IdentityError, match="wrong passphrase"):
        ident.load(home, lambda: b"new")


def test_an_empty_passphrase_is_not_a_choice_of_no_encryption(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    with pytest.raises(UserError, match="empty passphrase"):
        ident.create(home, passphrase=b"")
    assert not home.key_file.exists()
    # --passphrase with an empty $P2PSHARE_PASSPHRASE and no terminal: refused, nothing written
    clean = {k: v for k, v in os.environ.items() if not k.startswith("P2PSHARE_")}
    result = subprocess.run(
        [*COMMAND, "--home", str(home.path), "init", "--name", "Ann", "--passphrase"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, "P2PSHARE_PASSPHRASE": ""},
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("p2pshare: ")
    assert not home.key_file.exists()


def test_an_empty_passphrase_typed_at_the_prompt_is_refused(tmp_path: Path) -> None:
    """At a terminal, `init --passphrase` then Enter: refused, not an unencrypted key."""
    import pty

    home = tmp_path / "home"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("P2PSHARE_")}
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, on the new terminal
        os.execve(
            COMMAND[0],
            [*COMMAND, "--home", str(home), "init", "--name", "A", "--passphrase"],
            clean,
        )
    seen = b""
    try:
        while b"passphrase" not in seen.lower():
            seen += os.read(fd, 1024)
        os.write(fd, b"\n")
        while True:
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 1, seen
    assert b"empty passphrase" in seen
    assert b"Traceback" not in seen
    assert not (home / "identity.pem").exists()


# -- invites -------------------------------------------------------------------------


def test_community_names_are_bounded() -> None:
    assert cli.MAX_COMMUNITY_BYTES == MAX_COMMUNITY_BYTES == 64
    assert check_community("c" * 64) == "c" * 64
    assert check_community("é" * 32) == "é" * 32
    for bad in ("", "  ", "c" * 65, "é" * 33, "a\nb"):
        with pytest.raises(UserError):
            check_community(bad)
    me = member_id(Ed25519PrivateKey.generate().public_key().public_bytes_raw())
    with pytest.raises(UserError):
        make_invite(me, ["/ip4/127.0.0.1/tcp/1"], "c" * 100_000)


def test_an_invite_with_a_small_order_key_is_refused() -> None:
    import base58
    import msgpack
    import multiaddr

    addr = multiaddr.Multiaddr("/ip4/127.0.0.1/tcp/4001").to_bytes()
    for key in ((1).to_bytes(32, "little"), bytes(32)):
        packed = msgpack.packb([key, [addr], "main"], use_bin_type=True)
        with pytest.raises(UserError, match="small order"):
            parse_peer("p2ps1:" + base58.b58encode(packed).decode())
    good = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    invite = make_invite(member_id(good), ["/ip4/127.0.0.1/tcp/4001"], "main")
    assert parse_peer(invite).community == "main"
