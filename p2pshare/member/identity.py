"""The member's keys: Ed25519 for signing (and the libp2p peer id), X25519 for sealing.

Both live in one PEM file in the home, mode 0600, optionally encrypted with a
passphrase. They never leave the machine and never appear in a log or record
(the word-list backup of them is p2pshare.member.recovery's business).

The seal key in identity.pem is the first this home had (its *base*). A revoked
device makes the member change seal keys: the newer ones live in the home's
keyring (seal_keys.py), which `load` attaches; `seal_public` is then the newest,
and `seal_keys` every one, to open old text with.

A new identity grows from one 32-byte root seed, so that 24 words restore it::

    signing key (Ed25519 private bytes) = HKDF-SHA256(seed, info="p2pshare:identity:ed25519:v1")
    sealing key (X25519 private bytes)  = HKDF-SHA256(seed, info="p2pshare:identity:x25519:v1")

each 32 bytes long, with no salt (RFC 5869 §2.2: HashLen zero bytes). These
strings are part of the format: changing them changes every member's keys.
Identities made before the seed existed have two independent random keys and no
seed; they still load, and their backup is both keys (48 words).

HKDF is one-way, so the seed cannot be recomputed from the keys: it is kept in
identity.pem as a third block, after the two PKCS#8 blocks (which are unchanged)::

    -----BEGIN P2PSHARE ROOT SEED-----
    <base64 of the 32 bytes>
    -----END P2PSHARE ROOT SEED-----

Keeping it there, rather than in a file of its own, means it is encrypted with
the keys when a passphrase is set, is as private as they are, and cannot be lost
or copied apart from them. On load the seed must give exactly the stored keys, or
the file is refused as damaged: a backup shown from it would restore someone else.

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

How the file reaches the disk, never half written: secret_files.py for a new
one (never overwritten), store/files.py's write_private for a rotation's.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from p2pshare.errors import UserError
from p2pshare.member.seal_keys import SealKeyring
from p2pshare.member.secret_files import write_new
from p2pshare.store.files import write_private
from protocol import PublicKey, member_id

if TYPE_CHECKING:
    from collections.abc import Callable

    from p2pshare.member.home import Home

ENV_PASSPHRASE = "P2PSHARE_PASSPHRASE"
_PEM_BLOCK = re.compile(rb"-----BEGIN [A-Z0-9 ]+-----.+?-----END [A-Z0-9 ]+-----\n?", re.S)

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

SEED_BYTES = 32
SIGNING_INFO = b"p2pshare:identity:ed25519:v1"  # part of the format: see the module doc
SEALING_INFO = b"p2pshare:identity:x25519:v1"
_SEED_ARMOUR = b"P2PSHARE ROOT SEED"
_SEED_BLOCK = re.compile(
    rb"-----BEGIN " + _SEED_ARMOUR + rb"-----\n(?P<body>[A-Za-z0-9+/]{43}=)\n"
    rb"-----END " + _SEED_ARMOUR + rb"-----\n?\Z"
)


class IdentityError(UserError):
    """The identity cannot be created or loaded; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class Identity:
    """The two keys, and the root seed they came from (None for an identity made before it).

    `seal_key` is identity.pem's (the home's first); `keyring`, attached by `load`,
    holds the member's newer seal keys (seal_keys.py)."""

    signing_key: Ed25519PrivateKey
    seal_key: X25519PrivateKey
    root_seed: bytes | None = field(default=None, compare=False)
    keyring: SealKeyring | None = field(default=None, compare=False, repr=False)

    @property
    def public_key(self) -> PublicKey:
        return PublicKey(self.signing_key.public_key().public_bytes_raw())

    @property
    def seal_keys(self) -> tuple[X25519PrivateKey, ...]:
        """Every seal key this home holds for the member, the current one first."""
        return self.keyring.keys() if self.keyring is not None else (self.seal_key,)

    @property
    def current_seal_key(self) -> X25519PrivateKey:
        """The member's seal key as this home knows it (the newest it holds)."""
        return self.seal_keys[0]

    @property
    def seal_public(self) -> PublicKey:
        """The current seal key's public key: the one this member's profile names."""
        return PublicKey(self.current_seal_key.public_key().public_bytes_raw())

    @property
    def member_id(self) -> str:
        return member_id(self.public_key)

    def __repr__(self) -> str:  # never print key material, even by accident
        return f"Identity({self.member_id})"


