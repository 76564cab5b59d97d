"""Local marks on members: muted (their offers hidden) or blocked (ignored entirely).

They are this member's private choice, so they are not records: nothing is
signed or published, and they live in a small JSON file in the home.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from p2pshare.store.files import write_private
from protocol import PublicKey, member_id, public_key_of
from protocol.errors import BadMemberId

if TYPE_CHECKING:
    from pathlib import Path

log = logging.getLogger(__name__)

MUTED = "muted"
BLOCKED = "blocked"


class Marks:
    def __init__(self, path: Path) -> None:
        self._path = path

    def _load(self) -> dict[str, set[str]]:
        try:
            raw = json.loads(self._path.read_text("utf-8"))
            return {mark: set(raw.get(mark, [])) for mark in (MUTED, BLOCKED)}
        except FileNotFoundError:
            return {MUTED: set(), BLOCKED: set()}
        except (OSError, ValueError, AttributeError, TypeError) as exc:
            log.warning("ignoring unreadable %s: %s", self._path, exc)
            return {MUTED: set(), BLOCKED: set()}

    def _keys(self, mark: str) -> frozenset[PublicKey]:
        keys = set()
        for text in self._load()[mark]:
            try:
                keys.add(public_key_of(text))
            except BadMemberId:
                continue
        return frozenset(keys)

    @property
    def muted(self) -> frozenset[PublicKey]:
        return self._keys(MUTED)

    @property
    def blocked(self) -> frozenset[PublicKey]:
        return self._keys(BLOCKED)

    def set(self, mark: str, member: PublicKey, on: bool = True) -> None:
        data = self._load()
        (data[mark].add if on else data[mark].discard)(member_id(member))
        text = json.dumps({k: sorted(v) for k, v in data.items()}, indent=1)
        write_private(self._path, text.encode("utf-8"))
