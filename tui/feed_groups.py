"""Offers that are the same to a reader, found among the feed's rows (issue 14).

Two offers are the same to a reader when every column of the feed that describes
the work reads the same: one author (the member, not the name), one title once
case and spacing are set aside, the same skills (in any order or case), the same
region (in any case), remote or not, and the same value and currency. What may
differ is what became of each copy (status, forwards, accepts, when it was posted
and until when). The Feed shows such a group as one row, its best-ranked copy
with a count; the copies are listed under it when asked for (feed_rows.py).

At 100,000 offers nothing here walks every row in Python, neither on a keystroke
nor when a row is patched in. Each row has a hash of its author and title (an
array built in C when the feed is read) and a group number (0: no other row is
the same), and `twins` is their mask, one byte per row. Only rows whose hash is
shared are compared by their whole key, so a hash collision never groups two
offers. A keystroke's rows are those with no twin that pass the filters and the
best passing row of each group, picked in C (masks, `compress`, `Counter`, a dict
built from pairs); a group's passing copies are listed only when the list draws
or opens that group.
"""

from __future__ import annotations

import bisect
from array import array
from collections import Counter, deque
from itertools import compress, count, repeat
from operator import attrgetter, itemgetter, xor
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from p2pshare.domain.views import FeedItem

Key = tuple[str, str, tuple[str, ...], str, bool, int, str]
T = TypeVar("T")

_IDS = attrgetter("id")
_TITLES = attrgetter("title")
_AUTHORS = attrgetter("author")
_SKILLS = attrgetter("skills")
_REGIONS = attrgetter("region")
_REST = attrgetter("remote", "value", "currency")
_REMOTE, _VALUE, _CURRENCY = attrgetter("remote"), attrgetter("value"), attrgetter("currency")
_FLIP = bytes.maketrans(b"\x00\x01", b"\x01\x00")  # a mask inverted


def _title(title: str) -> str:
    return " ".join(title.split()).casefold()


def _skill_set(skills: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted({skill.casefold() for skill in skills}))


def same_offer_key(item: FeedItem) -> Key:
    """What makes two offers the same to a reader (the module's docstring says why)."""
    return (
        item.author,
        _title(item.title),
        _skill_set(item.skills),
        item.region.casefold(),
        *_REST(item),
    )


def _keys(items: Sequence[FeedItem], titles: Iterable[str]) -> list[Key]:
    """`same_offer_key` of each row, built in C (map and zip): Python only once per
    distinct set of skills."""
    skill_sets = {skills: _skill_set(skills) for skills in set(map(_SKILLS, items))}
    return list(
        zip(
            map(_AUTHORS, items),
            titles,
            map(skill_sets.__getitem__, map(_SKILLS, items)),
            map(str.casefold, map(_REGIONS, items)),
            map(_REMOTE, items),
            map(_VALUE, items),
            map(_CURRENCY, items),
            strict=True,
        )
    )


def _hash(item: FeedItem) -> int:
    """The hash rows are first compared by: author and title, as `_hashes` makes it."""
    return hash(item.author) ^ hash(_title(item.title))


def _titles(items: Sequence[FeedItem]) -> Iterator[str]:
    """Each row's title as `same_offer_key` has it, in C (map)."""
    return map(str.casefold, map(" ".join, map(str.split, map(_TITLES, items))))


def _hashes(items: Sequence[FeedItem]) -> array[int]:
    """`_hash` of every row, in C (map): no Python frame per row, and each title made
    and dropped in turn (not 100,000 kept). Author ids are shared strings whose hash
    Python keeps."""
    return array("q", map(xor, map(hash, map(_AUTHORS, items)), map(hash, _titles(items))))


def _at(values: Sequence[T], rows: Sequence[int]) -> Sequence[T]:
    """`values[i]` for each of `rows`, in one C call (itemgetter: twice as fast as map)."""
    if len(rows) > 1:
        picked: tuple[T, ...] = itemgetter(*rows)(values)
        return picked
    return [values[at] for at in rows]


def _and(a: bytes | bytearray, b: bytes | bytearray) -> bytes:
    """Rows in both masks (bytes of 0 or 1)."""
    both = int.from_bytes(a, "little") & int.from_bytes(b, "little")
    return both.to_bytes(len(a), "little")


