"""The one value grammar (protocol/value.py): amount, thousands commas, ISO 4217 code."""

from __future__ import annotations

import pytest

from protocol.limits import MAX_VALUE
from protocol.value import BadValue, parse_value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (0, "")),
        ("  ", (0, "")),
        ("0", (0, "")),
        ("5000", (5000, "")),
        ("5,000", (5000, "")),
        ("1,234,567", (1_234_567, "")),
        ("5000 USD", (5000, "USD")),
        ("5,000 eur", (5000, "EUR")),
        ("  7   chf ", (7, "CHF")),
        (f"{MAX_VALUE}", (MAX_VALUE, "")),
        ("007", (7, "")),
    ],
)
def test_accepted(text: str, expected: tuple[int, str]) -> None:
    assert parse_value(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "lots",
        "5 USD EUR",
        "²",
        "\u0665\u0660\u0660",  # Arabic-Indic digits: str.isdigit() says yes, the grammar says no
        "9" * 5000,
        "5.5",
        "-5",
        "+5",
        "USD 5",
        "5USD",
        "5 US",
        "5 EURO",
        "12,34",
        "1,2345",
        ",123",
        "123,",
        "5\t USD",
        "5\nUSD",
        f"{MAX_VALUE + 1}",
        "1,000,000,000,001",
    ],
)
def test_refused_with_a_one_line_reason(text: str) -> None:
    with pytest.raises(BadValue) as info:
        parse_value(text)
    reason = str(info.value)
    assert "\n" not in reason
    assert len(reason) < 200
