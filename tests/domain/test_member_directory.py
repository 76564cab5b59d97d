"""Members, devices, unlinks and rotations (issue 15; docs/PROTOCOL.md §Members and devices).

Example tests, one per rule, then properties: the directory is a function of
the set of records (any order, any batches, an unlink before its certificate),
and a key no member record names stays its own member, as every key was
before devices existed.
"""

from __future__ import annotations

import hashlib
from functools import cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import protocol as p
from p2pshare.domain.member_directory import NEVER, MemberDirectory

NAMES = ("root", "laptop", "phone", "tablet", "thief", "new", "newer")


@cache
def key(name: str) -> Ed25519PrivateKey:
    seed = hashlib.sha256(b"p2pshare member directory test\0" + name.encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


@cache
def pub(name: str) -> p.PublicKey:
    return p.PublicKey(key(name).public_key().public_bytes_raw())


@cache
def cert(
    author: str, device: str, at: int, *, member: str = "root", manage: bool = False
) -> p.Envelope:
    body = p.Device(
        member=pub(member),
        device=pub(device),
        label=f"{device} of {member}",
        manage=manage,
        consent=p.sign_consent(p.DEVICE_CONSENT, pub(member), key=key(device)),
    )
    return p.sign(body, key=key(author), created_at=at)


@cache
def unlink(
    author: str, device: str, at: int, *, since: int | None = None, member: str = "root"
) -> p.Envelope:
    until = at if since is None else since
    body = p.Unlink(member=pub(member), device=pub(device), valid_until=until, reason="lost")
    return p.sign(body, key=key(author), created_at=at)


@cache
def rotate(author: str, new: str, at: int, *, member: str = "root") -> p.Envelope:
    consent = p.sign_consent(p.ROOT_CONSENT, pub(member), key=key(new))
    body = p.Rotate(member=pub(member), new_root=pub(new), consent=consent)
    return p.sign(body, key=key(author), created_at=at)


@cache
def record(author: str, at: int) -> p.Envelope:
    """Any other record (a vouch) by `author` dated `at`: what the verdict judges."""
    return p.sign(
        p.Vouch(subject=pub("stranger"), skills=(), note=""), key=key(author), created_at=at
    )


def directory(*records: p.Envelope) -> MemberDirectory:
    found = MemberDirectory()
    found.apply(records)
    return found


def counts(d: MemberDirectory, author: str, at: int) -> bool:
    return d.verdict(record(author, at)) is None


# -- keys without certificates -------------------------------------------------


def test_a_key_no_record_names_is_its_own_member_and_all_its_records_count() -> None:
    d = directory(cert("root", "phone", 10), unlink("root", "phone", 20))
    assert d.member_of(pub("laptop")) == pub("laptop")
    assert d.root(pub("laptop"), 0) == pub("laptop")
    assert all(counts(d, "laptop", at) for at in (0, 10, 10**9))
    assert d.devices(pub("laptop")) == ()


def test_the_member_id_key_is_its_root_and_counts_until_rotated() -> None:
    d = directory(cert("root", "phone", 10))
    assert d.member_of(pub("root")) == pub("root")
    assert counts(d, "root", 0)
    assert counts(d, "root", 10**9)


# -- certificates --------------------------------------------------------------


def test_a_certified_device_signs_for_the_member_from_its_certificate() -> None:
    d = directory(cert("root", "phone", 10))
    assert d.member_of(pub("phone")) == pub("root")
    assert counts(d, "phone", 10)
    assert counts(d, "phone", 10**6)
    assert d.verdict(record("phone", 9)) == "dated before its certificate (1970-01-01 00:00:10 UTC)"
    [phone] = d.devices(pub("root"))
    assert (phone.key, phone.label, phone.manage) == (pub("phone"), "phone of root", False)
    assert (phone.certified_at, phone.certified_by, phone.unlinked_from) == (10, pub("root"), NEVER)


def test_a_managing_device_certifies_for_the_member_and_a_plain_one_cannot() -> None:
    chain = directory(cert("root", "laptop", 10, manage=True), cert("laptop", "phone", 20))
    assert counts(chain, "phone", 20)
    assert chain.devices(pub("root"))[1].certified_by == pub("laptop")
    plain = directory(cert("root", "laptop", 10), cert("laptop", "phone", 20))
    assert not counts(plain, "phone", 20)
    assert "none of its certificates holds" in str(plain.verdict(record("phone", 20)))
    early = directory(cert("root", "laptop", 10, manage=True), cert("laptop", "phone", 5))
    assert not counts(early, "phone", 5), "the laptop did not manage yet at 5"


def test_a_chain_certified_within_one_second_holds_whatever_the_ids() -> None:
    for device in ("phone", "tablet", "newer"):  # some ids sort before the laptop's, some after
        d = directory(cert("root", "laptop", 10, manage=True), cert("laptop", device, 10))
        assert counts(d, device, 10)


def test_a_stranger_cannot_certify_devices_of_a_member() -> None:
    d = directory(cert("thief", "phone", 10))
    assert d.member_of(pub("phone")) == pub("root")
    assert not counts(d, "phone", 10)
    assert d.devices(pub("root")) == ()


def test_manage_granted_by_a_later_certificate_holds_from_that_date() -> None:
    d = directory(
        cert("root", "laptop", 10),
        cert("root", "laptop", 30, manage=True),
        cert("laptop", "phone", 20),
        cert("laptop", "tablet", 40),
    )
    assert not counts(d, "phone", 50)
    assert counts(d, "tablet", 50)
    laptop = d.devices(pub("root"))[0]
    assert (laptop.certified_at, laptop.manage_from, laptop.manage) == (10, 30, True)


# -- unlinks -------------------------------------------------------------------


def test_an_unlinked_device_keeps_its_records_before_valid_until_only() -> None:
    d = directory(cert("root", "phone", 10), unlink("root", "phone", 100, since=50))
    assert counts(d, "phone", 49)
    assert (
        d.verdict(record("phone", 50))
        == "its device was unlinked from 1970-01-01 00:00:50 UTC: lost"
    )
    assert not counts(d, "phone", 99)
    [phone] = d.devices(pub("root"))
    assert (phone.unlinked_from, phone.unlinked_by, phone.reason) == (50, pub("root"), "lost")


def test_the_earliest_valid_until_wins_whatever_the_order() -> None:
    for late, early in ((80, 60), (60, 80)):  # the earlier valid_until first, or last
        first = unlink("root", "phone", 100, since=late)
        second = unlink("root", "phone", 200, since=early)
        for order in ((first, second), (second, first)):
            d = directory(cert("root", "phone", 10), *order)
            assert d.devices(pub("root"))[0].unlinked_from == 60


def test_an_unlink_that_arrives_before_the_certificate_still_counts() -> None:
    d = MemberDirectory()
    d.apply([unlink("root", "phone", 100, since=50)])
    assert d.devices(pub("root")) == ()
    d.apply([cert("root", "phone", 10)])
    assert counts(d, "phone", 49)
    assert not counts(d, "phone", 50)


def test_unlinking_a_middle_device_voids_what_it_certified_from_then_on() -> None:
    d = directory(
        cert("root", "laptop", 10, manage=True),
        cert("laptop", "phone", 20),
        cert("laptop", "tablet", 60),
        unlink("root", "laptop", 100, since=50),
    )
    assert counts(d, "phone", 80), "certified before the laptop was lost: stays"
    assert not counts(d, "tablet", 80), "certified by the thief with the laptop: void"
    assert [v.key for v in d.devices(pub("root"))] == [pub("laptop"), pub("phone")]


def test_a_device_may_unlink_itself_but_a_plain_one_no_other() -> None:
    d = directory(cert("root", "phone", 10), unlink("phone", "phone", 30))
    assert not counts(d, "phone", 30)
    d = directory(
        cert("root", "phone", 10), cert("root", "tablet", 10), unlink("phone", "tablet", 30)
    )
    assert counts(d, "tablet", 30)


def test_a_managing_device_unlinks_another() -> None:
    d = directory(
        cert("root", "laptop", 10, manage=True),
        cert("root", "phone", 10),
        unlink("laptop", "phone", 40, since=30),
    )
    assert not counts(d, "phone", 30)
    assert counts(d, "phone", 29)


def test_a_stolen_managing_device_fights_back_and_the_root_settles_it() -> None:
    """Two managing devices unlink each other: both are out (devices do not judge each
    other's unlinks). The root unlinks the stolen one from before its unlink: that
    unlink no longer counts, and the laptop is back."""
    fight = (
        cert("root", "laptop", 10, manage=True),
        cert("root", "phone", 10, manage=True),
        unlink("laptop", "phone", 60, since=50),
        unlink("phone", "laptop", 55, since=40),  # the thief, backdating what it can
    )
    d = directory(*fight)
    assert not counts(d, "laptop", 45)
    assert not counts(d, "phone", 50)
    settled = directory(*fight, unlink("root", "phone", 70, since=30))
    assert counts(settled, "laptop", 45)
    assert counts(settled, "laptop", 10**6)
    assert not counts(settled, "phone", 30)


# -- rotations -----------------------------------------------------------------


def test_a_rotation_passes_root_authority_and_keeps_older_devices() -> None:
    d = directory(
        cert("root", "phone", 10),
        rotate("root", "new", 50),
        cert("root", "tablet", 60),  # the old root after its rotation: void
        cert("new", "laptop", 70),
    )
    assert d.member_of(pub("new")) == pub("root"), "the member id never changes"
    assert d.root(pub("root"), 49) == pub("root")
    assert d.root(pub("root"), 50) == pub("new")
    assert counts(d, "root", 49)
    assert (
        d.verdict(record("root", 50)) == "its root key was rotated away at 1970-01-01 00:00:50 UTC"
    )
    assert counts(d, "new", 50)
    assert not counts(d, "new", 49)
    assert counts(d, "phone", 100)
    assert not counts(d, "tablet", 100)
    assert counts(d, "laptop", 100)
    assert d.disputed(pub("root")) is None


def test_rotations_chain_and_only_the_root_of_the_day_rotates() -> None:
    d = directory(
        rotate("root", "new", 50),
        rotate("new", "newer", 80),
        rotate("phone", "thief", 60),  # never a root
        rotate("new", "thief", 40),  # dated before it became the root
    )
    assert [span.key for span in d.roots(pub("root"))] == [pub("root"), pub("new"), pub("newer")]
    assert [(s.since, s.until) for s in d.roots(pub("root"))] == [(0, 50), (50, 80), (80, NEVER)]
    assert d.root(pub("root"), 100) == pub("newer")
    assert d.disputed(pub("root")) is None


def test_a_rotation_by_a_root_after_it_rotated_away_disputes_the_member() -> None:
    """Two rotations from one root, whatever their dates: the rule has no "valid
    first" to forge, and a late one is as much a sign of a stolen key."""
    d = directory(
        rotate("root", "new", 50), rotate("new", "newer", 80), rotate("root", "thief", 90)
    )
    assert d.disputed(pub("root")) == 50
    assert d.root(pub("root"), 100) is None


def test_two_rotations_from_one_root_dispute_the_member_from_the_earlier() -> None:
    """Whoever holds the old root can force a dispute (backdating only moves it
    earlier), never win one: neither successor gets authority."""
    d = directory(
        cert("root", "phone", 10),
        rotate("root", "new", 50),
        rotate("root", "thief", 40),  # backdated by the thief
        cert("thief", "tablet", 60),
        cert("new", "laptop", 60),
    )
    assert d.disputed(pub("root")) == 40
    assert d.root(pub("root"), 39) == pub("root")
    assert d.root(pub("root"), 40) is None
    assert d.root(pub("root"), 100) is None
    assert not counts(d, "root", 40)
    assert "disputed at 1970-01-01 00:00:40 UTC" in str(d.verdict(record("root", 45)))
    assert not counts(d, "new", 60)
    assert not counts(d, "thief", 60)
    assert counts(d, "phone", 100), "devices certified before the dispute stay"
    assert not counts(d, "tablet", 100)
    assert not counts(d, "laptop", 100)


def test_the_same_rotation_twice_is_no_dispute() -> None:
    d = directory(rotate("root", "new", 50), rotate("root", "new", 70))
    assert d.disputed(pub("root")) is None
    assert d.root(pub("root"), 60) == pub("new")


# -- which member a key belongs to ---------------------------------------------


def test_a_key_that_consented_to_two_members_counts_for_neither() -> None:
    d = directory(cert("root", "phone", 10), cert("thief", "phone", 20, member="thief"))
    assert d.contested(pub("phone"))
    assert d.member_of(pub("phone")) == pub("phone")
    assert "several members" in str(d.verdict(record("phone", 30)))
    assert d.devices(pub("root")) == ()
    assert d.devices(pub("thief")) == ()


def test_a_member_id_that_spoke_for_itself_cannot_be_taken_by_another_member() -> None:
    """A thief with the root key makes it a device of the thief's member; the owner's
    own member record (here: a certificate) keeps the key its own member's."""
    taken = cert("thief", "root", 5, member="thief")
    assert directory(taken).member_of(pub("root")) == pub("thief")
    d = directory(taken, cert("root", "phone", 10))
    assert d.member_of(pub("root")) == pub("root")
    assert counts(d, "root", 30)
    assert d.devices(pub("thief")) == ()


def test_other_kinds_are_ignored() -> None:
    d = MemberDirectory()
    assert d.apply([record("phone", 10), record("root", 10)]) == frozenset()
    assert d.members() == []
    assert d.apply([cert("root", "phone", 10)]) == {pub("root")}
    assert d.apply([cert("root", "phone", 10)]) == frozenset(), "known records change nothing"


# -- properties ----------------------------------------------------------------

TIMES = st.integers(0, 12)


@st.composite
def member_records(draw: st.DrawFn) -> p.Envelope:
    """Any certificate, unlink or rotation among a few keys and two members, on a
    short clock (so dates tie), most of them for the member "root"."""
    member = draw(st.sampled_from(("root", "root", "root", "thief")))
    author = draw(st.sampled_from(("root", "root", *NAMES)))
    at = draw(TIMES)
    others = [name for name in NAMES if name != member]
    kind = draw(st.sampled_from(("device", "device", "unlink", "rotate")))
    if kind == "device":
        device = draw(st.sampled_from(others))
        return cert(author, device, at, member=member, manage=draw(st.booleans()))
    if kind == "unlink":
        return unlink(
            author, draw(st.sampled_from(others)), at, since=draw(st.integers(0, at)), member=member
        )
    new = draw(st.sampled_from([name for name in NAMES if name != author]))
    return rotate(author, new, at, member=member)


@st.composite
def chains(draw: st.DrawFn) -> list[p.Envelope]:
    """root -> managing device -> device -> device, dated in order, and unlinks of
    any of them from any date: the case where an unlink voids what came after."""
    first, second, third = draw(st.permutations(("laptop", "phone", "tablet")))[:3]
    t1, t2, t3 = sorted(draw(st.lists(TIMES, min_size=3, max_size=3)))
    records = [
        cert("root", first, t1, manage=True),
        cert(first, second, t2, manage=draw(st.booleans())),
        cert(second, third, t3),
    ]
    for _ in range(draw(st.integers(0, 2))):
        author = draw(st.sampled_from(("root", first, second, third)))
        at = draw(TIMES)
        target = draw(st.sampled_from((first, second, third)))
        records.append(unlink(author, target, at, since=draw(st.integers(0, at))))
    return records


@st.composite
def rotations(draw: st.DrawFn) -> list[p.Envelope]:
    """Rotations among the root and two successors (repeats, rivals, rotations back),
    with a certificate by each of them: the cases where dates and rivals decide."""
    keys = ("root", "new", "newer")
    records = [cert(name, "phone", draw(TIMES)) for name in keys]
    for _ in range(draw(st.integers(1, 5))):
        author = draw(st.sampled_from(keys))
        new = draw(st.sampled_from([k for k in (*keys, "thief") if k != author]))
        records.append(rotate(author, new, draw(TIMES)))
    return records


record_sets = st.one_of(
    st.lists(member_records(), max_size=14),
    st.builds(lambda c, r: c + r, chains(), st.lists(member_records(), max_size=4)),
    rotations(),
)


def state(d: MemberDirectory) -> object:
    """Every answer the directory gives about these keys, at every date of the clock."""
    return (
        [d.authority(pub(name)) for name in NAMES],
        [(d.member_of(pub(name)), d.contested(pub(name))) for name in NAMES],
        [d.verdict(record(name, at)) for name in NAMES for at in range(14)],
        d.members(),
    )


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(records=record_sets, data=st.data())
def test_the_state_is_a_function_of_the_set_of_records(
    records: list[p.Envelope], data: st.DataObject
) -> None:
    """Any order of arrival, any split into batches, duplicates: the same answers."""
    expected = state(directory(*records))
    shuffled = data.draw(st.permutations(records), label="order")
    cuts = sorted(data.draw(st.lists(st.integers(0, len(records)), max_size=4), label="cuts"))
    d = MemberDirectory()
    start = 0
    for cut in [*cuts, len(records)]:
        d.apply(shuffled[start:cut])
        state(d)  # answers read between batches must not stick
        start = cut
    d.apply(records[: len(records) // 2])  # duplicates change nothing
    assert state(d) == expected


@SETTINGS
@given(records=record_sets)
def test_a_key_no_member_record_names_keeps_every_record(records: list[p.Envelope]) -> None:
    """As before devices existed: a key outside these records is its own member."""
    d = directory(*records)
    named = {env.author for env in records} | {
        getattr(env.body, field)
        for env in records
        for field in ("member", "device", "new_root")
        if hasattr(env.body, field)
    }
    for name in ("stranger", *NAMES):
        if pub(name) not in named:
            assert d.member_of(pub(name)) == pub(name)
            assert all(d.verdict(record(name, at)) is None for at in range(14))


@SETTINGS
@given(records=record_sets)
def test_a_record_counts_only_within_a_window_the_member_records_give(
    records: list[p.Envelope],
) -> None:
    """A counted record is its member's root at its date, or a device certified by
    then and not unlinked yet; an unlinked device counts before valid_until only."""
    d = directory(*records)
    for name in NAMES:
        member = d.member_of(pub(name))
        devices = {v.key: v for v in d.devices(member)}
        for at in range(14):
            if d.verdict(record(name, at)) is None:
                device = devices.get(pub(name))
                assert d.root(member, at) == pub(name) or (
                    device is not None and device.certified_at <= at < device.unlinked_from
                )
