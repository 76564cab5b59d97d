"""Properties of the personalized trust engine (p2pshare/domain/trust*.py, DESIGN.md §5)."""

from __future__ import annotations

import dataclasses
import hashlib
import random
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from p2pshare.domain.evidence import Receipt, VouchEdge
from p2pshare.domain.offer_signal import offer_signal
from p2pshare.domain.trust import (
    ALPHA,
    TOLERANCE,
    TrustGraph,
    render_explanation,
)
from protocol import PublicKey, RecordId

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

NOW = 1_750_000_000
DAY = 86_400
_serial = iter(range(10**9))


def key(name: str) -> PublicKey:
    return PublicKey(hashlib.sha256(b"member:" + name.encode()).digest())


def rid() -> RecordId:
    return RecordId(hashlib.sha256(b"record:%d" % next(_serial)).digest())


def vouch(
    a: PublicKey, b: PublicKey, *, age_days: int = 0, skills: tuple[str, ...] = ()
) -> VouchEdge:
    return VouchEdge(id=rid(), voucher=a, subject=b, skills=skills, created_at=NOW - age_days * DAY)


def receipt(
    author: PublicKey,
    fulfiller: PublicKey,
    *,
    fulfilled: bool = True,
    forwarders: tuple[PublicKey, ...] = (),
    rating: int = 0,
    age_days: int = 0,
) -> Receipt:
    return Receipt(
        id=rid(),
        offer=rid(),
        author=author,
        fulfiller=fulfiller,
        forwarders=forwarders,
        fulfilled=fulfilled,
        rating=rating,
        created_at=NOW - age_days * DAY,
    )


def graph(vouches: Sequence[VouchEdge] = (), receipts: Sequence[Receipt] = ()) -> TrustGraph:
    return TrustGraph(vouches, receipts, now=NOW)


EXACT = 1e-12  # what "the same scores" means once a solve was warm-started


def assert_close(a: Mapping[PublicKey, float], b: Mapping[PublicKey, float]) -> None:
    assert a.keys() == b.keys()
    assert max((abs(a[k] - b[k]) for k in a), default=0.0) <= EXACT


V, SHEL, DANA, ANN, BOB, CAL = (key(n) for n in ("you", "shel", "dana", "ann", "bob", "cal"))
NAMES = {V: "you", SHEL: "Shel", DANA: "Dana", ANN: "Ann", BOB: "Bob", CAL: "Cal"}


def honest_ring(n: int, seed: int = 1) -> tuple[list[PublicKey], list[VouchEdge], list[Receipt]]:
    """A small world: each member vouches for 3 neighbours each side, some receipts."""
    rng = random.Random(seed)
    members = [key(f"honest-{seed}-{i}") for i in range(n)]
    vouches = [
        vouch(members[i], members[(i + d) % n], age_days=rng.randrange(700))
        for i in range(n)
        for d in (-3, -2, -1, 1, 2, 3)
    ]
    vouches += [vouch(members[i], members[rng.randrange(n)]) for i in range(0, n, 5)]
    vouches = [v for v in vouches if v.voucher != v.subject]
    receipts = [
        receipt(members[i], members[(i + rng.choice((1, 2, 4))) % n], fulfilled=rng.random() < 0.85)
        for i in range(n)
    ]
    return members, vouches, receipts


def sybils(n: int, tag: str = "s") -> tuple[list[PublicKey], list[VouchEdge], list[Receipt]]:
    rng = random.Random(7)
    members = [key(f"sybil-{tag}-{i}") for i in range(n)]
    vouches = [vouch(members[i], members[(i + 1) % n]) for i in range(n)]
    vouches += [vouch(members[i], members[rng.randrange(n)]) for i in range(n)]
    receipts = [
        receipt(
            members[i], members[(i + 2) % n], rating=5, forwarders=tuple(rng.sample(members, 3))
        )
        for i in range(n)
    ]
    return members, [v for v in vouches if v.voucher != v.subject], receipts


# --- personalization ---------------------------------------------------------------


def test_scores_are_personal() -> None:
    g = graph([vouch(V, SHEL), vouch(ANN, BOB)])
    assert g.scores(V)[SHEL] == 1.0
    assert g.scores(V)[BOB] == 0.0
    assert g.scores(ANN)[BOB] == 1.0
    assert g.scores(ANN)[SHEL] == 0.0


