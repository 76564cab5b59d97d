"""Small text helpers shared by screens: trust levels, money, relative dates, and what
members wrote made safe to show.

Member-written text (names, titles, descriptions, notes) reaches a screen through
`plain` (a Text, never parsed as markup) or `safe` (inside markup): both escape
control, bidi and invisible characters as p2pshare.domain.display_text does for
the command line, so the app and `p2pshare show` print a name the same way.
Names come told apart by the views (`display_name`: a fingerprint after names
that look alike); `name_fit` cuts one to a column without losing it.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from p2pshare.domain.display_text import block, fit_name, one_line, standing_text

__all__ = [
    "block",
    "labelled",
    "name_fit",
    "name_in_cells",
    "one_line",
    "plain",
    "safe",
    "shown_name",
    "standing_text",
    "trust_level",
    "trust_text",
]

DAY = 86_400

TRUSTED = 0.5  # standings: the top half of the members you know
KNOWN = 0.1


def trust_level(standing: float) -> str:
    """The modifier class for a standing (0..1, the views' `standing` or `signal`):
    -trusted (top half), -known, or -untrusted (bottom tenth, or no path from you)."""
    if standing >= TRUSTED:
        return "-trusted"
    if standing >= KNOWN:
        return "-known"
    return "-untrusted"


def trust_text(standing: float) -> str:
    """A standing in words, as the command line writes it: "top 12%", or "none"."""
    return standing_text(standing)


def safe(text: str) -> str:
    """Member-written text for a markup string: escaped, on one line."""
    return escape(one_line(text))


def plain(text: str, style: str = "") -> Text:
    """Member-written text as a Text (table cells, options): escaped, never markup."""
    return Text(one_line(text), style=style)


def labelled(rows: list[tuple[Text, str]]) -> Table:
    """Member-written bodies (a description, messages) each beside its label: the body's
    lines, wrapped or the writer's own, all start in the body's column, so none can pass
    for a label or a field line of the page ("✓ vouched by …")."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    for label, body in rows:
        grid.add_row(label, Text(block(body, "")))
    return grid


def shown_name(person: dict[str, object]) -> str:
    """A member of an offer page or report (`{"name", "display_name", ...}`) as shown,
    told apart from look-alikes; escaped, not yet for markup."""
    return str(person.get("display_name") or one_line(str(person.get("name", ""))))


def name_fit(name: str, display_name: str, width: int) -> str:
    """A name cut to `width` characters, its fingerprint kept (escaped, not for markup)."""
    return fit_name(name, display_name or one_line(name), width)


def name_in_cells(name: str, display_name: str, cells: int) -> str:
    """`name_fit` for a column `cells` terminal cells wide, where a wide letter (CJK, most
    emoji) takes two: the name is cut further, the fingerprint still kept."""
    width = cells
    text = name_fit(name, display_name, width)
    while cell_len(text) > cells and width > 1:
        width -= 1
        text = name_fit(name, display_name, width)
    return text


def money(value: int, currency: str = "") -> str:
    if not value:
        return ""
    amount = f"{value:,}"
    return f"{amount} {currency}".strip()


def until(ts: int, now: float) -> str:
    """'in 3d', 'in 5h', 'expired' — how long an offer stays open."""
    left = int(ts - now)
    if left <= 0:
        return "expired"
    if left >= DAY:
        return f"{left // DAY}d"
    if left >= 3600:
        return f"{left // 3600}h"
    return f"{max(1, left // 60)}m"


def ago(ts: int, now: float) -> str:
    past = int(now - ts)
    if past < 60:
        return "just now"
    if past < 3600:
        return f"{past // 60}m ago"
    if past < DAY:
        return f"{past // 3600}h ago"
    return f"{past // DAY}d ago"


def csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def short(member_id: str) -> str:
    return member_id[-8:] if member_id else ""


STATUS_WORDS = {
    "open": "open",
    "handed_off": "handed off",
    "fulfilled": "fulfilled",
    "not_fulfilled": "not fulfilled",
    "withdrawn": "withdrawn",
    "expired": "expired",
}


def status_word(status: str) -> str:
    return STATUS_WORDS.get(status, status)