class OfferGroups:
    """The groups of a feed's rows, row for row with it (FeedRows calls `insert`/`delete`)."""

    def __init__(self) -> None:
        self._hash = array("q")  # `_hash` of each row
        self._group = array("I")  # each row's group, 0 when it is alone
        self.twins = bytearray()  # 1 where another row is the same offer
        self.twin_ids: set[str] = set()  # the ids of those rows
        self._group_of: dict[Key, int] = {}  # the key of each group of two or more rows
        self._key_of: dict[int, Key] = {}
        self._size: dict[int, int] = {}  # rows of each group
        self._numbers = count(1)
        self._rows_of: dict[int, list[int]] | None = None  # each group's rows, when asked
        self.version = 0  # moves whenever a row's position may have

    def __bool__(self) -> bool:
        """Some rows are the same offer (else every row stands alone: nothing to group)."""
        return bool(self._size)

    def group_of(self, key: Key) -> int:
        """The group of the rows with this key (0: fewer than two rows have it)."""
        return self._group_of.get(key, 0)

    def numbers(self, rows: Sequence[int]) -> list[int]:
        """The group of each of these rows (in C)."""
        return list(_at(self._group, rows))

    def rows_of(self, group: int) -> list[int]:
        """The rows of a group, ascending (all groups listed once after each change)."""
        if self._rows_of is None:
            rows_of: dict[int, list[int]] = {}
            numbers = self._group
            for at in compress(range(len(self.twins)), self.twins):
                rows_of.setdefault(numbers[at], []).append(at)
            self._rows_of = rows_of
        return self._rows_of.get(group, [])

    # -- following the rows ----------------------------------------------------------

    def replace(self, items: Sequence[FeedItem]) -> None:
        """The groups of a whole new reading of the feed."""
        self._changed()
        self._hash = _hashes(items)
        self._group = array("I", [0]) * len(items)
        self.twins = bytearray(len(items))
        self._group_of, self._key_of, self._size = {}, {}, {}
        self.twin_ids = set()
        self._numbers = count(1)
        if len(set(self._hash)) == len(self._hash):
            return  # no two rows share an author and a title: the common case, in C
        # the rows whose hash another row has, compared by their whole keys; all in C
        counts = Counter(self._hash)
        shared = list(
            compress(range(len(items)), map((1).__lt__, map(counts.__getitem__, self._hash)))
        )
        twins = _at(items, shared)
        keys = _keys(twins, _titles(twins))
        sizes = Counter(keys)
        many = compress(sizes, map((1).__lt__, sizes.values()))
        self._group_of = dict(zip(many, self._numbers, strict=False))  # numbers: endless
        self._key_of = {group: key for key, group in self._group_of.items()}
        self._size = {group: sizes[key] for key, group in self._group_of.items()}
        groups = list(map(self._group_of.get, keys, repeat(0)))
        deque(map(self._group.__setitem__, shared, groups), maxlen=0)
        deque(map(self.twins.__setitem__, shared, map(bool, groups)), maxlen=0)
        self.twin_ids = set(compress(map(_IDS, twins), groups))

    def insert(self, at: int, item: FeedItem, items: Sequence[FeedItem]) -> None:
        """Row `item` goes in at `at` of `items` (which does not hold it yet)."""
        self._changed()
        key = same_offer_key(item)
        h = _hash(item)
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
            self.twin_ids.add(items[twin].id)
        if group or twin >= 0:
            self.twin_ids.add(item.id)

    def delete(self, at: int, items: Sequence[FeedItem]) -> None:
        """Row `at` of `items` (which still holds it) goes."""
        self._changed()
        group = self._group[at]
        del self._hash[at], self._group[at], self.twins[at]
        if not group:
            return
        self.twin_ids.discard(items[at].id)
        self._size[group] -= 1
        if self._size[group] == 1:  # the last one is alone again
            last = self._group.index(group)
            self._group[last], self.twins[last] = 0, 0
            self.twin_ids.discard(items[last + (last >= at)].id)
            del self._size[group], self._group_of[self._key_of.pop(group)]

    def _changed(self) -> None:
        self._rows_of = None
        self.version += 1

    def _join(self, at: int, key: Key) -> None:
        if (group := self._group_of.get(key)) is None:
            group = self._group_of[key] = next(self._numbers)
            self._key_of[group], self._size[group] = key, 0
        self._group[at], self.twins[at] = group, 1
        self._size[group] += 1

    def _positions(self, h: int) -> Iterator[int]:
        """Rows whose hash is `h` (array.index: scans in C)."""
        at = -1
        while True:
            try:
                at = self._hash.index(h, at + 1)
            except ValueError:
                return
            yield at

    # -- a keystroke's rows -----------------------------------------------------------

    def pick_mask(
        self, passing: bytes | bytearray | None, items: Sequence[FeedItem]
    ) -> tuple[bytearray, Copies]:
        """Of the rows that pass (a mask; None: every row), those to show: each row
        alone, and the best (first) passing row of each group; and the groups."""
        twins = self.twins
        both = twins if passing is None else _and(passing, twins)
        passes = None if passing is None else passing.__getitem__
        copies = Copies(self, items, list(compress(range(len(twins)), both)), passes)
        keep = twins.translate(_FLIP)  # the rows alone
        if passing is not None:
            keep = bytearray(_and(passing, keep))
        deque(map(keep.__setitem__, copies.firsts.values(), repeat(1)), maxlen=0)
        return keep, copies

    def pick_rows(self, passing: list[int], items: Sequence[FeedItem]) -> tuple[list[int], Copies]:
        """As `pick_mask`, for rows given by position (ascending)."""
        twins = self.twins

        def passes(at: int) -> bool:
            i = bisect.bisect_left(passing, at)
            return i < len(passing) and passing[i] == at

        copies = Copies(self, items, list(compress(passing, _at(twins, passing))), passes)
        keep = twins.translate(_FLIP)  # the rows alone
        deque(map(keep.__setitem__, copies.firsts.values(), repeat(1)), maxlen=0)
        return list(compress(passing, _at(keep, passing))), copies