def test_viewer_is_not_scored_and_unknown_viewer_sees_zeros() -> None:
    g = graph([vouch(V, SHEL), vouch(SHEL, DANA)])
    assert V not in g.scores(V)
    assert g.scores(CAL) == {V: 0.0, SHEL: 0.0, DANA: 0.0}
    assert g.score(V, CAL) == 0.0


def test_scores_are_between_zero_and_one_with_one_for_the_best_supported() -> None:
    members, vs, rs = honest_ring(60)
    scores = graph(vs, rs).scores(members[0])
    assert all(0.0 <= s <= 1.0 for s in scores.values())
    assert max(scores.values()) <= 1.0
    assert sum(1 for s in scores.values() if s > 0) == 59


# --- evidence ----------------------------------------------------------------------


def test_a_vouch_raises_its_subject() -> None:
    base = [vouch(V, SHEL), vouch(SHEL, DANA), vouch(V, ANN)]
    before = graph(base).scores(V)[DANA]
    after = graph([*base, vouch(ANN, DANA)]).scores(V)[DANA]
    assert 0.0 < before < after


def test_fulfilled_receipt_raises_fulfiller_and_a_little_its_forwarders() -> None:
    base = [vouch(V, SHEL), vouch(SHEL, DANA), vouch(SHEL, BOB)]
    before = graph(base).raw(V)
    plain = graph(base, [receipt(SHEL, DANA)]).raw(V)
    routed = graph(base, [receipt(SHEL, DANA, forwarders=(ANN,))]).raw(V)
    assert plain[DANA] > before[DANA]
    assert ANN not in before
    assert ANN not in plain
    assert 0.0 < routed[ANN] < routed[DANA] - before[DANA]
    # a receipt signed by the viewer's trusted friend: its forwarder beats one not on it
    g = graph([*base, vouch(SHEL, CAL)], [receipt(SHEL, DANA, forwarders=(BOB,))])
    assert g.score(V, DANA) > g.score(V, BOB) > g.score(V, CAL)


def test_rating_modulates_a_fulfilled_receipt() -> None:
    base = [vouch(V, SHEL)]
    g = graph(base, [receipt(SHEL, DANA, rating=5), receipt(SHEL, ANN, rating=1)])
    assert g.score(V, DANA) > g.score(V, ANN) > 0.0


def test_failed_receipt_lowers_the_fulfiller() -> None:
    base = [vouch(V, SHEL), vouch(V, DANA), vouch(V, ANN)]
    before = graph(base).scores(V)
    after = graph(base, [receipt(SHEL, DANA, fulfilled=False)]).scores(V)
    assert after[DANA] < before[DANA]
    assert after[ANN] == before[ANN]


def test_a_good_record_softens_one_failure() -> None:
    base = [vouch(V, SHEL), vouch(V, DANA), vouch(V, ANN)]
    one_failure = [receipt(SHEL, DANA, fulfilled=False), receipt(SHEL, ANN, fulfilled=False)]
    history = [receipt(SHEL, ANN, age_days=d) for d in (10, 20, 30, 40)]
    scores = graph(base, one_failure + history).scores(V)
    g_dana = graph(base, one_failure).explain(V, DANA)
    g_ann = graph(base, one_failure + history).explain(V, ANN)
    assert g_ann.reliability > g_dana.reliability
    assert scores[ANN] > scores[DANA]


def test_failures_reported_by_untrusted_identities_change_nothing() -> None:
    base = [vouch(V, DANA), vouch(BOB, CAL)]  # Bob is not reachable from V
    smear = [receipt(BOB, DANA, fulfilled=False) for _ in range(50)]
    assert graph(base, smear).scores(V) == graph(base).scores(V)
    assert graph(base, smear).score(V, DANA) == 1.0


def test_revoked_vouch_is_absent_and_has_no_effect() -> None:
    kept = [vouch(V, SHEL), vouch(SHEL, DANA)]
    revoked = vouch(V, ANN)
    g = graph([*kept, revoked])
    assert g.score(V, ANN) > 0.0
    g.remove(revoked.id)
    without = graph(kept).scores(V)
    assert_close({k: s for k, s in g.scores(V).items() if k != ANN}, without)
    assert g.score(V, ANN) == 0.0


