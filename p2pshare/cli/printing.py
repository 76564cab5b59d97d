"""How the command line writes: one fact a line on stdout, JSON in the shape the README
documents, and long texts, dates, ids and standings shown the same way by every command.

Kept in one place because scripts read this output (DESIGN §7): two commands that
printed a date or a cut name differently would be two contracts.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

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
        return text
    return f"{text[:40]}…{text[-20:]} ({len(text)} characters)"


def when(ts: int) -> str:
    """Unix seconds as local time, to the minute."""
    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def short(hex_id: str) -> str:
    """A record id as listed: enough of it to type back as a prefix."""
    return hex_id[:10]


def level(standing: float) -> str:
    """A standing (trust_scale.py) as text: "top 12%" of the members you know, or "none"."""
    if standing <= 0.0:
        return "none    "
    return f"top {max(1, round(100 * (1.0 - standing) + 0.5)):>3}%"[:8].ljust(8)