class Copies:
    """A keystroke's groups of two or more passing offers: which row heads one (the
    group's best passing offer) and its passing offers, best first, listed when first
    asked for (the list asks for the rows it draws).

    Valid until the rows change: FeedRows.show is asked again after every patch."""

    def __init__(
        self,
        groups: OfferGroups | None = None,
        items: Sequence[FeedItem] = (),
        twins: Sequence[int] = (),
        passes: Callable[[int], int | bool] | None = None,
    ) -> None:
        numbers = groups.numbers(twins) if groups is not None else []
        # each group's first passing row: the pairs in reverse, so the first is kept
        self.firsts: dict[int, int] = dict(zip(reversed(numbers), reversed(twins), strict=True))
        self._counts = Counter(numbers)
        self._groups, self._items, self._passes = groups, items, passes
        self._version = groups.version if groups is not None else 0
        self._listed: dict[int, list[FeedItem]] = {}

    def __bool__(self) -> bool:
        """Some group has two or more passing offers."""
        return any(map((1).__lt__, self._counts.values()))

    def count_of(self, group: int) -> int:
        """Passing offers of a group."""
        return self._counts.get(group, 0)

    def heads(self) -> list[FeedItem]:
        """The row shown for each group of two or more passing offers."""
        many = compress(self._counts, map((1).__lt__, self._counts.values()))
        return list(map(self._items.__getitem__, map(self.firsts.__getitem__, many)))

    def of(self, item: FeedItem) -> Sequence[FeedItem]:
        """The offers the row of `item` stands for: its group's passing offers if it
        heads a group of two or more, else itself alone."""
        if self._groups is None or item.id not in self._groups.twin_ids:
            return (item,)  # most rows: a set's lookup, no key made
        group = self._group(item)
        if not group or self._items[self.firsts[group]] is not item:
            return (item,)
        return self._listed_of(group)

    def head_of(self, item: FeedItem) -> FeedItem:
        """The row shown for the group of `item` (itself if it is alone)."""
        group = self._group(item)
        return self._items[self.firsts[group]] if group else item

    def _group(self, item: FeedItem) -> int:
        """The group of `item` if two or more of its offers pass, else 0."""
        if self._groups is None or not self._counts:
            return 0
        group = self._groups.group_of(same_offer_key(item))
        return group if self._counts.get(group, 0) > 1 else 0

    def _listed_of(self, group: int) -> list[FeedItem]:
        if (listed := self._listed.get(group)) is None:
            assert self._groups is not None
            if self._groups.version != self._version:  # rows moved since: never drawn so
                return [self._items[self.firsts[group]]] * self._counts[group]
            rows = self._groups.rows_of(group)
            if self._passes is not None:
                rows = list(compress(rows, map(self._passes, rows)))
            listed = self._listed[group] = list(map(self._items.__getitem__, rows))
        return listed