def test_older_evidence_weighs_less() -> None:
    g = graph([vouch(V, SHEL, age_days=10), vouch(V, DANA, age_days=1000)])
    assert g.score(V, SHEL) > g.score(V, DANA) > 0.0
    g = graph([vouch(V, CAL)], [receipt(V, SHEL, age_days=5), receipt(V, DANA, age_days=900)])
    assert g.score(V, SHEL) > g.score(V, DANA) > 0.0


def test_self_evidence_is_ignored() -> None:
    base = [vouch(V, SHEL), vouch(V, DANA)]
    selfish = [vouch(DANA, DANA)], [receipt(DANA, DANA) for _ in range(10)]
    assert graph(base + selfish[0], selfish[1]).scores(V) == graph(base).scores(V)


# --- Sybil resistance --------------------------------------------------------------


def test_sybil_region_without_attack_edge_gets_exactly_zero() -> None:
    honest, hv, hr = honest_ring(80)
    syb, sv, sr = sybils(200)
    g = graph(hv + sv, hr + sr)
    for viewer in honest[:5]:
        scores = g.scores(viewer)
        assert all(scores[s] == 0.0 for s in syb)
        assert not set(g.raw(viewer)) & set(syb)


@pytest.mark.parametrize("n_sybils", [10, 300])
def test_one_attack_edge_gives_a_bounded_share_below_honest_members(n_sybils: int) -> None:
    honest, hv, hr = honest_ring(80)
    syb, sv, sr = sybils(n_sybils)
    attacker = honest[40]
    attack = vouch(attacker, syb[0])
    g = graph([*hv, *sv, attack], hr + sr)
    viewer = honest[0]
    raw = g.raw(viewer)
    captured = sum(raw.get(s, 0.0) for s in syb)
    bound = (1 - ALPHA) * raw[attacker] * g.transitions(attacker)[syb[0]] / ALPHA
    assert 0.0 < captured <= bound + 1e-12
    scores = g.scores(viewer)
    honest_scores = sorted(scores[h] for h in honest[1:])
    median = honest_scores[len(honest_scores) // 2]
    assert max(scores[s] for s in syb) < median


def funnel(n: int) -> tuple[list[PublicKey], list[VouchEdge], list[Receipt]]:
    """Identities that give everything to one of them, which vouches back for each."""
    members = [key(f"funnel-{i}") for i in range(n)]
    vouches = [vouch(s, members[0]) for s in members[1:]]
    vouches += [vouch(members[0], s) for s in members[1:]]
    return members, vouches, [receipt(s, members[0], rating=5) for s in members[1:]]


def test_five_attack_edges_none_from_my_contacts_keep_sybils_out_of_my_top_tenth() -> None:
    honest, hv, hr = honest_ring(200)
    syb, sv, sr = funnel(10)
    viewer = honest[0]
    # five honest members vouch for a Sybil; the nearest is two hops from the viewer
    attackers = [honest[i] for i in (5, 50, 90, 130, 170)]
    assert not {v.subject for v in hv if v.voucher == viewer} & set(attackers)
    g = graph([*hv, *sv, *(vouch(a, syb[i]) for i, a in enumerate(attackers))], hr + sr)
    scores = g.scores(viewer)
    best = max(scores[s] for s in syb)
    rank = 1 + sum(1 for h in honest[1:] if scores[h] > best)
    assert rank > len(honest) // 10


@pytest.mark.parametrize("region", ["funnel", "loop"])
def test_a_region_my_contact_vouches_for_gets_what_his_edge_carries_not_more(
    region: str,
) -> None:
    """A contact of mine vouches for an honest member and for a Sybil region's centre
    alike: the centre ranks no higher than the honest member, whatever the region
    signs for itself (its loops back to the centre carry nothing)."""
    syb, sv, sr = funnel(10)
    if region == "loop":  # a ring through every identity, and receipts round it
        sv = [vouch(syb[i], syb[(i + 1) % 10]) for i in range(10)]
        sr = [receipt(syb[i], syb[(i + 1) % 10], rating=5) for i in range(10)]
    g = graph(
        [
            vouch(V, SHEL),
            vouch(V, ANN),
            vouch(ANN, BOB),
            vouch(SHEL, DANA),
            vouch(SHEL, syb[0]),
            *sv,
        ],
        sr,
    )
    scores = g.scores(V)
    assert 0.0 < max(scores[s] for s in syb) <= scores[DANA]
    # split, not multiplied: no identity holds more than the attack edge brings in
    raw = g.raw(V)
    carried = (1 - ALPHA) * raw[SHEL] * g.transitions(SHEL)[syb[0]]
    assert max(raw[s] for s in syb) <= carried * (1 + 1e-9)


def test_a_clique_vouched_for_at_one_distance_ranks_no_higher_than_one_newcomer() -> None:
    """Five identities that vouch for and credit each other, each vouched for by one of
    five members two hops from me: no identity ranks above one honest newcomer given
    the same five vouches (their echo among themselves counts nothing)."""
    honest, hv, hr = honest_ring(200)
    viewer = honest[0]
    syb = [key(f"clique-{i}") for i in range(5)]
    sv = [vouch(a, b) for a in syb for b in syb if a != b]
    sr = [receipt(a, b, rating=5) for a in syb for b in syb if a != b]
    vouchers = [honest[i] for i in (4, 5, 6, 195, 196)]  # two hops from the viewer
    g = graph([*hv, *sv, *(vouch(a, s) for a, s in zip(vouchers, syb, strict=True))], hr + sr)
    newcomer = key("newcomer")
    alone = graph([*hv, *(vouch(a, newcomer) for a in vouchers)], hr)

    def rank(scores: Mapping[PublicKey, float], best: float) -> int:
        return 1 + sum(1 for h in honest[1:] if scores[h] > best)

    scores, mine = g.scores(viewer), alone.scores(viewer)
    assert rank(scores, max(scores[s] for s in syb)) >= rank(mine, mine[newcomer])


def test_thousand_untrusted_forwards_do_not_lift_an_offer() -> None:
    honest, hv, hr = honest_ring(40)
    syb, sv, sr = sybils(1000)
    # the Sybils also "fulfil" each other's offers through 1,000-hop forward chains
    chain = tuple(syb)
    g = graph(hv + sv, [*hr, *sr, receipt(syb[0], syb[1], forwarders=chain)])
    viewer = honest[0]
    scores = g.scores(viewer)
    assert offer_signal(scores, syb[0], syb[1:]) == 0.0
    author = honest[5]
    plain = offer_signal(scores, author, ())
    assert plain > 0.0
    assert offer_signal(scores, author, syb) == plain
    assert offer_signal(scores, syb[0], [honest[3], *syb]) == scores[honest[3]]
    # my own forward says nothing about the offer's source (issue 12 §6)
    assert offer_signal(scores, syb[0], [viewer], viewer=viewer) == 0.0
    assert offer_signal(scores, viewer, [], viewer=viewer) == 1.0


# --- determinism and updates -------------------------------------------------------

POOL = [key(f"pool-{i}") for i in range(7)]
_ids = [RecordId(hashlib.sha256(b"h%d" % i).digest()) for i in range(64)]


def _unique_ids(items: list[VouchEdge | Receipt]) -> list[VouchEdge | Receipt]:
    """A record id is a hash of the record: one id, one content."""
    return [dataclasses.replace(item, id=_ids[i]) for i, item in enumerate(items)]


evidence_item = st.one_of(
    st.builds(
        lambda a, b, age: VouchEdge(
            id=_ids[0], voucher=POOL[a], subject=POOL[b], skills=("x",), created_at=NOW - age
        ),
        st.integers(0, 6),
        st.integers(0, 6),
        st.integers(-DAY, 2000 * DAY),
    ),
    st.builds(
        lambda a, b, f, ok, rating, age: Receipt(
            id=_ids[0],
            offer=_ids[0],
            author=POOL[a],
            fulfiller=POOL[b],
            forwarders=tuple(POOL[x] for x in f),
            fulfilled=ok,
            rating=rating,
            created_at=NOW - age,
        ),
        st.integers(0, 6),
        st.integers(0, 6),
        st.lists(st.integers(0, 6), max_size=3),
        st.booleans(),
        st.integers(0, 5),
        st.integers(0, 2000 * DAY),
    ),
)


def _split(items: list[VouchEdge | Receipt]) -> tuple[list[VouchEdge], list[Receipt]]:
    return [i for i in items if isinstance(i, VouchEdge)], [
        i for i in items if isinstance(i, Receipt)
    ]


@settings(max_examples=150, deadline=None)
@given(st.lists(evidence_item, max_size=40).map(_unique_ids), st.randoms(use_true_random=False))
def test_same_records_in_any_order_give_the_same_scores(
    items: list[VouchEdge | Receipt], rnd: random.Random
) -> None:
    shuffled = list(items) + rnd.sample(items, len(items) // 3)  # with duplicates
    rnd.shuffle(shuffled)
    a, b = TrustGraph(*_split(items), now=NOW), TrustGraph(*_split(shuffled), now=NOW)
    for viewer in POOL[:3]:
        assert a.scores(viewer) == b.scores(viewer)
        assert a.raw(viewer) == b.raw(viewer)
        for member in POOL[3:5]:
            assert a.explain(viewer, member) == b.explain(viewer, member)


def _same_state(g: TrustGraph, fresh: TrustGraph, viewers: Sequence[PublicKey]) -> None:
    """The incremental graph is the full rebuild's, bit for bit; its (warm) solves agree
    with the rebuild's cold ones to EXACT."""
    assert g.members == fresh.members
    for m in fresh.members:
        assert g.transitions(m) == fresh.transitions(m)
    for viewer in viewers:
        assert_close(g.scores(viewer), fresh.scores(viewer))
        raw, ref = g.raw(viewer), fresh.raw(viewer)
        assert_close({k: raw.get(k, 0.0) for k in ref}, ref)
        assert set(raw) <= set(ref)  # a member the walk cannot reach stays exactly 0
        for member in fresh.members[:3]:
            a, b = g.explain(viewer, member), fresh.explain(viewer, member)
            assert (a.counts, a.evidence == b.evidence or a.ignored) == (
                b.counts,
                a.evidence == b.evidence or b.ignored,
            )
            assert [[h.member for h in p.hops] for p in a.paths] == [
                [h.member for h in p.hops] for p in b.paths
            ]
            assert a.score == pytest.approx(b.score, abs=EXACT)


@settings(max_examples=60, deadline=None)
@given(st.lists(evidence_item, min_size=1, max_size=30).map(_unique_ids))
def test_incremental_add_equals_a_fresh_graph(items: list[VouchEdge | Receipt]) -> None:
    g = TrustGraph([], [], now=NOW)
    g.scores(POOL[0])
    for item in items:
        assert g.add(item)
        assert not g.add(item)  # known: a no-op
        g.scores(POOL[0])  # re-solved warm after every add
    _same_state(g, TrustGraph(*_split(items), now=NOW), POOL[:2])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(evidence_item, min_size=1, max_size=40).map(_unique_ids),
    st.randoms(use_true_random=False),
)
def test_random_batches_of_additions_and_removals_equal_a_full_rebuild(
    items: list[VouchEdge | Receipt], rnd: random.Random
) -> None:
    """Records in random order and random batch splits, some removed again later
    (a revoked vouch, a superseded outcome): the state equals a rebuild of what is left."""
    start = rnd.randrange(len(items) + 1)
    g = TrustGraph(*_split(items[:start]), now=NOW)
    if rnd.random() < 0.7:
        g.scores(POOL[0])  # built (updates are incremental) rather than still lazy
    pending = items[start:]
    rnd.shuffle(pending)
    present = {i.id: i for i in items[:start]}
    while pending:
        cut = rnd.randrange(1, len(pending) + 1)
        batch, pending = pending[:cut], pending[cut:]
        removed = [k for k in present if rnd.random() < 0.2]
        removed.append(_ids[-1])  # an id the graph never saw: ignored
        added = batch + rnd.sample(batch, len(batch) // 2)  # with duplicates
        assert g.apply(added, removed)
        present.update((i.id, i) for i in batch)
        for k in removed:
            present.pop(k, None)
        g.scores(POOL[rnd.randrange(3)])
    _same_state(g, TrustGraph(*_split(list(present.values())), now=NOW), POOL[:3])


def test_members_with_alike_evidence_share_a_standing_however_the_solve_started() -> None:
    """Shel and Dana each did one job for me: their scores tie, up to the solve's
    accuracy, and Ann's failure reported by Dana weighs the same warm or cold."""
    vouches = [vouch(SHEL, V)]
    receipts = [receipt(DANA, ANN, fulfilled=False, forwarders=(V,)), receipt(V, SHEL)]
    late = receipt(V, DANA, forwarders=(ANN,))
    g = graph(vouches, receipts)
    g.scores(V)  # solved before the update: the next solve starts warm
    g.add(late)
    fresh = graph(vouches, [*receipts, late])
    assert_close(g.scores(V), fresh.scores(V))
    assert g.score(V, SHEL) == pytest.approx(g.score(V, DANA), abs=EXACT)


def test_a_record_added_and_removed_in_one_batch_is_absent() -> None:
    g = graph([vouch(V, SHEL)])
    late = vouch(V, ANN)
    assert g.score(V, SHEL) == 1.0
    assert not g.apply([late], [late.id])
    assert ANN not in g.members
    assert not g.remove(late.id)


def test_warm_rescore_equals_a_cold_solve_as_members_join() -> None:
    members, vs, rs = honest_ring(300, seed=3)
    g = graph(vs, rs)
    viewer = members[0]
    g.scores(viewer)
    newcomers = [key(f"newcomer-{i}") for i in range(5)]
    extra: list[VouchEdge | Receipt] = [vouch(members[i], newcomers[i]) for i in range(5)]
    extra.append(receipt(members[7], newcomers[0], forwarders=(newcomers[1], members[9])))
    extra.append(receipt(members[7], members[8], fulfilled=False))
    for item in extra:
        g.add(item)
        g.scores(viewer)
    g.remove(vs[0].id)
    g.remove(rs[0].id)
    fresh_v = [v for v in vs[1:]] + [i for i in extra if isinstance(i, VouchEdge)]
    fresh_r = [r for r in rs[1:]] + [i for i in extra if isinstance(i, Receipt)]
    _same_state(g, graph(fresh_v, fresh_r), [viewer, members[100]])
    assert g.score(viewer, newcomers[0]) > 0.0


def test_advance_redates_the_evidence_as_a_fresh_graph_would() -> None:
    members, vs, rs = honest_ring(100, seed=4)
    g = graph(vs, rs)
    g.scores(members[0])
    later = NOW + 400 * DAY
    g.advance(later)
    assert g.now == later
    fresh = TrustGraph(vs, rs, now=later)
    for m in fresh.members:
        assert g.transitions(m) == fresh.transitions(m)
    assert_close(g.scores(members[0]), fresh.scores(members[0]))


def test_raw_vectors_are_within_the_stated_tolerance_of_the_exact_solution() -> None:
    """Against a dense direct solve of the same walk (numpy), cold and warm."""
    import numpy as np

    members, vs, rs = honest_ring(200, seed=5)
    g = graph(vs, rs)
    for step in range(2):
        keys = g.members
        idx = {k: i for i, k in enumerate(keys)}
        viewer = members[0]
        hops = {viewer: 0}  # breadth-first: the walk never steps back towards the viewer
        frontier = [viewer]
        while frontier:
            nxt = []
            for k in frontier:
                for d in g.transitions(k):
                    if d not in hops:
                        hops[d] = hops[k] + 1
                        nxt.append(d)
            frontier = nxt
        # two states per member: reached from nearer (i), from the same distance (n + i)
        n = len(keys)
        p = np.zeros((2 * n, 2 * n))
        for k in keys:
            for d, w in g.transitions(k).items():
                step = hops.get(d, n) - hops.get(k, n)
                if step > 0:
                    p[idx[k], idx[d]] = p[n + idx[k], idx[d]] = w
                elif step == 0:
                    p[idx[k], n + idx[d]] = w
        e = np.zeros(2 * n)
        e[idx[viewer]] = ALPHA
        both = np.linalg.solve(np.eye(2 * n) - (1 - ALPHA) * p.T, e)
        exact = (both[:n] + both[n:]) / both.sum()
        raw = g.raw(viewer)
        assert sum(abs(raw.get(k, 0.0) - exact[idx[k]]) for k in keys) <= TOLERANCE
        g.add(vouch(viewer, members[50 + step]))  # the second round is a warm solve


# --- explanations ------------------------------------------------------------------


def _shel_dana() -> TrustGraph:
    return graph(
        [vouch(V, SHEL, skills=("keynote",)), vouch(V, ANN)],
        [receipt(SHEL, DANA, age_days=d) for d in (3, 30, 90)]
        + [receipt(SHEL, DANA, fulfilled=False, age_days=60)]
        + [receipt(CAL, DANA, fulfilled=False) for _ in range(4)],  # Cal is untrusted
    )


def test_explain_returns_the_path_through_the_vouch() -> None:
    ex = _shel_dana().explain(V, DANA)
    best = ex.paths[0]
    assert [(h.member, h.relation) for h in best.hops] == [(SHEL, "vouch"), (DANA, "fulfilled")]
    assert best.hops[0].skills == ("keynote",)
    assert best.hops[1].fulfilled == 3
    assert best.share == pytest.approx(1.0, abs=1e-3)
    assert (ex.counts.fulfilled, ex.counts.failed, ex.counts.vouches) == (3, 1, 0)
    assert ex.ignored == 4
    assert ex.reliability < 1.0
    assert ex.score == _shel_dana().score(V, DANA)
    assert {(e.signer, e.kind, e.count) for e in ex.evidence} == {
        (SHEL, "fulfilled", 3),
        (SHEL, "failed", 1),
    }


def test_explain_lists_several_paths_best_first() -> None:
    g = graph([vouch(V, SHEL), vouch(V, ANN), vouch(SHEL, DANA), vouch(ANN, BOB), vouch(BOB, DANA)])
    ex = g.explain(V, DANA)
    assert [[h.member for h in p.hops] for p in ex.paths] == [[SHEL, DANA], [ANN, BOB, DANA]]
    assert ex.paths[0].share > ex.paths[1].share
    assert ex.counts.vouches == 2


def test_explain_without_a_path() -> None:
    ex = graph([vouch(V, SHEL), vouch(BOB, DANA)]).explain(V, DANA)
    assert ex.score == 0.0
    assert ex.paths == ()
    assert ex.ignored == 1


def test_render_explanation() -> None:
    lines = render_explanation(_shel_dana().explain(V, DANA), NAMES.__getitem__)
    text = "\n".join(lines)
    assert lines[0].startswith("Dana: trust ")
    assert "you → Shel (vouch: keynote) → Dana (3 fulfilled hand-offs)" in text
    assert "3 fulfilled hand-offs, 1 failed" in text
    assert "ignored: 4 pieces of evidence" in text
    no_path = render_explanation(graph([vouch(V, SHEL)]).explain(V, CAL), NAMES.__getitem__)
    assert "no path" in no_path[1]


# --- scale paths -------------------------------------------------------------------


@pytest.mark.parametrize("prefix", [b"", b"\x07" * 8])
def test_keys_numbered_in_bulk_as_one_by_one(
    monkeypatch: pytest.MonkeyPatch, prefix: bytes
) -> None:
    """From _BULK records on, keys are numbered by their first 8 bytes in numpy; keys
    sharing those bytes fall back to lookups. Either way: the same graph."""
    from p2pshare.domain import trust_records as trust

    def k(i: int) -> PublicKey:
        return PublicKey((prefix + hashlib.sha256(b"bulk:%d" % i).digest())[:32])

    rng = random.Random(9)
    vs = [vouch(k(i), k(rng.randrange(900))) for i in range(900) for _ in range(6)]
    rs = [
        receipt(k(i), k(rng.randrange(900)), forwarders=(k(rng.randrange(900)),))
        for i in range(900)
        for _ in range(5)
    ]
    assert len(vs) >= trust._BULK
    assert len(rs) >= trust._BULK
    bulk = graph(vs, rs)
    monkeypatch.setattr(trust, "_BULK", 10**9)
    single = graph(vs, rs)
    assert bulk.members == single.members
    for m in single.members:
        assert bulk.transitions(m) == single.transitions(m)
    assert bulk.scores(k(0)) == single.scores(k(0))
