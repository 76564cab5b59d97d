"""How the command line writes: one fact a line on stdout, JSON in the shape the README
documents, and long texts, dates, ids and standings shown the same way by every command.

Kept in one place because scripts read this output (DESIGN §7): two commands that
printed a date or a cut name differently would be two contracts. Text members wrote
goes out through `line`, `body` and `name_cell` (p2pshare.domain.display_text: control,
bidi and invisible characters escaped, a body's lines indented under its label);
`--json` gives it as written.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from p2pshare.domain.display_text import block, fit_name, one_line, standing_text

_SHOWN_MAX = 80  # longer texts (a pasted file name, a hostile argument) are cut in the middle


def out(text: str = "") -> None:
    """A line of the command's result, on stdout."""
    print(text)


def print_json(data: Any) -> None:
    """`--json` output: indented, keys in the order the views give them, text unescaped."""
    print(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False))


def shown(text: str) -> str:
    """`text` as quoted in a message: whole, or its two ends and its length when long."""
    if len(text) <= _SHOWN_MAX:
        return one_line(text)
    return f"{one_line(text[:40])}…{one_line(text[-20:])} ({len(text)} characters)"


def line(text: str, width: int | None = None) -> str:
    """Member-written text on one line (a title, a note), escaped; cut to `width` with "…"."""
    text = one_line(text)
    if width is not None and len(text) > width:
        return text[: width - 1] + "…"
    return text


def body(label: str, text: str) -> str:
    """`label` and a member-written text of several lines: the first after the label, the
    others indented under it, so no line of the text can pass for a field."""
    indent = " " * len(label.rpartition("\n")[2])  # the width of the label's last line
    return f"{label}{block(text, indent)}"


def name_cell(name: str, display_name: str, width: int) -> str:
    """A member's name (as told apart: views' `display_name`) cut to `width` with its
    fingerprint kept, and padded to it."""
    return fit_name(name, display_name or one_line(name), width).ljust(width)


def when(ts: int) -> str:
    """Unix seconds as local time, to the minute."""
    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def short(hex_id: str) -> str:
    """A record id as listed: enough of it to type back as a prefix."""
    return hex_id[:10]


def level(standing: float) -> str:
    """A standing (trust_scale.py) as text, 8 wide: "top  12%" of the members you know, or
    "none"."""
    words = standing_text(standing)
    if words.startswith("top "):
        words = f"top {words[4:]:>4}"
    return words[:8].ljust(8)
