"""The home's keyring of seal keys (member/seal_keys.py; issue 15, a revoked device).

- A new seal key becomes the member's current one (the profile names it), and
  what was sealed to the older keys still opens, in this process and in another
  that loads the home afterwards.
- seal_keys.json is 0600 and holds no private key in the clear; a write that fails
  leaves the old file whole (and no temporary file); two writers never drop a key.
- A damaged file, or one written for another identity.pem, is refused with a reason.
- Revoking a device (devices.revoke) makes a new key and a profile naming it;
  a device revoking itself makes none.
"""

from __future__ import annotations

import json
import os
import stat
import time
from typing import TYPE_CHECKING

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

import protocol as p
from p2pshare.member import devices, sealing
from p2pshare.member import identity as ident
from p2pshare.member.actions import Member, create_member
from p2pshare.member.home import Home
from p2pshare.member.seal_keys import FILE_NAME, KeyringError, SealKeyring, public_of

if TYPE_CHECKING:
    from pathlib import Path

CONTEXT = b"test:context"


def seal(text: str, key: X25519PrivateKey | p.PublicKey) -> bytes:
    public = key if isinstance(key, bytes) else p.PublicKey(public_of(key))
    return sealing.seal_text(text, public, CONTEXT)


@pytest.fixture
def home(tmp_path: Path) -> Home:
    home = Home(tmp_path / "m").ensure()
    ident.create(home)
    return home


def test_a_new_key_is_current_and_old_text_still_opens(home: Home) -> None:
    identity = ident.load(home)
    old = seal("sealed to the first key", identity.seal_public)
    assert identity.keyring is not None
    second = identity.keyring.new_key(now=1)
    middle = seal("sealed to the second key", identity.seal_public)
    third = identity.keyring.new_key(now=2)
    new = seal("sealed to the third key", identity.seal_public)
    assert public_of(identity.current_seal_key) == public_of(third)
    assert [public_of(k) for k in identity.seal_keys] == [
        public_of(third),
        public_of(second),
        public_of(identity.seal_key),
    ]
    for keys in (identity.seal_keys, ident.load(home).seal_keys):  # this process, another
        assert sealing.open_text(old, keys, CONTEXT) == "sealed to the first key"
        assert sealing.open_text(middle, keys, CONTEXT) == "sealed to the second key"
        assert sealing.open_text(new, keys, CONTEXT) == "sealed to the third key"
    assert sealing.open_text(new, identity.seal_key, CONTEXT) == ""  # the base alone cannot


def test_a_key_added_by_another_process_is_seen_at_the_next_use(home: Home) -> None:
    running, command = ident.load(home), ident.load(home)
    assert command.keyring is not None
    key = command.keyring.new_key(now=1)
    assert running.seal_public == public_of(key)


def test_the_keyring_is_private_and_holds_no_key_in_the_clear(home: Home) -> None:
    os.umask(0o022)
    identity = ident.load(home)
    assert identity.keyring is not None
    key = identity.keyring.new_key(now=1)
    for name in (FILE_NAME, "seal_keys.lock"):
        assert stat.S_IMODE(os.stat(home.path / name).st_mode) == 0o600
    text = (home.path / FILE_NAME).read_text()
    assert key.private_bytes_raw().hex() not in text
    assert public_of(key).hex() in text


def test_a_failed_write_leaves_the_old_file(home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    identity = ident.load(home)
    assert identity.keyring is not None
    kept = identity.keyring.new_key(now=1)
    before = (home.path / FILE_NAME).read_bytes()

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(KeyringError, match=r"cannot write .*No space left"):
        identity.keyring.new_key(now=2)
    monkeypatch.undo()
    assert (home.path / FILE_NAME).read_bytes() == before
    assert [n for n in os.listdir(home.path) if n.startswith(".")] == []  # no temporary left
    assert public_of(ident.load(home).current_seal_key) == public_of(kept)


def test_two_writers_never_drop_a_key(home: Home) -> None:
    one, two = ident.load(home), ident.load(home)
    assert one.keyring is not None
    assert two.keyring is not None
    first = one.keyring.new_key(now=1)  # `two` has not read the file since
    second = two.keyring.new_key(now=2)
    held = {public_of(k) for k in ident.load(home).seal_keys}
    assert {public_of(first), public_of(second)} <= held


def test_a_key_held_already_is_not_added_twice(home: Home) -> None:
    identity = ident.load(home)
    assert identity.keyring is not None
    key = identity.keyring.new_key(now=1)
    assert identity.keyring.add(key, now=2) is False
    assert identity.keyring.add(identity.seal_key, now=2) is False
    assert len(identity.seal_keys) == 2


def test_a_damaged_keyring_is_refused_with_a_reason(home: Home) -> None:
    identity = ident.load(home)
    assert identity.keyring is not None
    identity.keyring.new_key(now=1)
    path = home.path / FILE_NAME
    doc = json.loads(path.read_text())
    doc["keys"][0]["wrapped"] = "00" * 60
    path.write_text(json.dumps(doc))
    with pytest.raises(KeyringError, match="damaged: a key does not open"):
        _ = ident.load(home).seal_keys
    path.write_text("{not json")
    with pytest.raises(KeyringError, match="damaged"):
        _ = ident.load(home).seal_keys


def test_a_keyring_of_another_identity_is_refused(home: Home, tmp_path: Path) -> None:
    other = SealKeyring(home.path, X25519PrivateKey.generate())
    other.new_key(now=1)
    with pytest.raises(KeyringError, match=r"written for another identity\.pem"):
        _ = ident.load(home).seal_keys


def test_revoking_a_device_gives_the_member_a_new_seal_key(tmp_path: Path) -> None:
    home = Home(tmp_path / "m").ensure()
    create_member(home, name="Ana")
    member = Member.open(home)
    try:
        device = Ed25519PrivateKey.generate()
        device_key = p.PublicKey(device.public_key().public_bytes_raw())
        body = p.Device(
            member=member.me,
            device=device_key,
            label="old phone",
            manage=False,
            consent=p.sign_consent(p.DEVICE_CONSENT, member.me, key=device),
        )
        member.commit(body)
        old = member.seal_key_of(member.me)
        sealed = seal("before", old)
        revoked = devices.revoke(
            member, p.member_id(device_key), reason="lost", since=int(time.time())
        )
        assert revoked.profile is not None
        new = member.seal_key_of(member.me)  # what others seal to, from the new profile
        assert new != old
        assert new == member.identity.seal_public
        assert sealing.open_text(sealed, member.identity.seal_keys, CONTEXT) == "before"
        profile = member.profile()
        assert profile is not None
        assert profile.name == "Ana"  # the other fields stay as they were
    finally:
        member.close()


def test_a_profile_edit_never_goes_back_to_an_older_seal_key(tmp_path: Path) -> None:
    """A home lacking the newest key (a root restored from its words) keeps naming it."""
    home = Home(tmp_path / "m").ensure()
    create_member(home, name="Ana")
    member = Member.open(home)
    try:
        assert member.identity.keyring is not None
        newest = p.PublicKey(public_of(member.identity.keyring.new_key(now=1)))
        member.set_profile()
        (home.path / FILE_NAME).unlink()  # this home now holds only its words' key
        edited = member.set_profile(headline="back from a new laptop")
        assert isinstance(edited.body, p.Profile)
        assert edited.body.seal_key == newest
        assert member.identity.seal_public != newest
    finally:
        member.close()
