"""An offer's conversation and "not for me" (issue 14): decline and say records.

A message (`Say`) is sealed to each participant of the offer, one record per
reader with the author's own copy among them: the offer's author, the members
who forwarded it, those who accepted it and those it was handed to. A decline
(`Decline`) names the forward to me that I turn down, its note sealed to that
forward's author. Neither changes the offer's state; both are read here, opened
with the member's seal key, for the activity inbox and the offer page.

The conversation is between members, not devices (docs/PROTOCOL.md §Records of a
member): every key here is a member key, the author's in each seal context too, as
in offer_actions.py. A device takes part when its member does, its member's copy
is the one it opens (every device holds the member's seal keys), and what any
device of mine said or declined is mine. A record that does not count for its
member (an unlinked device's after its unlink) is read by nobody.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import protocol
from p2pshare.domain.activity import Said
from p2pshare.errors import UserError
from p2pshare.member.sealing import open_text, seal_text
from protocol import Decline, Say

if TYPE_CHECKING:
    from p2pshare.domain.ledger import OfferState
    from p2pshare.member.core import MemberCore
    from protocol import Envelope, PublicKey, RecordId

MAX_MESSAGE = 1000  # characters; sealing limits the bytes


def say_context(author: bytes, offer: bytes, reader: bytes) -> bytes:
    return protocol.seal_context("say.text", author, offer, reader)


def decline_context(author: bytes, forward: bytes, forwarder: bytes) -> bytes:
    return protocol.seal_context("decline.note", author, forward, forwarder)


def participants(state: OfferState) -> list[PublicKey]:
    """Who takes part in an offer's conversation, the author first, each once."""
    keys = [state.author]
    keys += [link.author for link in state.forwards]
    keys += [accept.author for accept in state.accepts]
    keys += [handoff.to for handoff in state.handoffs]
    return list(dict.fromkeys(keys))


def decline(member: MemberCore, state: OfferState, note: str) -> Envelope:
    """Turn down the (latest) forward of this offer addressed to my member."""
    me = member.member_key
    links = [link for link in state.forwards if link.to == me]
    if not links:
        raise UserError("this offer was not forwarded to you: there is no one to decline to")
    if any(a.author == me for a in state.accepts):
        raise UserError("you accepted this offer: withdrawing an accept is not possible")
    link = links[-1]
    sealed = b""
    if note:
        context = decline_context(me, link.id, link.author)
        sealed = seal_text(note, member.seal_key_of(link.author), context)
    body = Decline(offer=state.id, forward=link.id, note=sealed)
    return member.commit(body)


def say(member: MemberCore, state: OfferState, text: str) -> list[Envelope]:
    """One message to everyone in the offer's conversation (one sealed copy each)."""
    text = text.strip()
    if not text:
        raise UserError("a message needs some text")
    if len(text) > MAX_MESSAGE:
        raise UserError(f"a message is at most {MAX_MESSAGE} characters, this is {len(text)}")
    me = member.member_key
    readers = participants(state)
    if me not in readers:
        raise UserError(
            "only the author, its forwarders and who accepted it take part in an offer's "
            "conversation: forward or accept it first"
        )
    sealed: list[Say] = []
    for reader in readers:
        try:
            key = member.seal_key_of(reader)
        except UserError:
            continue  # no profile (no seal key) yet: they cannot read it
        context = say_context(me, state.id, reader)
        sealed.append(Say(offer=state.id, to=reader, text=seal_text(text, key, context)))
    if len(sealed) < 2:
        raise UserError("nobody else in this offer's conversation can read messages yet")
    return [member.commit(body) for body in sealed]


def said(member: MemberCore, offer: RecordId | None = None) -> list[Said]:
    """Messages and declines my member can read (of one offer, or all), oldest first;
    each one's `author` is the member who said it."""
    ledger = member.ledger()
    me, key = member.member_key, member.identity.seal_keys
    member_of = member.member_of
    out: list[Said] = []
    for env in member.store.by_kind(Say.KIND):
        body = env.body
        if not isinstance(body, Say) or (offer and body.offer != offer):
            continue
        if member_of(body.to) != me or env.id in ledger.rejected:
            continue  # a copy for someone else, or not its member's (an unlinked device's)
        author = member_of(env.author)
        text = open_text(body.text, key, say_context(author, body.offer, body.to))
        if text:
            out.append(_said(env, author, "message", body.offer, text))
    for env in member.store.by_kind(Decline.KIND):
        body = env.body
        if not isinstance(body, Decline) or (offer and body.offer != offer):
            continue
        if env.id in ledger.rejected:
            continue
        author = member_of(env.author)
        state = ledger.offers.get(body.offer)
        link = next((x for x in state.forwards if x.id == body.forward), None) if state else None
        if link is None or link.to != author or me not in (link.author, author):
            continue  # not a decline of a forward to its author, or not mine to see
        text = ""
        if body.note and link.author == me:
            text = open_text(body.note, key, decline_context(author, body.forward, me))
        out.append(_said(env, author, "declined", body.offer, text))
    return sorted(out, key=lambda s: (s.created_at, s.id))


def declined_by_me(member: MemberCore) -> set[str]:
    """Offers (hex) my member said "not for me" to, from any of its devices: hidden
    from my feed."""
    keys = dict.fromkeys((member.me, *member.keys_of(member.member_key)))
    return {
        env.body.offer.hex()
        for signer in keys
        for env in member.store.by_author(signer, Decline.KIND)
        if isinstance(env.body, Decline)
    }


def _said(env: Envelope, author: PublicKey, kind: str, offer: RecordId, text: str) -> Said:
    return Said(
        id=env.id.hex(),
        kind=kind,
        offer=offer,
        author=author,
        created_at=env.created_at,
        text=text,
    )
