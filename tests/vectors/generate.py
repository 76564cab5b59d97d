"""Write tests/vectors/records.json: golden vectors for docs/PROTOCOL.md.

Everything is fixed (key seeds, clocks, ephemeral seal keys), so running this
twice writes the same file; tests/protocol/test_vectors.py checks both that the
file is up to date and that a record rebuilt from its listed fields gives the
listed bytes. A second implementation can check itself against the JSON alone.

    python tests/vectors/generate.py          # rewrite the file
    python tests/vectors/generate.py --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import struct
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.x25519 import (  # noqa: E402
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.kdf.hkdf import HKDF  # noqa: E402

import protocol as p  # noqa: E402

OUT = Path(__file__).with_name("records.json")
CREATED_AT = 1_767_225_600  # 2026-01-01T00:00:00Z; each record adds a minute


def seed(label: str) -> bytes:
    """A fixed 32-byte private key seed: SHA-256 of a readable label."""
    return hashlib.sha256(f"p2pshare test vector: {label}".encode()).digest()


class Member:
    """A fixed test member: an Ed25519 signing key and an X25519 sealing key."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sign_seed = seed(f"{name} ed25519")
        self.seal_seed = seed(f"{name} x25519")
        self.key = Ed25519PrivateKey.from_private_bytes(self.sign_seed)
        self.seal_key = X25519PrivateKey.from_private_bytes(self.seal_seed)
        self.public = p.PublicKey(self.key.public_key().public_bytes_raw())
        self.seal_public = p.PublicKey(self.seal_key.public_key().public_bytes_raw())

    def to_json(self) -> dict[str, str]:
        mid = p.member_id(self.public)
        return {
            "ed25519_seed": self.sign_seed.hex(),
            "ed25519_public": self.public.hex(),
            "member_id": mid,
            "member_id_bytes": (bytes.fromhex("0024080112") + bytes([32]) + self.public).hex(),
            "x25519_seed": self.seal_seed.hex(),
            "x25519_public": self.seal_public.hex(),
        }


def wire_type(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, bytes):
        return "bin"
    if isinstance(value, str):
        return "str"
    if isinstance(value, tuple):
        return "array<bin>" if value and isinstance(value[0], bytes) else "array<str>"
    raise TypeError(value)


def json_value(value: object) -> object:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, tuple):
        return [json_value(v) for v in value]
    return value


def body_json(body: p.Body) -> list[dict[str, object]]:
    """Body fields in wire order, typed, bytes as hex."""
    values = [(f.name, getattr(body, f.name)) for f in dataclasses.fields(body)]
    return [{"name": n, "type": wire_type(v), "value": json_value(v)} for n, v in values]


def hkdf_key(shared: bytes, eph: bytes, recipient: bytes, context: bytes) -> bytes:
    """The seal key, derived here independently of protocol/seal.py."""
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=eph + recipient,
        info=b"p2pshare:seal:v1\0" + context,
    ).derive(shared)


class Builder:
    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.seals: list[dict[str, Any]] = []
        self.clock = CREATED_AT

    def seal(
        self,
        label: str,
        plaintext: str,
        *,
        to: Member,
        purpose: str,
        author: Member,
        anchors: list[tuple[str, bytes]],
    ) -> bytes:
        context = p.seal_context(purpose, author.public, *(a for _, a in anchors))
        eph_seed = seed(f"ephemeral {label}")
        eph = X25519PrivateKey.from_private_bytes(eph_seed)
        eph_public = eph.public_key().public_bytes_raw()
        sealed = p.seal(
            plaintext.encode(), recipient=to.seal_public, context=context, ephemeral=eph
        )
        shared = eph.exchange(X25519PublicKey.from_public_bytes(to.seal_public))
        self.seals.append(
            {
                "label": label,
                "purpose": purpose,
                "author_ed25519_public": author.public.hex(),
                "anchors": [{"name": n, "hex": a.hex()} for n, a in anchors],
                "context": context.hex(),
                "recipient": to.name,
                "recipient_x25519_seed": to.seal_seed.hex(),
                "recipient_x25519_public": to.seal_public.hex(),
                "ephemeral_x25519_seed": eph_seed.hex(),
                "ephemeral_x25519_public": eph_public.hex(),
                "shared_secret": shared.hex(),
                "hkdf_salt": (eph_public + to.seal_public).hex(),
                "hkdf_info": (b"p2pshare:seal:v1\0" + context).hex(),
                "aead_key": hkdf_key(shared, eph_public, to.seal_public, context).hex(),
                "nonce": bytes(12).hex(),
                "plaintext": plaintext,
                "plaintext_hex": plaintext.encode().hex(),
                "sealed": sealed.hex(),
            }
        )
        return sealed

    def record(self, label: str, author: Member, body: p.Body) -> p.Envelope:
        self.clock += 60
        env = p.sign(body, key=author.key, created_at=self.clock)
        self.records.append(
            {
                "label": label,
                "kind": body.KIND,
                "name": body.NAME,
                "author": author.name,
                "created_at": self.clock,
                "body": body_json(body),
                "signing_input": p.signing_input(
                    p.FORMAT_VERSION, author.public, self.clock, body
                ).hex(),
                "signature": env.signature.hex(),
                "signed_bytes": env.data.hex(),
                "id": env.id.hex(),
            }
        )
        return env


