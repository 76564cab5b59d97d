"""The fake HomePort: a home with no disk behind it (a path only for the seen-offers file).

Owns `FakeHome`: whether the home has an identity, making one (recorded, and
given to the fake node's profile), the recovery words, and the node it opens
(always the one fake it was given, with the passphrase and peers recorded).
Separate from fake_node.py because the app talks to the home before any node
exists (the first run, the passphrase prompt).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fake_world import ME, WORDS

from p2pshare.errors import UserError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from fake_node import FakeNode


class FakeHome:
    """A HomePort with no disk behind it unless `path` is given (for the seen-offers file)."""

    def __init__(
        self,
        node: FakeNode,
        *,
        path: Path | None = None,
        identity: bool = True,
        community: str = "",
    ) -> None:
        self.fake = node
        self.path = path
        self.community = community
        self.identity = identity
        self.created: list[dict[str, Any]] = []
        self.opened_with: list[tuple[bytes | None, tuple[str, ...]]] = []

    def has_identity(self) -> bool:
        return self.identity

    def needs_passphrase(self) -> bool:
        return False

    def create_identity(
        self, *, name: str, headline: str, skills: Sequence[str], passphrase: bytes | None
    ) -> str:
        if len(name) > 64:
            raise UserError("name: longer than 64 characters")
        self.created.append(
            {"name": name, "headline": headline, "skills": list(skills), "passphrase": passphrase}
        )
        self.identity = True
        self.fake.my_profile.update(name=name, headline=headline, skills=list(skills))
        return ME

    def recovery_words(self, passphrase: bytes | None) -> list[str]:
        return [WORDS[i % len(WORDS)] for i in range(24)]

    def node(self, *, passphrase: bytes | None, peers: Sequence[str] = ()) -> FakeNode:
        self.opened_with.append((passphrase, tuple(peers)))
        return self.fake
