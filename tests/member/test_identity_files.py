"""identity.pem with a root seed (issue 15): written whole, private, never overwritten.

- `create` grows a new identity from a root seed kept as a third block of the file,
  encrypted with the keys when there is a passphrase; files of earlier versions
  (two keys, no seed) still load, and restore to the same format.
- `restore` puts a recovered identity into a home without one: 0700 home, 0600
  file, nothing left behind; a home that has an identity is refused and untouched.
- A seed block that does not give the stored keys is refused as damage, since a
  backup shown from it would restore someone else.
"""

from __future__ import annotations

import base64
import os
import re
import stat
from typing import TYPE_CHECKING

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from p2pshare.member import identity as ident
from p2pshare.member.home import Home
from p2pshare.member.recovery import identity_from_words, words_for

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

SEED_BLOCK = re.compile(
    r"-----BEGIN P2PSHARE ROOT SEED-----\n(.+)\n-----END P2PSHARE ROOT SEED-----\n\Z"
)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def older_file(home: Home) -> ident.Identity:
    """A key file as p2pshare wrote it before root seeds: two unencrypted PKCS#8 keys."""
    keys = (Ed25519PrivateKey.generate(), X25519PrivateKey.generate())
    home.ensure().key_file.write_bytes(
        b"".join(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            for key in keys
        )
    )
    return ident.Identity(*keys)


# -- the file ---------------------------------------------------------------------


