"""The Feed's grouping of offers that are the same to a reader (issue 14), at 100,000
offers with none, a tenth and half of them copies of another.

bench_tui times the app's keystrokes on a home whose offers are all different, so
it never meets a group. Here the rows the list shows (`FeedRows.show`: each group
once) are timed against the same keystrokes' rows without grouping (`select`, what
the list showed before), in the same run on the same rows: the ratio is what
grouping costs a keystroke. Also a whole reading of the feed (`replace`) and a row
patched in that joins a group. N_OFFERS in the environment changes the size.
"""

from __future__ import annotations

import functools
import os
import random
import statistics
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from p2pshare.domain.views import FeedItem, feed_order
from tui.feed_groups import OfferGroups
from tui.feed_rows import FeedRows, Filters

if TYPE_CHECKING:
    from collections.abc import Callable

N_OFFERS = int(os.environ.get("N_OFFERS", "100000"))
SKILLS = ("python", "keynote", "design", "legal", "data", "marketing", "translation", "video")
REGIONS = ("Berlin", "Lisbon", "Atlanta", "", "Toronto")
SEARCH = "opportunity 12"
ROUNDS = 5


def offers(n: int, copies: float, seed: int = 1) -> list[FeedItem]:
    """`n` offers by 300 authors; a share `copies` of them repeat an earlier offer's work
    (author, title in another case, skills, region, value) with their own rank."""
    rng = random.Random(seed)
    out: list[FeedItem] = []
    for i in range(n):
        rank = rng.random()
        if out and rng.random() < copies:
            twin = rng.choice(out)
            title = twin.title.upper() if rng.random() < 0.5 else twin.title
            item = replace(twin, id=f"{i:064x}", title=title, rank=rank, created_at=i)
        else:
            author = rng.randrange(300)
            item = FeedItem(
                id=f"{i:064x}",
                title=f"Opportunity {i}: {rng.choice(SKILLS)} in {rng.choice(REGIONS) or 'a city'}",
                author=f"12D3KooW{author:044d}",
                author_name=f"member {author}",
                status="open",
                skills=tuple(rng.sample(SKILLS, 2)),
                region=rng.choice(REGIONS),
                remote=False,
                value=rng.randrange(0, 10_000, 500),
                currency="EUR",
                created_at=i,
                expires_at=i + 86_400,
                chain=(),
                trust=0.5,
                signal=rng.choice((0.0, 0.2, 0.5, 0.9)),
                match=0.0,
                rank=rank,
                mine=False,
                for_me=False,
                accepted=False,
                handed_to_me=False,
                accepts=0,
                muted=rng.random() < 0.01,
            )
        out.append(item)
    out.sort(key=feed_order)
    return out


def keystrokes() -> list[Filters]:
    """bench_tui's: a skill typed and cleared twice, then a search typed a letter at a time."""
    steps = [Filters(skills=("design",)), Filters(), Filters(skills=("legal",)), Filters()]
    steps += [Filters(search=SEARCH[:i]) for i in range(1, len(SEARCH) + 1)]
    return [*steps, Filters()]


def timed(action: Callable[[], object]) -> tuple[float, float]:
    t, c = time.perf_counter(), time.thread_time()
    action()
    return time.perf_counter() - t, time.thread_time() - c


def run(copies: float) -> dict[str, list[float]]:
    items = offers(N_OFFERS, copies)
    out: dict[str, list[float]] = {"plain": [], "grouped": [], "cpu plain": [], "cpu grouped": []}
    out["replace"], out["grouping"] = [], []
    for _ in range(ROUNDS):
        rows = FeedRows()
        out["replace"].append(timed(functools.partial(rows.replace, items))[0])
        out["grouping"].append(timed(functools.partial(OfferGroups().replace, items))[0])
    plain, rows = FeedRows(items), FeedRows(items)  # each keeps its own last search
    grouped = rows.show(Filters()).groups
    heads = grouped.heads()
    out["rows"] = [float(len(rows.show(Filters()).rows))]
    out["groups"] = [float(len(heads))]
    if heads:  # the biggest group listed one by one, as space does
        rows.expand(max(heads, key=lambda head: len(grouped.of(head))), listed=True)
    for _ in range(ROUNDS):  # turn and turn about, each keystroke on rows warmed alike
        for f in keystrokes():
            wall, cpu = timed(functools.partial(plain.select, f))
            out["plain"].append(wall)
            out["cpu plain"].append(cpu)
            wall, cpu = timed(functools.partial(rows.show, f))
            out["grouped"].append(wall)
            out["cpu grouped"].append(cpu)
    twin = items[len(items) // 2]
    out["patch"] = []
    for n in range(ROUNDS):
        copy = replace(twin, id=f"{N_OFFERS + n:064x}", rank=twin.rank)
        out["patch"].append(timed(functools.partial(rows.patch, {copy.id: copy}))[0])
    return out


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:6.2f} ms  max {max(values) * 1000:6.2f} ms"


def main() -> None:
    print(
        f"feed rows of {N_OFFERS:,} offers: a keystroke's rows grouped (show) against the"
        f" same rows ungrouped (select, the baseline), {ROUNDS} rounds of"
        f" {len(keystrokes())} keystrokes"
    )
    for copies in (0.0, 0.1, 0.5):
        r = run(copies)
        ratio = statistics.median(r["grouped"]) / statistics.median(r["plain"])
        print(f"  {copies:4.0%} copies: {int(r['rows'][0]):,} rows, {int(r['groups'][0]):,} groups")
        print(f"    keystroke grouped    {ms(r['grouped'])}   x{ratio:.2f} the baseline")
        print(f"    keystroke ungrouped  {ms(r['plain'])}   (baseline)")
        print(f"    its CPU: grouped {ms(r['cpu grouped'])}; ungrouped {ms(r['cpu plain'])}")
        print(f"    whole reading (replace)  {ms(r['replace'])}")
        print(f"      of which the groups    {ms(r['grouping'])}")
        print(f"    a copy patched in        {ms(r['patch'])}")


if __name__ == "__main__":
    main()
