"""`import FILE` judges records as the door does (issue 16 §2, §5; member/importing.py).

A hand-off signed by someone who is not the offer's author is refused from a
file, as from a peer, and never stored; records whose parents come later in the
same file are settled once the parents are in; a record naming one nobody has is
reported as waiting and comes in with a later import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from signers import DAY, T0

from p2pshare.member import identity as ident
from p2pshare.member.actions import Member as HomeMember
from p2pshare.member.home import Home
from p2pshare.member.importing import import_file
from p2pshare.store import Store
from p2pshare.store.export_file import write_export

if TYPE_CHECKING:
    from pathlib import Path

    from signers import Member

NOW = T0 + DAY


def home_member(tmp_path: Path) -> HomeMember:
    home = Home(tmp_path / "home")
    return HomeMember(home, ident.create(home), Store.open(home.store_file), clock=lambda: NOW)


def test_a_forged_hand_off_is_refused_and_the_rest_imported(
    tmp_path: Path, alice: Member, bob: Member, carol: Member
) -> None:
    offer = alice.offer(title="Keynote")
    accept = bob.accept(offer)
    forged = carol.handoff(accept)  # carol is not the offer's author
    handoff = alice.handoff(accept, at=T0 + 10)
    path = tmp_path / "records.p2ps"
    write_export(path, [e.data for e in (offer, accept, forged, handoff)])

    member = home_member(tmp_path)
    report = import_file(member, path)

    assert (report.new, report.known) == (3, 0)
    assert [index for index, _ in report.rejected] == [2]
    assert "the ledger refuses it" in report.rejected[0][1]
    assert not member.store.has(forged.id)
    assert member.store.has(handoff.id)


def test_children_before_their_parents_are_settled_in_the_same_import(
    tmp_path: Path, alice: Member, bob: Member
) -> None:
    offer = alice.offer(title="Keynote")
    accept = bob.accept(offer)
    handoff = alice.handoff(accept)
    outcome = alice.outcome(handoff)
    path = tmp_path / "reversed.p2ps"
    write_export(path, [e.data for e in (outcome, handoff, accept, offer)])

    member = home_member(tmp_path)
    report = import_file(member, path, batch=2)  # parents even in a later batch

    assert (report.new, report.rejected) == (4, [])
    state = member.ledger().offers[offer.id]
    assert state.status == "fulfilled"


def test_a_record_naming_a_missing_one_waits_for_a_later_import(
    tmp_path: Path, alice: Member, bob: Member
) -> None:
    offer = alice.offer(title="Keynote")
    forward = bob.forward(offer)
    orphan = tmp_path / "orphan.p2ps"
    write_export(orphan, [forward.data])
    member = home_member(tmp_path)

    first = import_file(member, orphan)
    assert first.new == 0
    assert "does not have" in first.rejected[0][1]
    assert "import it again" in first.rejected[0][1]
    assert not member.store.has(forward.id)

    both = tmp_path / "both.p2ps"
    write_export(both, [offer.data, forward.data])
    second = import_file(member, both)
    assert (second.new, second.rejected) == (2, [])
