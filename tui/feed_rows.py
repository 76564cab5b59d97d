"""The feed the Feed screen shows: its rows in the API's order, and which pass the filters.

At 100,000 offers a filter keystroke cannot afford a Python pass over every row
(several milliseconds each, one per active filter). So each filter is a mask:
one byte per row, 1 where the row passes, built the first time that filter is
asked for and kept: a keystroke combines the masks of the active filters (a
bitwise and of big integers) and picks the rows with `itertools.compress`, all
in C. The rows of each skill and region are indexed, so a skill's mask costs
the rows that have it. A new or changed row patches every kept mask in place
(one byte moved per mask); only the index is then read again, once, when a
filter not kept yet needs it. Typing more of a search narrows the previous
result instead of scanning every row again.

Offers that are the same to a reader (feed_groups.py) are one row, the best of
them, with the others listed under it when their group is expanded (`show`);
`select` gives every passing row, as a plain scan would.
"""

from __future__ import annotations

import bisect
import functools
import operator
from array import array
from dataclasses import dataclass, replace
from itertools import compress, repeat
from typing import TYPE_CHECKING

from .feed_groups import Copies, OfferGroups, same_offer_key

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from p2pshare.domain.views import FeedItem

    from .feed_groups import Key

_ID = operator.attrgetter("id")
_HAY_FIELDS = operator.attrgetter("title", "author_name", "skills", "region")  # `haystack`'s
MAX_MASKS = 64  # kept at once (one byte per row each); typing a skill makes one per prefix


@dataclass(frozen=True, slots=True)
class Filters:
    skills: tuple[str, ...] = ()  # any of these (casefolded)
    region: str = ""  # part of the region's name
    min_trust: float = 0.0
    only_for_me: bool = False
    show_muted: bool = False
    show_strangers: bool = True
    search: str = ""  # part of the title, author, skills or region


@dataclass(frozen=True, slots=True)
class Shown:
    """What the Feed's list shows for some filters."""

    rows: list[FeedItem]  # a row per group (its best offer), an expanded group's others after it
    groups: Copies  # which rows stand for two or more offers that pass, and those offers
    nested: frozenset[str]  # rows listed under their group's best (an expanded group)
    opened: frozenset[str]  # rows of `groups` whose offers are listed under them
    offers: int  # offers that pass the filters, grouped or not


def position(rows: Sequence[FeedItem], item: FeedItem) -> int | None:
    """Where the offer of `item` is among `rows` in feed_order (Shown.rows when no group is
    listed one by one), by bisection: a few comparisons where a scan for the cursor's
    row cost ~10 ms at 100,000. None if it is not there, or was ranked elsewhere since."""
    from p2pshare.domain.views import feed_order  # loaded with the node, after first paint

    at = bisect.bisect_left(rows, feed_order(item), key=feed_order)
    return at if at < len(rows) and rows[at].id == item.id else None


def haystack(item: FeedItem) -> str:
    """What a search looks in: title, author, skills and region, casefolded."""
    return " ".join((item.title, item.author_name, " ".join(item.skills), item.region)).casefold()


def _haystacks(
    items: list[FeedItem], rows: Mapping[str, FeedItem], texts: Mapping[str, str]
) -> list[str]:
    """`haystack` of each row, the last reading's text (`texts`, of its `rows` by id)
    kept where the row reads the same in what a search looks in: a ranking again moves
    ranks, rarely titles, so the texts of 100,000 rows are not made again (~0.1 s, and
    ~12 MB held twice while they were)."""
    hay: list[str] = []
    append, same = hay.append, _HAY_FIELDS
    for item in items:
        last = rows.get(item.id)
        if last is not None and (last is item or same(last) == same(item)):
            append(texts[item.id])
        else:
            append(haystack(item))
    return hay


def _unmuted(item: FeedItem) -> bool:
    return not item.muted


def _known(item: FeedItem) -> bool:
    return item.mine or item.signal > 0.0


def _for_me(item: FeedItem) -> bool:
    return item.for_me or item.handed_to_me


@dataclass(slots=True)
class _Mask:
    rows: bytearray  # 1 where the row passes
    passes: Callable[[FeedItem], bool]  # for a row patched in