def build() -> dict[str, Any]:
    alice, bob, carol = Member("alice"), Member("bob"), Member("carol")
    b = Builder()
    b.record(
        "alice's profile",
        alice,
        p.Profile(
            name="Alice Moreau",
            headline="Brand design and print, Lyon",
            skills=("brand design", "print"),
            region="FR-69",
            available=True,
            seal_key=alice.seal_public,
        ),
    )
    offer_at = b.clock + 60
    offer_contact = b.seal(
        "offer contact",
        "alice@example.org, +33 4 00 00 00 00",
        to=alice,
        purpose="offer.contact",
        author=alice,
        anchors=[("created_at (u64 big-endian)", struct.pack(">Q", offer_at))],
    )
    offer = b.record(
        "an offer",
        alice,
        p.Offer(
            title="Café rebrand: logo, menu, signage ☕",
            description="A small café wants a new identity.\nBudget is firm;\tstart in March.",
            skills=("brand design", "signage", "illustration"),
            region="FR-69",
            remote=False,
            value=25_000,
            currency="EUR",
            expires_at=1_772_323_200,
            contact=offer_contact,
        ),
    )
    assert offer.created_at == offer_at
    note = b.seal(
        "forward private note",
        "Carol, this is the café I told you about.",
        to=carol,
        purpose="forward.note",
        author=bob,
        anchors=[("parent", offer.id), ("recipient (forward.to)", carol.public)],
    )
    forward = b.record(
        "bob forwards the offer to carol",
        bob,
        p.Forward(
            offer=offer.id,
            parent=offer.id,
            to=carol.public,
            note="Carol did our shop front last year.",
            private_note=note,
        ),
    )
    b.record(
        "bob forwards the offer to the network",
        bob,
        p.Forward(offer=offer.id, parent=offer.id, to=p.PublicKey(b""), note="", private_note=b""),
    )
    accept = b.record(
        "carol accepts",
        carol,
        p.Accept(offer=offer.id, via=forward.id, note="Happy to — free from March 3."),
    )
    contact = b.seal(
        "handoff contact",
        "Ask for Jeanne at the café, jeanne@example.org",
        to=carol,
        purpose="handoff.contact",
        author=alice,
        anchors=[("offer", offer.id), ("recipient (handoff.to)", carol.public)],
    )
    handoff = b.record(
        "alice hands off to carol",
        alice,
        p.Handoff(offer=offer.id, accept=accept.id, to=carol.public, contact=contact),
    )
    b.record(
        "alice withdraws the offer",
        alice,
        p.Withdraw(offer=offer.id, reason="Filled."),
    )
    b.record(
        "alice records the outcome",
        alice,
        p.Outcome(
            offer=offer.id,
            handoff=handoff.id,
            fulfilled=True,
            rating=5,
            value=1_500_000,
            note="Delivered early.",
        ),
    )
    b.record(
        "carol replies to the outcome",
        carol,
        p.Outcome(
            offer=offer.id,
            handoff=handoff.id,
            fulfilled=True,
            rating=5,
            value=0,
            note="Done on March 3, photos sent.",
        ),
    )
    b.record(
        "alice credits bob as the connector",
        alice,
        p.Credit(offer=offer.id, handoff=handoff.id, forwarders=(bob.public,)),
    )
    vouch = b.record(
        "alice vouches for carol",
        alice,
        p.Vouch(subject=carol.public, skills=("signage",), note=""),
    )
    b.record("alice revokes the vouch", alice, p.Revoke(vouch=vouch.id))
    decline_note = b.seal(
        "decline note",
        "Not for me this time: fully booked until May.",
        to=bob,
        purpose="decline.note",
        author=carol,
        anchors=[("forward", forward.id), ("forwarder (the forward's author)", bob.public)],
    )
    b.record(
        "carol declines bob's forward",
        carol,
        p.Decline(offer=offer.id, forward=forward.id, note=decline_note),
    )
    said = b.seal(
        "say text",
        "Is the opening date fixed?",
        to=alice,
        purpose="say.text",
        author=carol,
        anchors=[("offer", offer.id), ("reader (say.to)", alice.public)],
    )
    b.record(
        "carol asks alice about the offer", carol, p.Say(offer=offer.id, to=alice.public, text=said)
    )
    phone, new_root = Member("alice-phone"), Member("alice-new-root")
    consents = Consents()
    certificate = b.record(
        "alice certifies her phone",
        alice,
        p.Device(
            member=alice.public,
            device=phone.public,
            label="Alice's phone",
            manage=True,
            consent=consents.sign("the phone's consent", p.DEVICE_CONSENT, phone, alice),
        ),
    )
    b.record(
        "alice unlinks her lost phone from the day she lost it",
        alice,
        p.Unlink(
            member=alice.public,
            device=phone.public,
            valid_until=certificate.created_at + 30,
            reason="Lost on the train.",
        ),
    )
    b.record(
        "alice rotates her root to a new key",
        alice,
        p.Rotate(
            member=alice.public,
            new_root=new_root.public,
            consent=consents.sign("the new root's consent", p.ROOT_CONSENT, new_root, alice),
        ),
    )
    return {
        "description": (
            "Golden vectors for docs/PROTOCOL.md, written by tests/vectors/generate.py. "
            "All byte strings are lowercase hex. 'signing_input' is what Ed25519 signs, "
            "'signed_bytes' is the record on the wire, 'id' is SHA-256(signed_bytes)."
        ),
        "format_version": p.FORMAT_VERSION,
        "members": {m.name: m.to_json() for m in (alice, bob, carol, phone, new_root)},
        "records": b.records,
        "seals": b.seals,
        "consents": consents.vectors,
        "rejections": rejections(alice, b.records) + member_rejections(alice, phone, new_root),
        "acceptances": acceptances(alice),
        "refused_keys": refused_keys(),
    }


