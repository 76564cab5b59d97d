"""The member's seal keys this home holds beyond identity.pem's: the keyring.

Revoking a device gives the member a new X25519 seal key (member/devices.py,
docs/PROTOCOL.md §Members and devices, "Seal keys"): the revoked device still
holds the old one, so from the new profile on, text is sealed to a key it never
had. Old text stays sealed to the old keys, so a home keeps every seal key it
had: identity.pem's (its *base*, never rewritten for this) and those in
`seal_keys.json`, oldest first; the last one added is the member's current key.

The file is 0600, written in full under a temporary name and renamed into place
(a crash leaves the old file or the new one), under `seal_keys.lock`; a write
starts from what the file holds then, so it never drops a key. Each private key
is wrapped with AES-256-GCM under HKDF-SHA256(base private key, info
"p2pshare:seal-keys:v1") with its public key as associated data: the keyring is
exactly as private as identity.pem (a passphrase on that covers this too)::

    {"version": 1, "base": hex(base public key),
     "keys": [{"public": hex, "wrapped": hex(nonce (12) || ciphertext), "added_at": unix}]}

A running node and a one-shot command may share a home: `keys()` reads the file
again whenever it changed (its size, date or inode), so a key one added is the
other's at its next use.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from p2pshare.errors import UserError
from p2pshare.store.files import write_private

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

log = logging.getLogger(__name__)

FILE_NAME = "seal_keys.json"
LOCK_NAME = "seal_keys.lock"
WRAP_INFO = b"p2pshare:seal-keys:v1"  # part of the format
MAX_KEYS = 1024  # a damaged or hostile file cannot make a load unbounded
_MAX_FILE = 256 * 1024


class KeyringError(UserError):
    """The keyring cannot be read or written; the message says why, in one line."""


def public_of(key: X25519PrivateKey) -> bytes:
    return key.public_key().public_bytes_raw()


def _wrap_key(base: X25519PrivateKey) -> bytes:
    secret = base.private_bytes_raw()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=WRAP_INFO).derive(secret)


class SealKeyring:
    """Every seal key of the member this home holds: identity.pem's and the file's."""

    def __init__(self, home: Path, base: X25519PrivateKey) -> None:
        self._file = home / FILE_NAME
        self._lock = home / LOCK_NAME
        self._base = base
        self._aead = AESGCM(_wrap_key(base))
        self._seen: tuple[int, int, int] | None = None  # the file's (size, mtime, inode)
        self._added: tuple[X25519PrivateKey, ...] = ()

    # -- reading ---------------------------------------------------------------

    def keys(self) -> tuple[X25519PrivateKey, ...]:
        """Every seal key held, the current one first, identity.pem's last."""
        self._refresh()
        return (*reversed(self._added), self._base)

    @property
    def current(self) -> X25519PrivateKey:
        """The member's seal key as this home knows it: the last one added."""
        return self.keys()[0]

    def find(self, public: bytes) -> X25519PrivateKey | None:
        """The private key of seal key `public`, if this home holds it."""
        return next((key for key in self.keys() if public_of(key) == public), None)

    def _refresh(self) -> None:
        try:
            st = os.stat(self._file)
        except FileNotFoundError:
            self._seen, self._added = None, ()
            return
        except OSError as exc:
            raise KeyringError(f"cannot read {self._file}: {exc.strerror}") from None
        seen = (st.st_size, st.st_mtime_ns, st.st_ino)
        if seen != self._seen:
            self._added = tuple(self._read())
            self._seen = seen

    def _read(self) -> list[X25519PrivateKey]:
        try:
            with open(self._file, "rb") as f:
                data = f.read(_MAX_FILE + 1)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise KeyringError(f"cannot read {self._file}: {exc.strerror}") from None
        if len(data) > _MAX_FILE:
            raise KeyringError(f"{self._file} is damaged: over {_MAX_FILE} bytes")
        try:
            return list(self._parse(json.loads(data)))
        except (ValueError, TypeError, KeyError, InvalidTag) as exc:
            raise KeyringError(
                f"{self._file} is damaged: {str(exc) or 'a key does not open'}"
            ) from None

    def _parse(self, doc: Any) -> Iterator[X25519PrivateKey]:
        if not isinstance(doc, dict) or doc.get("version") != 1:
            raise ValueError("not a version 1 keyring")
        if bytes.fromhex(doc["base"]) != public_of(self._base):
            raise ValueError("it was written for another identity.pem")
        entries = doc["keys"]
        if not isinstance(entries, list) or len(entries) > MAX_KEYS:
            raise ValueError("its key list is not a list of at most 1024")
        for entry in entries:
            public, wrapped = bytes.fromhex(entry["public"]), bytes.fromhex(entry["wrapped"])
            if len(public) != 32 or len(wrapped) != 12 + 32 + 16:
                raise ValueError("a key of the wrong length")
            key = X25519PrivateKey.from_private_bytes(
                self._aead.decrypt(wrapped[:12], wrapped[12:], public)
            )
            if public_of(key) != public:
                raise ValueError("a private key that does not give its public key")
            yield key

    # -- writing ---------------------------------------------------------------

    def add(self, key: X25519PrivateKey, *, now: int) -> bool:
        """Keep `key` as the member's current seal key; False if it is held already.

        The new file holds every key the file holds now, then `key`: written in full
        under a temporary name (0600), then renamed over the old file."""
        public = public_of(key)
        with self._locked():
            held = self._read()
            if public == public_of(self._base) or any(public_of(k) == public for k in held):
                return False
            if len(held) >= MAX_KEYS:
                raise KeyringError(f"{self._file} holds {MAX_KEYS} keys: no room for another")
            try:
                with open(self._file, encoding="utf-8") as f:
                    entries = json.load(f)["keys"]
            except FileNotFoundError:
                entries = []
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise KeyringError(f"cannot read {self._file}: {exc}") from None
            nonce = secrets.token_bytes(12)
            wrapped = nonce + self._aead.encrypt(nonce, key.private_bytes_raw(), public)
            entries.append({"public": public.hex(), "wrapped": wrapped.hex(), "added_at": now})
            doc = {"version": 1, "base": public_of(self._base).hex(), "keys": entries}
            self._write(json.dumps(doc, indent=1).encode())
        log.info("seal key %s kept (%d held)", public.hex()[:16], len(held) + 2)
        return True

    def new_key(self, *, now: int) -> X25519PrivateKey:
        """A fresh seal key, kept as the member's current one before it is returned."""
        key = X25519PrivateKey.generate()
        self.add(key, now=now)
        return key

    def _write(self, data: bytes) -> None:
        try:
            write_private(self._file, data)
        except OSError as exc:
            raise KeyringError(f"cannot write {self._file}: {exc.strerror or exc}") from None

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            fd = os.open(self._lock, os.O_WRONLY | os.O_CREAT, 0o600)
        except OSError as exc:
            raise KeyringError(f"cannot lock {self._lock}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)
