"""Field checks shared by every record body.

Each body field carries its check in dataclass metadata, so a record built in
memory and a record decoded from the wire are validated by the same code.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import Field, field
from typing import Any

from .errors import MalformedRecord
from .keys import key_refusal
from .limits import KEY_BYTES, MAX_SKILL, MAX_SKILLS

Check = Callable[[str, object], None]

# Bidirectional overrides and isolates: invisible, and able to make a title
# read differently from what it says ("trojan source").
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _check_chars(name: str, value: str, *, multiline: bool) -> None:
    if value.isascii() and value.isprintable():
        return  # printable ASCII has no control, bidi or surrogate character
    for char in value:
        if char in "\n\t" and multiline:
            continue
        # Cs: lone surrogates cannot be UTF-8 encoded, so could never be sent.
        if char in _BIDI or unicodedata.category(char) in ("Cc", "Cs"):
            raise MalformedRecord(f"{name}: control character U+{ord(char):04X} not allowed")


def text(max_len: int, *, min_len: int = 0, multiline: bool = False) -> Any:
    """A str field of at most `max_len` characters, free of control characters."""

    def check(name: str, value: object) -> None:
        if type(value) is not str:
            raise MalformedRecord(f"{name}: expected text, got {type(value).__name__}")
        if not min_len <= len(value) <= max_len:
            raise MalformedRecord(f"{name}: length {len(value)} not in {min_len}..{max_len}")
        if min_len and not value.strip():
            raise MalformedRecord(f"{name}: must not be blank")
        _check_chars(name, value, multiline=multiline)

    return field(metadata={"check": check})


def blob(*, sizes: Iterable[int] = (), max_len: int | None = None) -> Any:
    """A bytes field of one of the exact `sizes`, or of at most `max_len` bytes."""
    allowed = frozenset(sizes)

    def check(name: str, value: object) -> None:
        if type(value) is not bytes:
            raise MalformedRecord(f"{name}: expected bytes, got {type(value).__name__}")
        if allowed and len(value) not in allowed:
            expected = " or ".join(str(n) for n in sorted(allowed))
            raise MalformedRecord(f"{name}: {len(value)} bytes, expected {expected}")
        if max_len is not None and len(value) > max_len:
            raise MalformedRecord(f"{name}: {len(value)} bytes, more than {max_len}")

    return field(metadata={"check": check})


def key(*, optional: bool = False) -> Any:
    """A 32-byte public key; `optional` also allows b"" for "nobody in particular"."""
    return blob(sizes=(0, KEY_BYTES) if optional else (KEY_BYTES,))


def member_key(*, optional: bool = False) -> Any:
    """A member's Ed25519 public key: 32 bytes, canonical, not of small order (keys.py).

    `optional` also allows b"" for "nobody in particular".
    """
    sizes = (0, KEY_BYTES) if optional else (KEY_BYTES,)
    size_check = blob(sizes=sizes).metadata["check"]

    def check(name: str, value: object) -> None:
        size_check(name, value)  # refuses anything but bytes of a right size
        if type(value) is bytes and value and (reason := key_refusal(value)) is not None:
            raise MalformedRecord(f"{name}: {reason}")

    return field(metadata={"check": check})


def integer(lo: int, hi: int) -> Any:
    """An int in lo..hi inclusive (bool is not an int here)."""

    def check(name: str, value: object) -> None:
        if type(value) is not int:
            raise MalformedRecord(f"{name}: expected an integer, got {type(value).__name__}")
        if not lo <= value <= hi:
            raise MalformedRecord(f"{name}: {value} not in {lo}..{hi}")

    return field(metadata={"check": check})


def boolean() -> Any:
    def check(name: str, value: object) -> None:
        if type(value) is not bool:
            raise MalformedRecord(f"{name}: expected true or false, got {type(value).__name__}")

    return field(metadata={"check": check})


def normalize_skill(skill: str) -> str:
    """The one spelling of a skill: trimmed, lower case, inner spaces folded."""
    return " ".join(skill.split()).lower()


def normalize_skills(skills: Iterable[str]) -> tuple[str, ...]:
    """Deduplicated normalized skills in the order first given, blanks dropped."""
    seen: dict[str, None] = {}
    for skill in skills:
        if normalized := normalize_skill(skill):
            seen.setdefault(normalized, None)
    return tuple(seen)


def skills() -> Any:
    """Up to MAX_SKILLS distinct skills, each already in normalized form."""

    def check(name: str, value: object) -> None:
        if type(value) is not tuple:
            raise MalformedRecord(f"{name}: expected a list of skills")
        if len(value) > MAX_SKILLS:
            raise MalformedRecord(f"{name}: {len(value)} skills, at most {MAX_SKILLS}")
        for item in value:
            if type(item) is not str or not 1 <= len(item) <= MAX_SKILL:
                raise MalformedRecord(f"{name}: each skill is 1..{MAX_SKILL} characters of text")
            _check_chars(name, item, multiline=False)
            if "," in item or normalize_skill(item) != item:
                raise MalformedRecord(f"{name}: skill {item!r} is not in normalized form")
        if len(set(value)) != len(value):
            raise MalformedRecord(f"{name}: repeated skill")

    return field(metadata={"check": check})


def validate_fields(instance: object, fields: tuple[Field[Any], ...]) -> None:
    """Run every field's check; the first failure raises MalformedRecord."""
    for f in fields:
        f.metadata["check"](
            f"{type(instance).__name__.lower()}.{f.name}", getattr(instance, f.name)
        )
