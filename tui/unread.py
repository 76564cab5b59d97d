"""Which offers this member has opened: a small JSON file in the home.

Unread = not opened yet (and not mine). Kept in memory; written back after
changes, off the UI thread by the caller's worker.
"""

from __future__ import annotations

import json
import logging
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

log = logging.getLogger(__name__)
FILE_NAME = "tui-seen.json"


class SeenOffers:
    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._seen: set[str] = set()
        self._dirty = False

    @classmethod
    def in_home(cls, home_path: Path | None, file_name: str = FILE_NAME) -> SeenOffers:
        return cls(home_path / file_name if home_path is not None else None)

    def load(self) -> None:
        if self._path is None:
            return
        try:
            data = json.loads(self._path.read_text("utf-8"))
            self._seen = {str(x) for x in data} if isinstance(data, list) else set()
        except FileNotFoundError:
            self._seen = set()
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable %s: %s", self._path, exc)

    def save(self) -> None:
        if self._path is None or not self._dirty:
            return
        self._dirty = False
        tmp = self._path.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps(sorted(self._seen)), "utf-8")
            os.replace(tmp, self._path)
        except OSError as exc:
            log.warning("cannot write %s: %s", self._path, exc)

    def __contains__(self, offer_id: object) -> bool:
        return offer_id in self._seen

    def mark(self, offer_id: str) -> bool:
        """Returns True if this changed anything."""
        if offer_id in self._seen:
            return False
        self._seen.add(offer_id)
        self._dirty = True
        return True

    def unmark(self, offer_id: str) -> bool:
        if offer_id not in self._seen:
            return False
        self._seen.discard(offer_id)
        self._dirty = True
        return True
