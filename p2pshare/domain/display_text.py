"""Text as a terminal shows it: what members wrote, made safe; a standing in words.

Owns the one rule every display follows (issue 16 §6): text another member
wrote (a name, a title, a description, a note, a message) reaches the screen
only through `one_line` (names, titles, one cell or line) or `block` (bodies of
several lines). Both make every character that is not plainly visible into a
visible escape like `\\u202e`, so a name cannot reverse the line it sits in,
hide characters, clear the screen or break a line; `block` keeps the writer's
line breaks but starts every following line with the label's indent, so a body
can never draw a line that looks like a field of the page ("✓ vouched by …").

Escaped: C0 and C1 controls (tab and newline included, except the line breaks
`block` keeps), DEL, lone surrogates, line and paragraph separators, every
format character (the bidi embeddings, overrides and isolates U+202A-202E and
U+2066-2069, the marks U+200E/200F and U+061C, zero-width spaces, soft hyphens,
the BOM, tag characters), invisible fillers (Hangul fillers, the braille
blank, the grapheme joiner), a combining mark with no visible character before
it, and a sixth combining mark on one character (stacks of them draw over the
lines above and below). Kept: every visible character, spaces, and the
zero-width joiner and non-joiner between two visible characters (emoji
sequences, Persian and Indic words need them; names that differ only by them
are told apart by lookalike_names.py, not here).

The escapes are printable ASCII, so escaping is idempotent: text escaped where
a view is built can be escaped again by a display without changing. `--json`
gives the text as written (scripts want the exact data); the text output of the
command line and the app show it through here.

Also here, because both the command line and the app write it: a standing
(trust_scale.py) in words, "top 12%", and a told-apart name cut to a width
with its fingerprint kept. Pure and stdlib-only, so the app may import it
before the node is loaded (tests/tui/test_tui_layering.py).
"""

from __future__ import annotations

import unicodedata

__all__ = ["block", "fit_name", "one_line", "standing_text"]

MAX_MARKS = 5  # combining marks kept on one character (Vietnamese uses two, some scripts 3-4)

_ZERO_WIDTH_JOINERS = frozenset("\u200c\u200d")  # kept between two visible characters
_INVISIBLE = frozenset(
    "\u034f"  # combining grapheme joiner
    "\u115f\u1160\u3164\uffa0"  # Hangul fillers: letters that draw nothing
    "\u17b4\u17b5"  # Khmer inherent vowels, invisible
    "\u2800"  # braille pattern blank
)
# controls, format characters, surrogates, line and paragraph separators; private use
# (Co) and unassigned (Cn: perhaps an emoji newer than this Python) are shown as they are
_ESCAPED = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(ch: str) -> str:
    if ch in _SHORT:
        return _SHORT[ch]
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _visible(ch: str) -> bool:
    """A character that draws something: a letter, number, mark, symbol or punctuation."""
    return ch not in _INVISIBLE and unicodedata.category(ch)[0] in "LNSPM"


def one_line(text: str) -> str:
    """`text` on one line, every invisible or layout character (newlines too) escaped."""
    if text.isascii() and text.isprintable():
        return text  # the common case: nothing to look at
    out: list[str] = []
    marks = 0  # combining marks kept on the current character
    shown_before = False  # the last character kept was visible
    last = len(text) - 1
    for i, ch in enumerate(text):
        category = unicodedata.category(ch)
        kind = category[0]
        keep: bool
        if ch in _INVISIBLE or category in _ESCAPED:
            keep = ch in _ZERO_WIDTH_JOINERS and shown_before and i < last and _visible(text[i + 1])
        elif kind == "M":
            keep = shown_before and marks < MAX_MARKS
        else:
            keep = True
        if keep:
            out.append(ch)
            if kind == "M":
                marks += 1
            elif ch not in _ZERO_WIDTH_JOINERS:
                marks = 0
                shown_before = kind != "Z"  # a mark on a space draws nothing of its own
        else:
            out.append(_escape(ch))
            marks, shown_before = 0, False
    return "".join(out)


def block(text: str, indent: str) -> str:
    """Several lines: each escaped as by `one_line`, the writer's line breaks kept, and
    every line after the first starting with `indent` (the width of the label the
    first line follows), so no line of the body starts where a field would."""
    lines = text.replace("\r\n", "\n").rstrip("\n").split("\n")
    return ("\n" + indent).join(one_line(line) for line in lines)


def standing_text(standing: float) -> str:
    """A standing (0..1, trust_scale.py) in words: "top 12%" of the members you know, or
    "none" when no path leads from you (never "top 0%": the best reads "top 1%")."""
    if standing <= 0.0:
        return "none"
    return f"top {max(1, round(100 * (1.0 - standing) + 0.5))}%"


def fit_name(name: str, shown: str, width: int) -> str:
    """A told-apart name (`shown`: `name` escaped, perhaps with " ·fingerprint" after it,
    lookalike_names.py) cut to `width` characters: the name is cut, never the fingerprint,
    so two "Node A"s stay apart in a narrow column."""
    if len(shown) <= width:
        return shown
    escaped = one_line(name)
    tag = shown[len(escaped) :] if shown.startswith(escaped) else ""
    room = width - len(tag)
    if room < 2:  # no room for a name: the fingerprint alone tells them apart
        return tag.strip()[-width:] if tag else shown[: width - 1] + "…"
    return shown[: room - 1] + "…" + tag
