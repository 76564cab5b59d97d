"""Codec throughput for a realistic Offer, beside the raw Ed25519 verify rate.

    python -m bench.bench_codec

decode() is parse + field checks + canonical re-encode + Ed25519 verify, so its
rate can never beat the raw `cryptography` verify rate measured in the same run;
the ratio says how much of decode's time the signature check is.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

import protocol as p

if TYPE_CHECKING:
    from collections.abc import Callable

CREATED_AT = 1_767_225_600
SECONDS = 0.5  # per timing run; the best of ROUNDS runs is reported
ROUNDS = 3


def realistic_offer(author: Ed25519PrivateKey) -> p.Offer:
    """About what a person types: a title, a few paragraphs, skills, a sealed contact."""
    seal_key = X25519PrivateKey.from_private_bytes(bytes(range(32)))
    context = p.offer_contact_context(author.public_key().public_bytes_raw(), CREATED_AT)
    contact = p.seal(
        b"Jeanne Martin, jeanne@example.org, +33 4 00 00 00 00",
        recipient=seal_key.public_key().public_bytes_raw(),
        context=context,
        ephemeral=X25519PrivateKey.from_private_bytes(bytes(range(32, 64))),
    )
    description = (
        "A neighbourhood café is reopening under new owners and wants a complete "
        "identity: logo, menu boards, window signage and a simple one-page site.\n\n"
        "They have a firm budget and would like to start in March; the work is "
        "mostly on site in Lyon (Croix-Rousse), with two or three meetings.\n"
        "I can't take it on myself this quarter — happy to introduce whoever does."
    )
    return p.Offer(
        title="Café rebrand: logo, menu, signage and a one-page site",
        description=description,
        skills=p.normalize_skills(["Brand design", "Signage", "Illustration", "Web design"]),
        region="FR-69",
        remote=False,
        value=12_000,
        currency="EUR",
        expires_at=CREATED_AT + 30 * 86_400,
        contact=contact,
    )


def rate(fn: Callable[[], object]) -> float:
    """Calls per second: the best of ROUNDS runs of about SECONDS each."""
    batch = 1
    while True:  # size a batch to take ~10 ms, so the clock is read rarely
        started = time.perf_counter()
        for _ in range(batch):
            fn()
        if time.perf_counter() - started > 0.01:
            break
        batch *= 2
    best = 0.0
    for _ in range(ROUNDS):
        calls, started = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - started) < SECONDS:
            for _ in range(batch):
                fn()
            calls += batch
        best = max(best, calls / elapsed)
    return best


def main() -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes(32))
    author = key.public_key().public_bytes_raw()
    public = key.public_key()
    offer = realistic_offer(key)
    env = p.sign(offer, key=key, created_at=CREATED_AT)
    data = p.encode(env)
    message = p.signing_input(p.FORMAT_VERSION, author, CREATED_AT, offer)
    assert p.decode(data) == env

    rows = [
        (
            "sign (build + sign + encode)",
            rate(lambda: p.sign(offer, key=key, created_at=CREATED_AT)),
        ),
        (
            "encode (signing input only)",
            rate(lambda: p.signing_input(1, author, CREATED_AT, offer)),
        ),
        ("decode + verify", rate(lambda: p.decode(data))),
        ("raw Ed25519 verify (cryptography)", rate(lambda: public.verify(env.signature, message))),
        ("raw Ed25519 sign (cryptography)", rate(lambda: key.sign(message))),
    ]
    by_name = dict(rows)
    print(f"Offer: {len(data)} bytes on the wire, {len(message)} bytes signed")
    width = max(len(name) for name, _ in rows)
    print(f"{'operation':<{width}}  {'per second':>12}  {'µs each':>8}")
    for name, per_second in rows:
        print(f"{name:<{width}}  {per_second:>12,.0f}  {1e6 / per_second:>8.1f}")
    ratio = by_name["decode + verify"] / by_name["raw Ed25519 verify (cryptography)"]
    sign_ratio = (
        by_name["sign (build + sign + encode)"] / by_name["raw Ed25519 sign (cryptography)"]
    )
    print(f"decode+verify rate / raw verify rate = {ratio:.2f}")
    print(f"sign rate / raw sign rate            = {sign_ratio:.2f}")


if __name__ == "__main__":
    main()
