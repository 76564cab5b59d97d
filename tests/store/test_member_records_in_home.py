"""A home holding device, unlink and rotate records (issue 15) works as before.

Until they are wired into the ledger, trust and views, these records must pass
through everything without changing it: the judged import takes them, the home
loads with them, its offers list and feed are unchanged, and they travel by
export, import and sync like any record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from signers import DAY, T0

import protocol as p
from p2pshare.domain import views
from p2pshare.member import identity as ident
from p2pshare.member.actions import Member as HomeMember
from p2pshare.member.home import Home
from p2pshare.member.importing import import_file
from p2pshare.store import IngestStatus, Store, StoreSource
from p2pshare.store.export_file import write_export
from protocol.sync import Reconciler, Role, run_in_memory

if TYPE_CHECKING:
    from pathlib import Path

    from signers import Member

NOW = T0 + DAY


def open_home(path: Path) -> HomeMember:
    home = Home(path)
    identity = ident.load(home) if home.key_file.exists() else ident.create(home)
    return HomeMember(home, identity, Store.open(home.store_file), clock=lambda: NOW)


def member_records(alice: Member, phone: Member, new_root: Member) -> list[p.Envelope]:
    certificate = p.Device(
        member=alice.pub,
        device=phone.pub,
        label="Alice's phone",
        manage=True,
        consent=p.sign_consent(p.DEVICE_CONSENT, alice.pub, key=phone.key),
    )
    unlink = p.Unlink(member=alice.pub, device=phone.pub, valid_until=T0 + 20, reason="lost")
    rotate = p.Rotate(
        member=alice.pub,
        new_root=new_root.pub,
        consent=p.sign_consent(p.ROOT_CONSENT, alice.pub, key=new_root.key),
    )
    return [
        alice.sign(certificate, at=T0 + 10),
        alice.sign(unlink, at=T0 + 30),
        alice.sign(rotate, at=T0 + 40),
    ]


def test_a_home_with_member_records_loads_lists_offers_and_exports_them(
    tmp_path: Path, alice: Member, bob: Member, carol: Member, dave: Member
) -> None:
    offer = alice.offer(title="Keynote", at=T0)
    vouch = bob.vouch(alice, at=T0 + 5)
    devices = member_records(alice, carol, dave)
    everything = [offer, vouch, *devices, carol.offer(title="From the phone", at=T0 + 15)]
    source = tmp_path / "in.p2ps"
    write_export(source, [env.data for env in everything])

    member = open_home(tmp_path / "home")
    report = import_file(member, source)
    assert (report.new, report.rejected) == (len(everything), [])
    member.store.close()

    again = open_home(tmp_path / "home")  # loads from the store it wrote
    ledger = again.ledger()
    assert set(ledger.offers) == {offer.id, everything[-1].id}
    assert not ledger.rejected
    assert not ledger.pending
    feed = views.feed(again.viewpoint())
    assert {item.id for item in feed} == {offer.id.hex(), everything[-1].id.hex()}
    assert all(again.store.has(env.id) for env in devices)
    assert again.judge(devices[0]) is None, "the ledger has no rule against them"

    exported = tmp_path / "out.p2ps"
    again.store.export(exported)
    other = open_home(tmp_path / "other")
    report = import_file(other, exported)
    assert (report.new, report.rejected) == (len(everything), [])
    assert {env.id for env in other.store.all(kinds=[13, 14, 15])} == {e.id for e in devices}


def test_member_records_sync_between_stores(
    tmp_path: Path, alice: Member, carol: Member, dave: Member
) -> None:
    devices = member_records(alice, carol, dave)
    with (
        Store.open(tmp_path / "a" / "store.db") as a,
        Store.open(tmp_path / "b" / "store.db") as b,
    ):
        a.ingest_many([env.data for env in [alice.offer(at=T0), *devices]], now=NOW)
        statuses: list[IngestStatus] = []

        def ingest(side: int, payloads: list[bytes]) -> None:
            assert side == 1
            statuses.extend(r.status for r in b.ingest_many(payloads, now=NOW))

        initiator = Reconciler(StoreSource(a), Role.INITIATOR)
        run_in_memory(initiator, Reconciler(StoreSource(b), Role.RESPONDER), on_received=ingest)
        assert statuses == [IngestStatus.ADDED] * 4
        assert [env.kind for env in b.all()] == [2, 13, 14, 15]
        assert b.fingerprint() == a.fingerprint()
