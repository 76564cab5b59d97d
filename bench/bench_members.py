"""What members and devices cost the ledger (issue 15): a rebuild when a member record
arrives, and reading every record through the member records at a first load.

A device or unlink record changes whose records are whose, so the ledger reads
every record again (domain/attribution.py); member records are rare, so that is
the price of one. Measured in one run on N_MEMBER_OFFERS offers (default
20,000) from 200 authors, of which one has a second device:

- first load without any member record (the baseline) and with them;
- one new ordinary offer applied (the baseline) and one certificate applied
  (the rebuild); the fastest of 5 each (the machine's other work only adds).

`python -m bench members`.
"""

from __future__ import annotations

import hashlib
import os
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import protocol as p
from p2pshare.domain.ledger import LedgerState

N_OFFERS = int(os.environ.get("N_MEMBER_OFFERS", "20000"))
T0 = 1_700_000_000


def _key(name: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(name.encode()).digest())


def _pub(key: Ed25519PrivateKey) -> p.PublicKey:
    return p.PublicKey(key.public_key().public_bytes_raw())


def _offer(key: Ed25519PrivateKey, n: int) -> p.Envelope:
    body = p.Offer(
        title=f"offer {n}",
        description="",
        skills=(),
        region="",
        remote=True,
        value=0,
        currency="",
        expires_at=T0 + 10**7,
        contact=b"",
    )
    return p.sign(body, key=key, created_at=T0 + n)


def _certificate(root: Ed25519PrivateKey, device: Ed25519PrivateKey, at: int) -> p.Envelope:
    member = _pub(root)
    body = p.Device(
        member=member,
        device=_pub(device),
        label="laptop",
        manage=False,
        consent=p.sign_consent(p.DEVICE_CONSENT, member, key=device),
    )
    return p.sign(body, key=root, created_at=at)


def _ms(values: list[float]) -> str:
    """The fastest run: the machine's other work only ever adds time."""
    return f"{min(values) * 1000:8.1f} ms"


def main() -> None:
    authors = [_key(f"bench member {i}") for i in range(200)]
    phone = _key("bench member 0 phone")
    offers = [_offer(authors[i % len(authors)], i) for i in range(N_OFFERS)]
    offers += [_offer(phone, N_OFFERS + i) for i in range(100)]  # the phone's own
    first = _certificate(authors[0], phone, T0)
    print(f"  {len(offers):,} offers, 200 authors, one of them with a second device")

    def load(records: list[p.Envelope]) -> float:
        started = time.perf_counter()
        LedgerState(now=T0).apply(records)
        return time.perf_counter() - started

    plain, with_members = [], []
    for _ in range(5):  # alternated, so a busy spell of the machine hits both
        plain.append(load(offers))
        with_members.append(load([first, *offers]))
    ratio = min(with_members) / min(plain)
    print(f"  first load, a certificate among them {_ms(with_members)}", end="")
    print(f"  (baseline: none {_ms(plain)}, x{ratio:.2f})")

    one_offer: list[float] = []
    rebuild: list[float] = []
    for i in range(5):
        state = LedgerState(now=T0)
        state.apply(offers)
        extra = _offer(authors[1], 10**6 + i)
        started = time.perf_counter()
        state.apply([extra])
        one_offer.append(time.perf_counter() - started)
        certificate = _certificate(authors[0], phone, T0 + i)
        started = time.perf_counter()
        delta = state.apply([certificate])
        rebuild.append(time.perf_counter() - started)
        assert delta.members_changed
        assert len(delta.offers) == 100  # the phone's offers moved to its member
    ratio = min(rebuild) / min(one_offer)
    print(f"  a certificate arrives (a rebuild)     {_ms(rebuild)}", end="")
    print(f"  (baseline: one offer {_ms(one_offer)}, x{ratio:.0f})")
