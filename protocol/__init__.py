"""p2pshare's wire format, sans-IO: typed records, canonical msgpack, Ed25519, sealing.

Bytes in, records out; records in, bytes out. No network, disk, clock or
randomness: timestamps and keys are arguments. docs/PROTOCOL.md is the spec.
"""

from .envelope import (
    Envelope,
    decode,
    decode_stored,
    decode_trusted,
    encode,
    record_id,
    sign,
    signing_input,
    verify,
)
from .errors import (
    BadMemberId,
    BadSignature,
    MalformedRecord,
    ProtocolError,
    SealError,
    UnknownKind,
    UnsupportedVersion,
)
from .fields import normalize_skill, normalize_skills
from .limits import FORMAT_VERSION, MAX_RECORD_BYTES
from .member_id import member_id, public_key_of
from .records import (
    BODY_TYPES,
    Accept,
    Body,
    Credit,
    Decline,
    Forward,
    Handoff,
    Offer,
    Outcome,
    Profile,
    PublicKey,
    RecordId,
    Revoke,
    Say,
    Vouch,
    Withdraw,
)
from .seal import (
    MAX_PLAINTEXT,
    forward_note_context,
    handoff_contact_context,
    offer_contact_context,
    open_sealed,
    seal,
    seal_context,
)

__all__ = [
    "BODY_TYPES",
    "FORMAT_VERSION",
    "MAX_PLAINTEXT",
    "MAX_RECORD_BYTES",
    "Accept",
    "BadMemberId",
    "BadSignature",
    "Body",
    "Credit",
    "Decline",
    "Envelope",
    "Forward",
    "Handoff",
    "MalformedRecord",
    "Offer",
    "Outcome",
    "Profile",
    "ProtocolError",
    "PublicKey",
    "RecordId",
    "Revoke",
    "Say",
    "SealError",
    "UnknownKind",
    "UnsupportedVersion",
    "Vouch",
    "Withdraw",
    "decode",
    "decode_stored",
    "decode_trusted",
    "encode",
    "forward_note_context",
    "handoff_contact_context",
    "member_id",
    "normalize_skill",
    "normalize_skills",
    "offer_contact_context",
    "open_sealed",
    "public_key_of",
    "record_id",
    "seal",
    "seal_context",
    "sign",
    "signing_input",
    "verify",
]
