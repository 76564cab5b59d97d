"""Members' names as written and as shown, from one viewpoint (issue 16 §6).

Owns the step from a member key to the text that stands for them: "you", their
profile's name, or the end of their id (`display_name`, the `name` fields of
--json); and the same escaped and, when it looks like another known member's
name, followed by a fingerprint (`MemberNames.shown`, the `display_name` fields),
so the command line and the app tell the same members apart the same way.
Split from views.py, which re-exports `display_name` and uses `MemberNames` for
every view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import protocol
from p2pshare.domain.lookalike_names import fingerprints, lookalike_groups, shown_name

if TYPE_CHECKING:
    from p2pshare.domain.ledger import Ledger
    from p2pshare.domain.views import Viewpoint
    from protocol import PublicKey

__all__ = ["MemberNames", "display_name"]


def display_name(ledger: Ledger, me: PublicKey, key: PublicKey) -> str:
    """A member's name as written: "you", their profile's name, or the end of their id."""
    if key == me:
        return "you"
    view = ledger.profiles.get(key)
    return view.profile.name if view else protocol.member_id(key)[-8:]


class MemberNames:
    """Members' names from one viewpoint, each looked up once: as written (`name`, the
    `name` fields of --json) and as every display shows them (`shown`, the
    `display_name` fields): escaped, and with a fingerprint when the name looks like
    another known member's (lookalike_names.py), so two "Node A"s never look the same.

    The look-alikes are worked out on the first `shown`, over every profile the
    ledger holds, mine included (a name copying mine is told apart too)."""

    def __init__(self, view: Viewpoint) -> None:
        self._ledger, self._me = view.ledger, view.me
        self._names: dict[PublicKey, str] = {}
        self._shown: dict[PublicKey, str] = {}
        self._tags: dict[PublicKey, str] | None = None

    def name(self, key: PublicKey) -> str:
        if (found := self._names.get(key)) is None:
            found = self._names[key] = display_name(self._ledger, self._me, key)
        return found

    def fingerprint(self, key: PublicKey) -> str:
        """The end of the member's id shown after their name, or "" when not needed."""
        if self._tags is None:
            profiles = self._ledger.profiles
            named = {member: shown.profile.name for member, shown in profiles.items()}
            self._tags = fingerprints(lookalike_groups(named), protocol.member_id)
        return self._tags.get(key, "") if key != self._me else ""

    def shown(self, key: PublicKey) -> str:
        if (found := self._shown.get(key)) is None:
            found = self._shown[key] = shown_name(self.name(key), self.fingerprint(key))
        return found
