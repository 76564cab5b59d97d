"""Ledger vectors (tests/vectors/ledger.json): the reference derives every listed state.

Each case's records are decoded from their bytes (so they are valid records) and
given to `Ledger.build` in the listed order, reversed, and shuffled: the state
must be the listed one every time (docs/PROTOCOL.md §Ledger: the result does not
depend on the order records arrive in). The summary is rebuilt here from the
Ledger's public fields, independently of the generator.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pytest

import protocol as p
from p2pshare.domain.ledger import Ledger

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
DATA: dict[str, Any] = json.loads((VECTORS / "ledger.json").read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = DATA["cases"]
NAMES = {bytes.fromhex(key): name for name, key in DATA["members"].items()}
ABSENT = {
    hashlib.sha256(f"p2pshare test vector: {what} nobody has".encode()).digest(): (
        f"({what} nobody has)"
    )
    for what in ("a record", "a forward")
}


def _summary(ledger: Ledger, labels: dict[bytes, str]) -> dict[str, Any]:
    def rec(rid: bytes | None) -> str | None:
        return None if rid is None else labels.get(rid, "(" + rid.hex() + ")")

    def who(key: bytes) -> str:
        return "network" if key == b"" else NAMES[key]

    def outcome_id(view: Any) -> str | None:
        return None if view is None else rec(view.id)

    return {
        "offers": [
            {
                "offer": rec(o.id),
                "status": o.status.value,
                "forwards": [
                    {"record": rec(f.id), "depth": f.depth, "to": who(f.to)} for f in o.forwards
                ],
                "accepts": [
                    {"record": rec(a.id), "by": who(a.author), "chain": [who(k) for k in a.chain]}
                    for a in o.accepts
                ],
                "handoffs": [
                    {
                        "record": rec(h.id),
                        "to": who(h.to),
                        "forwarders": [who(k) for k in h.forwarders],
                        "credited": [who(k) for k in h.credited],
                        "outcome": outcome_id(h.outcome),
                        "confirmation": outcome_id(h.confirmation),
                        "confirmed": h.confirmed,
                    }
                    for h in o.handoffs
                ],
                "withdrawn": outcome_id(o.withdrawn),
                "value": o.value,
            }
            for o in ledger.offers.values()
        ],
        "profiles": {who(k): rec(v.id) for k, v in ledger.profiles.items()},
        "vouches": [
            {
                "record": rec(e.id),
                "voucher": who(e.voucher),
                "subject": who(e.subject),
                "skills": list(e.skills),
            }
            for e in ledger.vouches
        ],
        "revoked": {rec(v): rec(r) for v, r in ledger.revoked.items()},
        "receipts": [
            {
                "record": rec(r.id),
                "offer": rec(r.offer),
                "fulfiller": who(r.fulfiller),
                "forwarders": [who(k) for k in r.forwarders],
                "fulfilled": r.fulfilled,
                "rating": r.rating,
                "disputed": r.disputed,
            }
            for r in ledger.receipts
        ],
        "connector_credit": {who(k): n for k, n in ledger.connector_credit.items()},
        "rejected": {rec(r): why for r, why in ledger.rejected.items()},
        "pending": {rec(r): rec(m) for r, m in ledger.pending.items()},
    }


def _normalised(summary: dict[str, Any]) -> dict[str, Any]:
    """Mappings compared as mappings; 'rejected' reasons are informative, ids are not."""
    out = dict(summary)
    out["rejected"] = sorted(summary["rejected"])
    return out


def _labels(case: dict[str, Any]) -> dict[bytes, str]:
    labels = {bytes.fromhex(r["id"]): r["label"] for r in case["records"]}
    labels.update(ABSENT)  # the records the cases lack on purpose
    return labels


def _envelopes(case: dict[str, Any]) -> list[p.Envelope]:
    envelopes = [p.decode(bytes.fromhex(r["signed_bytes"])) for r in case["records"]]
    assert [e.id.hex() for e in envelopes] == [r["id"] for r in case["records"]]
    return envelopes


@pytest.mark.parametrize("case", CASES, ids=[c["label"] for c in CASES])
@pytest.mark.parametrize("order", ["as listed", "reversed", "shuffled"])
def test_ledger_state(case: dict[str, Any], order: str) -> None:
    envelopes = _envelopes(case)
    if order == "reversed":
        envelopes.reverse()
    elif order == "shuffled":
        random.Random(case["label"]).shuffle(envelopes)
    ledger = Ledger.build(envelopes, now=case["now"])
    got = _summary(ledger, _labels(case))
    assert _normalised(got) == _normalised(case["expect"])


@pytest.mark.parametrize("case", CASES, ids=[c["label"] for c in CASES])
def test_every_record_is_somewhere(case: dict[str, Any]) -> None:
    """Each record counts in the state, is rejected, is pending, or is superseded; never
    both rejected and pending."""
    expect = case["expect"]
    assert not set(expect["rejected"]) & set(expect["pending"])
    labels = {r["label"] for r in case["records"]}
    assert set(expect["rejected"]) <= labels
    assert set(expect["pending"]) <= labels


def test_the_cases_cover_the_rules() -> None:
    statuses = {o["status"] for c in CASES for o in c["expect"]["offers"]}
    assert statuses == {"open", "expired", "withdrawn", "handed_off", "fulfilled", "not_fulfilled"}
    assert any(c["expect"]["pending"] for c in CASES)
    assert any(c["expect"]["connector_credit"] for c in CASES)
    assert any(c["expect"]["revoked"] for c in CASES)
    confirmed = {
        h["confirmed"] for c in CASES for o in c["expect"]["offers"] for h in o["handoffs"]
    }
    assert confirmed == {True, False}
