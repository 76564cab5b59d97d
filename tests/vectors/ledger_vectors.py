"""Ledger vectors (tests/vectors/ledger.json): small record sets and the state they give.

Each case is a set of signed records and a `now`; its expected state is computed
by the reference (`p2pshare.domain.ledger.Ledger.build`) and summarised in plain
JSON: offers with their status, counted links, hand-offs, outcomes and
confirmations; live vouches and revocations; receipts; connector credit; and
which records are rejected or pending (and on what). docs/PROTOCOL.md §Ledger
states the rules; tests/protocol/test_ledger_vectors.py checks the reference
still gives every summary, in any record order.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

import protocol as p
from p2pshare.domain.ledger import NETWORK, Ledger

T0 = 1_767_225_600  # 2026-01-01T00:00:00Z
DAY = 86_400
NAMES = ("alice", "bob", "carol", "dave", "erin")


def _seed(label: str) -> bytes:
    return hashlib.sha256(f"p2pshare test vector: {label}".encode()).digest()


@dataclass(frozen=True)
class Signer:
    name: str
    key: Ed25519PrivateKey
    public: p.PublicKey
    seal_public: p.PublicKey

    @classmethod
    def of(cls, name: str) -> Signer:
        key = Ed25519PrivateKey.from_private_bytes(_seed(f"{name} ed25519"))
        seal = X25519PrivateKey.from_private_bytes(_seed(f"{name} x25519"))
        return cls(
            name,
            key,
            p.PublicKey(key.public_key().public_bytes_raw()),
            p.PublicKey(seal.public_key().public_bytes_raw()),
        )


@dataclass
class Case:
    label: str
    about: str
    now: int
    records: list[tuple[str, p.Envelope]] = field(default_factory=list)

    def add(self, label: str, who: Signer, at: int, body: p.Body) -> p.Envelope:
        env = p.sign(body, key=who.key, created_at=at)
        self.records.append((label, env))
        return env


M = {name: Signer.of(name) for name in NAMES}
ALICE, BOB, CAROL, DAVE, ERIN = (M[n] for n in NAMES)
MISSING = p.RecordId(hashlib.sha256(b"p2pshare test vector: a record nobody has").digest())
LOST = p.RecordId(hashlib.sha256(b"p2pshare test vector: a forward nobody has").digest())


def _offer(title: str, *, expires_at: int = T0 + 30 * DAY, value: int = 1000) -> p.Offer:
    return p.Offer(
        title=title,
        description="",
        skills=("design",),
        region="",
        remote=True,
        value=value,
        currency="EUR",
        expires_at=expires_at,
        contact=b"",
    )


def _forward(offer: p.Envelope, parent: p.Envelope, to: Signer | None) -> p.Forward:
    return p.Forward(
        offer=offer.id,
        parent=parent.id,
        to=NETWORK if to is None else to.public,
        note="",
        private_note=b"",
    )


def _outcome(
    offer: p.Envelope, handoff: p.Envelope, *, fulfilled: bool, rating: int = 0, value: int = 0
) -> p.Outcome:
    return p.Outcome(
        offer=offer.id,
        handoff=handoff.id,
        fulfilled=fulfilled,
        rating=rating,
        value=value,
        note="",
    )


def _profile(name: str, who: Signer) -> p.Profile:
    return p.Profile(
        name=name, headline="", skills=(), region="", available=True, seal_key=who.seal_public
    )


def chain_fulfilled() -> Case:
    case = Case(
        "a chain, fulfilled and confirmed",
        "alice's offer goes bob -> carol -> dave; dave accepts via carol's forward, is handed "
        "it, and confirms alice's fulfilled outcome: bob and carol each earn one credit",
        T0 + DAY,
    )
    t = T0
    offer = case.add("alice's offer", ALICE, t + 60, _offer("Logo for a bakery"))
    f1 = case.add("bob forwards to carol", BOB, t + 120, _forward(offer, offer, CAROL))
    f2 = case.add("carol forwards to dave", CAROL, t + 180, _forward(offer, f1, DAVE))
    acc = case.add(
        "dave accepts via carol's forward",
        DAVE,
        t + 240,
        p.Accept(offer=offer.id, via=f2.id, note=""),
    )
    ho = case.add(
        "alice hands off to dave",
        ALICE,
        t + 300,
        p.Handoff(offer=offer.id, accept=acc.id, to=DAVE.public, contact=b""),
    )
    case.add(
        "alice: fulfilled, 5 stars",
        ALICE,
        t + 360,
        _outcome(offer, ho, fulfilled=True, rating=5, value=900),
    )
    case.add("dave confirms", DAVE, t + 420, _outcome(offer, ho, fulfilled=True, rating=5))
    case.add(
        "alice credits bob and carol",
        ALICE,
        t + 480,
        p.Credit(offer=offer.id, handoff=ho.id, forwarders=(CAROL.public, BOB.public)),
    )
    return case


def credit_and_dispute() -> Case:
    case = Case(
        "connector credit is attested; a disputed failure",
        "bob forwards alice's offer to carol, carol to dave; dave is handed it. Alice "
        "first credits both, then only carol (the latest credit counts: bob earns "
        "nothing); a credit naming erin, who is not on the chain, is rejected. A second "
        "hand-off of another offer to erin: alice says not fulfilled, erin replies "
        "fulfilled (a disputed receipt)",
        T0 + DAY,
    )
    t = T0
    offer = case.add("alice's offer", ALICE, t + 60, _offer("Menu design"))
    f1 = case.add("bob forwards to carol", BOB, t + 120, _forward(offer, offer, CAROL))
    f2 = case.add("carol forwards to dave", CAROL, t + 180, _forward(offer, f1, DAVE))
    acc = case.add(
        "dave accepts via carol's forward",
        DAVE,
        t + 240,
        p.Accept(offer=offer.id, via=f2.id, note=""),
    )
    ho = case.add(
        "alice hands off to dave",
        ALICE,
        t + 300,
        p.Handoff(offer=offer.id, accept=acc.id, to=DAVE.public, contact=b""),
    )
    case.add("alice: fulfilled", ALICE, t + 360, _outcome(offer, ho, fulfilled=True, rating=5))
    both = p.Credit(offer=offer.id, handoff=ho.id, forwarders=(BOB.public, CAROL.public))
    case.add("alice credits bob and carol", ALICE, t + 400, both)
    only = p.Credit(offer=offer.id, handoff=ho.id, forwarders=(CAROL.public,))
    case.add("alice credits only carol", ALICE, t + 420, only)
    stranger = p.Credit(offer=offer.id, handoff=ho.id, forwarders=(ERIN.public,))
    case.add("alice credits erin, who is not on the chain", ALICE, t + 440, stranger)
    by_dave = p.Credit(offer=offer.id, handoff=ho.id, forwarders=(CAROL.public,))
    case.add("dave credits carol (not his to say)", DAVE, t + 460, by_dave)
    other = case.add("alice's second offer", ALICE, t + 500, _offer("Sign painting"))
    acc2 = case.add(
        "erin accepts it directly",
        ERIN,
        t + 560,
        p.Accept(offer=other.id, via=other.id, note=""),
    )
    ho2 = case.add(
        "alice hands it off to erin",
        ALICE,
        t + 620,
        p.Handoff(offer=other.id, accept=acc2.id, to=ERIN.public, contact=b""),
    )
    case.add("alice: not fulfilled", ALICE, t + 680, _outcome(other, ho2, fulfilled=False))
    case.add(
        "erin replies: fulfilled",
        ERIN,
        t + 740,
        _outcome(other, ho2, fulfilled=True, rating=5),
    )
    return case


def latest_outcome_counts() -> Case:
    case = Case(
        "the author's latest outcome counts; a disagreeing confirmation",
        "alice first reports not fulfilled, then fulfilled (the later one counts); bob, the "
        "recipient, says not fulfilled: the hand-off is not confirmed, the receipt stands",
        T0 + DAY,
    )
    offer = case.add("alice's offer", ALICE, T0 + 60, _offer("Flyer"))
    acc = case.add(
        "bob accepts the offer directly",
        BOB,
        T0 + 120,
        p.Accept(offer=offer.id, via=offer.id, note=""),
    )
    ho = case.add(
        "alice hands off to bob",
        ALICE,
        T0 + 180,
        p.Handoff(offer=offer.id, accept=acc.id, to=BOB.public, contact=b""),
    )
    case.add("alice: not fulfilled", ALICE, T0 + 240, _outcome(offer, ho, fulfilled=False))
    case.add(
        "alice: fulfilled after all",
        ALICE,
        T0 + 300,
        _outcome(offer, ho, fulfilled=True, rating=4, value=700),
    )
    case.add("bob: not fulfilled", BOB, T0 + 360, _outcome(offer, ho, fulfilled=False))
    case.add(
        "carol reports on a hand-off that is not hers",
        CAROL,
        T0 + 420,
        _outcome(offer, ho, fulfilled=True),
    )
    return case


def statuses() -> Case:
    case = Case(
        "every status",
        "open, expired (now is after expires_at), withdrawn, handed off without an outcome, "
        "not fulfilled (every hand-off has an outcome, none fulfilled)",
        T0 + 10 * DAY,
    )
    case.add("open offer", ALICE, T0 + 60, _offer("Open"))
    case.add(
        "offer that expired on day 5",
        ALICE,
        T0 + 120,
        _offer("Expired", expires_at=T0 + 5 * DAY),
    )
    withdrawn = case.add("offer to withdraw", ALICE, T0 + 180, _offer("Withdrawn"))
    case.add(
        "alice withdraws it",
        ALICE,
        T0 + 240,
        p.Withdraw(offer=withdrawn.id, reason="Filled elsewhere."),
    )
    handed = case.add("offer handed off", ALICE, T0 + 300, _offer("Handed off"))
    acc = case.add(
        "bob accepts it",
        BOB,
        T0 + 360,
        p.Accept(offer=handed.id, via=handed.id, note=""),
    )
    case.add(
        "alice hands it to bob",
        ALICE,
        T0 + 420,
        p.Handoff(offer=handed.id, accept=acc.id, to=BOB.public, contact=b""),
    )
    failed = case.add("offer not fulfilled", ALICE, T0 + 480, _offer("Not fulfilled"))
    acc2 = case.add(
        "carol accepts it",
        CAROL,
        T0 + 540,
        p.Accept(offer=failed.id, via=failed.id, note=""),
    )
    ho2 = case.add(
        "alice hands it to carol",
        ALICE,
        T0 + 600,
        p.Handoff(offer=failed.id, accept=acc2.id, to=CAROL.public, contact=b""),
    )
    case.add("alice: not fulfilled", ALICE, T0 + 660, _outcome(failed, ho2, fulfilled=False))
    return case


def refusals() -> Case:
    case = Case(
        "rejected records",
        "each record breaks one rule: it is kept out of the state with a reason",
        T0 + 10 * DAY,
    )
    offer = case.add("alice's offer", ALICE, T0 + 60, _offer("Poster", expires_at=T0 + 5 * DAY))
    to_carol = case.add("bob forwards to carol", BOB, T0 + 120, _forward(offer, offer, CAROL))
    case.add("bob forwards to himself", BOB, T0 + 130, _forward(offer, offer, BOB))
    case.add(
        "dave continues a forward meant for carol",
        DAVE,
        T0 + 140,
        _forward(offer, to_carol, ERIN),
    )
    case.add(
        "carol forwards, dated before its parent",
        CAROL,
        T0 + 100,
        _forward(offer, to_carol, None),
    )
    case.add(
        "alice accepts her own offer",
        ALICE,
        T0 + 150,
        p.Accept(offer=offer.id, via=offer.id, note=""),
    )
    case.add(
        "dave accepts via a forward to carol",
        DAVE,
        T0 + 160,
        p.Accept(offer=offer.id, via=to_carol.id, note=""),
    )
    first = case.add(
        "carol accepts via bob's forward",
        CAROL,
        T0 + 170,
        p.Accept(offer=offer.id, via=to_carol.id, note=""),
    )
    case.add(
        "carol accepts again (the earlier accept counts)",
        CAROL,
        T0 + 175,
        p.Accept(offer=offer.id, via=offer.id, note="again"),
    )
    case.add(
        "bob hands off alice's offer",
        BOB,
        T0 + 180,
        p.Handoff(offer=offer.id, accept=first.id, to=CAROL.public, contact=b""),
    )
    case.add(
        "alice hands off to someone who did not accept",
        ALICE,
        T0 + 190,
        p.Handoff(offer=offer.id, accept=first.id, to=DAVE.public, contact=b""),
    )
    ho = case.add(
        "alice hands off to carol",
        ALICE,
        T0 + 200,
        p.Handoff(offer=offer.id, accept=first.id, to=CAROL.public, contact=b""),
    )
    case.add(
        "alice hands off to carol a second time",
        ALICE,
        T0 + 210,
        p.Handoff(offer=offer.id, accept=first.id, to=CAROL.public, contact=b""),
    )
    case.add(
        "an accept after the offer expired",
        ERIN,
        T0 + 6 * DAY,
        p.Accept(offer=offer.id, via=offer.id, note=""),
    )
    case.add(
        "an outcome naming the offer as its hand-off",
        ALICE,
        T0 + 220,
        _outcome(offer, offer, fulfilled=True),
    )
    case.add(
        "alice: fulfilled (outcomes are not closed by expiry)",
        ALICE,
        T0 + 7 * DAY,
        _outcome(offer, ho, fulfilled=True, value=300),
    )
    other = case.add("bob's offer", BOB, T0 + 300, _offer("Other"))
    case.add(
        "an accept of bob's offer via a forward of alice's",
        ERIN,
        T0 + 310,
        p.Accept(offer=other.id, via=to_carol.id, note=""),
    )
    withdrawn = case.add("bob's second offer", BOB, T0 + 400, _offer("Withdrawn"))
    case.add(
        "carol withdraws bob's offer", CAROL, T0 + 410, p.Withdraw(offer=withdrawn.id, reason="")
    )
    case.add("bob withdraws it", BOB, T0 + 420, p.Withdraw(offer=withdrawn.id, reason=""))
    case.add(
        "bob withdraws it again",
        BOB,
        T0 + 430,
        p.Withdraw(offer=withdrawn.id, reason="twice"),
    )
    case.add(
        "a forward in the second the offer was withdrawn",
        CAROL,
        T0 + 420,
        _forward(withdrawn, withdrawn, None),
    )
    return case


def pending() -> Case:
    case = Case(
        "pending records",
        "records that name a record this set lacks wait for it; a record naming a "
        "pending one waits for the same missing record",
        T0 + DAY,
    )
    case.add(
        "an accept of an offer nobody has",
        BOB,
        T0 + 60,
        p.Accept(offer=MISSING, via=MISSING, note=""),
    )
    offer = case.add("alice's offer", ALICE, T0 + 120, _offer("Banner"))
    waiting = case.add(
        "carol forwards on from a forward nobody has",
        CAROL,
        T0 + 180,
        p.Forward(offer=offer.id, parent=LOST, to=DAVE.public, note="", private_note=b""),
    )
    case.add(
        "dave accepts via carol's waiting forward",
        DAVE,
        T0 + 240,
        p.Accept(offer=offer.id, via=waiting.id, note=""),
    )
    case.add("a revoke of a vouch nobody has", ALICE, T0 + 300, p.Revoke(vouch=MISSING))
    return case


def vouches() -> Case:
    case = Case(
        "vouches and revokes",
        "the newest live vouch per voucher and subject is the edge; a revoke by its author "
        "takes a vouch back (the earliest valid one counts); a self-vouch, another member's "
        "revoke and a revoke dated before its vouch are rejected; profiles: the newest wins",
        T0 + DAY,
    )
    case.add("alice's profile", ALICE, T0 + 10, _profile("Alice", ALICE))
    case.add("alice's newer profile", ALICE, T0 + 20, _profile("Alice M.", ALICE))
    old = case.add(
        "alice vouches for bob (ux)",
        ALICE,
        T0 + 60,
        p.Vouch(subject=BOB.public, skills=("ux",), note=""),
    )
    case.add(
        "alice vouches for bob again (ux, print): the newest counts",
        ALICE,
        T0 + 120,
        p.Vouch(subject=BOB.public, skills=("ux", "print"), note=""),
    )
    carol_vouch = case.add(
        "alice vouches for carol",
        ALICE,
        T0 + 180,
        p.Vouch(subject=CAROL.public, skills=(), note=""),
    )
    case.add(
        "bob revokes alice's vouch",
        BOB,
        T0 + 240,
        p.Revoke(vouch=carol_vouch.id),
    )
    case.add(
        "alice revokes it, dated before the vouch",
        ALICE,
        T0 + 170,
        p.Revoke(vouch=carol_vouch.id),
    )
    case.add("alice revokes it", ALICE, T0 + 300, p.Revoke(vouch=carol_vouch.id))
    case.add("alice revokes it again", ALICE, T0 + 360, p.Revoke(vouch=carol_vouch.id))
    case.add(
        "dave vouches for alice, upper-case skill from another client",
        DAVE,
        T0 + 420,
        p.Vouch(subject=ALICE.public, skills=("Branding",), note=""),
    )
    case.add(
        "a revoke naming an offer",
        ALICE,
        T0 + 480,
        p.Revoke(vouch=case.add("erin's offer", ERIN, T0 + 450, _offer("Mural")).id),
    )
    case.add("alice revokes her first vouch for bob", ALICE, T0 + 540, p.Revoke(vouch=old.id))
    case.add(
        "erin vouches for herself",
        ERIN,
        T0 + 600,
        p.Vouch(subject=ERIN.public, skills=(), note=""),
    )
    return case


def cases() -> list[Case]:
    return [
        chain_fulfilled(),
        latest_outcome_counts(),
        credit_and_dispute(),
        statuses(),
        refusals(),
        pending(),
        vouches(),
    ]


# -- the summary: what a second implementation must derive ---------------------------


def summary(ledger: Ledger, labels: dict[bytes, str], names: dict[bytes, str]) -> dict[str, Any]:
    """The ledger in plain JSON: records by their case label, members by name."""

    def rec(rid: bytes | None) -> str | None:
        return None if rid is None else labels.get(rid, rid.hex())

    def who(key: bytes) -> str:
        return names.get(key, "network" if key == b"" else key.hex())

    offers = []
    for state in ledger.offers.values():
        offers.append(
            {
                "offer": rec(state.id),
                "status": state.status.value,
                "forwards": [
                    {"record": rec(f.id), "depth": f.depth, "to": who(f.to)} for f in state.forwards
                ],
                "accepts": [
                    {"record": rec(a.id), "by": who(a.author), "chain": [who(k) for k in a.chain]}
                    for a in state.accepts
                ],
                "handoffs": [
                    {
                        "record": rec(h.id),
                        "to": who(h.to),
                        "forwarders": [who(k) for k in h.forwarders],
                        "credited": [who(k) for k in h.credited],
                        "outcome": rec(h.outcome.id) if h.outcome else None,
                        "confirmation": rec(h.confirmation.id) if h.confirmation else None,
                        "confirmed": h.confirmed,
                    }
                    for h in state.handoffs
                ],
                "withdrawn": rec(state.withdrawn.id) if state.withdrawn else None,
                "value": state.value,
            }
        )
    return {
        "offers": offers,
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


def build() -> dict[str, Any]:
    names = {bytes(s.public): s.name for s in M.values()}
    out = []
    for case in cases():
        labels = {bytes(env.id): label for label, env in case.records}
        labels[bytes(MISSING)] = "(a record nobody has)"
        labels[bytes(LOST)] = "(a forward nobody has)"
        ledger = Ledger.build([env for _, env in case.records], now=case.now)
        out.append(
            {
                "label": case.label,
                "about": case.about,
                "now": case.now,
                "records": [
                    {
                        "label": label,
                        "id": env.id.hex(),
                        "signed_bytes": env.data.hex(),
                    }
                    for label, env in case.records
                ],
                "expect": summary(ledger, labels, names),
            }
        )
    return {
        "description": (
            "Ledger vectors for docs/PROTOCOL.md §Ledger, written by tests/vectors/generate.py "
            "from the reference (p2pshare.domain.ledger.Ledger.build). Records are named by "
            "their label, members by name (keys in 'members'). Everything but the 'rejected' "
            "reasons (informative text) is normative."
        ),
        "members": {s.name: s.public.hex() for s in M.values()},
        "cases": out,
    }
