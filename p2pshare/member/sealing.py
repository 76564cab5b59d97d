"""Private text: sealing it to one member, and opening what was sealed to this one.

The member's X25519 keys stay here, in identity.py and seal_keys.py; a home may
hold several (the member changes seal key when it revokes a device), so opening
tries each, the current one first. What cannot be opened
(not ours, damaged, a wrong context) reads as "" rather than an error, since a
view shows it as "not yours to read".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

import protocol
from p2pshare.errors import UserError

if TYPE_CHECKING:
    from p2pshare.domain.ledger import OfferState
    from p2pshare.member.identity import Identity
    from protocol import Profile, PublicKey, RecordId


def profile_seal_key(identity: Identity, old: Profile | None) -> PublicKey:
    """The seal key a new profile of this member names: this home's current one, unless
    the member's profile names one this home does not hold (a newer key, made when a
    device was revoked, that a root restored from its words has not fetched yet): that
    one stays, so an edit never moves the member back to a key a revoked device holds."""
    keyring = identity.keyring
    if old is not None and keyring is not None and keyring.find(old.seal_key) is None:
        return old.seal_key
    return identity.seal_public


def seal_text(text: str, recipient: PublicKey, context: bytes) -> bytes:
    """`text` sealed to `recipient`'s seal key under `context` (a fresh ephemeral key)."""
    try:
        return protocol.seal(
            text.encode(),
            recipient=recipient,
            context=context,
            ephemeral=X25519PrivateKey.generate(),
        )
    except protocol.SealError as exc:
        raise UserError(f"cannot seal private text: {exc}") from None


Keys = X25519PrivateKey | Sequence[X25519PrivateKey]  # one, or the member's keyring


def open_text(sealed: bytes, key: Keys, context: bytes) -> str:
    """What was sealed to `key` (or to one of the keys) under `context`, or "" if none
    opens it."""
    for one in (key,) if isinstance(key, X25519PrivateKey) else key:
        try:
            opened = protocol.open_sealed(sealed, key=one, context=context)
        except protocol.SealError:
            continue
        return opened.decode("utf-8", "replace")
    return ""


def open_contact(offer: OfferState, me: PublicKey, key: Keys) -> str:
    """The offer's contact details, if `me` may read them ('' if none)."""
    if offer.author == me and offer.offer.contact:
        context = protocol.offer_contact_context(me, offer.created_at)
        return open_text(offer.offer.contact, key, context)
    handoff = offer.handoff_to(me)
    if handoff is not None and handoff.contact:
        context = protocol.handoff_contact_context(offer.author, offer.id, me)
        return open_text(handoff.contact, key, context)
    return ""


def open_note(offer: OfferState, link_id: RecordId, me: PublicKey, key: Keys) -> str:
    """A forward's note: public, or sealed to `me`; '' if it is not theirs to read."""
    link = next((link for link in offer.forwards if link.id == link_id), None)
    if link is None:
        return ""
    if not link.private_note:
        return link.note
    if link.to != me:
        return ""
    context = protocol.forward_note_context(link.author, link.parent, me)
    return open_text(link.private_note, key, context)