def test_a_new_identity_keeps_its_seed_and_loads_with_it(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    made = ident.create(home)
    text = home.key_file.read_text("ascii")
    assert text.count("-----BEGIN PRIVATE KEY-----") == 2  # the keys' blocks as before
    found = SEED_BLOCK.search(text)
    assert found is not None
    assert base64.b64decode(found[1]) == made.root_seed
    loaded = ident.load(home)
    assert loaded.root_seed == made.root_seed
    assert loaded.member_id == made.member_id
    assert len(words_for(loaded)) == 24


def test_the_seed_is_encrypted_with_the_keys(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    made = ident.create(home, passphrase=b"correct horse")
    assert made.root_seed is not None
    data = home.key_file.read_bytes()
    assert b"ROOT SEED" not in data
    assert base64.b64encode(made.root_seed) not in data
    assert ident.load(home, lambda: b"correct horse").root_seed == made.root_seed


def test_a_file_from_before_root_seeds_still_loads_and_backs_up_as_48_words(
    tmp_path: Path,
) -> None:
    home = Home(tmp_path / "home")
    original = older_file(home)
    loaded = ident.load(home)
    assert loaded.root_seed is None
    assert loaded.member_id == original.member_id
    assert identity_from_words(" ".join(words_for(loaded))).member_id == original.member_id


def _replace_seed(home: Home, body: str) -> None:
    text = home.key_file.read_text("ascii")
    home.key_file.write_text(SEED_BLOCK.sub("", text) + body)


def test_a_seed_that_does_not_give_the_keys_is_refused(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    ident.create(home)
    other = base64.b64encode(bytes(32)).decode()
    _replace_seed(
        home, f"-----BEGIN P2PSHARE ROOT SEED-----\n{other}\n-----END P2PSHARE ROOT SEED-----\n"
    )
    with pytest.raises(ident.IdentityError, match="damaged: its root seed does not give its keys"):
        ident.load(home)


@pytest.mark.parametrize(
    "block",
    [
        pytest.param("AAAA", id="too short"),
        pytest.param("A" * 43 + "!", id="not base64"),
        pytest.param("A" * 42 + "==", id="31 bytes"),
    ],
)
def test_a_seed_block_that_does_not_parse_is_refused(tmp_path: Path, block: str) -> None:
    home = Home(tmp_path / "home")
    ident.create(home)
    _replace_seed(
        home, f"-----BEGIN P2PSHARE ROOT SEED-----\n{block}\n-----END P2PSHARE ROOT SEED-----\n"
    )
    with pytest.raises(ident.IdentityError, match="its root seed block does not parse"):
        ident.load(home)


def test_a_seed_block_before_the_keys_is_not_a_key_file(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    ident.create(home)
    text = home.key_file.read_text("ascii")
    found = SEED_BLOCK.search(text)
    assert found is not None
    home.key_file.write_text(found[0] + text[: found.start()])
    with pytest.raises(ident.IdentityError, match="is not a p2pshare key file"):
        ident.load(home)


# -- restoring into a home ----------------------------------------------------------


@pytest.mark.usefixtures("loose_umask")
def test_a_recovered_identity_is_written_private_into_a_fresh_home(tmp_path: Path) -> None:
    words = words_for(ident.generate())
    home = Home(tmp_path / "new" / "home")
    recovered = identity_from_words(" ".join(words))
    ident.restore(home, recovered)
    assert mode(home.path) == 0o700
    assert mode(home.key_file) == 0o600
    assert [p.name for p in home.path.iterdir()] == ["identity.pem"]  # no temporary left
    loaded = ident.load(home)
    assert loaded.member_id == recovered.member_id
    assert words_for(loaded) == words


def test_a_recovered_identity_can_be_written_encrypted(tmp_path: Path) -> None:
    recovered = identity_from_words(" ".join(words_for(ident.generate())))
    home = Home(tmp_path / "home")
    ident.restore(home, recovered, passphrase=b"pw")
    assert ident.is_encrypted(home)
    loaded = ident.load(home, lambda: b"pw")
    assert (loaded.member_id, loaded.root_seed) == (recovered.member_id, recovered.root_seed)


def test_an_older_identity_restores_to_a_file_without_a_seed(tmp_path: Path) -> None:
    original = older_file(Home(tmp_path / "lost"))
    home = Home(tmp_path / "home")
    ident.restore(home, identity_from_words(" ".join(words_for(original))))
    assert "ROOT SEED" not in home.key_file.read_text("ascii")
    assert ident.load(home).member_id == original.member_id


def test_a_home_with_an_identity_is_never_overwritten(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    ident.create(home)
    before = home.key_file.read_bytes()
    for attempt in (
        lambda: ident.restore(home, ident.generate()),
        lambda: ident.restore(home, ident.generate(), passphrase=b"pw"),
        lambda: ident.create(home),
    ):
        with pytest.raises(ident.IdentityError, match="already has an identity; nothing"):
            attempt()
    assert home.key_file.read_bytes() == before
    assert [p.name for p in home.path.iterdir()] == ["identity.pem"]


def test_an_identity_that_appears_while_writing_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process wins the race after the first check: the final link refuses."""
    home = Home(tmp_path / "home")
    ident.create(home)
    before = home.key_file.read_bytes()
    monkeypatch.setattr(ident, "exists", lambda _home: False)
    with pytest.raises(ident.IdentityError, match="already has an identity"):
        ident.restore(home, ident.generate())
    assert home.key_file.read_bytes() == before
    assert [p.name for p in home.path.iterdir()] == ["identity.pem"]


def test_keys_that_do_not_come_from_their_seed_are_not_written(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    grown = ident.generate()
    mixed = ident.Identity(
        grown.signing_key, X25519PrivateKey.generate(), root_seed=grown.root_seed
    )
    with pytest.raises(ident.IdentityError, match="this root seed does not give these keys"):
        ident.restore(home, mixed)
    assert not home.key_file.exists()


def test_an_empty_passphrase_writes_nothing(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    with pytest.raises(ident.IdentityError, match="empty passphrase"):
        ident.restore(home, ident.generate(), passphrase=b"")
    assert not home.key_file.exists()


@pytest.mark.usefixtures("loose_umask")
def test_a_rotation_replaces_the_keys_whole_and_private(tmp_path: Path) -> None:
    home = Home(tmp_path / "h")
    old = ident.create(home, passphrase=b"pw")
    new = ident.Identity(Ed25519PrivateKey.generate(), old.seal_key)
    ident.replace_keys(home, new, passphrase=b"pw")
    loaded = ident.load(home, lambda: b"pw")
    assert loaded.public_key == new.public_key != old.public_key
    assert loaded.seal_public == old.seal_public
    assert loaded.root_seed is None  # the device key has no seed: the root is elsewhere
    assert mode(home.key_file) == 0o600
    assert [p.name for p in home.path.iterdir() if p.name.endswith(".new")] == []
    with pytest.raises(ident.IdentityError, match="empty passphrase"):
        ident.replace_keys(home, old, passphrase=b"")
    assert ident.load(home, lambda: b"pw").public_key == new.public_key  # unchanged
