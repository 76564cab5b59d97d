"""Field checks shared by every record body.

Each body field carries its check in dataclass metadata, so a record built in
memory and a record decoded from the wire are validated by the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import Field, field
from typing import Any

from .errors import MalformedRecord
from .keys import key_refusal
from .limits import KEY_BYTES, MAX_CREDITED, MAX_SKILL, MAX_SKILLS

Check = Callable[[str, object], None]

# No rule here reads a Unicode character database: every set of code points a
# record is checked against is written out below, so whether a record is valid
# never depends on the Unicode version of the runtime (docs/PROTOCOL.md §Field rules).

# Bidirectional overrides and isolates: invisible, and able to make a title
# read differently from what it says ("trojan source").
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# General category Cc, fixed by Unicode's stability policy: U+0000-U+001F, U+007F-U+009F.
# Surrogates (U+D800-U+DFFF) cannot be UTF-8 encoded, so could never be sent.
_FORBIDDEN = (
    frozenset(
        [*map(chr, range(0x20)), *map(chr, range(0x7F, 0xA0)), *map(chr, range(0xD800, 0xE000))]
    )
    | _BIDI
)

WHITESPACE = frozenset(
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
"""The protocol's whitespace: a fixed list (it equals Python 3.11's `str.isspace`, but
is written out so that no rule depends on the runtime's Unicode version)."""


def _check_chars(name: str, value: str, *, multiline: bool) -> None:
    if value.isascii() and value.isprintable():
        return  # printable ASCII has no control, bidi or surrogate character
    for char in value:
        if char in "\n\t" and multiline:
            continue
        if char in _FORBIDDEN:
            raise MalformedRecord(f"{name}: control character U+{ord(char):04X} not allowed")


def _blank(value: str) -> bool:
    return all(char in WHITESPACE for char in value)


def _words(value: str) -> list[str]:
    """`value` cut at runs of WHITESPACE, empty pieces dropped (str.split(), fixed set)."""
    words: list[str] = []
    start = None
    for i, char in enumerate(value):
        if char in WHITESPACE:
            if start is not None:
                words.append(value[start:i])
                start = None
        elif start is None:
            start = i
    if start is not None:
        words.append(value[start:])
    return words


def text(max_len: int, *, min_len: int = 0, multiline: bool = False) -> Any:
    """A str field of at most `max_len` characters, free of control characters."""

    def check(name: str, value: object) -> None:
        if type(value) is not str:
            raise MalformedRecord(f"{name}: expected text, got {type(value).__name__}")
        if not min_len <= len(value) <= max_len:
            raise MalformedRecord(f"{name}: length {len(value)} not in {min_len}..{max_len}")
        if min_len and _blank(value):
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


def member_keys() -> Any:
    """Up to MAX_CREDITED distinct member keys, each checked as `member_key` is."""
    one = member_key().metadata["check"]

    def check(name: str, value: object) -> None:
        if type(value) is not tuple:
            raise MalformedRecord(f"{name}: expected a list of member keys")
        if len(value) > MAX_CREDITED:
            raise MalformedRecord(f"{name}: {len(value)} members, at most {MAX_CREDITED}")
        for item in value:
            one(name, item)
        if len(set(value)) != len(value):
            raise MalformedRecord(f"{name}: repeated member")

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
    """The spelling an author gives a skill: trimmed, inner whitespace folded to one
    space, lower case.

    Used only when a record is authored. Lower-casing follows this runtime's Unicode
    version, so a receiver never re-checks it: a received skill need only be
    well-formed (`skills()`), whatever its case.
    """
    return " ".join(_words(skill)).lower()


def normalize_skills(skills: Iterable[str]) -> tuple[str, ...]:
    """Deduplicated normalized skills in the order first given, blanks dropped."""
    seen: dict[str, None] = {}
    for skill in skills:
        if normalized := normalize_skill(skill):
            seen.setdefault(normalized, None)
    return tuple(seen)


def well_formed_skill(skill: str) -> bool:
    """No comma, and no whitespace but single spaces between words (no case rule)."""
    return "," not in skill and " ".join(_words(skill)) == skill


def skills() -> Any:
    """Up to MAX_SKILLS distinct well-formed skills (docs/PROTOCOL.md §Field rules).

    Case is not checked: lower-casing depends on the Unicode version, so it is the
    author's job (`normalize_skills`), and a receiver accepts any case.
    """

    def check(name: str, value: object) -> None:
        if type(value) is not tuple:
            raise MalformedRecord(f"{name}: expected a list of skills")
        if len(value) > MAX_SKILLS:
            raise MalformedRecord(f"{name}: {len(value)} skills, at most {MAX_SKILLS}")
        for item in value:
            if type(item) is not str or not 1 <= len(item) <= MAX_SKILL:
                raise MalformedRecord(f"{name}: each skill is 1..{MAX_SKILL} characters of text")
            _check_chars(name, item, multiline=False)
            if not well_formed_skill(item):
                raise MalformedRecord(
                    f"{name}: skill {item!r} has a comma, or whitespace other than single spaces"
                )
        if len(set(value)) != len(value):
            raise MalformedRecord(f"{name}: repeated skill")

    return field(metadata={"check": check})


def validate_fields(instance: object, fields: tuple[Field[Any], ...]) -> None:
    """Run every field's check; the first failure raises MalformedRecord."""
    for f in fields:
        f.metadata["check"](
            f"{type(instance).__name__.lower()}.{f.name}", getattr(instance, f.name)
        )
