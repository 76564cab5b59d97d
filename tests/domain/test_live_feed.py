"""A patched feed is the feed built afresh: same rows, same order, whatever the patches."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from p2pshare.domain.live_feed import LiveFeed
from p2pshare.domain.views import FeedItem, feed_order


def _row(n: int, rank: float, created_at: int) -> FeedItem:
    return FeedItem(
        id=f"{n:064x}", title=f"offer {n}", author="a", author_name="A", status="open",
        skills=(), region="", remote=False, value=0, currency="", created_at=created_at,
        expires_at=created_at + 1, chain=(), trust=0.0, signal=0.0, match=0.0, rank=rank,
        mine=False, for_me=False, accepted=False, handed_to_me=False, accepts=0, muted=False,
    )  # fmt: skip


ranks = st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0])
times = st.integers(0, 5)
patches = st.lists(
    st.dictionaries(st.integers(0, 30), st.one_of(st.none(), st.tuples(ranks, times)), max_size=6),
    max_size=8,
)


@given(st.dictionaries(st.integers(0, 30), st.tuples(ranks, times)), patches)
def test_patching_equals_building_afresh(start: dict[int, tuple[float, int]], steps: list) -> None:  # type: ignore[type-arg]
    live = LiveFeed(_row(n, r, t) for n, (r, t) in start.items())
    truth = {f"{n:064x}": _row(n, r, t) for n, (r, t) in start.items()}
    for step in steps:
        rows = {f"{n:064x}": None if v is None else _row(n, *v) for n, v in step.items()}
        live.patch(rows)
        for key, row in rows.items():
            if row is None:
                truth.pop(key, None)
            else:
                truth[key] = row
        assert live.items() == sorted(truth.values(), key=feed_order)


def test_a_changed_row_moves_to_its_new_place() -> None:
    rows = [_row(n, rank=n / 10, created_at=n) for n in range(5)]
    live = LiveFeed(rows)
    assert next(r.id for r in live.items()) == rows[4].id
    live.patch({rows[0].id: replace(rows[0], rank=0.9)})
    assert [r.id for r in live.items()][:2] == [rows[0].id, rows[4].id]
    live.patch({rows[4].id: None})
    assert rows[4].id not in {r.id for r in live.items()}
    assert len(live) == 4