class FeedRows:
    """Feed items best first (`feed_order`), patched in place, selected by `Filters`."""

    def __init__(self, items: Iterable[FeedItem] = ()) -> None:
        self._all: list[FeedItem] = []
        self._hay: list[str] = []  # the search text of each row
        self._by_id: dict[str, FeedItem] = {}
        self._skills: dict[str, array[int]] | None = None  # skill → its rows, ascending
        self._regions: dict[str, array[int]] | None = None  # casefolded region → its rows
        self._masks: dict[object, _Mask] = {}
        self._last_search: tuple[str, Filters, list[int]] | None = None
        self._groups = OfferGroups()
        self._expanded: set[Key] = set()  # groups whose offers are listed one by one
        self.replace(items)

    def __len__(self) -> int:
        return len(self._all)

    @property
    def items(self) -> Sequence[FeedItem]:
        """Every row, unfiltered (read only: the masks follow it row for row)."""
        return self._all

    # -- changing the rows -----------------------------------------------------

    def replace(self, items: Iterable[FeedItem]) -> None:
        """A new reading of the whole feed, already in `feed_order`."""
        rows, texts = self._by_id, dict(zip(map(_ID, self._all), self._hay, strict=True))
        self._all = list(items)
        self._by_id = {item.id: item for item in self._all}
        self._hay = _haystacks(self._all, rows, texts)
        self._groups.replace(self._all)
        self._skills = self._regions = None
        self._index()  # while the feed is being read anyway, not at the first keystroke
        self._masks = {}
        self._last_search = None

    def patch(self, rows: Mapping[str, FeedItem | None]) -> None:
        """Replace, add or (None) remove these rows, keeping the feed's order."""
        from p2pshare.domain.views import feed_order  # loaded with the node, after first paint

        all_, hay, by_id, masks = self._all, self._hay, self._by_id, self._masks.values()
        groups = self._groups
        for offer_id, row in rows.items():
            old = by_id.pop(offer_id, None)
            if old is not None:
                at = bisect.bisect_left(all_, feed_order(old), key=feed_order)
                if at < len(all_) and all_[at].id == offer_id:
                    groups.delete(at, all_)
                    del all_[at]
                    del hay[at]
                    for mask in masks:
                        del mask.rows[at]
            if row is not None:
                at = bisect.bisect_left(all_, feed_order(row), key=feed_order)
                groups.insert(at, row, all_)
                all_.insert(at, row)
                hay.insert(at, haystack(row))
                for mask in masks:
                    mask.rows.insert(at, mask.passes(row))
                by_id[offer_id] = row
        self._skills = self._regions = None  # positions moved: read again when next needed
        self._last_search = None  # the same

    def _index(self) -> None:
        """The rows of each skill and region (after a patch: when a new mask needs them)."""
        skills: dict[str, array[int]] = {}
        regions: dict[str, array[int]] = {}
        for i, item in enumerate(self._all):
            for skill in item.skills:
                if (rows := skills.get(skill)) is None:
                    rows = skills[skill] = array("I")
                rows.append(i)
            region = item.region.casefold()
            if (rows := regions.get(region)) is None:
                rows = regions[region] = array("I")
            rows.append(i)
        self._skills, self._regions = skills, regions

    # -- selecting -----------------------------------------------------------------

    def select(self, f: Filters) -> list[FeedItem]:
        """The rows that pass `f`, in the feed's order (a new list each time)."""
        return self._rows_of(*self._passing(f))

    def _rows_of(self, mask: bytes | bytearray | None, picked: list[int] | None) -> list[FeedItem]:
        if picked is not None:
            return list(map(self._all.__getitem__, picked))
        return list(self._all) if mask is None else list(compress(self._all, mask))

    def show(self, f: Filters) -> Shown:
        """The rows that pass `f` as the list shows them: offers that are the same to a
        reader in one row, the best of them, unless their group is expanded."""
        mask, picked = self._passing(f)
        all_, groups = self._all, self._groups
        if not groups:  # no two offers alike: every row stands alone
            rows = self._rows_of(mask, picked)
            return Shown(rows, Copies(), frozenset(), frozenset(), len(rows))
        position: Callable[[int], int]
        if picked is None:
            offers = len(all_) if mask is None else mask.count(1)
            keep, copies = groups.pick_mask(mask, all_)
            rows = list(compress(all_, keep))
            position = functools.partial(keep.count, 1, 0)  # shown rows before this one
        else:
            offers = len(picked)
            kept, copies = groups.pick_rows(picked, all_)
            rows = list(map(all_.__getitem__, kept))
            position = functools.partial(bisect.bisect_left, kept)
        opened = [
            copies.firsts[group]
            for group in map(groups.group_of, self._expanded)
            if copies.count_of(group) > 1
        ]
        nested: list[str] = []
        for first in sorted(opened, reverse=True):  # from the last: the places before stay
            under = copies.of(all_[first])[1:]
            at = position(first) + 1
            rows[at:at] = under
            nested += (item.id for item in under)
        heads = frozenset(all_[first].id for first in opened)
        return Shown(rows, copies, frozenset(nested), heads, offers)

    def expanded(self, item: FeedItem) -> bool:
        """Whether the group of `item` lists its offers one by one."""
        return same_offer_key(item) in self._expanded

    def expand(self, item: FeedItem, *, listed: bool) -> None:
        """List the offers of the group of `item` one by one (or again as one row)."""
        key = same_offer_key(item)
        if listed:
            self._expanded.add(key)
        else:
            self._expanded.discard(key)

    def _passing(self, f: Filters) -> tuple[bytes | bytearray | None, list[int] | None]:
        """The rows that pass `f`: a mask (None: every row) when there is no search, and
        else their positions, ascending."""
        masks: list[bytearray] = []
        if not f.show_muted:
            masks.append(self._flag("unmuted", _unmuted))
        if f.min_trust > 0.0:
            at_least = f.min_trust
            masks.append(
                self._flag(("trust", at_least), lambda it: it.mine or it.signal >= at_least)
            )
        if not f.show_strangers:
            masks.append(self._flag("known", _known))
        if f.only_for_me:
            masks.append(self._flag("for me", _for_me))
        if f.skills:
            masks.append(self._skills_mask(frozenset(f.skills)))
        if f.region:
            masks.append(self._region_mask(f.region.casefold()))
        mask = self._all_of(masks)
        if not f.search:
            self._last_search = None
            return mask, None
        needle, rest = f.search.casefold(), replace(f, search="")
        last = self._last_search
        candidates: Sequence[int]
        if last is not None and needle.startswith(last[0]) and last[1] == rest:
            candidates = last[2]  # a longer search matches a subset of the shorter's rows
        else:
            everyone = range(len(self._all))
            candidates = everyone if mask is None else list(compress(everyone, mask))
        # `needle in hay[i]` for each candidate, in C (map and compress): no Python per row
        texts = map(self._hay.__getitem__, candidates)
        rows = list(compress(candidates, map(operator.contains, texts, repeat(needle))))
        self._last_search = (needle, rest, rows)
        return None, rows

    def _flag(self, key: object, passes: Callable[[FeedItem], bool]) -> bytearray:
        if (mask := self._masks.get(key)) is None:
            mask = self._keep(key, _Mask(bytearray(map(passes, self._all)), passes))
        return mask.rows

    def _skills_mask(self, wanted: frozenset[str]) -> bytearray:
        key = ("skills", wanted)
        if (mask := self._masks.get(key)) is None:
            if self._skills is None:
                self._index()
            assert self._skills is not None
            rows = self._of_rows(self._skills.get(skill) for skill in wanted)
            mask = self._keep(key, _Mask(rows, lambda it: not wanted.isdisjoint(it.skills)))
        return mask.rows

    def _region_mask(self, part: str) -> bytearray:
        key = ("region", part)
        if (mask := self._masks.get(key)) is None:
            if self._regions is None:
                self._index()
            assert self._regions is not None
            rows = self._of_rows(rows for name, rows in self._regions.items() if part in name)
            mask = self._keep(key, _Mask(rows, lambda it: part in it.region.casefold()))
        return mask.rows

    def _of_rows(self, groups: Iterable[array[int] | None]) -> bytearray:
        """The mask of these rows: a byte set per row listed, not a pass over the feed."""
        mask = bytearray(len(self._all))
        for rows in groups:
            for i in rows or ():
                mask[i] = 1
        return mask

    def _keep(self, key: object, mask: _Mask) -> _Mask:
        if len(self._masks) >= MAX_MASKS:
            del self._masks[next(iter(self._masks))]  # the oldest
        self._masks[key] = mask
        return mask

    def _all_of(self, masks: list[bytearray]) -> bytes | bytearray | None:
        """The rows every mask passes (None: no filter, every row)."""
        if len(masks) <= 1:
            return masks[0] if masks else None
        combined = int.from_bytes(masks[0], "little")
        for mask in masks[1:]:
            combined &= int.from_bytes(mask, "little")
        return combined.to_bytes(len(self._all), "little")  # bytes of 0 or 1: and never carries