class Consents:
    """The consents of a device certificate and a rotation, with what was signed."""

    def __init__(self) -> None:
        self.vectors: list[dict[str, str]] = []

    def sign(self, label: str, purpose: str, signer: Member, member: Member) -> bytes:
        message = p.consent_input(purpose, member.public)
        signature = p.sign_consent(purpose, member.public, key=signer.key)
        self.vectors.append(
            {
                "label": label,
                "purpose": purpose,
                "signer": signer.name,
                "member": member.name,
                "consent_input": message.hex(),
                "consent": signature.hex(),
            }
        )
        return signature


def member_rejections(alice: Member, phone: Member, new_root: Member) -> list[dict[str, str]]:
    """Device, unlink and rotate records a decoder must refuse: bad sizes, a device
    that is its member, an unlink dated before its valid_until, consents that are
    not the named key's for this member. Each is validly signed by alice."""
    import msgpack

    created_at = CREATED_AT

    def signed(kind: int, name: str, wire: list[object]) -> bytes:
        unsigned = msgpack.packb([1, kind, alice.public, created_at, wire], use_bin_type=True)
        signature = alice.key.sign(b"p2pshare:" + name.encode() + b":v1\0" + unsigned)
        return msgpack.packb(  # type: ignore[no-any-return]
            [1, kind, alice.public, created_at, wire, signature], use_bin_type=True
        )

    def device(**fields: object) -> bytes:
        values: dict[str, object] = {
            "member": alice.public,
            "device": phone.public,
            "label": "phone",
            "manage": False,
            "consent": p.sign_consent(p.DEVICE_CONSENT, alice.public, key=phone.key),
        }
        values.update(fields)
        return signed(13, "device", list(values.values()))

    def unlink(**fields: object) -> bytes:
        values: dict[str, object] = {
            "member": alice.public,
            "device": phone.public,
            "valid_until": created_at,
            "reason": "",
        }
        values.update(fields)
        return signed(14, "unlink", list(values.values()))

    def rotate(**fields: object) -> bytes:
        values: dict[str, object] = {
            "member": alice.public,
            "new_root": new_root.public,
            "consent": p.sign_consent(p.ROOT_CONSENT, alice.public, key=new_root.key),
        }
        values.update(fields)
        return signed(15, "rotate", list(values.values()))

    bob = Member("bob")
    cases = [
        (
            "device whose device key is 31 bytes",
            device(device=phone.public[:31]),
            "MalformedRecord",
        ),
        (
            "device whose member key is 33 bytes",
            device(member=alice.public + b"\0"),
            "MalformedRecord",
        ),
        (
            "device whose device is its member",
            device(
                device=alice.public,
                consent=p.sign_consent(p.DEVICE_CONSENT, alice.public, key=alice.key),
            ),
            "MalformedRecord",
        ),
        ("device with an empty label", device(label=""), "MalformedRecord"),
        ("device with a label of 65 characters", device(label="x" * 65), "MalformedRecord"),
        ("device whose consent is 63 bytes", device(consent=bytes(63)), "MalformedRecord"),
        ("device whose manage is 1, not true", device(manage=1), "MalformedRecord"),
        (
            "device whose consent is for another member",
            device(consent=p.sign_consent(p.DEVICE_CONSENT, bob.public, key=phone.key)),
            "BadSignature",
        ),
        (
            "device whose consent is a new root's (the rotate-consent tag)",
            device(consent=p.sign_consent(p.ROOT_CONSENT, alice.public, key=phone.key)),
            "BadSignature",
        ),
        (
            "device whose consent is signed by the member, not the device",
            device(consent=p.sign_consent(p.DEVICE_CONSENT, alice.public, key=alice.key)),
            "BadSignature",
        ),
        (
            "unlink whose valid_until is after its created_at",
            unlink(valid_until=created_at + 1),
            "MalformedRecord",
        ),
        ("unlink of the member's own root", unlink(device=alice.public), "MalformedRecord"),
        (
            "unlink whose device key is 31 bytes",
            unlink(device=phone.public[:31]),
            "MalformedRecord",
        ),
        ("unlink with a reason of 201 characters", unlink(reason="x" * 201), "MalformedRecord"),
        ("unlink with a negative valid_until", unlink(valid_until=-1), "MalformedRecord"),
        (
            "rotate to its own author",
            rotate(
                new_root=alice.public,
                consent=p.sign_consent(p.ROOT_CONSENT, alice.public, key=alice.key),
            ),
            "MalformedRecord",
        ),
        (
            "rotate whose new root is 31 bytes",
            rotate(new_root=new_root.public[:31]),
            "MalformedRecord",
        ),
        (
            "rotate whose consent is a device's (the device-consent tag)",
            rotate(consent=p.sign_consent(p.DEVICE_CONSENT, alice.public, key=new_root.key)),
            "BadSignature",
        ),
        (
            "rotate whose new root is the identity point",
            rotate(new_root=IDENTITY_POINT, consent=IDENTITY_POINT + bytes(32)),
            "MalformedRecord",
        ),
    ]
    return [{"label": label, "bytes": data.hex(), "error": err} for label, data, err in cases]


