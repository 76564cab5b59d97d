"""The one way a member writes an offer's or an outcome's rough value as text.

    value    = amount [ spaces currency ]
    amount   = digits | digits-with-commas      ASCII 0-9 only: "5000" or "5,000"
    currency = three ASCII letters              an ISO 4217 code, any case: "usd", "EUR"

`digits-with-commas` groups thousands: 1 to 3 digits, then groups of a comma and
exactly 3 digits ("1,234,567"). The amount is whole currency units, 0 to
`MAX_VALUE`. Leading and trailing spaces are ignored; the empty string is "no
value" (0, ""). Anything else ("lots", "5 USD EUR", "²", "5.5", "USD 5") is
refused with a reason. The currency comes back upper-cased; it is not checked
against the list of ISO 4217 codes, only against their shape.
"""

from __future__ import annotations

import re

from .limits import MAX_VALUE

_GRAMMAR = re.compile(r"([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?: +([A-Za-z]{3}))?", re.ASCII)
_MAX_TEXT = 64  # far more than any value; keeps the reason and the work short


class BadValue(ValueError):
    """A value text outside the grammar; `str(err)` says why, in one line."""


def parse_value(text: str) -> tuple[int, str]:
    """(amount, currency) of a value text, e.g. "5,000 eur" -> (5000, "EUR"); or BadValue."""
    stripped = text.strip(" ")
    if not stripped:
        return 0, ""
    shown = (
        repr(stripped) if len(stripped) <= 24 else f"{stripped[:20]!r}… ({len(text)} characters)"
    )
    if len(stripped) > _MAX_TEXT or (match := _GRAMMAR.fullmatch(stripped)) is None:
        raise BadValue(
            f"cannot read the value {shown}: write a whole amount and an optional "
            "3-letter currency code, e.g. 5000, 5,000 or '5000 EUR'"
        )
    amount = int(match[1].replace(",", ""))
    if amount > MAX_VALUE:
        raise BadValue(f"the value {shown} is more than {MAX_VALUE:,}")
    return amount, (match[2] or "").upper()
