"""What a person types to name a member or a record, resolved (or refused with a reason).

A member: an id, a unique prefix of one, a unique display name, or a unique start of
a name or of a word in it ("Rex" or "rex v" for "Rex Vance"). A record: a unique
prefix of its hex id, of the kind asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import protocol
from p2pshare.errors import NotFound

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from p2pshare.store import Store
    from protocol import Body, Envelope, PublicKey


def match_member(
    text: str,
    known: Iterable[PublicKey],
    names: Mapping[PublicKey, str],
    name_of: Callable[[PublicKey], str],
) -> PublicKey:
    """The one member `text` names among `known` (ids) and `names` (display names)."""
    by_id = [key for key in known if protocol.member_id(key).startswith(text)]
    folded = text.casefold()
    lowered = {key: name.casefold() for key, name in names.items()}
    by_name = [key for key, name in lowered.items() if name == folded]
    by_start = [
        key
        for key, name in lowered.items()
        if name.startswith(folded) or any(w.startswith(folded) for w in name.split())
    ]
    for matches in (by_id, by_name, by_start):
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            listed = ", ".join(sorted(name_of(k) for k in matches)[:5])
            raise NotFound(f"{text!r} matches several members ({listed}): give more of the id")
    raise NotFound(f"no known member matches {text!r}")


def find_record(store: Store, text: str, kind: type[Body], noun: str) -> Envelope:
    """The one stored record of `kind` whose id starts with the hex `text`."""
    prefix = text.strip().lower()
    if not prefix or any(c not in "0123456789abcdef" for c in prefix):
        raise NotFound(f"{text!r} is not a valid {noun} id (hex digits)")
    matches = [
        env
        for rid in store.ids_with_prefix(prefix, limit=50)
        if (env := store.get(rid)) is not None and env.kind == kind.KIND
    ]
    if not matches:
        raise NotFound(f"no {noun} with id {text!r}")
    if len(matches) > 1:
        raise NotFound(f"{text!r} matches {len(matches)} {noun}s: give more of the id")
    return matches[0]
