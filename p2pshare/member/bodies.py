"""Record bodies built from what a person typed, or a one-line UserError saying why not.

Every action builds its body here, so a field the protocol refuses (a title too
long, a rating out of range, a value in no known grammar) reaches the person as
a reason worded for them, before anything is signed or stored.
"""

from __future__ import annotations

import dataclasses
from typing import TypeVar

import protocol
from p2pshare.errors import UserError
from protocol import Body
from protocol.value import BadValue
from protocol.value import parse_value as parse_value_text

_B = TypeVar("_B", bound=Body)


def build(cls: type[_B], **fields: object) -> _B:
    """Construct a body, turning a validation failure into a one-line user error."""
    try:
        return cls(**fields)  # type: ignore[arg-type]
    except protocol.ProtocolError as exc:
        raise UserError(str(exc).replace(f"{cls.NAME}.", "", 1)) from None


def fields_of(body: Body) -> dict[str, object]:
    """A body's fields by name: the base an edit (a new profile) changes some of."""
    return {f.name: getattr(body, f.name) for f in dataclasses.fields(body)}


def parse_value(text: str) -> tuple[int, str]:
    """The one value grammar (protocol/value.py): '5000', '5,000', '5000 EUR'."""
    try:
        return parse_value_text(text)
    except BadValue as exc:
        raise UserError(str(exc)) from None
