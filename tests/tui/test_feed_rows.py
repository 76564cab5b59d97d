"""The feed's filters, fast (tui/feed_rows.py), show exactly the rows a plain scan would:
whatever the filters, in whatever order they are typed, and after rows are patched in.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from p2pshare.domain.views import FeedItem, feed_order
from tui.feed_rows import FeedRows, Filters, haystack

SKILLS = ("python", "design", "legal", "data")
REGIONS = ("Berlin", "berlin-mitte", "Lisbon", "", "São Paulo")


def _row(n: int, draw: tuple[int, ...]) -> FeedItem:
    skills, region, signal, flags, rank = draw
    return FeedItem(
        id=f"{n:064x}", title=f"Offer {n}", author="a", author_name=f"member {n % 3}",
        status="open", skills=tuple(s for i, s in enumerate(SKILLS) if skills >> i & 1),
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


draws = st.tuples(
    st.integers(0, 15), st.integers(0, 4), st.integers(0, 4), st.integers(0, 15), st.integers(0, 4)
)
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


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(st.integers(0, 40), draws),
    st.lists(st.tuples(filters, patches), max_size=8),
)
def test_the_shown_rows_are_those_a_plain_scan_shows(
    start: dict[int, tuple[int, ...]],
    steps: list[tuple[Filters, dict[int, tuple[int, ...] | None]]],
) -> None:
    truth = {f"{n:064x}": _row(n, d) for n, d in start.items()}
    rows = FeedRows(sorted(truth.values(), key=feed_order))
    for f, patch in steps:
        ordered = sorted(truth.values(), key=feed_order)
        assert rows.select(f) == plain(ordered, f)
        # the same filters, typed one more letter at a time: the narrowed search agrees too
        for end in range(1, len(f.search) + 1):
            typed = replace(f, search=f.search[:end])
            assert rows.select(typed) == plain(ordered, typed)
        changes = {f"{n:064x}": None if d is None else _row(n, d) for n, d in patch.items()}
        rows.patch(changes)
        for key, row in changes.items():
            if row is None:
                truth.pop(key, None)
            else:
                truth[key] = row
    assert list(rows.items) == sorted(truth.values(), key=feed_order)


def test_a_filter_that_matches_nothing_shows_nothing_and_clearing_it_shows_all() -> None:
    items = [_row(n, (1, 0, 2, 0, 1)) for n in range(5)]  # python, Berlin, unmuted
    rows = FeedRows(items)
    assert rows.select(Filters(skills=("legal",))) == []
    assert rows.select(Filters(region="tokyo")) == []
    assert rows.select(Filters()) == items
