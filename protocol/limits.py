"""Validation limits for untrusted records (docs/PROTOCOL.md §Limits).

They bound memory and screen space a single record can claim; raising one is a
protocol change, because an older peer will reject what a newer one accepts.
"""

FORMAT_VERSION = 1

MAX_RECORD_BYTES = 64 * 1024
MAX_NAME = 64  # profile name, in characters
MAX_HEADLINE = 140
MAX_TITLE = 200
MAX_BODY = 8000  # offer description
MAX_NOTE = 1000  # forward / accept / vouch / outcome notes, withdraw reasons
MAX_REGION = 64
MAX_CURRENCY = 8
MAX_SKILLS = 32
MAX_SKILL = 48
MAX_SEALED = 4096  # a sealed field, header included
MAX_VALUE = 10**12  # rough value of an offer, whole currency units
MAX_TIMESTAMP = 2**40  # seconds since the epoch; far beyond any real clock
MAX_RATING = 5
MAX_CREDITED = 16  # forwarders one credit record names
MAX_LABEL = 64  # a device's label, in characters
MAX_REASON = 200  # an unlink's reason, in characters

KEY_BYTES = 32  # Ed25519 and X25519 public keys
SIGNATURE_BYTES = 64  # an Ed25519 signature: a record's, or a key's consent
ID_BYTES = 32  # SHA-256

# msgpack's own decoder limits: the decoder refuses larger containers before
# allocating them, so hostile length prefixes cost nothing.
UNPACK_LIMITS = {
    "max_str_len": MAX_BODY * 4,
    "max_bin_len": MAX_SEALED,
    "max_array_len": max(MAX_SKILLS, 16),
    "max_map_len": 0,
    "max_ext_len": 0,
}
