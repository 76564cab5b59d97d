"""The member's keys: Ed25519 for signing (and the libp2p peer id), X25519 for sealing.

Both live in one PEM file in the home, mode 0600, optionally encrypted with a
passphrase. They never leave the machine and never appear in a log or record.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from p2pshare.errors import UserError
from p2pshare.member.home import Home
from protocol import PublicKey, member_id

ENV_PASSPHRASE = "P2PSHARE_PASSPHRASE"
_PEM_BLOCK = re.compile(rb"-----BEGIN [A-Z ]+-----.+?-----END [A-Z ]+-----\n?", re.S)


class IdentityError(UserError):
    """The identity cannot be created or loaded; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class Identity:
    signing_key: Ed25519PrivateKey
    seal_key: X25519PrivateKey

    @property
    def public_key(self) -> PublicKey:
        return PublicKey(self.signing_key.public_key().public_bytes_raw())

    @property
    def seal_public(self) -> PublicKey:
        return PublicKey(self.seal_key.public_key().public_bytes_raw())

    @property
    def member_id(self) -> str:
        return member_id(self.public_key)

    def __repr__(self) -> str:  # never print key material, even by accident
        return f"Identity({self.member_id})"


def _encryption(passphrase: bytes | None) -> serialization.KeySerializationEncryption:
    if passphrase:
        return serialization.BestAvailableEncryption(passphrase)
    return serialization.NoEncryption()


def create(home: Home, *, passphrase: bytes | None = None) -> Identity:
    """Make new keys and write them; refuse (changing nothing) if the home has keys."""
    home.ensure()
    identity = Identity(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())
    pem = b"".join(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, _encryption(passphrase)
        )
        for key in (identity.signing_key, identity.seal_key)
    )
    try:
        fd = os.open(home.key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise IdentityError(f"{home.path} already has an identity; nothing was changed") from None
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return identity


def exists(home: Home) -> bool:
    return home.key_file.exists()


def is_encrypted(home: Home) -> bool:
    try:
        return b"ENCRYPTED PRIVATE KEY" in home.key_file.read_bytes()
    except OSError:
        return False


def load(home: Home, passphrase: Callable[[], bytes | None] | None = None) -> Identity:
    """Read the keys; `passphrase` is asked only when the file is encrypted."""
    try:
        pem = home.key_file.read_bytes()
    except FileNotFoundError:
        raise IdentityError(
            f"no identity in {home.path}: run `p2pshare init --name NAME` first"
        ) from None
    except OSError as exc:
        raise IdentityError(f"cannot read {home.key_file}: {exc.strerror}") from None
    secret = None
    if b"ENCRYPTED PRIVATE KEY" in pem:
        secret = passphrase() if passphrase else None
        if not secret:
            raise IdentityError(
                f"the key is encrypted: set {ENV_PASSPHRASE} or enter the passphrase"
            )
    try:
        keys = [
            serialization.load_pem_private_key(block, secret) for block in _PEM_BLOCK.findall(pem)
        ]
    except (ValueError, TypeError) as exc:
        if secret is not None:
            raise IdentityError("wrong passphrase (or a damaged key file)") from None
        raise IdentityError(f"{home.key_file} is not a p2pshare key file: {exc}") from None
    if (
        len(keys) != 2
        or not isinstance(keys[0], Ed25519PrivateKey)
        or not isinstance(keys[1], X25519PrivateKey)
    ):
        raise IdentityError(f"{home.key_file} is not a p2pshare key file")
    return Identity(keys[0], keys[1])


def passphrase_from_env() -> bytes | None:
    value = os.environ.get(ENV_PASSPHRASE)
    return value.encode() if value else None