# Skills as another client may author them: not lower-cased by Python 3.11's tables
# (ASCII upper case; a capital sigma; U+1C89, a capital letter of Unicode 16 that
# Unicode 14 does not know). A receiver accepts any well-formed skill, whatever its case.
FOREIGN_SKILLS = ("Branding", "ΑΣ", "\u1c89")


def acceptances(alice: Member) -> list[dict[str, Any]]:
    """Records a decoder must accept although no reference client would author them."""
    bob = Member("bob")
    cases: list[tuple[str, p.Body]] = [
        (
            "vouch whose skills are not lower-cased",
            p.Vouch(subject=bob.public, skills=FOREIGN_SKILLS, note=""),
        ),
        (
            "offer whose skills are not lower-cased",
            p.Offer(
                title="Menu",
                description="",
                skills=("Print", "Σ"),
                region="",
                remote=True,
                value=0,
                currency="",
                expires_at=CREATED_AT + 86_400,
                contact=b"",
            ),
        ),
    ]
    out = []
    for label, body in cases:
        env = p.sign(body, key=alice.key, created_at=CREATED_AT)
        out.append({"label": label, "bytes": env.data.hex(), "id": env.id.hex(), "kind": env.kind})
    return out


_P = 2**255 - 19
IDENTITY_POINT = (1).to_bytes(32, "little")
# The 32-byte strings a member key must not be, one of each reason (keys.py):
REFUSED_KEYS = [
    ("the identity point (order 1)", IDENTITY_POINT),
    ("the point of order 2 (y = p - 1)", (_P - 1).to_bytes(32, "little")),
    ("a point of order 4 (y = 0)", bytes(32)),
    ("a point of order 4 (y = 0, sign bit set)", bytes(31) + b"\x80"),
    (
        "a point of order 8",
        bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
    ),
    (
        "a point of order 8 (y = p - that)",
        bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
    ),
    ("the identity point, x sign bit set", (1 + (1 << 255)).to_bytes(32, "little")),
    ("y = p, not reduced", _P.to_bytes(32, "little")),
    ("y = p + 1 (the identity), not reduced", (_P + 1).to_bytes(32, "little")),
    ("y = 2^255 - 1, not reduced", (2**255 - 1).to_bytes(32, "little")),
]


