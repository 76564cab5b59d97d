"""The feed's filters, fast (tui/feed_rows.py), show exactly the rows a plain scan would:
whatever the filters, in whatever order they are typed, and after rows are patched in;
and offers that are the same to a reader (tui/feed_groups.py) as one row each, as a
plain scan would group them, even when every key hashes alike.
"""

from __future__ import annotations

from dataclasses import replace
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from p2pshare.domain.views import FeedItem, feed_order
from tui.feed_rows import FeedRows, Filters, Shown, haystack, position

SKILLS = ("python", "design", "legal", "data")
REGIONS = ("Berlin", "berlin-mitte", "Lisbon", "", "São Paulo")
# titles that read the same but for case and spacing, and one of each row's own
TITLES = ("Roof repair", "roof  REPAIR ", " Roof repair", "Offer 1", "offer  1")


def _row(n: int, draw: tuple[int, ...]) -> FeedItem:
    skills, region, signal, flags, rank, title, author = draw
    return FeedItem(
        id=f"{n:064x}", title=TITLES[title] if title < len(TITLES) else f"Offer {n}",
        author=f"m{author}", author_name=f"member {author}", status="open",
        skills=tuple(s for i, s in enumerate(SKILLS) if skills >> i & 1)[:: 1 - 2 * (n % 2)],
        region=REGIONS[region], remote=False, value=0, currency="", created_at=n,
        expires_at=n + 1, chain=(), trust=0.0, signal=signal / 4, match=0.0, rank=rank / 4,
        mine=bool(flags & 1), for_me=bool(flags & 2), accepted=False,
        handed_to_me=bool(flags & 4), accepts=0, muted=bool(flags & 8),
    )  # fmt: skip


def plain(items: list[FeedItem], f: Filters) -> list[FeedItem]:
    """The filters as the feed screen read them before: one pass per filter."""
    return [
        it
        for it in items
        if (f.show_muted or not it.muted)
        and (f.min_trust <= 0.0 or it.mine or it.signal >= f.min_trust)
        and (f.show_strangers or it.mine or it.signal > 0.0)
        and (not f.only_for_me or it.for_me or it.handed_to_me)
        and (not f.skills or not set(f.skills).isdisjoint(it.skills))
        and (not f.region or f.region.casefold() in it.region.casefold())
        and (not f.search or f.search.casefold() in haystack(it))
    ]


def same(item: FeedItem) -> tuple[object, ...]:
    """The same offer to a reader, written out plainly: one author, the title but for
    case and spacing, the skills in any order, the region in any case, remote, value."""
    title = " ".join(item.title.lower().split())
    skills = frozenset(s.lower() for s in item.skills)
    return (item.author, title, skills, item.region.lower(), item.remote, item.value)


View = tuple[list[FeedItem], dict[str, list[FeedItem]], frozenset[str], frozenset[str], int]


def view(shown: Shown) -> View:
    """What the list draws: its rows, each group's offers by the row shown for it, the rows
    listed under their group's best, the groups so listed, and the offers counted."""
    groups = {head.id: list(shown.groups.of(head)) for head in shown.groups.heads()}
    return shown.rows, groups, shown.nested, shown.opened, shown.offers


def plain_shown(items: list[FeedItem], f: Filters, listed: set[tuple[object, ...]]) -> View:
    """What the list shows, by a plain scan: each group of passing offers at its best
    offer's place, with its other offers after it when the group is listed."""
    passing = plain(items, f)
    groups: dict[tuple[object, ...], list[FeedItem]] = {}
    for item in passing:
        groups.setdefault(same(item), []).append(item)
    rows: list[FeedItem] = []
    nested: set[str] = set()
    opened: set[str] = set()
    for item in passing:
        group = groups[same(item)]
        if item is group[0]:
            rows.append(item)
            if same(item) in listed and len(group) > 1:
                rows += group[1:]
                nested.update(it.id for it in group[1:])
                opened.add(item.id)
    many = {g[0].id: g for g in groups.values() if len(g) > 1}
    return rows, many, frozenset(nested), frozenset(opened), len(passing)


