"""The member's key on paper: a list of words that restores the identity on a new machine.

Lose the laptop and the member is gone, unless the keys were written down. The
words are BIP-39's (the English list of 2048 words, 11 bits each, via trezor's
`mnemonic` package): each group of 24 words encodes 32 bytes plus a checksum, the
first 8 bits of their SHA-256. Two formats, told apart by the count alone:

- 24 words: the identity's 32-byte root seed; identity.py derives both keys from it
  (HKDF-SHA256, info "p2pshare:identity:ed25519:v1" and "p2pshare:identity:x25519:v1").
- 48 words: an identity made before root seeds existed, whose two keys are
  independent: words 1-24 are the Ed25519 private key bytes, words 25-48 the X25519
  private key bytes (RFC 8032 / RFC 7748 raw forms), each group with its own checksum.

Both restore exactly the same keys, hence the same member id and sealing key. The
bytes are BIP-39's "entropy" used as they are, not stretched into a wallet seed with
PBKDF2 and a passphrase: they are already uniformly random, and a forgotten backup
passphrase would be one more way to lose the member.

Reading is forgiving where nothing can be mistaken: any case, any whitespace or
commas between words, and position numbers ("7." or "7", as `paper` prints them)
are skipped. Anything else is refused with a one-line reason: a word not on the list
(naming the closest one), a wrong count, or a failed checksum. A checksum of 8 bits
per 24 words lets one wrong word through once in 256 times; the restored member id,
shown to the member, is the last check.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from mnemonic import Mnemonic

from p2pshare.member.identity import Identity, IdentityError, from_seed

if TYPE_CHECKING:
    from collections.abc import Sequence

GROUP = 24  # words per 32 bytes: (256 bits + 8 checksum bits) / 11 bits per word
SEEDED_WORDS = GROUP  # an identity with a root seed
OLDER_WORDS = 2 * GROUP  # an identity made before root seeds: both private keys
MAX_TEXT = 4096  # characters: 48 numbered words are under 600
_SEPARATORS = re.compile(r"[\s,]+")
_POSITION = re.compile(r"[0-9]{1,3}[.):]?")
_MAX_NAMED = 3  # unknown words named in one refusal
_PER_LINE = 4


class RecoveryError(IdentityError):
    """Words that do not restore an identity; the message says which and why, in one line."""


@cache
def _bip39() -> Mnemonic:
    return Mnemonic("english")


@cache
def _known() -> frozenset[str]:
    return frozenset(_bip39().wordlist)


def words_for(identity: Identity) -> list[str]:
    """The words that restore `identity`: 24 for one with a root seed, else 48."""
    if identity.root_seed is not None:
        return _encode(identity.root_seed)
    return _encode(identity.signing_key.private_bytes_raw()) + _encode(
        identity.seal_key.private_bytes_raw()
    )


def paper(words: Sequence[str]) -> str:
    """The words as the member writes them down: numbered, four to a line.

    `identity_from_words` reads this text back as it is, numbers included.
    """
    cells = [f"{position:>2}. {word:<8}" for position, word in enumerate(words, 1)]
    return "\n".join(
        "  ".join(cells[start : start + _PER_LINE]).rstrip()
        for start in range(0, len(cells), _PER_LINE)
    )


def identity_from_words(text: str) -> Identity:
    """The identity a backup's words restore, or RecoveryError naming what is wrong."""
    if len(text) > MAX_TEXT:
        raise RecoveryError(
            f"that is {len(text)} characters, too long for a key backup "
            f"({SEEDED_WORDS} or {OLDER_WORDS} words)"
        )
    words = _words_in(text)
    unknown = [(position, word) for position, word in enumerate(words, 1) if word not in _known()]
    if unknown:
        raise RecoveryError(_unknown_reason(unknown))
    if len(words) not in (SEEDED_WORDS, OLDER_WORDS):
        raise RecoveryError(
            f"a key backup is {SEEDED_WORDS} words ({OLDER_WORDS} for an identity made "
            f"before backups existed), and this is {_count(len(words))}"
        )
    parts = [_decode(words, start) for start in range(0, len(words), GROUP)]
    if len(parts) == 1:
        return from_seed(parts[0])
    return Identity(
        Ed25519PrivateKey.from_private_bytes(parts[0]),
        X25519PrivateKey.from_private_bytes(parts[1]),
    )


def _encode(data: bytes) -> list[str]:
    return _bip39().to_mnemonic(data).split(" ")


def _decode(words: list[str], start: int) -> bytes:
    group = words[start : start + GROUP]
    try:
        return bytes(_bip39().to_entropy(group))
    except ValueError:  # the only failure left once the words and count are checked
        which = "the words" if len(words) == GROUP else f"words {start + 1} to {start + GROUP}"
        raise RecoveryError(
            f"{which} do not match their checksum: one of them is wrong or out of order"
        ) from None


def _words_in(text: str) -> list[str]:
    """The words of `text`, lower case (NFKD, as BIP-39 normalises), numbers dropped."""
    folded = unicodedata.normalize("NFKD", text).casefold()
    return [
        token for token in _SEPARATORS.split(folded) if token and not _POSITION.fullmatch(token)
    ]


def _unknown_reason(unknown: list[tuple[int, str]]) -> str:
    named = [_unknown_word(position, word) for position, word in unknown[:_MAX_NAMED]]
    if len(unknown) > _MAX_NAMED:
        named.append(f"and {len(unknown) - _MAX_NAMED} more")
    return "; ".join(named)


def _unknown_word(position: int, word: str) -> str:
    shown = word if len(word) <= 20 else word[:20] + "..."
    reason = f"word {position}, {shown!r}, is not in the word list"
    closest = _closest(word)
    return f"{reason} (did you mean {closest!r}?)" if closest else reason


def _closest(word: str) -> str | None:
    """The list word meant: the only one with the same first four letters (BIP-39 makes
    them unique), else the most similar spelling, if any is close."""
    if len(word) >= 4:
        starting = [known for known in _bip39().wordlist if known.startswith(word[:4])]
        if len(starting) == 1:
            return starting[0]
    close = difflib.get_close_matches(word, _bip39().wordlist, n=1, cutoff=0.6)
    return close[0] if close else None


def _count(count: int) -> str:
    return "empty" if count == 0 else f"{count} word" + ("" if count == 1 else "s")
