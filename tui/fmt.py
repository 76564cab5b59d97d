"""Small text helpers shared by screens: trust levels, money, relative dates."""

from __future__ import annotations

DAY = 86_400

TRUSTED = 0.5
KNOWN = 0.1


def trust_level(score: float) -> str:
    """The modifier class for a trust score: -trusted, -known or -untrusted."""
    if score >= TRUSTED:
        return "-trusted"
    if score >= KNOWN:
        return "-known"
    return "-untrusted"


def trust_text(score: float) -> str:
    return f"{score:.2f}"


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
