"""Offers that are the same to a reader, found among the feed's rows (issue 14).

Two offers are the same to a reader when every column of the feed that describes
the work reads the same: one author (the member, not the name), one title once
case and spacing are set aside, the same skills (in any order or case), the same
region (in any case), remote or not, and the same value and currency. What may
differ is what became of each copy (status, forwards, accepts, when it was posted
and until when). The Feed shows such a group as one row, its best-ranked copy
with a count; the copies are listed under it when asked for (feed_rows.py).

At 100,000 offers nothing here walks every row in Python, neither on a keystroke
nor when a row is patched in. Each row has the hash of its key (an array built in
C when the feed is read) and a group number (0: no other row is the same), and
`twins` is their mask, one byte per row. A keystroke's rows are those with no twin
that pass the filters (big-integer masks, in C) and the best passing row of each
group: Python touches only rows that have a twin. A row patched in looks for a
twin by its hash (an array scan, in C) and compares keys only with rows of the
same hash, so a hash collision never groups two offers.
"""

from __future__ import annotations

from array import array
from collections import Counter
from itertools import compress, count
from operator import attrgetter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from p2pshare.domain.views import FeedItem

Key = tuple[str, str, tuple[str, ...], str, bool, int, str]

_TITLES = attrgetter("title")
_AUTHORS = attrgetter("author")
_SKILLS = attrgetter("skills")
_REGIONS = attrgetter("region")
_REST = attrgetter("remote", "value", "currency")
_REMOTE, _VALUE, _CURRENCY = attrgetter("remote"), attrgetter("value"), attrgetter("currency")
_FLIP = bytes.maketrans(b"\x00\x01", b"\x01\x00")  # a mask inverted


def _skill_set(skills: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted({skill.casefold() for skill in skills}))


def same_offer_key(item: FeedItem) -> Key:
    """What makes two offers the same to a reader (the module's docstring says why)."""
    title = " ".join(item.title.split()).casefold()
    return (item.author, title, _skill_set(item.skills), item.region.casefold(), *_REST(item))


def _keys(items: Sequence[FeedItem]) -> Iterator[tuple[object, ...]]:
    """`same_offer_key` of every row, built in C (map and zip): no Python frame per row."""
    skill_sets = {skills: _skill_set(skills) for skills in set(map(_SKILLS, items))}
    titles = map(str.casefold, map(" ".join, map(str.split, map(_TITLES, items))))
    return zip(
        map(_AUTHORS, items),
        titles,
        map(skill_sets.__getitem__, map(_SKILLS, items)),
        map(str.casefold, map(_REGIONS, items)),
        map(_REMOTE, items),
        map(_VALUE, items),
        map(_CURRENCY, items),
        strict=True,
    )


def _and(a: bytes | bytearray, b: bytes | bytearray) -> bytes:
    """Rows in both masks (bytes of 0 or 1)."""
    both = int.from_bytes(a, "little") & int.from_bytes(b, "little")
    return both.to_bytes(len(a), "little")