def _derive(seed: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(seed)


def from_seed(seed: bytes) -> Identity:
    """The identity a root seed gives (see the module doc): the same seed, the same keys."""
    if len(seed) != SEED_BYTES:
        raise IdentityError(f"a root seed is {SEED_BYTES} bytes, not {len(seed)}")
    return Identity(
        Ed25519PrivateKey.from_private_bytes(_derive(seed, SIGNING_INFO)),
        X25519PrivateKey.from_private_bytes(_derive(seed, SEALING_INFO)),
        root_seed=bytes(seed),
    )


def generate() -> Identity:
    """A new identity from a fresh random root seed (nothing is written)."""
    return from_seed(secrets.token_bytes(SEED_BYTES))


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
    """Make a new identity from a fresh root seed and write it; refuse (changing
    nothing) if the home has keys.

    `passphrase` None writes the keys unencrypted; an empty one is refused (not
    encrypting is chosen by giving none, never by an empty string).
    """
    identity = generate()
    restore(home, identity, passphrase=passphrase)
    return identity


def restore(home: Home, identity: Identity, *, passphrase: bytes | None = None) -> None:
    """Write `identity` (a recovered one, say) into a home that has none.

    The file is written in full under a temporary name, then linked into place,
    which fails if identity.pem exists: an identity is never overwritten, and a
    crash leaves either no key file or a complete one. Files are 0600, the home 0700.
    """
    if passphrase is not None and not passphrase:
        raise IdentityError(
            "an empty passphrase would leave the key unencrypted; nothing was changed"
        )
    if identity.root_seed is not None and _raw(from_seed(identity.root_seed)) != _raw(identity):
        raise IdentityError("this root seed does not give these keys; nothing was written")
    home.ensure()
    if exists(home):  # a clear refusal before any Argon2id work; the link below decides
        raise _already(home)
    pem = _pem(identity)
    if passphrase is not None:
        pem = encrypt_keys(pem, passphrase)
    if not write_new(home.key_file, pem):
        raise _already(home)


def replace_keys(home: Home, identity: Identity, *, passphrase: bytes | None = None) -> None:
    """Put `identity` in place of the home's keys (a root rotation, member/rotation.py):
    written in full under a temporary name (0600), then renamed over identity.pem, so
    a crash leaves the old file or the new one, never a part."""
    if passphrase is not None and not passphrase:
        raise IdentityError("an empty passphrase would leave the key unencrypted")
    pem = _pem(identity)
    if passphrase is not None:
        pem = encrypt_keys(pem, passphrase)
    write_private(home.key_file, pem)


def _already(home: Home) -> IdentityError:
    return IdentityError(f"{home.path} already has an identity; nothing was changed")


def _pem(identity: Identity) -> bytes:
    """The unencrypted file: two PKCS#8 blocks, then the root seed block if there is one."""
    pem = b"".join(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        for key in (identity.signing_key, identity.seal_key)
    )
    if identity.root_seed is not None:
        pem += (
            b"-----BEGIN " + _SEED_ARMOUR + b"-----\n"
            + base64.b64encode(identity.root_seed)
            + b"\n-----END " + _SEED_ARMOUR + b"-----\n"
        )  # fmt: skip
    return pem


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
    blocks = _PEM_BLOCK.findall(pem)
    seed_block = blocks.pop() if blocks and _SEED_ARMOUR in blocks[-1] else None
    try:  # a seed block anywhere but last fails here, as not a private key
        keys = [serialization.load_pem_private_key(block, secret) for block in blocks]
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
    stored = Identity(keys[0], keys[1])
    if seed_block is not None:
        stored = _with_seed(home, stored, seed_block)
    return with_keyring(home, stored)


def with_keyring(home: Home, identity: Identity) -> Identity:
    """`identity` with the home's keyring attached (its newer seal keys, seal_keys.py)."""
    keyring = SealKeyring(home.path, identity.seal_key)
    return Identity(identity.signing_key, identity.seal_key, identity.root_seed, keyring)


def _with_seed(home: Home, stored: Identity, block: bytes) -> Identity:
    """The identity its seed block gives, if that is exactly the stored keys."""
    match = _SEED_BLOCK.match(block)
    if match is None:
        raise IdentityError(f"{home.key_file} is damaged: its root seed block does not parse")
    grown = from_seed(base64.b64decode(match["body"], validate=True))
    if _raw(grown) != _raw(stored):
        raise IdentityError(f"{home.key_file} is damaged: its root seed does not give its keys")
    return grown


def _raw(identity: Identity) -> tuple[bytes, bytes]:
    return identity.signing_key.private_bytes_raw(), identity.seal_key.private_bytes_raw()


def passphrase_from_env() -> bytes | None:
    value = os.environ.get(ENV_PASSPHRASE)
    return value.encode() if value else None
