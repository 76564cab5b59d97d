"""Names that look alike, told apart by a fingerprint (issue 16 §6, "spoofed faces").

Anyone can sign a profile named "Node A", or "Nоde A" with a Cyrillic о, or
"Node A ·k3Xq9z" to look like an already told-apart name. A member's name is
shown bare only when no other member the viewer knows has a name that looks
like it; otherwise each of them is shown with a fingerprint, the end of their
member id: "Node A ·k3Xq9z". The fingerprints of one group are lengthened
until they differ, so grinding a key whose id ends like a victim's buys
nothing: the two are shown with as many characters as it takes.

Two names look alike when their skeletons are equal. The skeleton is a small
version of Unicode's confusable skeleton (UTS #39), with our own table rather
than a dependency: NFKC (full-width and styled letters to plain ones), the
common Cyrillic and Greek look-alikes of Latin letters, combining marks,
spaces, punctuation and invisible characters dropped, case folded, and the
digit and letter pairs people misread (0/o, 1/l/I/i, rn/m, vv/w). A trailing
" ·xyz123"-like tag is dropped first, so a name cannot borrow a fingerprint.
Names that look like the words the displays use for members ("you", "the
network") are told apart too. The project has no petnames (a member's own
local name for another): the fingerprint is what tells members apart.

Pure: names in, fingerprints out; views.py applies it to a viewpoint's profiles
and the app's test node to its peers.
"""

# ruff: noqa: RUF001, RUF002, RUF003 (look-alike letters are what this module is about)
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

from p2pshare.domain.display_text import one_line

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Iterable, Mapping

__all__ = ["FINGERPRINT", "fingerprints", "lookalike_groups", "shown_name", "skeleton"]

K = TypeVar("K", bound="Hashable")

FINGERPRINT = 6  # characters of the member id: ~58**6 ids to grind through for a match
SEPARATOR = " ·"  # between a name and its fingerprint
RESERVED = ("you", "the network")  # words the displays use in place of a member's name

# Look-alikes of Latin letters and digits, to the letter they pass for (after NFKC;
# applied before and after case folding, as folding turns Greek Η into η).
_CONFUSABLE = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i",
        "ј": "j", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ɡ": "g", "ь": "b",
        "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p",
        "С": "c", "Т": "t", "У": "y", "Х": "x", "Ѕ": "s", "І": "i", "Ј": "j", "Ӏ": "l",
        # Greek
        "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
        "τ": "t", "υ": "u", "χ": "x", "ϲ": "c", "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z",
        "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n", "Ο": "o", "Ρ": "p", "Τ": "t",
        "Υ": "y", "Χ": "x",
        # digits and letters misread for one another
        "0": "o", "1": "l", "i": "l", "|": "l", "ı": "l", "ℓ": "l", "5": "s", "$": "s",
    }
)  # fmt: skip
_PAIRS = (("rn", "m"), ("vv", "w"), ("cl", "d"))
# A tag at the end that looks like a fingerprint: space, a dot-like mark, letters/digits.
_TAG = re.compile(r"\s+[·•∙⋅・‧⸱﹒。.◦●∘°⁃:|#@-]\s*[0-9A-Za-z]{3,16}\s*$")
_DROPPED = frozenset("PZCMS")  # punctuation, spaces, controls, marks, symbols...
_KEPT_SYMBOLS = frozenset(("So", "Sc"))  # ...except emoji and currency signs, which differ


@lru_cache(maxsize=65_536)
def skeleton(name: str) -> str:
    """What `name` looks like, as a string equal for names a reader could mistake."""
    text = _TAG.sub("", unicodedata.normalize("NFKC", name))
    text = text.translate(_CONFUSABLE).casefold().translate(_CONFUSABLE)
    text = "".join(
        ch
        for ch in unicodedata.normalize("NFD", text)
        if unicodedata.category(ch)[0] not in _DROPPED or unicodedata.category(ch) in _KEPT_SYMBOLS
    )
    for pair, letter in _PAIRS:
        text = text.replace(pair, letter)
    return text


_RESERVED_SKELETONS = frozenset(skeleton(word) for word in RESERVED)


def lookalike_groups(names: Mapping[K, str]) -> list[list[K]]:
    """The members (keys) to tell apart, in groups whose names look alike: two or more
    members, or one whose name looks like a word the displays use ("you")."""
    by_look: dict[str, list[K]] = {}
    for key, name in names.items():
        by_look.setdefault(skeleton(name), []).append(key)
    return [
        group for look, group in by_look.items() if len(group) > 1 or look in _RESERVED_SKELETONS
    ]


def fingerprints(groups: Iterable[list[K]], member_id: Callable[[K], str]) -> dict[K, str]:
    """Each grouped member's fingerprint: the last FINGERPRINT characters of their id,
    more when that is not enough to tell the group apart."""
    out: dict[K, str] = {}
    for group in groups:
        ids = {key: member_id(key) for key in group}
        longest = max(len(mid) for mid in ids.values())
        length = min(FINGERPRINT, longest)
        while length < longest and len({mid[-length:] for mid in ids.values()}) < len(ids):
            length += 1
        out.update((key, mid[-length:]) for key, mid in ids.items())
    return out


def shown_name(name: str, fingerprint: str = "") -> str:
    """A name as every display shows it: escaped (display_text.py), and followed by its
    fingerprint when it has one."""
    shown = one_line(name)
    return f"{shown}{SEPARATOR}{fingerprint}" if fingerprint else shown