draws = st.tuples(
    st.integers(0, 15), st.integers(0, 4), st.integers(0, 4), st.integers(0, 15),
    st.integers(0, 4), st.integers(0, len(TITLES)), st.integers(0, 1)
)  # fmt: skip
filters = st.builds(
    Filters,
    skills=st.lists(st.sampled_from([*SKILLS, "d", "none"]), max_size=2).map(tuple),
    region=st.sampled_from(["", "ber", "BERLIN", "lis", "são", "x"]),
    min_trust=st.sampled_from([0.0, 0.3, 0.8]),
    only_for_me=st.booleans(),
    show_muted=st.booleans(),
    show_strangers=st.booleans(),
    search=st.sampled_from(["", "o", "off", "offer 1", "member 2", "python", "lisbon", "zz"]),
)
patches = st.dictionaries(st.integers(0, 40), st.one_of(st.none(), draws), max_size=5)


Steps = list[tuple[Filters, dict[int, tuple[int, ...] | None], set[int]]]
steps = st.lists(st.tuples(filters, patches, st.sets(st.integers(0, 40), max_size=3)), max_size=8)


def check(start: dict[int, tuple[int, ...]], steps: Steps) -> None:
    """Each step: the filters (typed a letter at a time), rows patched in or out, and the
    groups of some rows listed or folded again."""
    truth = {f"{n:064x}": _row(n, d) for n, d in start.items()}
    rows = FeedRows(sorted(truth.values(), key=feed_order))
    listed: set[tuple[object, ...]] = set()
    for f, patch, toggled in steps:
        ordered = sorted(truth.values(), key=feed_order)
        assert rows.select(f) == plain(ordered, f)
        shown = rows.show(f)
        assert view(shown) == plain_shown(ordered, f, listed)
        if not shown.nested:  # rows in feed_order: the cursor's offer found by bisection
            where = {item.id: i for i, item in enumerate(shown.rows)}
            found = [position(shown.rows, item) for item in ordered]
            assert found == [where.get(item.id) for item in ordered]
        # the same filters, typed one more letter at a time: the narrowed search agrees too
        for end in range(1, len(f.search) + 1):
            typed = replace(f, search=f.search[:end])
            assert rows.select(typed) == plain(ordered, typed)
            assert view(rows.show(typed)) == plain_shown(ordered, typed, listed)
        changes = {f"{n:064x}": None if d is None else _row(n, d) for n, d in patch.items()}
        rows.patch(changes)
        for key, row in changes.items():
            if row is None:
                truth.pop(key, None)
            else:
                truth[key] = row
        for n in toggled:
            if (item := truth.get(f"{n:064x}")) is not None:
                rows.expand(item, listed=same(item) not in listed)
                listed ^= {same(item)}
    ordered = sorted(truth.values(), key=feed_order)
    assert list(rows.items) == ordered
    assert view(rows.show(Filters())) == plain_shown(ordered, Filters(), listed)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.integers(0, 40), draws), steps)
def test_the_shown_rows_are_those_a_plain_scan_shows(
    start: dict[int, tuple[int, ...]], steps: Steps
) -> None:
    check(start, steps)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.integers(0, 40), draws), steps)
def test_offers_whose_keys_hash_alike_are_grouped_only_when_they_are_the_same(
    start: dict[int, tuple[int, ...]], steps: Steps
) -> None:
    with mock.patch("tui.feed_groups.hash", create=True, return_value=7):
        check(start, steps)


def test_three_copies_are_one_row_counted_three_and_another_author_stays_apart() -> None:
    copies = [_row(n, (1, 0, 2, 0, 4 - n, 0, 0)) for n in range(3)]  # "Roof repair" by m0
    other = _row(3, (1, 0, 2, 0, 0, 1, 1))  # "roof  REPAIR " by m1
    rows = FeedRows([*copies, other])
    shown = rows.show(Filters())
    assert shown.rows == [copies[0], other]
    assert view(shown)[1] == {copies[0].id: copies}
    assert shown.offers == 4
    rows.expand(copies[2], listed=True)  # from any copy
    assert rows.show(Filters()).rows == [*copies, other]
    assert rows.show(Filters()).nested == {copies[1].id, copies[2].id}


def test_a_filter_that_matches_nothing_shows_nothing_and_clearing_it_shows_all() -> None:
    items = [_row(n, (1, 0, 2, 0, 1, 5, 0)) for n in range(5)]  # python, Berlin, unmuted
    rows = FeedRows(items)
    assert rows.select(Filters(skills=("legal",))) == []
    assert rows.select(Filters(region="tokyo")) == []
    assert rows.select(Filters()) == items
