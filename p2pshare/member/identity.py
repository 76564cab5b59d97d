"""The member's keys: Ed25519 for signing (and the libp2p peer id), X25519 for sealing.

Both live in one PEM file in the home, mode 0600, optionally encrypted with a
passphrase. They never leave the machine and never appear in a log or record.

An encrypted file is one armoured block::

    -----BEGIN P2PSHARE ENCRYPTED KEYS-----
    KDF: argon2id; m=65536; t=3; p=4; salt=<16 bytes, hex>
    Cipher: aes-256-gcm; nonce=<12 bytes, hex>

    <base64 of AES-256-GCM(key, nonce, the two unencrypted PKCS#8 PEM blocks,
      associated data = the two header lines, each ending in a line feed)>
    -----END P2PSHARE ENCRYPTED KEYS-----

where key = Argon2id(passphrase, salt, 64 MiB of memory, 3 passes, 4 lanes, 32
bytes), a memory-hard KDF (RFC 9106's second recommended setting). Files written
before it ("ENCRYPTED PRIVATE KEY" blocks: PKCS#8 with PBKDF2) are still read.
"""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from p2pshare.errors import UserError
from protocol import PublicKey, member_id

if TYPE_CHECKING:
    from collections.abc import Callable

    from p2pshare.member.home import Home

ENV_PASSPHRASE = "P2PSHARE_PASSPHRASE"
_PEM_BLOCK = re.compile(rb"-----BEGIN [A-Z ]+-----.+?-----END [A-Z ]+-----\n?", re.S)

_ARMOUR = "P2PSHARE ENCRYPTED KEYS"
_LEGACY = b"ENCRYPTED PRIVATE KEY"  # PKCS#8 with PBKDF2: read, no longer written
# Argon2id: memory in KiB, passes, lanes (RFC 9106 §4, second recommended option)
KDF_MEMORY_KIB, KDF_PASSES, KDF_LANES = 65536, 3, 4
_ENCRYPTED = re.compile(
    rb"-----BEGIN " + _ARMOUR.encode() + rb"-----\n"
    rb"(?P<header>KDF: argon2id; m=(?P<m>[0-9]{1,8}); t=(?P<t>[0-9]{1,3}); p=(?P<p>[0-9]{1,3}); "
    rb"salt=(?P<salt>[0-9a-f]{32})\n"
    rb"Cipher: aes-256-gcm; nonce=(?P<nonce>[0-9a-f]{24})\n)"
    rb"\n(?P<body>[A-Za-z0-9+/=\n]+)"
    rb"-----END " + _ARMOUR.encode() + rb"-----\n?\Z"
)
_MAX_MEMORY_KIB = 1 << 22  # 4 GiB: a damaged or hostile file cannot ask for more


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


def _kdf(passphrase: bytes, salt: bytes, memory: int, passes: int, lanes: int) -> bytes:
    return Argon2id(
        salt=salt, length=32, iterations=passes, lanes=lanes, memory_cost=memory
    ).derive(passphrase)


def encrypt_keys(pem: bytes, passphrase: bytes) -> bytes:
    """The armoured, passphrase-encrypted form of unencrypted key PEM (see the module doc)."""
    if not passphrase:
        raise IdentityError("an empty passphrase cannot encrypt a key")
    salt, nonce = os.urandom(16), os.urandom(12)
    header = (
        f"KDF: argon2id; m={KDF_MEMORY_KIB}; t={KDF_PASSES}; p={KDF_LANES}; salt={salt.hex()}\n"
        f"Cipher: aes-256-gcm; nonce={nonce.hex()}\n"
    ).encode("ascii")
    key = _kdf(passphrase, salt, KDF_MEMORY_KIB, KDF_PASSES, KDF_LANES)
    sealed = AESGCM(key).encrypt(nonce, pem, header)
    body = base64.encodebytes(sealed)  # lines of 76 characters, each ending in a line feed
    armour = _ARMOUR.encode()
    return (
        b"-----BEGIN "
        + armour
        + b"-----\n"
        + header
        + b"\n"
        + body
        + b"-----END "
        + armour
        + b"-----\n"
    )


def decrypt_keys(data: bytes, passphrase: bytes) -> bytes:
    """The unencrypted key PEM inside an armoured file; IdentityError if it will not open."""
    match = _ENCRYPTED.match(data)
    if match is None:
        raise IdentityError("the encrypted key file is damaged (its header does not parse)")
    memory, passes, lanes = (int(match[name]) for name in ("m", "t", "p"))
    if not (8 * lanes <= memory <= _MAX_MEMORY_KIB and 1 <= passes <= 64 and 1 <= lanes <= 64):
        raise IdentityError("the encrypted key file asks for KDF parameters out of range")
    try:
        sealed = base64.b64decode(match["body"].replace(b"\n", b""), validate=True)
    except ValueError:
        raise IdentityError("the encrypted key file is damaged (bad base64)") from None
    key = _kdf(passphrase, bytes.fromhex(match["salt"].decode()), memory, passes, lanes)
    try:
        return AESGCM(key).decrypt(bytes.fromhex(match["nonce"].decode()), sealed, match["header"])
    except InvalidTag:
        raise IdentityError("wrong passphrase (or a damaged key file)") from None


def create(home: Home, *, passphrase: bytes | None = None) -> Identity:
    """Make new keys and write them; refuse (changing nothing) if the home has keys.

    `passphrase` None writes the keys unencrypted; an empty one is refused (not
    encrypting is chosen by giving none, never by an empty string).
    """
    if passphrase is not None and not passphrase:
        raise IdentityError(
            "an empty passphrase would leave the key unencrypted; nothing was changed"
        )
    home.ensure()
    identity = Identity(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())
    pem = b"".join(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        for key in (identity.signing_key, identity.seal_key)
    )
    if passphrase is not None:
        pem = encrypt_keys(pem, passphrase)
    try:
        fd = os.open(home.key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise IdentityError(f"{home.path} already has an identity; nothing was changed") from None
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return identity


def exists(home: Home) -> bool:
    return home.key_file.exists()


def _encrypted(pem: bytes) -> bool:
    return _ARMOUR.encode() in pem or _LEGACY in pem


def is_encrypted(home: Home) -> bool:
    try:
        return _encrypted(home.key_file.read_bytes())
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
    if _encrypted(pem):
        secret = passphrase() if passphrase else None
        if not secret:
            raise IdentityError(
                f"the key is encrypted: set {ENV_PASSPHRASE} or enter the passphrase"
            )
        if _ARMOUR.encode() in pem:
            pem, secret = decrypt_keys(pem, secret), None
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
