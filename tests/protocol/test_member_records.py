"""Device, unlink and rotate records on their own (docs/PROTOCOL.md §13-§15).

What the decoder refuses before any member derivation: a certificate or a
rotation that names a key without that key's consent (else any member could
claim a stranger's records), a device that is its own member, an unlink dated
before the moment it revokes from, a rotation to its own author.
"""

from __future__ import annotations

import msgpack
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import protocol as p

ROOT = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PHONE = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
STRANGER = Ed25519PrivateKey.from_private_bytes(bytes(range(2, 34)))
T = 1_767_225_600


def public(key: Ed25519PrivateKey) -> p.PublicKey:
    return p.PublicKey(key.public_key().public_bytes_raw())


def certificate(
    device: Ed25519PrivateKey, *, consent_by: Ed25519PrivateKey | None = None
) -> p.Device:
    consent = p.sign_consent(p.DEVICE_CONSENT, public(ROOT), key=consent_by or device)
    return p.Device(
        member=public(ROOT), device=public(device), label="phone", manage=True, consent=consent
    )


def resign(env: p.Envelope, wire: list[object], *, created_at: int | None = None) -> bytes:
    """`env` with its body replaced by `wire`, signed again by ROOT (no field checks)."""
    date = env.created_at if created_at is None else created_at
    unsigned = msgpack.packb([1, env.kind, env.author, date, wire], use_bin_type=True)
    tag = b"p2pshare:" + env.body.NAME.encode() + b":v1\0"
    signature = ROOT.sign(tag + unsigned)
    data: bytes = msgpack.packb([1, env.kind, env.author, date, wire, signature], use_bin_type=True)
    return data


def test_each_kind_round_trips() -> None:
    rotate = p.Rotate(
        member=public(ROOT),
        new_root=public(STRANGER),
        consent=p.sign_consent(p.ROOT_CONSENT, public(ROOT), key=STRANGER),
    )
    unlink = p.Unlink(member=public(ROOT), device=public(PHONE), valid_until=T - 60, reason="lost")
    for body in (certificate(PHONE), unlink, rotate):
        env = p.sign(body, key=ROOT, created_at=T)
        assert p.decode(env.data) == env
        assert p.decode_trusted(env.data).body == body


def test_a_member_cannot_claim_a_key_that_did_not_consent() -> None:
    """The certificate names PHONE, but the consent is the stranger's: refused."""
    with pytest.raises(p.BadSignature, match="consent"):
        certificate(PHONE, consent_by=STRANGER)
    good = p.sign(certificate(PHONE), key=ROOT, created_at=T)
    wire = good.body.to_wire()
    wire[4] = p.sign_consent(p.DEVICE_CONSENT, public(ROOT), key=STRANGER)
    with pytest.raises(p.BadSignature):
        p.decode(resign(good, wire))


def test_a_consent_holds_for_one_member_and_one_purpose() -> None:
    other_member = p.sign_consent(p.DEVICE_CONSENT, public(STRANGER), key=PHONE)
    as_root = p.sign_consent(p.ROOT_CONSENT, public(ROOT), key=PHONE)
    for consent in (other_member, as_root):
        with pytest.raises(p.BadSignature):
            p.Device(
                member=public(ROOT), device=public(PHONE), label="x", manage=False, consent=consent
            )
    with pytest.raises(p.BadSignature):
        p.Rotate(
            member=public(ROOT),
            new_root=public(PHONE),
            consent=p.sign_consent(p.DEVICE_CONSENT, public(ROOT), key=PHONE),
        )


def test_a_root_is_not_its_own_device_and_is_never_unlinked() -> None:
    consent = p.sign_consent(p.DEVICE_CONSENT, public(ROOT), key=ROOT)
    with pytest.raises(p.MalformedRecord, match=r"device\.device"):
        p.Device(member=public(ROOT), device=public(ROOT), label="x", manage=True, consent=consent)
    with pytest.raises(p.MalformedRecord, match=r"unlink\.device"):
        p.Unlink(member=public(ROOT), device=public(ROOT), valid_until=0, reason="")


def test_an_unlink_revokes_only_from_a_moment_not_after_its_own_date() -> None:
    unlink = p.Unlink(member=public(ROOT), device=public(PHONE), valid_until=T, reason="")
    assert p.sign(unlink, key=ROOT, created_at=T).body == unlink  # from now: allowed
    with pytest.raises(p.MalformedRecord, match="valid_until"):
        p.sign(unlink, key=ROOT, created_at=T - 1)
    good = p.sign(unlink, key=ROOT, created_at=T)
    with pytest.raises(p.MalformedRecord, match="valid_until"):
        p.decode(resign(good, good.body.to_wire(), created_at=T - 1))


def test_a_rotation_to_its_own_author_is_refused() -> None:
    rotate = p.Rotate(
        member=public(STRANGER),
        new_root=public(ROOT),
        consent=p.sign_consent(p.ROOT_CONSENT, public(STRANGER), key=ROOT),
    )
    with pytest.raises(p.MalformedRecord, match="new_root"):
        p.sign(rotate, key=ROOT, created_at=T)
    assert p.sign(rotate, key=STRANGER, created_at=T).body == rotate


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("label", "", "length 0"),
        ("label", "x" * 65, "length 65"),
        ("label", "a\nb", "control character"),
        ("manage", 1, "true or false"),
        ("consent", bytes(65), "65 bytes"),
    ],
)
def test_certificate_fields(field: str, value: object, reason: str) -> None:
    values = {
        "member": public(ROOT),
        "device": public(PHONE),
        "label": "phone",
        "manage": True,
        "consent": p.sign_consent(p.DEVICE_CONSENT, public(ROOT), key=PHONE),
        field: value,
    }
    with pytest.raises(p.MalformedRecord, match=reason):
        p.Device(**values)  # type: ignore[arg-type]


def test_an_unlink_reason_is_one_line_of_at_most_200_characters() -> None:
    device = public(PHONE)
    assert p.Unlink(member=public(ROOT), device=device, valid_until=0, reason="x" * 200)
    for reason in ("x" * 201, "a\nb"):
        with pytest.raises(p.MalformedRecord, match=r"unlink\.reason"):
            p.Unlink(member=public(ROOT), device=device, valid_until=0, reason=reason)