class OfferGroups:
    """The groups of a feed's rows, row for row with it (FeedRows calls `insert`/`delete`)."""

    def __init__(self) -> None:
        self._hash = array("q")  # hash of each row's key
        self._group = array("I")  # each row's group, 0 when it is alone
        self.twins = bytearray()  # 1 where another row is the same offer
        self._group_of: dict[Key, int] = {}  # the key of each group of two or more rows
        self._key_of: dict[int, Key] = {}
        self._size: dict[int, int] = {}  # rows of each group
        self._numbers = count(1)

    def __bool__(self) -> bool:
        """Some rows are the same offer (else every row stands alone: nothing to group)."""
        return bool(self._size)

    def group_of(self, key: Key) -> int:
        """The group of the rows with this key (0: fewer than two rows have it)."""
        return self._group_of.get(key, 0)

    def group_at(self, at: int) -> int:
        return self._group[at]

    # -- following the rows ----------------------------------------------------------

    def replace(self, items: Sequence[FeedItem]) -> None:
        """The groups of a whole new reading of the feed."""
        self._hash = array("q", map(hash, _keys(items)))
        self._group = array("I", [0]) * len(items)
        self.twins = bytearray(len(items))
        self._group_of, self._key_of, self._size = {}, {}, {}
        self._numbers = count(1)
        if len(set(self._hash)) == len(self._hash):
            return  # no two keys even hash alike: the common case, decided in C
        shared = {h for h, n in Counter(self._hash).items() if n > 1}
        for at in compress(range(len(items)), map(shared.__contains__, self._hash)):
            self._join(at, same_offer_key(items[at]))

    def insert(self, at: int, item: FeedItem, items: Sequence[FeedItem]) -> None:
        """Row `item` goes in at `at` of `items` (which does not hold it yet)."""
        key = same_offer_key(item)
        h = hash(key)
        twin = -1
        group = self._group_of.get(key, 0)
        if not group:  # perhaps one row alone so far: a row of the same hash and key
            twin = next((i for i in self._positions(h) if same_offer_key(items[i]) == key), -1)
        self._hash.insert(at, h)
        self._group.insert(at, 0)
        self.twins.insert(at, 0)
        if group:
            self._join(at, key)
        elif twin >= 0:
            self._join(twin + (twin >= at), key)
            self._join(at, key)

    def delete(self, at: int) -> None:
        """Row `at` goes."""
        group = self._group[at]
        del self._hash[at], self._group[at], self.twins[at]
        if not group:
            return
        self._size[group] -= 1
        if self._size[group] == 1:  # the last one is alone again
            last = self._group.index(group)
            self._group[last], self.twins[last] = 0, 0
            del self._size[group], self._group_of[self._key_of.pop(group)]

    def _join(self, at: int, key: Key) -> None:
        if (group := self._group_of.get(key)) is None:
            group = self._group_of[key] = next(self._numbers)
            self._key_of[group], self._size[group] = key, 0
        self._group[at], self.twins[at] = group, 1
        self._size[group] += 1

    def _positions(self, h: int) -> Iterator[int]:
        """Rows whose key has hash `h` (array.index: scans in C)."""
        at = -1
        while True:
            try:
                at = self._hash.index(h, at + 1)
            except ValueError:
                return
            yield at

    # -- a keystroke's rows -----------------------------------------------------------

    def pick_mask(
        self, passing: bytes | bytearray | None
    ) -> tuple[bytearray, dict[int, list[int]]]:
        """Of the rows that pass (a mask; None: all), those to show: each row alone, and
        the best (first) row of each group; and the passing rows of each group, best
        first, by the row shown for it."""
        twins = self.twins
        both = twins if passing is None else _and(passing, twins)
        groups = self._by_group(compress(range(len(twins)), both))
        keep = twins.translate(_FLIP)  # the rows alone
        if passing is not None:
            keep = bytearray(_and(passing, keep))
        for rows in groups.values():
            keep[rows[0]] = 1
        return keep, groups

    def pick_rows(self, passing: Sequence[int]) -> tuple[list[int], dict[int, list[int]]]:
        """As `pick_mask`, for rows given by position (ascending)."""
        twins = self.twins
        groups = self._by_group(compress(passing, map(twins.__getitem__, passing)))
        keep = twins.translate(_FLIP)  # the rows alone
        for rows in groups.values():
            keep[rows[0]] = 1
        return list(compress(passing, map(keep.__getitem__, passing))), groups

    def _by_group(self, rows: Iterator[int]) -> dict[int, list[int]]:
        """Rows with twins (ascending) by group, keyed by the group's first row."""
        by_group: dict[int, list[int]] = {}
        group = self._group
        for at in rows:
            if (same := by_group.get(group[at])) is None:
                by_group[group[at]] = [at]
            else:
                same.append(at)
        return {rows[0]: rows for rows in by_group.values()}
