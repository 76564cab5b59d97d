"""A sync batch that carries again a member record this node holds (issue 15).

A sync sends again records the other side already holds wherever their ranges
differ, so a device's certificate often comes back in a batch beside the
device's new records. The door holds back, in a batch, the records of keys the
batch's member records name, until those are stored; a member record held
already is never stored again, so nothing would wake what waits behind it (the
waiting pool's next look is a minute away). Such a batch is judged at once:
an honest device's record is taken, an unlinked one's refused as "member".
No network: the door with a ledger as its judge, as a node has.
"""

from __future__ import annotations

import time

import trio
from signers import get_member

import protocol as p
from p2pshare.domain.ledger import LedgerState
from p2pshare.net.door import Door


def test_a_held_certificate_in_a_batch_parks_none_of_its_devices_records() -> None:
    ana, laptop = get_member("ana"), get_member("ana-laptop")
    now = int(time.time())
    state = LedgerState(now=now)
    stored: set[bytes] = set()
    door = Door(lambda rid: rid in stored, judge=state.check, clock=lambda: float(now))

    def hold(*records: p.Envelope) -> None:
        state.apply(list(records))
        stored.update(r.id for r in records)

    def batch(*records: p.Envelope) -> list[str]:
        async def admit() -> list[str]:
            verdicts = await door.admit_batch("peer", [r.data for r in records])
            return [v.kind for v in verdicts]

        return trio.run(admit)

    consent = p.sign_consent(p.DEVICE_CONSENT, ana.pub, key=laptop.key)
    body = p.Device(
        member=ana.pub, device=laptop.pub, label="laptop", manage=False, consent=consent
    )
    certificate = ana.sign(body, at=now - 100)
    hold(certificate)
    honest = laptop.offer(at=now - 50, title="a van for Saturday")
    assert batch(certificate, honest) == ["duplicate", "ok"]  # taken now, not in a minute

    lost = now - 10
    unlink = p.Unlink(member=ana.pub, device=laptop.pub, valid_until=lost, reason="stolen")
    hold(ana.sign(unlink, at=lost))
    stolen = laptop.offer(at=now - 5, title="send a deposit first")
    assert batch(certificate, stolen) == ["duplicate", "member"]
    assert len(door.waiting) == 0
    assert door.strikes_of("peer") == 0


def test_an_unlink_accepted_by_one_session_holds_back_the_devices_record_from_another() -> None:
    """Two sync sessions at once: one brings the unlink, the other the stolen laptop's
    record. Until the unlink is stored the ledger cannot see it, so the record waits,
    then is refused as "member" (and never stored), whatever session stores first."""
    ana, laptop = get_member("ana"), get_member("ana-laptop")
    now = int(time.time())
    state = LedgerState(now=now)
    stored: set[bytes] = set()
    door = Door(lambda rid: rid in stored, judge=state.check, clock=lambda: float(now))
    consent = p.sign_consent(p.DEVICE_CONSENT, ana.pub, key=laptop.key)
    body = p.Device(
        member=ana.pub, device=laptop.pub, label="laptop", manage=False, consent=consent
    )
    certificate = ana.sign(body, at=now - 100)
    state.apply([certificate])
    stored.add(certificate.id)
    lost = now - 10
    unlink = ana.sign(
        p.Unlink(member=ana.pub, device=laptop.pub, valid_until=lost, reason="stolen"), at=lost
    )
    stolen = laptop.offer(at=now - 5, title="send a deposit first")

    async def admit(peer: str, record: p.Envelope) -> str:
        (verdict,) = await door.admit_batch(peer, [record.data])
        return verdict.kind

    assert trio.run(admit, "desk", unlink) == "ok"  # accepted; its session stores it later
    assert trio.run(admit, "laptop", stolen) == "waiting"
    assert door.judge_now(stolen) is not None  # a look at the waiting pool now: still waits
    state.apply([unlink])  # the first session stores the unlink
    stored.add(unlink.id)
    why = door.judge_now(stolen)
    assert why is not None
    door.refuse_waiting(stolen, "laptop", why)  # as the waiting pool does on its next look
    assert door.refusals.of("laptop") == {"waiting": 1, "member": 1}
    assert door.strikes_of("laptop") == 0