def refused_keys() -> list[dict[str, str]]:
    """Ed25519 public keys every field that holds a member key must refuse."""
    return [{"label": label, "key": key.hex()} for label, key in REFUSED_KEYS]


def rejections(alice: Member, records: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Byte strings a decoder must refuse, each with the error class it maps to."""
    import msgpack

    def pack(obj: object) -> bytes:
        return msgpack.packb(obj, use_bin_type=True)  # type: ignore[no-any-return]

    withdraw = next(r for r in records if r["name"] == "withdraw")
    good = bytes.fromhex(withdraw["signed_bytes"])
    top = msgpack.unpackb(good)
    version, kind, author, created_at, body, sig = top

    def resigned(kind_: int, name: str, body_: list[object], version_: int = 1) -> bytes:
        unsigned = pack([version_, kind_, author, created_at, body_])
        sig_ = alice.key.sign(b"p2pshare:" + name.encode() + b":v1\0" + unsigned)
        return pack([version_, kind_, author, created_at, body_, sig_])

    head = pack([version, kind, author])[1:]  # the envelope's first three items
    # created_at as uint64 (0xcf) instead of uint32 (0xce)
    wide = bytes([0x96]) + head + b"\xcf" + struct.pack(">Q", created_at) + pack(body) + pack(sig)
    # the reason as str8 (0xd9) although it fits a fixstr
    reason = body[1].encode()
    str8_body = bytes([0x92]) + pack(body[0]) + b"\xd9" + bytes([len(reason)]) + reason
    str8 = bytes([0x96]) + head + pack(created_at) + str8_body + pack(sig)
    # an offer id of 32 ASCII bytes, validly signed as bin8, then sent as str8;
    # and the reason sent as bin8 instead of fixstr
    ascii_id = b"0" * 32
    signed_ascii = resigned(kind, "withdraw", [ascii_id, body[1]])
    bin_as_str = signed_ascii.replace(b"\xc4\x20" + ascii_id, b"\xd9\x20" + ascii_id)
    str_as_bin = good.replace(pack(body[1]), bytes([0xC4, len(reason)]) + reason)
    # the same unsigned bytes, signed under another kind's domain tag, or under none
    unsigned = pack([version, kind, author, created_at, body])
    accept_domain = alice.key.sign(b"p2pshare:accept:v1\0" + unsigned)
    no_domain = alice.key.sign(unsigned)
    cases = [
        ("int in a wider form than needed", wide, "MalformedRecord"),
        ("short str encoded as str8", str8, "MalformedRecord"),
        ("bin field sent as str", bin_as_str, "MalformedRecord"),
        ("str field sent as bin", str_as_bin, "MalformedRecord"),
        ("trailing byte", good + b"\x00", "MalformedRecord"),
        ("format version 2", resigned(kind, "withdraw", body, 2), "UnsupportedVersion"),
        ("unknown kind 64", resigned(64, "withdraw", body), "UnknownKind"),
        (
            "withdraw signed under the accept domain tag",
            pack([version, kind, author, created_at, body, accept_domain]),
            "BadSignature",
        ),
        (
            "withdraw signed without a domain tag",
            pack([version, kind, author, created_at, body, no_domain]),
            "BadSignature",
        ),
        (
            "withdraw signature on an accept-shaped body, kind 4",
            pack([version, 4, author, created_at, [body[0], body[0], body[1]], sig]),
            "BadSignature",
        ),
        ("signature's last byte flipped", good[:-1] + bytes([good[-1] ^ 1]), "BadSignature"),
        (
            "bidi override in a reason",
            resigned(kind, "withdraw", [body[0], "a\u202eb"]),
            "MalformedRecord",
        ),
        (
            "newline in a single-line reason",
            resigned(kind, "withdraw", [body[0], "a\nb"]),
            "MalformedRecord",
        ),
        ("a map instead of the envelope array", pack({}), "MalformedRecord"),
        # Version, then kind, are read before anything else (docs/PROTOCOL.md §Decoding):
        # nothing after them, and no limit of version 1, changes these classes.
        (
            "format version 2 with a 5000-byte bin (over version 1's limits)",
            pack([2, kind, author, created_at, [bytes(5000)], sig]),
            "UnsupportedVersion",
        ),
        ("format version 2, nothing after it", bytes([0x96, 0x02]), "UnsupportedVersion"),
        (
            "format version -1",
            pack([-1, kind, author, created_at, body, sig]),
            "UnsupportedVersion",
        ),
        (
            "format version 2 as a uint64",
            bytes([0x96, 0xCF]) + struct.pack(">Q", 2) + good[2:],
            "UnsupportedVersion",
        ),
        (
            "unknown kind 64 with a 40-item body (over version 1's limits)",
            pack([version, 64, author, created_at, list(range(40)), sig]),
            "UnknownKind",
        ),
        ("unknown kind 0, nothing after it", bytes([0x96, 0x01, 0x00]), "UnknownKind"),
        (
            "format version as a bool",
            pack([True, kind, author, created_at, body, sig]),
            "MalformedRecord",
        ),
        ("format version 1 as a uint8", bytes([0x96, 0xCC, 0x01]) + good[2:], "MalformedRecord"),
    ]
    # Small-order and non-canonical Ed25519 keys (docs/PROTOCOL.md §Member keys). With the
    # identity point as author, R = identity and S = 0 verify for any message.
    anything = IDENTITY_POINT + bytes(32)
    for label, key in REFUSED_KEYS:
        cases.append(
            (
                f"withdraw whose author is {label}",
                pack([version, kind, key, created_at, body, anything]),
                "MalformedRecord",
            )
        )
    vouch_kind = next(k for k, cls in p.BODY_TYPES.items() if cls is p.Vouch)
    cases.append(
        (
            "vouch whose subject is the identity point",
            resigned(vouch_kind, "vouch", [IDENTITY_POINT, [], ""]),
            "MalformedRecord",
        )
    )
    return [{"label": label, "bytes": data.hex(), "error": err} for label, data, err in cases]


def _json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render() -> str:
    return _json(build())


def outputs() -> dict[Path, str]:
    """Every vector file and its text: records, export files, ledger states, sync."""
    from tests.vectors import export_vectors, ledger_vectors, sync_vectors

    records = build()
    here = OUT.parent
    return {
        OUT: _json(records),
        here / "export.json": _json(export_vectors.build(records["records"])),
        here / "ledger.json": _json(ledger_vectors.build()),
        here / "sync.json": _json(sync_vectors.build()),
    }


def main(argv: list[str]) -> int:
    files = outputs()
    if "--check" in argv:
        stale = [
            path
            for path, text in files.items()
            if not path.exists() or path.read_text(encoding="utf-8") != text
        ]
        for path in stale:
            print(f"{path} is out of date: run {Path(__file__).name}", file=sys.stderr)
        return 1 if stale else 0
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
