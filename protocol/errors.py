"""The one family of errors that protocol/ raises.

Code that takes bytes from outside catches `ProtocolError`, never a bare
`Exception`: anything else escaping from decode() is a bug.
"""


class ProtocolError(Exception):
    """Untrusted input was refused; `str(err)` is a reason a person can read."""


class MalformedRecord(ProtocolError):
    """The bytes are not a well-formed, canonical, within-limits record."""


class UnsupportedVersion(ProtocolError):
    """The record uses a format version this implementation does not speak."""


class UnknownKind(ProtocolError):
    """The record's kind is not one this implementation knows."""


class BadSignature(ProtocolError):
    """The signature does not verify for the author, kind and contents."""


class BadMemberId(ProtocolError):
    """A member id string is not the peer id of an Ed25519 key."""


class SealError(ProtocolError):
    """A sealed field could not be opened: wrong key, wrong record, or tampered."""
